//! Acceptance-test harness: drives the REAL Terraform CLI against the provider
//! binary built by cargo, the way terraform-plugin-testing does for Go
//! providers.
//!
//! Terraform comes from TF_ACC_TERRAFORM_PATH when set, else from
//! `.tools/bin/terraform`, which `scripts/bootstrap` provisions (pinned) when
//! it is missing. Each [`Workdir`] is a temp directory with its own CLI config
//! (dev_overrides pointing at the freshly built provider), so nothing on the
//! machine leaks in.

#![allow(dead_code)] // each test binary uses a different part of the harness

pub mod aws;
pub mod plugin_client;
pub mod rng;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

pub const PROVIDER_SOURCE: &str = "registry.terraform.io/rootaccess/rootaccess";

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn provider_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_terraform-provider-rootaccess"))
}

/// The Terraform CLI to test with (provisioned once per test process).
pub fn terraform_path() -> PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        if let Ok(p) = std::env::var("TF_ACC_TERRAFORM_PATH") {
            return PathBuf::from(p);
        }
        let path = repo_root().join(".tools/bin/terraform");
        if !path.exists() {
            let status = Command::new(repo_root().join("scripts/bootstrap")).status();
            assert!(
                status.is_ok_and(|s| s.success()),
                "could not provision Terraform with scripts/bootstrap"
            );
        }
        path
    })
    .clone()
}

/// The sum of two CPU-time fields of a /proc stat file, numbered as
/// proc(5) numbers them (`14`: utime and stime; `16`: the waited-for
/// children's), in seconds (Linux counts ticks of 1/100 s).
pub fn cpu_seconds_of(stat_path: &str, field: usize) -> f64 {
    let stat = std::fs::read_to_string(stat_path).unwrap_or_default();
    // After the name (field 2, in parentheses): the state letter, then
    // numbers from field 4 on.
    let numbers: Vec<f64> = stat
        .rsplit_once(')')
        .map(|(_, rest)| {
            rest.split_whitespace()
                .skip(1)
                .filter_map(|f| f.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    let at = |k: usize| numbers.get(k - 4).copied().unwrap_or(0.0);
    (at(field) + at(field + 1)) / 100.0
}

/// The older Terraform (1.11, without actions) for compatibility tests:
/// TF_ACC_TERRAFORM_OLD_PATH when set, else the one scripts/bootstrap installs.
pub fn older_terraform_path() -> PathBuf {
    if let Ok(p) = std::env::var("TF_ACC_TERRAFORM_OLD_PATH") {
        return PathBuf::from(p);
    }
    // Provisioning is shared with the main Terraform.
    let _ = terraform_path();
    repo_root().join(".tools/bin/terraform-1.11")
}

/// Terraform 1.12 (the first with resource identity, before list resources
/// and actions), as scripts/bootstrap installs it.
pub fn terraform_1_12_path() -> PathBuf {
    let _ = terraform_path();
    repo_root().join(".tools/bin/terraform-1.12")
}

/// The result of one Terraform command.
pub struct Run {
    pub args: Vec<String>,
    pub output: Output,
}

impl Run {
    pub fn code(&self) -> i32 {
        self.output.status.code().unwrap_or(-1)
    }
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }
    /// Everything printed, for assertions on messages.
    pub fn text(&self) -> String {
        format!("{}\n{}", self.stdout(), self.stderr())
    }
    /// Terraform blames the provider for breaking its rules (issue 13):
    /// never acceptable, whether the command succeeds or fails, so every
    /// run of Terraform checks it.
    /// Nor may a diagnostic show the AWS SDK's Rust debug text (issue 22):
    /// people get one sentence of cause.
    #[track_caller]
    fn assert_no_provider_bug(&self) {
        let text = flatten(&self.text());
        assert!(
            !text.contains("bug in the provider") && !text.contains("defect of the provider"),
            "terraform {:?} reports a provider bug:\n{}",
            self.args,
            self.text()
        );
        for debug_text in SDK_DEBUG_TEXT {
            assert!(
                !text.contains(debug_text),
                "terraform {:?} shows the SDK's debug text {debug_text:?}:\n{}",
                self.args,
                self.text()
            );
        }
    }
    #[track_caller]
    pub fn ok(self) -> Run {
        assert_eq!(
            self.code(),
            0,
            "terraform {:?} failed:\n{}",
            self.args,
            self.text()
        );
        self
    }
    /// Asserts failure with every `needles` in the output (line-wrapping ignored).
    #[track_caller]
    pub fn fails_with(self, needles: &[&str]) -> Run {
        assert_ne!(
            self.code(),
            0,
            "terraform {:?} should have failed:\n{}",
            self.args,
            self.text()
        );
        let flat = flatten(&self.text());
        for needle in needles {
            assert!(
                flat.contains(&flatten(needle)),
                "expected {needle:?} in output of {:?}:\n{}",
                self.args,
                self.text()
            );
        }
        self
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.output.stdout).unwrap_or_else(|e| {
            panic!(
                "terraform {:?} did not print JSON ({e}):\n{}",
                self.args,
                self.text()
            )
        })
    }
}

/// Collapses whitespace (Terraform wraps long messages) and drops box-drawing margins.
/// What the AWS SDK's Debug and error-context output looks like: type names
/// of its error wrappers, never words a person would write.
pub const SDK_DEBUG_TEXT: [&str; 6] = [
    "DispatchFailure",
    "ConnectorError",
    "ServiceError {",
    "TimeoutError",
    "ConstructionFailure",
    "{ source: ",
];

pub fn flatten(s: &str) -> String {
    s.replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A Terraform working directory with its own CLI configuration.
pub struct Workdir {
    dir: tempfile::TempDir,
    /// Where Terraform runs, below `dir` (empty: `dir` itself).
    sub: PathBuf,
    env: Vec<(String, String)>,
    terraform: PathBuf,
}

/// Copies a directory tree.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir").flatten() {
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("copy");
        }
    }
}

