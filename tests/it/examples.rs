//! Every configuration under examples/ is valid for the provider as built:
//! examples feed the docs, so they must never rot.

use crate::support;

use std::path::{Path, PathBuf};

use support::Workdir;

fn example_dirs(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut has_tf = false;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            example_dirs(&path, found);
        } else if is_configuration(&path) {
            has_tf = true;
        }
    }
    if has_tf {
        found.push(dir.to_path_buf());
    }
}

/// A Terraform file: `.tf`, or a `.tfquery.hcl` of `terraform query`.
fn is_configuration(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    name.ends_with(".tf") || name.ends_with(".tfquery.hcl")
}

#[test]
fn every_example_validates() {
    let mut dirs = Vec::new();
    example_dirs(&support::repo_root().join("examples"), &mut dirs);
    assert!(dirs.len() >= 5, "examples found: {dirs:?}");
    // Examples that configure the AWS provider next to ours: no registry is
    // reachable here, so a stand-in binary answers for hashicorp/aws (its
    // provider block shares region/access_key/secret_key/token with ours).
    let stand_in = tempfile::tempdir().expect("dir");
    std::os::unix::fs::symlink(
        support::provider_binary(),
        stand_in.path().join("terraform-provider-aws"),
    )
    .expect("link");
    let mut failures = Vec::new();
    for dir in &dirs {
        let w = Workdir::new("");
        let mut has_terraform_block = false;
        let mut has_queries = false;
        for entry in std::fs::read_dir(dir).expect("read example").flatten() {
            let path = entry.path();
            if is_configuration(&path) {
                let text = std::fs::read_to_string(&path).expect("read");
                has_terraform_block |= text.contains("required_providers");
                has_queries |= path.to_string_lossy().ends_with(".tfquery.hcl");
                w.write_file(&path.file_name().expect("name").to_string_lossy(), &text);
            }
        }
        if has_terraform_block {
            // The example brings its own terraform block.
            w.write_file("main.tf", "");
        }
        w.write_dev_overrides(&[("registry.terraform.io/hashicorp/aws", stand_in.path())]);
        // List blocks (.tfquery.hcl) are validated only when asked for.
        let run = if has_queries {
            w.terraform(&["validate", "-query", "-no-color"])
        } else {
            w.terraform(&["validate", "-no-color"])
        };
        if run.code() != 0 {
            failures.push(format!("{}:\n{}", dir.display(), run.text()));
        }
    }
    assert!(
        failures.is_empty(),
        "invalid examples:\n{}",
        failures.join("\n")
    );
}
