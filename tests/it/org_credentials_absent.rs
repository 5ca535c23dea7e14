//! rootaccess_org_credentials_absent: one resource keeps a whole scope's
//! root credentials deleted; accounts that join the scope show in the next
//! plan.

use serde_json::{Value, json};

use crate::support::aws::{AwsEndpoint, block_on};
use crate::support::{self, Workdir};

/// Members 1-30 are in Workloads, 31-60 in Sandbox; 61 is outside both.
fn member(i: usize) -> String {
    format!("{:012}", 500_000_000_000u64 + i as u64)
}

/// Which members have root credentials: every third of Workloads (a
/// password and an access key), every member of Sandbox (a password), and
/// 61; member 30 is SUSPENDED.
fn seeded_credentials(i: usize) -> Value {
    match i {
        1..=30 if i.is_multiple_of(3) => json!({"password": true, "access_keys": 1}),
        31..=61 => json!({"password": true}),
        _ => json!({}),
    }
}

/// The organization; returns the unit ids by name.
fn seed(aws: &AwsEndpoint) -> Value {
    let accounts: Vec<Value> = (1..=61)
        .map(|i| {
            let mut account = json!({
                "id": member(i),
                "name": format!("member-{i}"),
                "root_credentials": seeded_credentials(i),
            });
            if i == 30 {
                account["state"] = json!("SUSPENDED");
            }
            account
        })
        .collect();
    let seeded = aws.seed(json!({
        "organization": {"feature_set": "ALL"},
        "features": ["RootCredentialsManagement", "RootSessions"],
        "trusted_access": ["iam.amazonaws.com"],
        "accounts": accounts,
        "organizational_units": [
            {"name": "Workloads", "accounts": (1..=30).map(member).collect::<Vec<_>>()},
            {"name": "Sandbox", "accounts": (31..=60).map(member).collect::<Vec<_>>()},
        ],
    }));
    seeded["organizational_units"].clone()
}

/// Seeds the organization and returns the id of its unit `name`.
fn seeded_unit(aws: &AwsEndpoint, name: &str) -> String {
    let units = seed(aws);
    units[name]
        .as_str()
        .unwrap_or_else(|| panic!("no unit {name} in {units}"))
        .to_string()
}

fn resource(unit: &str) -> String {
    format!(
        "resource \"rootaccess_org_credentials_absent\" \"workloads\" {{\n  organizational_unit_ids = [\"{unit}\"]\n}}\n"
    )
}

fn has_credentials(aws: &AwsEndpoint, account: &str) -> bool {
    let rc = aws.account(account)["root_credentials"].clone();
    !rc["login_profile"].is_null() || rc["access_keys"].as_array().is_some_and(|a| !a.is_empty())
}

fn sessions_of(aws: &AwsEndpoint, account: &str) -> u64 {
    aws.calls()["assume_root"][account]
        .as_object()
        .map_or(0, |tasks| tasks.values().filter_map(Value::as_u64).sum())
}