impl Workdir {
    pub fn new(config: &str) -> Workdir {
        let dir = tempfile::Builder::new()
            .prefix("tfacc")
            .tempdir()
            .expect("temp dir");
        let w = Workdir {
            dir,
            sub: PathBuf::new(),
            env: Vec::new(),
            terraform: terraform_path(),
        };
        w.write_dev_overrides(&[]);
        w.write_config(config);
        w
    }

    /// A copy of the repository's `examples/` and `modules/` trees, in their
    /// layout (relative module sources resolve); Terraform runs in `dir`, a
    /// directory of that copy such as `examples/complete`. Nothing is added
    /// to its configuration.
    pub fn repo_copy(dir: &Path) -> Workdir {
        let tmp = tempfile::Builder::new()
            .prefix("tfacc")
            .tempdir()
            .expect("temp dir");
        for tree in ["examples", "modules"] {
            copy_dir(&repo_root().join(tree), &tmp.path().join(tree));
        }
        let w = Workdir {
            dir: tmp,
            sub: dir.to_path_buf(),
            env: Vec::new(),
            terraform: terraform_path(),
        };
        w.write_dev_overrides(&[]);
        w
    }

    /// Points Terraform at the provider under test, plus `extra` (source, directory) pairs.
    pub fn write_dev_overrides(&self, extra: &[(&str, &Path)]) {
        let ours = provider_binary()
            .parent()
            .expect("binary dir")
            .display()
            .to_string();
        let mut lines = format!("    \"{PROVIDER_SOURCE}\" = \"{ours}\"\n");
        for (source, dir) in extra {
            lines.push_str(&format!("    \"{source}\" = \"{}\"\n", dir.display()));
        }
        let cli_config = format!(
            "provider_installation {{\n  dev_overrides {{\n{lines}  }}\n  direct {{}}\n}}\n"
        );
        std::fs::write(self.path().join("cli.tfrc"), cli_config).expect("cli config");
    }

    pub fn path(&self) -> PathBuf {
        self.dir.path().join(&self.sub)
    }

    /// Runs every command with another Terraform binary.
    pub fn with_terraform(mut self, path: PathBuf) -> Workdir {
        self.terraform = path;
        self
    }

