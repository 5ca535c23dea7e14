//! Which accounts and callers: validation, the management account, account states, sessions, the delegated administrator, features off.

use super::*;

#[test]
fn invalid_arguments_are_refused_before_any_aws_call() {
    let w = Workdir::new(
        r#"
provider "rootaccess" {
  region = "us-east-1"
}
resource "rootaccess_member_credentials_absent" "bad_id" {
  account_id = "12345"
}
resource "rootaccess_member_credentials_absent" "bad_type" {
  account_id       = "111111111111"
  credential_types = ["password", "root_keys"]
}
resource "rootaccess_member_credentials_absent" "no_type" {
  account_id       = "111111111111"
  credential_types = []
}
"#,
    );
    let run = w.terraform(&["validate", "-no-color"]).fails_with(&[
        "\"12345\" is not an AWS account id: it must be exactly 12 digits",
        "\"root_keys\" is not allowed here. Valid values: `password`, `access_keys`, `signing_certificates`, `mfa_devices`",
        "credential_types is empty",
    ]);
    let text = support::flatten(&run.text());
    support::assert_points_at(
        &text,
        &[
            "account_id = \"12345\"",
            "credential_types = [\"password\", \"root_keys\"]",
            "credential_types = []",
        ],
    );
}

#[test]
fn the_management_and_inactive_or_foreign_accounts_are_refused_at_plan() {
    let aws = AwsEndpoint::start();
    aws.seed_standard();
    for (account, needles) in [
        (
            "123456789012",
            vec![
                "The management account is not a member account",
                "Use a member account id here",
            ],
        ),
        (
            "444444444444",
            vec![
                "The account is not active",
                "Account 444444444444 is SUSPENDED",
            ],
        ),
        (
            "999999999999",
            vec![
                "The account is not in the organization",
                "Account 999999999999 is not a member",
            ],
        ),
    ] {
        let w = Workdir::new(&format!("{}{}", aws.provider_hcl(), resource(account, "")));
        let run = w.terraform(&["plan", "-no-color"]).fails_with(&needles);
        assert!(
            support::flatten(&run.text()).contains(&format!("account_id = \"{account}\"")),
            "the error points at account_id: {}",
            run.text()
        );
    }
    assert_eq!(aws.assume_root_total(), 0, "nothing was attempted");
}

#[test]
fn an_account_that_leaves_the_organization_is_dropped_from_state_with_a_warning() {
    let aws = AwsEndpoint::start();
    aws.seed_standard();
    let w = Workdir::new(&format!("{}{}", aws.provider_hcl(), resource(DEV, "")));
    w.apply();
    // The account leaves the organization.
    aws.seed(json!({
        "organization": {"feature_set": "ALL"},
        "trusted_access": ["iam.amazonaws.com"],
        "features": ["RootCredentialsManagement", "RootSessions"],
        "accounts": [{"id": DEV, "in_organization": false}, {"id": "222222222222"}]
    }));
    // Refresh drops it with a warning; planning it again is refused clearly.
    w.terraform(&["plan", "-no-color"]).fails_with(&[
        "Account 111111111111 left the organization; rootaccess_member_credentials_absent removed from the state",
        "is no longer a member of the organization",
        "Remove it from the configuration",
        "The account is not in the organization",
    ]);
    // With the resource removed from the configuration, all is quiet.
    w.write_config(&aws.provider_hcl());
    let run = w.apply();
    assert!(
        support::flatten(&run.text()).contains("left the organization"),
        "{}",
        run.text()
    );
    assert_eq!(state_of(&w), Value::Null);
}

