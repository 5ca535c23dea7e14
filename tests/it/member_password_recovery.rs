//! `rootaccess_member_password_recovery` through the real Terraform CLI
//! against the local AWS endpoint: the login profile really appears and
//! disappears in the member account, an existing one is adopted, deletion out
//! of band is noticed, import, and its interplay with
//! `rootaccess_member_credentials_absent` on the same account.

use crate::support;

use serde_json::{Value, json};
use support::Workdir;
use support::aws::AwsEndpoint;

const SECURITY: &str = "222222222222"; // no root credentials in the standard scenario
const DEV: &str = "111111111111"; // has a root password in the standard scenario

fn resource(account: &str) -> String {
    format!(
        "resource \"rootaccess_member_password_recovery\" \"this\" {{\n  account_id = \"{account}\"\n}}\n"
    )
}

fn login_profile(aws: &AwsEndpoint, account: &str) -> Value {
    aws.account(account)["root_credentials"]["login_profile"].clone()
}

fn state_of(w: &Workdir) -> Value {
    w.resource_values("rootaccess_member_password_recovery.this")
}

#[test]
fn create_allows_recovery_read_notices_deletion_and_destroy_removes_it() {
    let aws = AwsEndpoint::start();
    aws.seed_standard();
    assert_eq!(login_profile(&aws, SECURITY), Value::Null);
    let w = Workdir::new(&format!("{}{}", aws.provider_hcl(), resource(SECURITY)));
    w.apply();
    assert!(
        login_profile(&aws, SECURITY).is_object(),
        "a login profile exists in the member account"
    );
    let s = state_of(&w);
    assert_eq!(s["id"], SECURITY);
    assert_eq!(s["adopted"], false, "this resource created it: {s}");
    assert!(
        s["created_at"].as_str().is_some_and(|t| t.len() >= 20),
        "{s}"
    );
    let calls = aws.calls();
    assert_eq!(
        calls["assume_root"][SECURITY]["IAMCreateRootUserPassword"], 1,
        "{calls}"
    );
    assert_eq!(calls["calls"][SECURITY]["iam"]["CreateLoginProfile"], 1);

    // Deleted out of band: the resource is gone and the plan creates it again.
    aws.put_json(&format!("/accounts/{SECURITY}/root-credentials"), json!({}));
    assert_eq!(
        w.planned_actions(),
        vec![(
            "rootaccess_member_password_recovery.this".to_string(),
            vec!["create".to_string()]
        )]
    );
    w.apply();
    assert!(login_profile(&aws, SECURITY).is_object());

    w.destroy();
    assert_eq!(login_profile(&aws, SECURITY), Value::Null);
    let calls = aws.calls();
    assert_eq!(calls["calls"][SECURITY]["iam"]["DeleteLoginProfile"], 1);
    assert_eq!(
        calls["assume_root"][SECURITY]["IAMDeleteRootUserCredentials"], 1,
        "{calls}"
    );
}

