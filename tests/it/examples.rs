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
    let root = support::repo_root();
    let mut dirs = Vec::new();
    // The examples, and the module (its own configuration, its examples and
    // its test fixtures).
    example_dirs(&root.join("examples"), &mut dirs);
    example_dirs(&root.join("modules"), &mut dirs);
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
        // In a copy of examples/ and modules/, so relative module sources resolve.
        let w = Workdir::repo_copy(dir.strip_prefix(&root).expect("inside the repository"));
        let texts: Vec<(PathBuf, String)> = std::fs::read_dir(dir)
            .expect("read example")
            .flatten()
            .map(|e| e.path())
            .filter(|p| is_configuration(p))
            .map(|p| {
                let text = std::fs::read_to_string(&p).expect("read");
                (p, text)
            })
            .collect();
        let has = |needle: &str| texts.iter().any(|(_, t)| t.contains(needle));
        let has_queries = texts
            .iter()
            .any(|(p, _)| p.to_string_lossy().ends_with(".tfquery.hcl"));
        if !has("required_providers") {
            w.write_file(
                "zz_test_required_providers.tf",
                "terraform {\n  required_providers {\n    rootaccess = { source = \"rootaccess/rootaccess\" }\n  }\n}\n",
            );
        }
        w.write_dev_overrides(&[("registry.terraform.io/hashicorp/aws", stand_in.path())]);
        if has("module \"") || dir.join("tests").is_dir() {
            // Installs the modules the example (or a test file's run block)
            // calls; providers come from dev_overrides.
            let init = w.terraform(&["init", "-no-color", "-backend=false"]);
            if init.code() != 0 {
                failures.push(format!("{}:\n{}", dir.display(), init.text()));
                continue;
            }
        }
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
