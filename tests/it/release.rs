//! Release artifacts and local installation work with a plain `terraform init`.

use crate::support;

use std::process::Command;

use support::Workdir;

const CONFIG: &str = r#"
terraform {
  required_providers {
    rootaccess = {
      source  = "rootaccess/rootaccess"
      version = "VERSION"
    }
  }
}

output "arn" { value = provider::rootaccess::task_policy_arn("SQSUnlockQueuePolicy") }
"#;

fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// A work dir whose CLI config installs providers only from `mirror`.
fn mirrored(mirror: &std::path::Path) -> Workdir {
    let w = Workdir::new("");
    std::fs::write(
        w.path().join("main.tf"),
        CONFIG.replace("VERSION", version()),
    )
    .expect("main.tf");
    w.write_file(
        "cli.tfrc",
        &format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path = \"{}\"\n  }}\n}}\n",
            mirror.display()
        ),
    );
    w
}

#[test]
fn release_artifacts_install_through_a_filesystem_mirror() {
    let out = tempfile::tempdir().expect("tmp");
    let status = Command::new(support::repo_root().join("scripts/release"))
        .args([
            "--out",
            &out.path().display().to_string(),
            "--binary",
            &support::provider_binary().display().to_string(),
        ])
        .status()
        .expect("run scripts/release");
    assert!(status.success());
    let v = version();
    let zip = format!("terraform-provider-rootaccess_{v}_linux_amd64.zip");
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            out.path()
                .join(format!("terraform-provider-rootaccess_{v}_manifest.json")),
        )
        .expect("manifest"),
    )
    .expect("manifest JSON");
    assert_eq!(
        manifest["metadata"]["protocol_versions"],
        serde_json::json!(["5.0"])
    );
    let sums = std::fs::read_to_string(
        out.path()
            .join(format!("terraform-provider-rootaccess_{v}_SHA256SUMS")),
    )
    .expect("sums");
    let zip_sum = sums
        .lines()
        .find(|l| l.ends_with(&zip))
        .expect("zip listed")
        .split_whitespace()
        .next()
        .expect("sum")
        .to_string();

    // Packed mirror layout: HOST/NAMESPACE/TYPE/<registry zip>.
    let mirror = tempfile::tempdir().expect("mirror");
    let dir = mirror
        .path()
        .join("registry.terraform.io/rootaccess/rootaccess");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::copy(out.path().join(&zip), dir.join(&zip)).expect("copy zip");

    let w = mirrored(mirror.path());
    w.terraform(&["init", "-no-color"]).ok();
    let lock = std::fs::read_to_string(w.path().join(".terraform.lock.hcl")).expect("lock file");
    assert!(lock.contains(&format!("version     = \"{v}\"")), "{lock}");
    // A mirror yields the package hash (h1:); zh: hashes come only from a registry.
    assert!(lock.contains("\"h1:"), "{lock}");
    let actual = Command::new("sha256sum")
        .arg(out.path().join(&zip))
        .output()
        .expect("sha256sum");
    assert!(
        String::from_utf8_lossy(&actual.stdout).starts_with(&zip_sum),
        "SHA256SUMS matches the zip"
    );
    w.terraform(&["apply", "-auto-approve", "-no-color"]).ok();
    assert_eq!(
        w.outputs()["arn"]["value"],
        "arn:aws:iam::aws:policy/root-task/SQSUnlockQueuePolicy"
    );
}

#[test]
fn install_script_layout_is_found_by_terraform_init() {
    let plugins = tempfile::tempdir().expect("plugins");
    // --debug reuses the binary the tests already built.
    let status = Command::new(support::repo_root().join("scripts/install"))
        .args([
            "--debug",
            "--plugins-dir",
            &plugins.path().display().to_string(),
        ])
        .status()
        .expect("run scripts/install");
    assert!(status.success());
    let w = mirrored(plugins.path());
    w.terraform(&["init", "-no-color"]).ok();
    w.terraform(&["apply", "-auto-approve", "-no-color"]).ok();
    assert_eq!(
        w.outputs()["arn"]["value"],
        "arn:aws:iam::aws:policy/root-task/SQSUnlockQueuePolicy"
    );
}

/// `gpg` with its own keyring in `home`.
fn gpg(home: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new("gpg")
        .env("GNUPGHOME", home)
        .args(["--batch", "--quiet"])
        .args(args)
        .output()
        .expect("run gpg (scripts/bootstrap installs it)")
}

#[test]
fn a_configured_gpg_key_signs_the_checksums_the_registry_verifies() {
    // A throwaway RSA key (the registry accepts RSA keys), no passphrase.
    let home = tempfile::tempdir().expect("gnupg home");
    let created = gpg(
        home.path(),
        &[
            "--passphrase",
            "",
            "--quick-gen-key",
            "Release Test <release-test@example.invalid>",
            "rsa3072",
            "sign",
            "never",
        ],
    );
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let out = tempfile::tempdir().expect("out");
    let run = |key: Option<&str>| {
        let mut cmd = Command::new(support::repo_root().join("scripts/release"));
        cmd.args([
            "--out",
            &out.path().display().to_string(),
            "--binary",
            &support::provider_binary().display().to_string(),
        ])
        .env("GNUPGHOME", home.path())
        .env_remove("RELEASE_GPG_KEY");
        if let Some(key) = key {
            cmd.env("RELEASE_GPG_KEY", key);
        }
        assert!(cmd.status().expect("run scripts/release").success());
    };
    let v = version();
    let sums = out
        .path()
        .join(format!("terraform-provider-rootaccess_{v}_SHA256SUMS"));
    let sig = out
        .path()
        .join(format!("terraform-provider-rootaccess_{v}_SHA256SUMS.sig"));

    run(Some("release-test@example.invalid"));
    let verified = gpg(
        home.path(),
        &[
            "--verify",
            &sig.display().to_string(),
            &sums.display().to_string(),
        ],
    );
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stderr)
    );
    // A changed checksum file no longer verifies.
    let original = std::fs::read_to_string(&sums).expect("sums");
    std::fs::write(&sums, original.replacen('0', "1", 1)).expect("tamper");
    let tampered = gpg(
        home.path(),
        &[
            "--verify",
            &sig.display().to_string(),
            &sums.display().to_string(),
        ],
    );
    assert!(
        !tampered.status.success(),
        "a tampered SHA256SUMS must not verify"
    );

    // Without a key: no signature, and none left over from before.
    run(None);
    assert!(!sig.exists());
}
