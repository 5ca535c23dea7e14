//! The crate boundaries, as Cargo resolves them: the plugin framework knows
//! no AWS, the AWS crate knows no Terraform.

use std::process::Command;

use crate::support;

/// Every package `package` depends on (normal and build dependencies).
fn dependencies_of(package: &str) -> Vec<String> {
    let out = Command::new(env!("CARGO"))
        .args([
            "tree",
            "--offline",
            "--edges",
            "normal,build",
            "--prefix",
            "none",
            "--package",
            package,
        ])
        .current_dir(support::repo_root())
        .output()
        .expect("run cargo tree");
    assert!(
        out.status.success(),
        "cargo tree -p {package}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

#[test]
fn the_framework_depends_on_nothing_of_aws() {
    let deps = dependencies_of("tfplugin");
    assert!(deps.iter().any(|d| d == "tonic"), "sanity: {deps:?}");
    let aws: Vec<&String> = deps
        .iter()
        .filter(|d| {
            d.starts_with("aws-sdk") || d.starts_with("aws-config") || *d == "aws-root-access"
        })
        .collect();
    assert!(aws.is_empty(), "tfplugin depends on {aws:?}");
}

#[test]
fn the_aws_crate_depends_on_nothing_of_terraform() {
    let deps = dependencies_of("aws-root-access");
    assert!(deps.iter().any(|d| d == "aws-sdk-sts"), "sanity: {deps:?}");
    let terraform: Vec<&String> = deps
        .iter()
        .filter(|d| ["tfplugin", "tonic", "prost", "rmp"].contains(&d.as_str()))
        .collect();
    assert!(
        terraform.is_empty(),
        "aws-root-access depends on {terraform:?}"
    );
}
