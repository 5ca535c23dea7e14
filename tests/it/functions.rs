//! Provider functions through the real Terraform CLI.

use crate::support;

use support::Workdir;

const CONFIG: &str = r#"
provider "rootaccess" {}

output "audit_policy" {
  value = provider::rootaccess::task_policy_arn("IAMAuditRootUserCredentials")
}

output "all_policies" {
  value = [for n in ["IAMAuditRootUserCredentials", "IAMCreateRootUserPassword", "IAMDeleteRootUserCredentials", "S3UnlockBucketPolicy", "SQSUnlockQueuePolicy"] : provider::rootaccess::task_policy_arn(n)]
}

output "root" {
  value = provider::rootaccess::root_user_arn("012345678901")
}

output "china" {
  value = [provider::rootaccess::task_policy_arn("S3UnlockBucketPolicy", "aws-cn"), provider::rootaccess::root_user_arn("012345678901", "aws-cn")]
}

output "govcloud" {
  value = provider::rootaccess::root_user_arn("012345678901", "aws-us-gov")
}
"#;

#[test]
fn functions_apply_and_produce_the_expected_values() {
    let w = Workdir::new(CONFIG);
    w.apply();
    let out = w.outputs();
    assert_eq!(
        out["audit_policy"]["value"],
        "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"
    );
    assert_eq!(out["root"]["value"], "arn:aws:iam::012345678901:root");
    assert_eq!(
        out["china"]["value"],
        serde_json::json!([
            "arn:aws-cn:iam::aws:policy/root-task/S3UnlockBucketPolicy",
            "arn:aws-cn:iam::012345678901:root"
        ])
    );
    assert_eq!(
        out["govcloud"]["value"],
        "arn:aws-us-gov:iam::012345678901:root"
    );
    let all: Vec<&str> = out["all_policies"]["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(all.len(), 5);
    assert!(
        all.iter()
            .all(|a| a.starts_with("arn:aws:iam::aws:policy/root-task/"))
    );
    assert_eq!(
        all[4],
        "arn:aws:iam::aws:policy/root-task/SQSUnlockQueuePolicy"
    );
}

#[test]
fn an_unknown_task_policy_fails_at_plan_with_the_valid_names() {
    let w = Workdir::new(
        r#"
output "x" { value = provider::rootaccess::task_policy_arn("S3DeleteEverything") }
"#,
    );
    w.terraform(&["plan", "-no-color"]).fails_with(&[
        "Invalid function argument",
        "\"S3DeleteEverything\" is not a root-task policy name",
        "IAMAuditRootUserCredentials, IAMCreateRootUserPassword, IAMDeleteRootUserCredentials, S3UnlockBucketPolicy, SQSUnlockQueuePolicy",
    ]);
}

#[test]
fn a_malformed_account_id_fails_at_plan() {
    let w = Workdir::new(
        r#"
output "x" { value = provider::rootaccess::root_user_arn("12345") }
"#,
    );
    w.terraform(&["plan", "-no-color"])
        .fails_with(&["\"12345\" is not an AWS account id", "exactly 12 digits"]);
}

#[test]
fn an_unknown_argument_defers_the_call_to_apply() {
    // Values known only after apply must not fail validation or plan.
    let w = Workdir::new(
        r#"
resource "terraform_data" "id" { input = "210987654321" }
output "root" { value = provider::rootaccess::root_user_arn(terraform_data.id.output) }
"#,
    );
    w.apply();
    assert_eq!(
        w.outputs()["root"]["value"],
        "arn:aws:iam::210987654321:root"
    );
}

#[test]
fn an_unknown_partition_fails_at_plan_naming_the_valid_ones() {
    let w = Workdir::new(
        r#"
output "x" { value = provider::rootaccess::root_user_arn("012345678901", "aws-mars") }
"#,
    );
    w.terraform(&["plan", "-no-color"]).fails_with(&[
        "\"aws-mars\" is not a partition",
        "aws, aws-cn or aws-us-gov",
    ]);
}