#[test]
fn an_account_that_is_not_active_keeps_its_resource_in_state_unrefreshed() {
    for (state, reason) in [
        ("SUSPENDED", "Account 111111111111 is SUSPENDED"),
        ("PENDING_CLOSURE", "Account 111111111111 is PENDING_CLOSURE"),
        ("CLOSED", "Account 111111111111 is CLOSED"),
    ] {
        let aws = AwsEndpoint::start();
        aws.seed_standard_today();
        let w = Workdir::new(&format!("{}{}", aws.provider_hcl(), resource(DEV, "")));
        w.apply();
        let before = state_of(&w);
        assert_ne!(before, Value::Null);
        aws.put_json(&format!("/accounts/{DEV}/state"), json!({"state": state}));
        // The plan changes nothing, says why, and the state keeps the resource.
        let plan = w.terraform(&["plan", "-detailed-exitcode", "-no-color"]);
        assert_eq!(plan.code(), 0, "{state}: {}", plan.text());
        let text = support::flatten(&plan.text());
        for needle in [
            "Account 111111111111 is not active; rootaccess_member_credentials_absent kept unrefreshed",
            reason,
        ] {
            assert!(text.contains(needle), "{state}: {needle:?} in {text}");
        }
        w.terraform(&["apply", "-auto-approve", "-no-color"]).ok();
        assert_eq!(state_of(&w), before, "{state}: the state is kept as it was");
        // Active again: refreshed as usual, and nothing to do.
        aws.put_json(
            &format!("/accounts/{DEV}/state"),
            json!({"state": "ACTIVE"}),
        );
        w.assert_plan_empty();
    }
}

#[test]
fn an_account_of_unknown_state_is_an_error_and_stays_in_state() {
    for (state, needle) in [
        (json!("omit"), "reports neither State nor Status"),
        (json!("ARCHIVED"), "reports the state \"ARCHIVED\""),
    ] {
        let aws = AwsEndpoint::start();
        aws.seed_standard_today();
        let w = Workdir::new(&format!("{}{}", aws.provider_hcl(), resource(DEV, "")));
        w.apply();
        let before = state_of(&w);
        aws.put_json(&format!("/accounts/{DEV}/state"), json!({"state": state}));
        w.terraform(&["plan", "-no-color"])
            .fails_with(&["The state of account 111111111111 is unknown", needle]);
        w.terraform(&["apply", "-auto-approve", "-no-color"])
            .fails_with(&["The state of account 111111111111 is unknown"]);
        assert_eq!(state_of(&w), before, "nothing leaves the state");
        // A new resource for such an account is refused at plan.
        let w2 = Workdir::new(&format!("{}{}", aws.provider_hcl(), resource(DEV, "")));
        w2.terraform(&["plan", "-no-color"])
            .fails_with(&["The account's state is unknown", needle]);
    }
}

#[test]
fn a_root_session_that_aws_ends_early_is_renewed_once_and_the_apply_succeeds() {
    let aws = AwsEndpoint::start();
    aws.seed_standard();
    let w = Workdir::new(&format!(
        "{}{}",
        provider_no_retries(&aws),
        resource(DEV, "")
    ));
    // AWS ends the apply's deletion session at its first DeleteAccessKey,
    // long before the session's Expiration.
    aws.post(
        "/faults",
        json!({"service": "iam", "action": "DeleteAccessKey", "account": DEV, "expire_sessions": 1}),
    );
    aws.delete("/calls");
    w.apply();
    assert_clean(&aws, DEV);
    let faults = aws.get("/faults");
    assert_eq!(
        faults["faults"][0]["expire_sessions_remaining"], 0,
        "{faults}"
    );
    let calls = aws.calls();
    assert_eq!(
        calls["assume_root"][DEV]["IAMDeleteRootUserCredentials"], 2,
        "one session, and one renewal after AWS ended it: {calls}"
    );
}