#[test]
fn an_existing_login_profile_is_adopted_with_a_warning() {
    let aws = AwsEndpoint::start();
    let seeded = aws.seed_standard();
    let existing = seeded["accounts"][DEV]["root_credentials"]["login_profile"].clone();
    assert!(existing.is_object());
    let w = Workdir::new(&format!("{}{}", aws.provider_hcl(), resource(DEV)));
    // The plan says it before anyone approves it (issue 13, case 5).
    let plan = w.terraform(&["plan", "-no-color"]).ok();
    let text = support::flatten(&plan.text());
    assert!(
        text.contains("Account 111111111111's root user already has a login profile"),
        "{text}"
    );
    assert!(text.contains("will adopt that login profile"), "{text}");
    assert!(text.contains("adopted = true"), "{text}");
    w.apply();
    assert_eq!(state_of(&w)["adopted"], true);
    // AWS answered EntityAlreadyExists; the profile is unchanged.
    let calls = aws.calls();
    assert_eq!(calls["calls"][DEV]["iam"]["CreateLoginProfile"], 1);
    assert_eq!(login_profile(&aws, DEV), existing);
    assert!(
        state_of(&w)["created_at"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
    );
}

#[test]
fn a_login_profile_that_changes_between_plan_and_apply_is_refused_by_the_provider() {
    let aws = AwsEndpoint::start();
    aws.seed_standard();
    let w = Workdir::new(&format!("{}{}", aws.provider_hcl(), resource(SECURITY)));
    // The plan shows a login profile to create; someone creates one first.
    w.terraform(&["plan", "-out=tfplan", "-no-color"]).ok();
    aws.put_json(
        &format!("/accounts/{SECURITY}/root-credentials"),
        json!({"password": true}),
    );
    let before = login_profile(&aws, SECURITY);
    // Terraform's re-plan plans from the plan's reading (it used to read
    // again and stop with "inconsistent final plan ... bug in the
    // provider"); the apply finds the new profile and changes nothing.
    w.terraform(&["apply", "-no-color", "tfplan"]).fails_with(&[
        "Account 222222222222's root user got a login profile after the plan",
        "Nothing was changed",
    ]);
    assert_eq!(login_profile(&aws, SECURITY), before);
    assert_eq!(state_of(&w), Value::Null);
    // The next plan shows the adoption for review.
    let plan = w.terraform(&["plan", "-no-color"]).ok();
    assert!(
        support::flatten(&plan.text()).contains("will adopt that login profile"),
        "{}",
        plan.text()
    );

    // The other way: the plan adopts DEV's profile, which is deleted before
    // the apply. The apply creates a new one, records it as created, and
    // says so as an error (the approved plan said adopt).
    let w = Workdir::new(&format!("{}{}", aws.provider_hcl(), resource(DEV)));
    w.terraform(&["plan", "-out=tfplan", "-no-color"]).ok();
    aws.put_json(&format!("/accounts/{DEV}/root-credentials"), json!({}));
    w.terraform(&["apply", "-no-color", "tfplan"]).fails_with(&[
        "Account 111111111111's root login profile was deleted after the plan",
        "created a new one",
    ]);
    assert!(login_profile(&aws, DEV).is_object());
    assert_eq!(state_of(&w)["adopted"], false);

    // Replaced in between (deleted, then created again): not the profile
    // the plan showed, so it is not adopted.
    let w = Workdir::new(&format!("{}{}", aws.provider_hcl(), resource(SECURITY)));
    w.terraform(&["plan", "-out=tfplan", "-no-color"]).ok();
    aws.put_json(&format!("/accounts/{SECURITY}/root-credentials"), json!({}));
    std::thread::sleep(std::time::Duration::from_millis(1100));
    aws.put_json(
        &format!("/accounts/{SECURITY}/root-credentials"),
        json!({"password": true}),
    );
    let replaced = login_profile(&aws, SECURITY);
    w.terraform(&["apply", "-no-color", "tfplan"]).fails_with(&[
        "Account 222222222222's root login profile was replaced after the plan",
        "Nothing was changed",
    ]);
    assert_eq!(login_profile(&aws, SECURITY), replaced);
    assert_eq!(state_of(&w), Value::Null);
}

#[test]
fn import_by_account_id_and_refusal_of_an_account_without_login_profile() {
    let aws = AwsEndpoint::start();
    aws.seed_standard();
    let w = Workdir::new(&format!("{}{}", aws.provider_hcl(), resource(DEV)));
    w.terraform(&[
        "import",
        "-no-color",
        "rootaccess_member_password_recovery.this",
        DEV,
    ])
    .ok();
    assert_eq!(state_of(&w)["account_id"], DEV);
    w.assert_plan_empty();

    // An import block plans as a no-op.
    let w2 = Workdir::new(&format!(
        "{}{}import {{\n  to = rootaccess_member_password_recovery.this\n  id = \"{DEV}\"\n}}\n",
        aws.provider_hcl(),
        resource(DEV)
    ));
    let plan = w2.plan_json();
    assert_eq!(
        plan["resource_changes"][0]["change"]["actions"],
        json!(["no-op"])
    );

    let w3 = Workdir::new(&format!("{}{}", aws.provider_hcl(), resource(SECURITY)));
    w3.terraform(&[
        "import",
        "-no-color",
        "rootaccess_member_password_recovery.this",
        SECURITY,
    ])
    .fails_with(&["Cannot import non-existent remote object"]);
    w3.terraform(&[
        "import",
        "-no-color",
        "rootaccess_member_password_recovery.this",
        "not-an-id",
    ])
    .fails_with(&["Invalid import id", "exactly 12 digits"]);
}

#[test]
fn with_credentials_absent_on_the_same_account_without_password_both_hold() {
    let aws = AwsEndpoint::start();
    aws.seed_standard();
    let config = format!(
        "{}{}resource \"rootaccess_member_credentials_absent\" \"dev\" {{\n  account_id       = \"{DEV}\"\n  credential_types = [\"access_keys\", \"signing_certificates\", \"mfa_devices\"]\n}}\n",
        aws.provider_hcl(),
        resource(DEV)
    );
    let w = Workdir::new(&config);
    w.apply(); // and the plans after it are empty: the two do not fight
    let rc = aws.account(DEV)["root_credentials"].clone();
    assert!(rc["login_profile"].is_object(), "{rc}");
    assert_eq!(rc["access_keys"], json!([]));
    assert_eq!(rc["mfa_devices"], json!([]));

    // With `password` managed as well, the two resources would fight: the
    // plan refuses the pair (issue 22; it used to plan the deletion of the
    // recovery profile, undone by the next apply).
    w.write_config(&config.replace(
        "[\"access_keys\", \"signing_certificates\", \"mfa_devices\"]",
        "[\"access_keys\", \"signing_certificates\", \"mfa_devices\", \"password\"]",
    ));
    w.terraform(&["plan", "-no-color"]).fails_with(&[
        &format!("Two resources contradict each other in account {DEV}"),
        "leave `password` out of credential_types",
    ]);
}

#[test]
fn the_management_account_and_bad_ids_are_refused() {
    let aws = AwsEndpoint::start();
    aws.seed_standard();
    let w = Workdir::new(&format!(
        "{}{}",
        aws.provider_hcl(),
        resource("123456789012")
    ));
    w.terraform(&["plan", "-no-color"])
        .fails_with(&["The management account is not a member account"]);
    let w = Workdir::new(&format!("{}{}", aws.provider_hcl(), resource("1111")));
    w.terraform(&["validate", "-no-color"])
        .fails_with(&["\"1111\" is not an AWS account id"]);
    assert_eq!(aws.assume_root_total(), 0);
}

#[test]
fn without_the_feature_the_error_says_which_one_to_enable() {
    let aws = AwsEndpoint::start();
    aws.seed(json!({
        "organization": {"feature_set": "ALL"},
        "trusted_access": ["iam.amazonaws.com"],
        "features": ["RootSessions"],
        "accounts": [{"id": SECURITY}]
    }));
    let w = Workdir::new(&format!("{}{}", aws.provider_hcl(), resource(SECURITY)));
    w.terraform(&["apply", "-auto-approve", "-no-color"])
        .fails_with(&[
            "Could not allow root password recovery in account 222222222222",
            "RootCredentialsManagement is not enabled",
            "RootCredentialsManagement for credential tasks",
        ]);
    assert_eq!(login_profile(&aws, SECURITY), Value::Null);
}

#[test]
fn the_documented_example_applies() {
    let aws = AwsEndpoint::start();
    aws.seed(json!({
        "organization": {"feature_set": "ALL"},
        "trusted_access": ["iam.amazonaws.com"],
        "features": ["RootCredentialsManagement"],
        "accounts": [{"id": "333333333333", "root_credentials": {"access_keys": 1, "mfa_devices": 1}}]
    }));
    let example = std::fs::read_to_string(
        support::repo_root()
            .join("examples/resources/rootaccess_member_password_recovery/resource.tf"),
    )
    .expect("example");
    let w = Workdir::new(&format!("{}{example}", aws.provider_hcl()));
    w.apply();
    let rc = aws.account("333333333333")["root_credentials"].clone();
    assert!(rc["login_profile"].is_object(), "{rc}");
    assert_eq!(rc["access_keys"], json!([]));
    assert_eq!(rc["mfa_devices"], json!([]));
}
