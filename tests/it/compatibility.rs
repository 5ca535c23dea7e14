//! The provider with older Terraform releases: 1.11 (no identity, list
//! resources or actions) and 1.12 (identity, no list resources or actions).
//! Everything a version supports works, and what it lacks in the provider's
//! schema does not get in its way.

use crate::support;

use serde_json::json;
use support::aws::AwsEndpoint;
use support::{Workdir, older_terraform_path, terraform_1_12_path};

#[test]
fn terraform_1_11_runs_functions_resources_data_sources_and_ephemeral_sessions() {
    let aws = AwsEndpoint::start();
    aws.seed(json!({
        "organization": {"feature_set": "ALL"},
        "trusted_access": ["iam.amazonaws.com"],
        "features": ["RootCredentialsManagement"],
        "accounts": [{"id": "111111111111"}]
    }));
    let config = format!(
        r#"{provider}
resource "rootaccess_org_features" "this" {{
  enabled_features = ["RootCredentialsManagement", "RootSessions"]
}}

data "rootaccess_caller_identity" "me" {{}}

ephemeral "rootaccess_root_session" "audit" {{
  account_id  = "111111111111"
  task_policy = "IAMAuditRootUserCredentials"
}}

output "arn" {{ value = provider::rootaccess::task_policy_arn("S3UnlockBucketPolicy") }}
output "management" {{ value = data.rootaccess_caller_identity.me.is_management_account }}
"#,
        provider = aws.provider_hcl()
    );
    let w = Workdir::new(&config).with_terraform(older_terraform_path());
    let version = w.terraform(&["version", "-json"]).ok().json();
    assert_eq!(version["terraform_version"], "1.11.4");
    w.apply();
    let out = w.outputs();
    assert_eq!(
        out["arn"]["value"],
        "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy"
    );
    assert_eq!(out["management"]["value"], true);
    assert_eq!(
        aws.organization()["features"],
        json!(["RootCredentialsManagement", "RootSessions"])
    );
    // The ephemeral session was opened (Terraform 1.10+ supports them).
    assert!(aws.assume_root_total() >= 1);
    w.destroy();
    assert_eq!(aws.organization()["features"], json!([]));
}

#[test]
fn terraform_1_12_imports_by_identity_and_keeps_it() {
    let aws = AwsEndpoint::start();
    aws.seed(json!({
        "organization": {"feature_set": "ALL"},
        "trusted_access": ["iam.amazonaws.com"],
        "features": ["RootCredentialsManagement", "RootSessions"],
        "accounts": [{"id": "111111111111", "root_credentials": {"access_keys": 1}}]
    }));
    let config = format!(
        r#"{provider}
import {{
  to       = rootaccess_member_credentials_absent.dev
  identity = {{ account_id = "111111111111" }}
}}
resource "rootaccess_member_credentials_absent" "dev" {{
  account_id = "111111111111"
}}
"#,
        provider = aws.provider_hcl()
    );
    let w = Workdir::new(&config).with_terraform(terraform_1_12_path());
    // A list block is not part of 1.12's language: it ignores query files.
    w.write_file(
        "members.tfquery.hcl",
        "list \"rootaccess_member_credentials_absent\" \"all\" {\n  provider = rootaccess\n}\n",
    );
    let version = w.terraform(&["version", "-json"]).ok().json();
    assert_eq!(version["terraform_version"], "1.12.2");
    let plan = w.plan_json();
    let change = &plan["resource_changes"][0];
    assert!(
        change["change"]["importing"]["identity"].is_object(),
        "{change}"
    );
    assert_eq!(change["change"]["actions"], json!(["update"]), "{change}");
    w.apply();
    assert_eq!(
        aws.account("111111111111")["root_credentials"]["present"]["access_keys"],
        false
    );
    let state: serde_json::Value = serde_json::from_str(&w.state_text()).expect("state");
    assert_eq!(
        state["resources"][0]["instances"][0]["identity"],
        json!({"account_id": "111111111111"})
    );
}
