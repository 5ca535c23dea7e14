//! The provider with an older Terraform (1.11: no actions, no list
//! resources): everything that version supports works, and what it lacks in
//! the provider's schema does not get in its way.

use crate::support;

use serde_json::json;
use support::aws::AwsEndpoint;
use support::{Workdir, older_terraform_path};

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
