//! The example provider (`examples/terraform-provider-example.rs`) served to
//! the real Terraform CLI: create, empty plans, update in place, drift and
//! deletion out of band, import, replacement, destroy, and a validator.
//!
//! Terraform comes from `TF_ACC_TERRAFORM_PATH`, else from
//! `<workspace>/.tools/bin/terraform`, which `scripts/bootstrap` installs; the
//! test fails when neither exists. The provider binary is built with cargo
//! (little more than linking it after `cargo test --workspace --all-targets`
//! built everything else) and handed to
//! Terraform through a `dev_overrides` CLI configuration in a temp directory,
//! so nothing of the machine's Terraform setup leaks in.

use std::path::{Path, PathBuf};
use std::process::Command;

const EXAMPLE: &str = "terraform-provider-example";
const SOURCE: &str = "registry.terraform.io/example/example";

#[test]
fn terraform_manages_a_file_through_the_example_provider() {
    let tf = Workdir::new(&terraform_cli(), &build_example());
    let file = tf.dir().join("files/hello.txt");

    // Create: the file appears; the provider function runs too.
    tf.write_config("hello.txt", "hello");
    let apply = tf.ok(&["apply", "-auto-approve"]);
    assert!(apply.contains("1 added, 0 changed, 0 destroyed"), "{apply}");
    assert!(apply.contains(r#"shout = "HELLO""#), "{apply}");
    assert_eq!(read(&file), "hello");
    tf.assert_plan_empty();

    // New content: an update in place.
    tf.write_config("hello.txt", "hello, world");
    let apply = tf.ok(&["apply", "-auto-approve"]);
    assert!(apply.contains("will be updated in-place"), "{apply}");
    assert!(apply.contains("0 added, 1 changed, 0 destroyed"), "{apply}");
    assert_eq!(read(&file), "hello, world");
    tf.assert_plan_empty();

    // Content changed by hand: the refresh sees it, the plan puts it back.
    write(&file, "tampered");
    let plan = tf.plan_with_changes();
    assert!(plan.contains("will be updated in-place"), "{plan}");
    tf.ok(&["apply", "-auto-approve"]);
    assert_eq!(read(&file), "hello, world");

    // File deleted by hand: the object is gone, the plan creates it again.
    std::fs::remove_file(&file).expect("delete the file");
    let plan = tf.plan_with_changes();
    assert!(plan.contains("will be created"), "{plan}");
    tf.ok(&["apply", "-auto-approve"]);
    assert_eq!(read(&file), "hello, world");

    // Import by path: forget the resource, import it, nothing to change.
    tf.ok(&["state", "rm", "example_file.greeting"]);
    let import = tf.ok(&["import", "example_file.greeting", "hello.txt"]);
    assert!(import.contains("Import successful"), "{import}");
    tf.assert_plan_empty();

    // New path: a replacement, the old file goes, the new one comes.
    tf.write_config("bye.txt", "hello, world");
    let apply = tf.ok(&["apply", "-auto-approve"]);
    assert!(apply.contains("must be replaced"), "{apply}");
    assert!(apply.contains("1 added, 0 changed, 1 destroyed"), "{apply}");
    let moved = tf.dir().join("files/bye.txt");
    assert!(!file.exists(), "the old file should be deleted");
    assert_eq!(read(&moved), "hello, world");
    tf.assert_plan_empty();

    let destroy = tf.ok(&["destroy", "-auto-approve"]);
    assert!(destroy.contains("1 destroyed"), "{destroy}");
    assert!(!moved.exists(), "destroy should delete the file");

    // The schema's validator, pointing at the attribute.
    tf.write_config("", "hello");
    let (code, text) = tf.run(&["plan"]);
    assert_eq!(code, Some(1), "an empty path should be refused:\n{text}");
    assert!(text.contains("The path is empty."), "{text}");
    assert!(text.contains(r#"path    = """#), "{text}");
}

/// The Terraform CLI to test with; fails (never skips) when there is none.
fn terraform_cli() -> PathBuf {
    let (path, origin) = match std::env::var_os("TF_ACC_TERRAFORM_PATH") {
        Some(path) => (PathBuf::from(path), "from TF_ACC_TERRAFORM_PATH"),
        None => (
            workspace_root().join(".tools/bin/terraform"),
            "TF_ACC_TERRAFORM_PATH is not set",
        ),
    };
    assert!(
        path.is_file(),
        "no Terraform CLI at {} ({origin}). Run scripts/bootstrap in the workspace root to install it, \
         or set TF_ACC_TERRAFORM_PATH to a terraform binary.",
        path.display()
    );
    path
}

fn workspace_root() -> PathBuf {
    // crates/tfplugin -> the workspace root.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("the crate lives in <workspace>/crates/tfplugin")
        .to_path_buf()
}

/// Builds the example with the cargo running this test and returns the path
/// cargo reports for it (whatever the target directory is). The whole
/// workspace's targets are named so that cargo resolves the same features as
/// the `cargo test --workspace --all-targets` that built this test: `-p
/// tfplugin --example` alone resolved other features for 59 crates and
/// compiled them again on every fresh clone (about two CPU minutes).
fn build_example() -> PathBuf {
    let output = Command::new(env!("CARGO"))
        .args(["build", "--workspace", "--all-targets"])
        .arg("--message-format=json-render-diagnostics")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo");
    assert!(
        output.status.success(),
        "cargo could not build the example:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == EXAMPLE)
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .expect("cargo reported no executable for the example")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn write(path: &Path, content: &str) {
    std::fs::write(path, content)
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

/// A temp directory holding the CLI configuration, the provider (as
/// `plugins/terraform-provider-example`, the name Terraform looks for) and
/// the Terraform working directory `work/`.
struct Workdir {
    root: tempfile::TempDir,
    terraform: PathBuf,
}

impl Workdir {
    fn new(terraform: &Path, provider: &Path) -> Workdir {
        let root = tempfile::Builder::new()
            .prefix("tfplugin-example")
            .tempdir()
            .expect("temp dir");
        let plugins = root.path().join("plugins");
        std::fs::create_dir_all(root.path().join("work/files")).expect("work dir");
        std::fs::create_dir(&plugins).expect("plugins dir");
        std::os::unix::fs::symlink(provider, plugins.join(EXAMPLE)).expect("link the provider");
        let cli_config = format!(
            "provider_installation {{\n  dev_overrides {{\n    \"{SOURCE}\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
            plugins.display()
        );
        write(&root.path().join("cli.tfrc"), &cli_config);
        Workdir {
            root,
            terraform: terraform.to_path_buf(),
        }
    }

    /// Terraform's working directory.
    fn dir(&self) -> PathBuf {
        self.root.path().join("work")
    }

    fn write_config(&self, path: &str, content: &str) {
        let config = format!(
            r#"terraform {{
  required_providers {{
    example = {{ source = "example/example" }}
  }}
}}

provider "example" {{
  base_dir = "files"
}}

resource "example_file" "greeting" {{
  path    = "{path}"
  content = "{content}"
}}

output "shout" {{
  value = provider::example::upper(example_file.greeting.content)
}}
"#
        );
        write(&self.dir().join("main.tf"), &config);
    }

    /// Runs Terraform (no `init` needed with dev_overrides); returns the exit
    /// code and everything it printed.
    fn run(&self, args: &[&str]) -> (Option<i32>, String) {
        let output = Command::new(&self.terraform)
            .args(args)
            .arg("-no-color")
            .current_dir(self.dir())
            .env("TF_CLI_CONFIG_FILE", self.root.path().join("cli.tfrc"))
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_IN_AUTOMATION", "1")
            .env("TF_INPUT", "0")
            .env_remove("TF_LOG")
            .env_remove("TF_LOG_PROVIDER")
            .env_remove("TF_REATTACH_PROVIDERS")
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.terraform.display()));
        let text = format!(
            "{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        (output.status.code(), text)
    }

    #[track_caller]
    fn ok(&self, args: &[&str]) -> String {
        let (code, text) = self.run(args);
        assert_eq!(code, Some(0), "terraform {args:?} failed:\n{text}");
        text
    }

    /// `plan -detailed-exitcode` exits 2 when there are changes.
    #[track_caller]
    fn plan_with_changes(&self) -> String {
        let (code, text) = self.run(&["plan", "-detailed-exitcode"]);
        assert_eq!(code, Some(2), "the plan should have changes:\n{text}");
        text
    }

    #[track_caller]
    fn assert_plan_empty(&self) {
        let (code, text) = self.run(&["plan", "-detailed-exitcode"]);
        assert_eq!(code, Some(0), "the plan should be empty:\n{text}");
    }
}
