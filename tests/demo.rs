//! The README's "run it" command: scripts/demo does the whole job on the
//! local endpoint with examples/complete, and the second plan is empty.

mod support;

use std::process::Command;

#[test]
fn the_demo_does_the_whole_job() {
    let _ = support::terraform_path();
    let out = Command::new(support::repo_root().join("scripts/demo"))
        .env("DEMO_SKIP_BUILD", "1")
        .output()
        .expect("run scripts/demo");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "demo failed:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after = text.split("=== AFTER").nth(1).expect("after audit");
    let row = |account: &str| {
        after
            .lines()
            .find(|l| l.starts_with(account))
            .unwrap_or_default()
            .to_string()
    };
    // Every active member is clean and unlocked; the recovery account keeps its
    // login profile; the suspended account was left alone.
    for account in ["111111111111", "333333333333", "555555555555"] {
        let line = row(account);
        let cells: Vec<&str> = line.split_whitespace().skip(3).collect();
        assert_eq!(
            cells,
            ["-", "-", "-", "-", "-"],
            "{account}: {}",
            row(account)
        );
    }
    assert!(
        row("222222222222").contains("recovery"),
        "{}",
        row("222222222222")
    );
    assert!(row("444444444444").contains("SUSPENDED") && row("444444444444").contains("yes"));
    assert!(
        after.contains("features RootCredentialsManagement, RootSessions; IAM trusted access on")
    );
    assert!(text.contains("No changes: the organization matches the configuration."));
}