    /// Extra environment for Terraform and, through it, the provider.
    pub fn env(mut self, key: &str, value: &str) -> Workdir {
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    pub fn write_config(&self, config: &str) {
        let header = "terraform {\n  required_providers {\n    rootaccess = { source = \"rootaccess/rootaccess\" }\n  }\n}\n\n";
        std::fs::write(self.path().join("main.tf"), format!("{header}{config}")).expect("main.tf");
    }

    pub fn write_file(&self, name: &str, contents: &str) {
        std::fs::write(self.path().join(name), contents).expect("write file");
    }

    pub fn terraform(&self, args: &[&str]) -> Run {
        let output = self.command(args).output().expect("run terraform");
        let run = Run {
            args: args.iter().map(|s| s.to_string()).collect(),
            output,
        };
        run.assert_no_provider_bug();
        run
    }

    /// `terraform apply` (with `args`) as a person runs it: Terraform shows
    /// the plan and asks; `before_yes` runs while it waits, then the answer
    /// is "yes".
    pub fn apply_approving(&self, args: &[&str], before_yes: impl FnOnce()) -> Run {
        use std::io::{Read, Write};
        let mut all = vec!["apply"];
        all.extend_from_slice(args);
        let mut child = self
            .command(&all)
            .env("TF_INPUT", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run terraform");
        let mut stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel::<Vec<u8>>();
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        let mut seen = Vec::new();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        while !String::from_utf8_lossy(&seen).contains("Enter a value:") {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match rx.recv_timeout(left) {
                Ok(chunk) => seen.extend(chunk),
                Err(_) => {
                    let _ = child.kill();
                    panic!(
                        "terraform never asked for approval:\n{}",
                        String::from_utf8_lossy(&seen)
                    );
                }
            }
        }
        before_yes();
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(b"yes\n").expect("answer");
        drop(stdin);
        let mut stderr = Vec::new();
        child
            .stderr
            .take()
            .expect("stderr")
            .read_to_end(&mut stderr)
            .expect("stderr");
        let status = child.wait().expect("terraform");
        let _ = reader.join();
        seen.extend(rx.try_iter().flatten());
        let run = Run {
            args: all.iter().map(|s| s.to_string()).collect(),
            output: Output {
                status,
                stdout: seen,
                stderr,
            },
        };
        run.assert_no_provider_bug();
        run
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.terraform);
        cmd.args(args)
            .current_dir(self.path())
            .env("TF_CLI_CONFIG_FILE", self.path().join("cli.tfrc"))
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_IN_AUTOMATION", "1")
            .env("TF_INPUT", "0")
            // The provider's plan memory stays in this test's directory.
            .env("XDG_RUNTIME_DIR", self.dir.path())
            .env_remove("TF_LOG")
            .env_remove("TF_LOG_PROVIDER");
        // Nothing of the machine's AWS setup may reach the provider.
        for (key, _) in std::env::vars() {
            if key.starts_with("AWS_") {
                cmd.env_remove(key);
            }
        }
        // Terraform's commands here are short and small: its garbage
        // collector only cost CPU (about a tenth of each command). It runs
        // only when the heap nears GOMEMLIMIT; both can be set to override.
        for (key, value) in [("GOGC", "off"), ("GOMEMLIMIT", "2GiB")] {
            if std::env::var_os(key).is_none() {
                cmd.env(key, value);
            }
        }
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    /// `terraform apply`, then the checks every step of a provider test must
    /// pass: a plan with and without refresh is empty.
    #[track_caller]
    pub fn apply(&self) -> Run {
        let run = self
            .terraform(&["apply", "-auto-approve", "-no-color"])
            .ok();
        self.assert_plan_empty();
        run
    }

    #[track_caller]
    pub fn assert_plan_empty(&self) {
        for refresh in ["-refresh=false", "-refresh=true"] {
            let plan = self.terraform(&["plan", "-detailed-exitcode", "-no-color", refresh]);
            assert_eq!(
                plan.code(),
                0,
                "plan ({refresh}) after apply is not empty:\n{}",
                plan.text()
            );
        }
    }

    /// Saves a plan and returns `terraform show -json` of it.
    #[track_caller]
    pub fn plan_json(&self) -> serde_json::Value {
        self.terraform(&["plan", "-out=tfplan", "-no-color"]).ok();
        self.terraform(&["show", "-json", "tfplan"]).ok().json()
    }

    /// The actions planned per resource address, e.g. `["update"]`.
    pub fn planned_actions(&self) -> Vec<(String, Vec<String>)> {
        let plan = self.plan_json();
        plan["resource_changes"]
            .as_array()
            .map(|changes| {
                changes
                    .iter()
                    .map(|c| {
                        let actions = c["change"]["actions"]
                            .as_array()
                            .map(|a| {
                                a.iter()
                                    .filter_map(|x| x.as_str().map(String::from))
                                    .collect()
                            })
                            .unwrap_or_default();
                        (
                            c["address"].as_str().unwrap_or_default().to_string(),
                            actions,
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn state_json(&self) -> serde_json::Value {
        self.terraform(&["show", "-json"]).ok().json()
    }

    pub fn outputs(&self) -> serde_json::Value {
        self.terraform(&["output", "-json"]).ok().json()
    }

    #[track_caller]
    pub fn destroy(&self) -> Run {
        self.terraform(&["destroy", "-auto-approve", "-no-color"])
            .ok()
    }

    /// The entry of resource `address` in `terraform show -json` (`values`,
    /// `tainted`, ...); null when the state has no such resource.
    pub fn resource(&self, address: &str) -> serde_json::Value {
        let state = self.state_json();
        state["values"]["root_module"]["resources"]
            .as_array()
            .and_then(|r| r.iter().find(|r| r["address"] == address))
            .cloned()
            .unwrap_or(serde_json::Value::Null)
    }

    /// The attribute values of resource `address` in state; null when absent.
    pub fn resource_values(&self, address: &str) -> serde_json::Value {
        self.resource(address)["values"].clone()
    }

    /// Raw text of the state file (for secret scans).
    pub fn state_text(&self) -> String {
        std::fs::read_to_string(self.path().join("terraform.tfstate")).unwrap_or_default()
    }
}

/// The change a saved plan (`terraform show -json`) records for `address`.
pub fn resource_change(plan: &serde_json::Value, address: &str) -> serde_json::Value {
    plan["resource_changes"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["address"] == address))
        .map(|c| c["change"].clone())
        .unwrap_or_else(|| panic!("{address} not in the plan: {plan}"))
}

/// Parses a JSON document held in a string attribute (null when absent).
pub fn json_of(text: &serde_json::Value) -> serde_json::Value {
    serde_json::from_str(text.as_str().unwrap_or("null")).expect("JSON text")
}

/// Asserts that diagnostics (in flattened CLI output) quote each configuration line.
#[track_caller]
pub fn assert_points_at(text: &str, lines: &[&str]) {
    for line in lines {
        assert!(
            text.contains(line),
            "a diagnostic should point at `{line}`: {text}"
        );
    }
}