#[test]
fn many_accounts_in_one_run_cost_one_session_per_account_and_task() {
    let aws = AwsEndpoint::start();
    let accounts = ["111111111111", "333333333333", "555555555555"];
    aws.seed(json!({
        "organization": {"feature_set": "ALL"},
        "trusted_access": ["iam.amazonaws.com"],
        "features": ["RootCredentialsManagement"],
        "accounts": accounts.iter().map(|id| json!({
            "id": id,
            "root_credentials": {"password": true, "access_keys": 2, "mfa_devices": 2, "signing_certificates": 2}
        })).collect::<Vec<_>>()
    }));
    let config: String = accounts
        .iter()
        .map(|id| {
            format!("resource \"rootaccess_member_credentials_absent\" \"a{id}\" {{\n  account_id = \"{id}\"\n}}\n")
        })
        .collect();
    let w = Workdir::new(&format!("{}{config}", aws.provider_hcl()));
    w.apply();
    let calls = aws.calls();
    for id in accounts {
        assert_clean(&aws, id);
        assert_eq!(
            calls["assume_root"][id],
            // Audits: the plan, the refresh after (the apply's re-plan
            // plans from the plan's audit).
            json!({"IAMDeleteRootUserCredentials": 1, "IAMAuditRootUserCredentials": 2}),
            "{calls}"
        );
        assert_eq!(calls["calls"][id]["iam"]["DeleteAccessKey"], 2);
        assert_eq!(calls["calls"][id]["iam"]["DeactivateMFADevice"], 2);
    }
    // The organization is read once per command, not once per resource: by
    // the plan; the apply-time re-plan plans from the plan's reading.
    let org_calls = &calls["calls"]["123456789012"]["organizations"];
    assert_eq!(org_calls["DescribeOrganization"], 1, "{calls}");
    assert_eq!(org_calls["ListAccounts"], 1, "{calls}");
}

#[test]
fn the_iam_delegated_administrator_can_run_it_and_an_ordinary_member_is_told_why_not() {
    let aws = AwsEndpoint::start();
    let seeded = aws.seed_standard();
    let delegated = format!(
        "provider \"rootaccess\" {{\n  access_key = \"{}\"\n  secret_key = \"{}\"\n{}  assume_role {{\n    role_arn = \"arn:aws:iam::222222222222:role/root-access-admin\"\n  }}\n}}\n",
        aws.access_key_id,
        aws.secret_access_key,
        aws.endpoints_hcl()
    );
    let w = Workdir::new(&format!("{delegated}{}", resource(DEV, "")));
    w.apply();
    assert_clean(&aws, DEV);
    // The delegated administrator knows the management account too.
    let w = Workdir::new(&format!("{delegated}{}", resource("123456789012", "")));
    w.terraform(&["plan", "-no-color"])
        .fails_with(&["The management account is not a member account"]);

    // An ordinary member account cannot list the organization: the plan
    // fails (it could not check the account) and says why.
    let dev_admin = &seeded["accounts"][DEV]["admin"];
    let w = Workdir::new(&format!(
        "{}{}",
        aws.provider_hcl_with_keys(
            dev_admin["access_key_id"].as_str().unwrap(),
            dev_admin["secret_access_key"].as_str().unwrap()
        ),
        resource("222222222222", "")
    ));
    w.terraform(&["apply", "-auto-approve", "-no-color"])
        .fails_with(&[
            "Could not read the organization to check account 222222222222",
            "AccessDenied",
            "management account or its IAM delegated administrator",
        ]);
}

/// Issue 23, point 5: before the features are on, IAM's own answer
/// (ListOrganizationsFeatures, once per provider process) tells the plan
/// so: no root session is opened that AWS must refuse, and every member's
/// plan defers with the warning.
#[test]
fn before_the_features_are_on_a_plan_opens_no_root_session() {
    let aws = AwsEndpoint::start();
    aws.seed(json!({
        "organization": {"feature_set": "ALL"},
        "trusted_access": ["iam.amazonaws.com"],
        "features": [],
        "accounts": [
            {"id": DEV, "root_credentials": {"password": true}},
            {"id": "222222222222", "root_credentials": {"access_keys": 1}},
            {"id": "333333333333"}
        ]
    }));
    let resources: String = [DEV, "222222222222", "333333333333"]
        .iter()
        .map(|id| {
            format!("resource \"rootaccess_member_credentials_absent\" \"a{id}\" {{\n  account_id = \"{id}\"\n}}\n")
        })
        .collect();
    let w = Workdir::new(&format!("{}{resources}", aws.provider_hcl()));
    let plan = w.terraform(&["plan", "-no-color"]).ok();
    assert!(
        support::flatten(&plan.text()).contains(
            "the organization feature RootCredentialsManagement is not enabled (as iam:ListOrganizationsFeatures reports)"
        ),
        "{}",
        plan.text()
    );
    assert_eq!(aws.assume_root_total(), 0, "{}", aws.calls());
    assert_eq!(
        aws.calls()["calls"]["123456789012"]["iam"]["ListOrganizationsFeatures"],
        1
    );
}
