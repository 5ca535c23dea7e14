//! Resource identity (Terraform 1.12+): every managed resource imports by
//! identity, stores it, and a refresh never changes it silently.

use serde_json::{Value, json};

use crate::support::Workdir;
use crate::support::aws::AwsEndpoint;

const DEV: &str = "111111111111";
const RECOVERY: &str = "333333333333";

fn seed(aws: &AwsEndpoint) -> Value {
    aws.seed(json!({
        "organization": {"feature_set": "ALL"},
        "trusted_access": ["iam.amazonaws.com"],
        "features": ["RootCredentialsManagement", "RootSessions"],
        "accounts": [
            {"id": DEV, "name": "dev",
             "buckets": [{"name": "open-bucket"}], "queues": [{"name": "open-queue"}]},
            {"id": RECOVERY, "name": "recovery", "root_credentials": {"password": true}}
        ]
    }))
}

/// The identity Terraform stored for `address`.
fn stored_identity(w: &Workdir, address: &str) -> Value {
    let state: Value = serde_json::from_str(&w.state_text()).expect("state JSON");
    let (kind, name) = address.split_once('.').expect("address");
    state["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["type"] == kind && r["name"] == name)
        .map(|r| r["instances"][0]["identity"].clone())
        .unwrap_or(Value::Null)
}

#[test]
fn every_resource_imports_by_identity_and_stores_it() {
    let aws = AwsEndpoint::start();
    let seeded = seed(&aws);
    let queue_url = seeded["accounts"][DEV]["queues"]["open-queue"]
        .as_str()
        .expect("queue url")
        .to_string();
    let org = aws.organization()["id"]
        .as_str()
        .expect("org id")
        .to_string();
    let config = format!(
        r#"{provider}
import {{
  to       = rootaccess_org_features.this
  identity = {{ organization_id = "{org}" }}
}}
resource "rootaccess_org_features" "this" {{
  enabled_features = ["RootCredentialsManagement", "RootSessions"]
}}

import {{
  to       = rootaccess_member_credentials_absent.dev
  identity = {{ account_id = "{DEV}" }}
}}
resource "rootaccess_member_credentials_absent" "dev" {{
  account_id = "{DEV}"
}}

import {{
  to       = rootaccess_member_password_recovery.recovery
  identity = {{ account_id = "{RECOVERY}" }}
}}
resource "rootaccess_member_password_recovery" "recovery" {{
  account_id = "{RECOVERY}"
}}

import {{
  to       = rootaccess_bucket_policy_unlock.open
  identity = {{ account_id = "{DEV}", bucket = "open-bucket" }}
}}
resource "rootaccess_bucket_policy_unlock" "open" {{
  account_id = "{DEV}"
  bucket     = "open-bucket"
}}

import {{
  to       = rootaccess_queue_policy_unlock.open
  identity = {{ queue_url = "{queue_url}" }}
}}
resource "rootaccess_queue_policy_unlock" "open" {{
  account_id = "{DEV}"
  queue_url  = "{queue_url}"
}}
"#,
        provider = aws.provider_hcl()
    );
    let w = Workdir::new(&config);
    let plan = w.plan_json();
    let changes = plan["resource_changes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(changes.len(), 5, "{plan}");
    for change in &changes {
        assert!(
            change["change"]["importing"]["identity"].is_object(),
            "imported by identity: {change}"
        );
        assert_eq!(change["change"]["actions"], json!(["no-op"]), "{change}");
    }
    w.apply();
    let expected = [
        (
            "rootaccess_org_features.this",
            json!({"organization_id": org}),
        ),
        (
            "rootaccess_member_credentials_absent.dev",
            json!({"account_id": DEV}),
        ),
        (
            "rootaccess_member_password_recovery.recovery",
            json!({"account_id": RECOVERY}),
        ),
        (
            "rootaccess_bucket_policy_unlock.open",
            json!({"account_id": DEV, "bucket": "open-bucket"}),
        ),
        (
            "rootaccess_queue_policy_unlock.open",
            json!({"queue_url": queue_url}),
        ),
    ];
    for (address, identity) in expected {
        assert_eq!(stored_identity(&w, address), identity, "{address}");
    }
    // The adopted login profile is recorded as adopted, as by an import by ID.
    assert_eq!(
        w.resource_values("rootaccess_member_password_recovery.recovery")["adopted"],
        true
    );
}

#[test]
fn an_identity_missing_an_attribute_is_refused_with_its_name() {
    let aws = AwsEndpoint::start();
    seed(&aws);
    let w = Workdir::new(&format!(
        r#"{}
import {{
  to       = rootaccess_bucket_policy_unlock.open
  identity = {{ account_id = "{DEV}" }}
}}
resource "rootaccess_bucket_policy_unlock" "open" {{
  account_id = "{DEV}"
  bucket     = "open-bucket"
}}
"#,
        aws.provider_hcl()
    ));
    // Terraform checks the identity schema's required attributes itself
    // (the provider's own check is a unit test of IdentitySchema::import_id).
    w.terraform(&["plan", "-no-color"])
        .fails_with(&["Incorrect value type", "bucket"]);
}

#[test]
fn a_refresh_that_finds_another_organization_is_an_error_and_keeps_the_state() {
    let aws = AwsEndpoint::start();
    seed(&aws);
    let w = Workdir::new(&format!(
        "{}resource \"rootaccess_org_features\" \"this\" {{\n  enabled_features = [\"RootCredentialsManagement\", \"RootSessions\"]\n}}\n",
        aws.provider_hcl()
    ));
    w.apply();
    let before = stored_identity(&w, "rootaccess_org_features.this");
    // The same credentials now reach a new organization (another id).
    seed(&aws);
    assert_ne!(aws.organization()["id"], before["organization_id"]);
    w.terraform(&["plan", "-no-color"])
        .fails_with(&["Resource identity changed", "organization_id"]);
    assert_eq!(stored_identity(&w, "rootaccess_org_features.this"), before);
}
