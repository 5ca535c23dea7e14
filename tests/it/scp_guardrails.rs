//! Issue 23: real organizations. A deny-root SCP without the root-session
//! exemption blocks one OU; members have every kind of root MFA device; IAM
//! answers 409 to some deletions. Through the real Terraform CLI.

use crate::support;

use serde_json::{Value, json};
use support::Workdir;
use support::aws::AwsEndpoint;

const OPEN: &str = "111111111111";
const BLOCKED: &str = "333333333333";

fn seed(aws: &AwsEndpoint) -> Value {
    aws.seed(json!({
        "organization": {"feature_set": "ALL"},
        "trusted_access": ["iam.amazonaws.com"],
        "features": ["RootCredentialsManagement", "RootSessions"],
        "accounts": [
            {"id": OPEN, "name": "open", "root_credentials": {
                "password": true, "signing_certificates": 1,
                "mfa_devices": [{"type": "passkey", "name": "yubikey"}, {"type": "hardware"}, {"type": "virtual"}]}},
            {"id": BLOCKED, "name": "blocked", "root_credentials": {"password": true, "access_keys": 1}}
        ],
        "organizational_units": [{"name": "Workloads", "accounts": [BLOCKED]}],
        "policies": [{"name": "deny-root", "content": "deny-root-user", "targets": ["Workloads"]}]
    }))
}

fn present(aws: &AwsEndpoint, account: &str) -> Value {
    aws.account(account)["root_credentials"]["present"].clone()
}

fn clean() -> Value {
    json!({"password": false, "access_keys": false, "signing_certificates": false, "mfa": false})
}

#[test]
fn an_scp_blocks_one_member_its_error_names_the_policy_and_the_fix_works() {
    let aws = AwsEndpoint::start();
    seed(&aws);
    aws.post(
        "/faults",
        json!({"faults": [
            {"service": "iam", "action": "DeactivateMFADevice", "account": OPEN, "conflict": 2},
            {"service": "iam", "action": "DeleteLoginProfile", "account": OPEN, "conflict": 1,
             "code": "EntityTemporarilyUnmodifiable"}
        ]}),
    );
    // The audit names each device's kind.
    let audit = Workdir::new(&format!(
        "{}data \"rootaccess_member_root_credentials\" \"open\" {{\n  account_id = \"{OPEN}\"\n}}\n\
         output \"kinds\" {{\n  value = sort([for d in data.rootaccess_member_root_credentials.open.mfa_devices : d.kind])\n}}\n",
        aws.provider_hcl()
    ));
    audit.apply();
    assert_eq!(
        audit.outputs()["kinds"]["value"],
        json!(["hardware", "passkey", "virtual"])
    );
    let config = format!(
        "{}resource \"rootaccess_member_credentials_absent\" \"open\" {{\n  account_id = \"{OPEN}\"\n}}\n\
         resource \"rootaccess_member_credentials_absent\" \"blocked\" {{\n  account_id = \"{BLOCKED}\"\n}}\n\
         data \"rootaccess_root_guardrail_policy\" \"this\" {{}}\n\
         output \"guardrail\" {{\n  value = data.rootaccess_root_guardrail_policy.this.json\n}}\n",
        aws.provider_hcl()
    );
    let w = Workdir::new(&config);
    // The plan goes on for the open member; the blocked one is named.
    let plan = w.terraform(&["plan", "-no-color"]).ok();
    assert!(
        support::flatten(&plan.text())
            .contains(&format!("an SCP blocks root sessions in account {BLOCKED}")),
        "{}",
        plan.text()
    );
    let run = w
        .terraform(&["apply", "-auto-approve", "-no-color"])
        .fails_with(&[
            BLOCKED,
            "with an explicit deny in a service control policy",
            "\"deny-root\"",
            "names the root user and does not exempt root sessions",
            "\"Null\": {\"aws:AssumedRoot\": \"true\"}",
            "rootaccess_root_guardrail_policy",
            // The virtual device stays, unassigned, and the apply says so.
            "Deactivated virtual MFA devices stay in their accounts",
        ]);
    // Every member not behind the SCP is clean: the 409s were retried in
    // this one apply, and every MFA kind is gone.
    assert_eq!(present(&aws, OPEN), clean(), "{}", run.text());
    assert_eq!(
        aws.account(OPEN)["root_credentials"]["mfa_devices"],
        json!([]),
        "passkey, hardware and virtual devices deactivated"
    );
    let fired: u64 = aws.get("/faults")["faults"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["fired_conflict"].as_u64())
        .sum();
    assert_eq!(fired, 3, "every injected 409 was met and retried");
    // Nothing changed behind the SCP.
    assert_eq!(present(&aws, BLOCKED)["password"], true);
    assert_eq!(present(&aws, BLOCKED)["access_keys"], true);

    // The fix: the guardrail the data source renders, in place of the SCP.
    let guardrail: Value = serde_json::from_str(
        w.outputs()["guardrail"]["value"]
            .as_str()
            .expect("guardrail JSON"),
    )
    .expect("JSON");
    aws.put_json(
        "/policies",
        json!({"policies": [{"name": "deny-root", "content": guardrail, "targets": ["Workloads"]}]}),
    );
    w.apply();
    assert_eq!(present(&aws, BLOCKED), clean());
}

/// The module with one member behind the SCP: every other member is
/// cleaned and the recovery profile is created in the same apply, which
/// fails for the blocked member alone.
#[test]
fn the_module_cleans_every_member_not_behind_the_scp_and_creates_recovery_profiles() {
    let aws = AwsEndpoint::start();
    aws.seed(json!({
        "organization": {"feature_set": "ALL"},
        "trusted_access": ["iam.amazonaws.com"],
        "features": ["RootCredentialsManagement", "RootSessions"],
        "accounts": [
            {"id": OPEN, "root_credentials": {"password": true, "access_keys": 1}},
            {"id": "222222222222"},
            {"id": BLOCKED, "root_credentials": {"password": true}}
        ],
        "organizational_units": [{"name": "Workloads", "accounts": [BLOCKED]}],
        "policies": [{"name": "deny-root", "content": "deny-root-user", "targets": ["Workloads"]}]
    }));
    let module = support::repo_root().join("modules/organization-root-access");
    let w = Workdir::new(&format!(
        "{}module \"root_access\" {{\n  source = \"{}\"\n  password_recovery_account_ids = [\"222222222222\"]\n}}\n",
        aws.provider_hcl(),
        module.display()
    ));
    w.terraform(&["init", "-no-color", "-backend=false"]).ok();
    w.terraform(&["apply", "-auto-approve", "-no-color"])
        .fails_with(&[BLOCKED, "\"deny-root\""]);
    assert_eq!(present(&aws, OPEN), clean());
    assert!(
        aws.account("222222222222")["root_credentials"]["login_profile"].is_object(),
        "the recovery profile does not wait for the blocked member"
    );
    assert_eq!(present(&aws, BLOCKED)["password"], true);
}
