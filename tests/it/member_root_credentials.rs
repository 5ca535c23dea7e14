//! Data source `rootaccess_member_root_credentials` through the real Terraform
//! CLI against the local AWS endpoint: what it reports matches the account,
//! what it costs, and what it refuses.

use crate::support;

use serde_json::json;
use support::Workdir;
use support::aws::AwsEndpoint;

fn audit_of(aws: &AwsEndpoint, account: &str) -> (Workdir, serde_json::Value) {
    let w = Workdir::new(&format!(
        "{}data \"rootaccess_member_root_credentials\" \"this\" {{\n  account_id = \"{account}\"\n}}\noutput \"audit\" {{ value = data.rootaccess_member_root_credentials.this }}\n",
        aws.provider_hcl()
    ));
    w.apply();
    let audit = w.outputs()["audit"]["value"].clone();
    (w, audit)
}

#[test]
fn reports_every_kind_of_root_credential_as_the_account_has_it() {
    let aws = AwsEndpoint::start();
    let seeded = aws.seed(json!({
        "organization": {"feature_set": "ALL"},
        "trusted_access": ["iam.amazonaws.com"],
        "features": ["RootCredentialsManagement"],
        "accounts": [{"id": "111111111111", "root_credentials": {
            "password": true,
            "access_keys": [{"access_key_id": "AKIAB0000000000000002", "status": "Inactive"},
                            {"access_key_id": "AKIAA0000000000000001"}],
            "signing_certificates": [{"certificate_id": "CERT1", "status": "Inactive"}],
            "mfa_devices": 2
        }}]
    }));
    let rc = &seeded["accounts"]["111111111111"]["root_credentials"];
    let (_w, audit) = audit_of(&aws, "111111111111");
    assert_eq!(audit["id"], "111111111111");
    assert_eq!(audit["credentials_present"], true);
    assert_eq!(audit["password_present"], true);
    assert_eq!(
        audit["access_keys"],
        json!([
            {"access_key_id": "AKIAA0000000000000001", "status": "Active"},
            {"access_key_id": "AKIAB0000000000000002", "status": "Inactive"}
        ]),
        "sorted by id, with status"
    );
    assert_eq!(
        audit["signing_certificates"],
        json!([{"certificate_id": "CERT1", "status": "Inactive"}])
    );
    let mut serials: Vec<String> = rc["mfa_devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["serial_number"].as_str().unwrap().to_string())
        .collect();
    serials.sort();
    assert_eq!(audit["mfa_serials"], json!(serials));
}

#[test]
fn an_account_without_root_credentials_costs_one_session_and_one_call() {
    let aws = AwsEndpoint::start();
    aws.seed_standard();
    aws.delete("/calls");
    let (_w, audit) = audit_of(&aws, "222222222222");
    assert_eq!(audit["credentials_present"], false);
    assert_eq!(audit["password_present"], false);
    assert_eq!(audit["access_keys"], json!([]));
    assert_eq!(audit["mfa_serials"], json!([]));
    // apply + two plans each read the data source once.
    let calls = aws.calls();
    assert_eq!(
        calls["calls"]["222222222222"]["iam"],
        json!({"GetAccountSummary": 3}),
        "{calls}"
    );
    assert_eq!(
        calls["assume_root"]["222222222222"],
        json!({"IAMAuditRootUserCredentials": 3}),
        "one audit session per Terraform command: {calls}"
    );
}

#[test]
fn the_management_account_and_inactive_accounts_are_refused_clearly() {
    let aws = AwsEndpoint::start();
    aws.seed_standard();
    for (account, needle) in [
        (
            "123456789012",
            "The management account is not a member account",
        ),
        ("444444444444", "Account 444444444444 is SUSPENDED"),
        (
            "999999999999",
            "Account 999999999999 is not a member of organization",
        ),
    ] {
        let w = Workdir::new(&format!(
            "{}data \"rootaccess_member_root_credentials\" \"this\" {{\n  account_id = \"{account}\"\n}}\n",
            aws.provider_hcl()
        ));
        w.terraform(&["plan", "-no-color"]).fails_with(&[needle]);
    }
    assert_eq!(aws.assume_root_total(), 0);
    let w = Workdir::new(
        "data \"rootaccess_member_root_credentials\" \"this\" {\n  account_id = \"11111111111\"\n}\n",
    );
    w.terraform(&["validate", "-no-color"])
        .fails_with(&["\"11111111111\" is not an AWS account id"]);
}

#[test]
fn an_audit_refused_by_aws_is_explained() {
    let aws = AwsEndpoint::start();
    aws.seed(json!({
        "organization": {"feature_set": "ALL"},
        "trusted_access": ["iam.amazonaws.com"],
        "features": [],
        "accounts": [{"id": "111111111111"}]
    }));
    let w = Workdir::new(&format!(
        "{}data \"rootaccess_member_root_credentials\" \"this\" {{\n  account_id = \"111111111111\"\n}}\n",
        aws.provider_hcl()
    ));
    w.terraform(&["plan", "-no-color"]).fails_with(&[
        "Could not audit the root credentials of account 111111111111",
        "RootCredentialsManagement is not enabled",
        "rootaccess_org_features",
    ]);
}

#[test]
fn the_documented_example_applies() {
    let aws = AwsEndpoint::start();
    aws.seed_standard();
    let example = std::fs::read_to_string(
        support::repo_root()
            .join("examples/data-sources/rootaccess_member_root_credentials/data-source.tf"),
    )
    .expect("example");
    let w = Workdir::new(&format!("{}{example}", aws.provider_hcl()));
    w.apply();
    let out = w.outputs()["dev_root_credentials"]["value"].clone();
    assert_eq!(out["password"], true);
    assert_eq!(out["access_key_ids"].as_array().map(Vec::len), Some(2));
}