#[test]
fn one_resource_cleans_exactly_its_unit_and_covers_accounts_that_join_it() {
    let aws = AwsEndpoint::start();
    let workloads = seeded_unit(&aws, "Workloads");
    let w = Workdir::new(&format!("{}{}", aws.provider_hcl(), resource(&workloads)));

    // The plan audits the unit and names every account whose credentials go.
    let plan = w.terraform(&["plan", "-no-color"]).ok();
    let text = support::flatten(&plan.text());
    for i in (3..30).step_by(3) {
        assert!(text.contains(&member(i)), "member {i} in {text}");
    }
    assert!(
        text.contains("Root credentials present in 9 accounts"),
        "{text}"
    );
    assert!(
        text.contains("1 account in scope not ACTIVE, skipped"),
        "{text}"
    );
    assert!(
        text.contains(&member(30)),
        "the suspended member is named: {text}"
    );

    w.apply();
    for i in 1..=29 {
        assert!(!has_credentials(&aws, &member(i)), "member {i} was cleaned");
    }
    // Nothing outside the unit, nothing of the suspended member.
    assert!(has_credentials(&aws, &member(30)), "suspended: left alone");
    for i in 31..=61 {
        assert!(
            has_credentials(&aws, &member(i)),
            "member {i} is outside the unit"
        );
        assert_eq!(
            sessions_of(&aws, &member(i)),
            0,
            "no session for member {i}"
        );
    }
    let state = w.resource("rootaccess_org_credentials_absent.workloads")["values"].clone();
    assert_eq!(state["accounts_with_credentials"], json!({}));
    assert_eq!(
        state["removed"].as_object().map(|m| m.len()),
        Some(9),
        "{state}"
    );
    assert_eq!(state["removed"][member(3)]["password"], true);
    assert_eq!(state["skipped_account_ids"], json!([member(30)]));
    w.assert_plan_empty();

    // One instance for the whole unit.
    let list = w.terraform(&["state", "list"]).ok();
    assert_eq!(
        list.stdout().trim(),
        "rootaccess_org_credentials_absent.workloads"
    );

    // Member 61 (with a root password) moves into the unit: the next plan
    // shows it as an in-place change of the one resource, naming it.
    let org = aws.organizations(None);
    let root = block_on(org.list_parents().child_id(member(61)).send())
        .expect("parents")
        .parents()[0]
        .id()
        .expect("root id")
        .to_string();
    block_on(
        org.move_account()
            .account_id(member(61))
            .source_parent_id(root)
            .destination_parent_id(&workloads)
            .send(),
    )
    .expect("move the account into the unit");
    let planned = w.planned_actions();
    assert_eq!(
        planned,
        [(
            "rootaccess_org_credentials_absent.workloads".to_string(),
            vec!["update".to_string()]
        )],
        "one in-place change"
    );
    let plan = w.terraform(&["plan", "-no-color"]).ok();
    let text = support::flatten(&plan.text());
    assert!(text.contains(&member(61)), "{text}");
    assert!(
        text.contains("Root credentials present in 1 account"),
        "{text}"
    );
    // Only the account with something to delete is in the diff: the nine
    // cleaned by the first apply keep their record.
    assert!(text.contains("(9 unchanged elements hidden)"), "{text}");
    assert!(!text.contains(&member(3)), "{text}");
    w.apply();
    assert!(
        !has_credentials(&aws, &member(61)),
        "the joined account was cleaned"
    );
    assert!(has_credentials(&aws, &member(31)), "Sandbox untouched");
    w.assert_plan_empty();
}

#[test]
fn accounts_of_per_account_resources_are_refused_until_excluded() {
    let aws = AwsEndpoint::start();
    let workloads = seeded_unit(&aws, "Workloads");
    let recovery = format!(
        "resource \"rootaccess_member_password_recovery\" \"three\" {{\n  account_id = \"{}\"\n}}\n",
        member(3)
    );
    let w = Workdir::new(&format!(
        "{}{}{recovery}",
        aws.provider_hcl(),
        resource(&workloads)
    ));
    w.terraform(&["plan", "-no-color"]).fails_with(&[
        "Two resources contradict each other in account",
        &member(3),
        "exclude_account_ids",
    ]);
    let excluded = resource(&workloads).replace(
        "]\n}",
        &format!("]\n  exclude_account_ids = [\"{}\"]\n}}", member(3)),
    );
    w.write_config(&format!("{}{excluded}{recovery}", aws.provider_hcl()));
    w.apply();
    assert!(
        has_credentials(&aws, &member(3)),
        "excluded: its password stays for recovery"
    );
    assert!(
        !has_credentials(&aws, &member(6)),
        "the rest of the unit is cleaned"
    );
    w.assert_plan_empty();
}

#[test]
fn import_by_organization_and_scope_then_destroy_changes_nothing() {
    let aws = AwsEndpoint::start();
    let sandbox = seeded_unit(&aws, "Sandbox");
    let org_id = aws.organization()["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let config = resource(&sandbox).replace("\"workloads\"", "\"sandbox\"");
    let w = Workdir::new(&format!(
        "{}{config}import {{\n  to = rootaccess_org_credentials_absent.sandbox\n  id = \"{org_id}/{sandbox}\"\n}}\n",
        aws.provider_hcl()
    ));
    let plan = w.terraform(&["plan", "-no-color"]).ok();
    let text = support::flatten(&plan.text());
    assert!(text.contains("1 to import"), "{text}");
    assert!(
        text.contains("Root credentials present in 30 accounts"),
        "{text}"
    );
    w.apply();
    assert!(!has_credentials(&aws, &member(31)));
    let state = w.resource("rootaccess_org_credentials_absent.sandbox");
    assert_eq!(state["values"]["id"], format!("{org_id}/{sandbox}"));
    let stored: Value = serde_json::from_str(&w.state_text()).expect("state JSON");
    let identity = &stored["resources"][0]["instances"][0]["identity"];
    assert_eq!(identity["scope"], sandbox.as_str(), "{stored}");
    assert_eq!(identity["organization_id"], org_id.as_str(), "{stored}");

    aws.put_json(
        &format!("/accounts/{}/root-credentials", member(40)),
        json!({"password": true}),
    );
    let destroy = w.destroy();
    assert!(
        support::flatten(&destroy.text())
            .contains("Destroy only removes the resource from the state"),
        "{}",
        destroy.text()
    );
    assert!(
        has_credentials(&aws, &member(40)),
        "destroy deletes nothing"
    );
}

#[test]
fn a_plan_that_cannot_read_every_account_does_not_look_clean() {
    let aws = AwsEndpoint::start();
    let workloads = seeded_unit(&aws, "Workloads");
    // IAM's trusted access switched off: no root session can be opened.
    let org = aws.organizations(None);
    block_on(
        org.disable_aws_service_access()
            .service_principal("iam.amazonaws.com")
            .send(),
    )
    .expect("disable IAM's trusted access");
    let w = Workdir::new(&format!("{}{}", aws.provider_hcl(), resource(&workloads)));
    let plan = w.terraform(&["plan", "-no-color"]).ok();
    let text = support::flatten(&plan.text());
    assert!(text.contains("could not be read"), "{text}");
    assert!(
        text.contains("removed = (known after apply)"),
        "what goes is not shown as nothing: {text}"
    );
    // The apply fails for what it cannot read, and deletes nothing.
    w.terraform(&["apply", "-auto-approve", "-no-color"])
        .fails_with(&["Root credentials of 29 accounts not deleted"]);
    assert!(has_credentials(&aws, &member(3)));
}

#[test]
fn a_refresh_that_cannot_read_every_account_leaves_what_goes_unknown() {
    let aws = AwsEndpoint::start();
    let workloads = seeded_unit(&aws, "Workloads");
    let w = Workdir::new(&format!("{}{}", aws.provider_hcl(), resource(&workloads)));
    w.apply();
    w.assert_plan_empty();
    // A credential comes back while no root session can be opened: the
    // refresh cannot see it, and the plan must not say "No changes".
    aws.put_json(
        &format!("/accounts/{}/root-credentials", member(4)),
        json!({"password": true}),
    );
    let org = aws.organizations(None);
    block_on(
        org.disable_aws_service_access()
            .service_principal("iam.amazonaws.com")
            .send(),
    )
    .expect("disable IAM's trusted access");
    let plan = w.terraform(&["plan", "-detailed-exitcode", "-no-color"]);
    let text = support::flatten(&plan.text());
    assert_eq!(
        plan.code(),
        2,
        "a change is planned, not a clean plan: {text}"
    );
    assert!(
        text.contains("-> (known after apply)"),
        "what goes is unknown: {text}"
    );
    assert!(text.contains("could not be read"), "{text}");
}
