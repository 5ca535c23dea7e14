//! `terraform query` (Terraform 1.14+): list resources find what exists,
//! Terraform generates import blocks and configuration from their results,
//! and the plan of that configuration imports exactly what was listed.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::support::Workdir;
use crate::support::aws::AwsEndpoint;

const LIST_ALL: &str =
    "list \"rootaccess_member_credentials_absent\" \"members\" {\n  provider = rootaccess\n}\n";

/// Whether the endpoint says `account`'s root user has any credential.
fn has_credentials(aws: &AwsEndpoint, account: &str) -> bool {
    let present = &aws.account(account)["root_credentials"]["present"];
    present
        .as_object()
        .is_some_and(|kinds| kinds.values().any(|v| v == &json!(true)))
}

/// The `account_id`s a query printed (one result line each).
fn listed_accounts(query_output: &str) -> BTreeSet<String> {
    query_output
        .lines()
        .filter(|l| l.starts_with("list."))
        .filter_map(|l| {
            l.split_whitespace()
                .find_map(|w| w.strip_prefix("account_id="))
                .map(str::to_string)
        })
        .collect()
}

/// 45 members: 30 with root credentials of assorted kinds, two of those
/// suspended; 15 clean.
fn seed_organization(aws: &AwsEndpoint) -> (BTreeSet<String>, Vec<String>) {
    let mut accounts = Vec::new();
    let mut with_credentials = BTreeSet::new();
    let mut suspended = Vec::new();
    for i in 1..=45u64 {
        let id = format!("{}", 300_000_000_000u64 + i);
        let credentials = match i % 3 {
            0 => json!({}),
            1 => json!({"password": true, "access_keys": 1 + i % 2, "mfa_devices": 1}),
            _ => json!({"signing_certificates": 1, "access_keys": 1}),
        };
        let mut account =
            json!({"id": id, "name": format!("member-{i}"), "root_credentials": credentials});
        if i % 3 != 0 {
            if i == 1 || i == 2 {
                account["state"] = json!("SUSPENDED");
                suspended.push(id.clone());
            } else {
                with_credentials.insert(id.clone());
            }
        }
        accounts.push(account);
    }
    assert_eq!(with_credentials.len() + suspended.len(), 30);
    aws.seed(json!({
        "organization": {"feature_set": "ALL"},
        "trusted_access": ["iam.amazonaws.com"],
        "features": ["RootCredentialsManagement", "RootSessions"],
        "accounts": accounts,
    }));
    (with_credentials, suspended)
}

#[test]
fn a_query_adopts_every_member_with_root_credentials_and_the_generated_configuration_cleans_them() {
    let aws = AwsEndpoint::start();
    let (with_credentials, suspended) = seed_organization(&aws);
    let w = Workdir::new(&aws.provider_hcl());
    w.write_file("members.tfquery.hcl", LIST_ALL);

    let query = w
        .terraform(&["query", "-no-color", "-generate-config-out=generated.tf"])
        .ok();
    let out = query.text();
    assert_eq!(listed_accounts(&out), with_credentials, "{out}");
    // The suspended accounts are named, not silently left out.
    assert!(out.contains("2 accounts not examined"), "{out}");
    for id in &suspended {
        assert!(out.contains(&format!("Account {id} is SUSPENDED")), "{out}");
    }
    // Display names say what each account has.
    assert!(
        out.contains("member-4 (300000000004): password, 1 access key, 1 MFA device"),
        "{out}"
    );

    // The generated file: one resource and one import by identity per
    // account, with only the argument a person would write.
    let generated = std::fs::read_to_string(w.path().join("generated.tf")).expect("generated.tf");
    assert_eq!(
        generated
            .matches("resource \"rootaccess_member_credentials_absent\"")
            .count(),
        28
    );
    assert_eq!(generated.matches("identity = {").count(), 28);
    assert!(
        !generated.contains("credential_types"),
        "defaults are left out:\n{generated}"
    );
    assert!(
        !generated.contains("present_"),
        "computed values are left out:\n{generated}"
    );

    // Its plan: 28 imports, each an in-place update that deletes what the
    // account has, and nothing else.
    let plan = w.plan_json();
    let changes = plan["resource_changes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(changes.len(), 28, "{plan}");
    let mut planned_accounts = BTreeSet::new();
    for change in &changes {
        assert!(
            change["change"]["importing"]["identity"].is_object(),
            "{change}"
        );
        assert_eq!(change["change"]["actions"], json!(["update"]), "{change}");
        planned_accounts.insert(
            change["change"]["after"]["account_id"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        );
    }
    assert_eq!(planned_accounts, with_credentials);

    w.apply();
    for id in &with_credentials {
        assert!(
            !has_credentials(&aws, id),
            "{id} still has root credentials"
        );
    }
    for id in &suspended {
        assert!(
            has_credentials(&aws, id),
            "suspended {id} must not be touched"
        );
    }
    // The state holds each resource's identity for the next import or query.
    let state: Value = serde_json::from_str(&w.state_text()).expect("state JSON");
    let identities: Vec<&Value> = state["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|r| r["instances"].as_array().into_iter().flatten())
        .map(|i| &i["identity"])
        .collect();
    assert_eq!(identities.len(), 28);
    assert!(
        identities.iter().all(|i| i["account_id"].is_string()),
        "{identities:?}"
    );

    // Nothing left to adopt.
    let again = w.terraform(&["query", "-no-color"]).ok();
    assert!(
        listed_accounts(&again.text()).is_empty(),
        "{}",
        again.text()
    );
}

/// The result lines of one list block, by `account_id`, with their text.
fn results_of(query_output: &str, list: &str) -> Vec<(String, String)> {
    let prefix = format!("list.{list} ");
    query_output
        .lines()
        .filter(|l| l.starts_with(&prefix))
        .filter_map(|l| {
            let id = l
                .split_whitespace()
                .find_map(|w| w.strip_prefix("account_id="))?;
            Some((id.to_string(), l.to_string()))
        })
        .collect()
}

fn seed_small(aws: &AwsEndpoint) {
    aws.seed(json!({
        "organization": {"feature_set": "ALL"},
        "trusted_access": ["iam.amazonaws.com"],
        "features": ["RootCredentialsManagement", "RootSessions"],
        "accounts": [
            {"id": "111111111111", "name": "keys", "root_credentials": {"access_keys": 2}},
            {"id": "222222222222", "name": "clean"},
            {"id": "333333333333", "name": "certs", "root_credentials": {"signing_certificates": 1, "password": true}},
            {"id": "444444444444", "name": "password", "root_credentials": {"password": true}}
        ]
    }));
}

#[test]
fn list_arguments_select_accounts_and_kinds() {
    let aws = AwsEndpoint::start();
    seed_small(&aws);
    let w = Workdir::new(&aws.provider_hcl());
    w.write_file(
        "select.tfquery.hcl",
        r#"
list "rootaccess_member_credentials_absent" "named" {
  provider = rootaccess
  config {
    account_ids = ["111111111111", "222222222222", "999999999999"]
  }
}
list "rootaccess_member_credentials_absent" "with_clean" {
  provider = rootaccess
  config {
    account_ids            = ["111111111111", "222222222222"]
    include_clean_accounts = true
  }
}
list "rootaccess_member_credentials_absent" "certificates" {
  provider = rootaccess
  config {
    credential_types = ["signing_certificates"]
  }
}
"#,
    );
    let out = w
        .terraform(&["query", "-no-color", "-generate-config-out=generated.tf"])
        .ok()
        .text();
    let ids = |list: &str| -> Vec<String> {
        results_of(
            &out,
            &format!("rootaccess_member_credentials_absent.{list}"),
        )
        .into_iter()
        .map(|(id, _)| id)
        .collect()
    };
    assert_eq!(ids("named"), vec!["111111111111"], "{out}");
    assert!(
        out.contains("999999999999 is not a member account"),
        "{out}"
    );
    let mut with_clean = ids("with_clean");
    with_clean.sort();
    assert_eq!(with_clean, vec!["111111111111", "222222222222"], "{out}");
    assert!(
        out.contains("clean (222222222222): no root credentials"),
        "{out}"
    );
    assert_eq!(ids("certificates"), vec!["333333333333"], "{out}");
    assert!(
        out.contains("certs (333333333333): 1 signing certificate"),
        "{out}"
    );
    // The kinds a list asked for become the resource's kinds to manage.
    let generated = std::fs::read_to_string(w.path().join("generated.tf")).expect("generated.tf");
    assert!(
        generated.contains("credential_types = [\"signing_certificates\"]"),
        "{generated}"
    );
    // Its plan deletes the certificate and leaves the password alone.
    let plan = w.plan_json();
    let certs = plan["resource_changes"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| {
            c["change"]["after"]["account_id"] == "333333333333"
                && c["change"]["after"]["credential_types"] == json!(["signing_certificates"])
        })
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(
        certs["change"]["after"]["present_password"], true,
        "{certs}"
    );
    assert_eq!(
        certs["change"]["after"]["present_signing_certificate_ids"],
        json!([]),
        "{certs}"
    );
}

#[test]
fn the_limit_stops_the_audits_early() {
    let aws = AwsEndpoint::start();
    seed_organization(&aws);
    let provider = aws.provider_hcl().replacen(
        "provider \"rootaccess\" {\n",
        "provider \"rootaccess\" {\n  max_concurrent_requests = 2\n",
        1,
    );
    let w = Workdir::new(&provider);
    w.write_file(
        "few.tfquery.hcl",
        "list \"rootaccess_member_credentials_absent\" \"few\" {\n  provider = rootaccess\n  limit    = 3\n}\n",
    );
    let before = aws.assume_root_total();
    let out = w.terraform(&["query", "-no-color"]).ok().text();
    assert_eq!(listed_accounts(&out).len(), 3, "{out}");
    // 3 results, each account audited in one root session: far fewer than
    // the 28 an exhaustive query audits (2 at a time may still be in flight).
    let sessions = aws.assume_root_total() - before;
    assert!(sessions <= 8, "{sessions} root sessions for 3 results");
}

#[test]
fn password_recovery_lists_login_profiles_to_adopt() {
    let aws = AwsEndpoint::start();
    seed_small(&aws);
    let w = Workdir::new(&aws.provider_hcl());
    w.write_file(
        "recovery.tfquery.hcl",
        "list \"rootaccess_member_password_recovery\" \"profiles\" {\n  provider = rootaccess\n}\n",
    );
    let out = w
        .terraform(&["query", "-no-color", "-generate-config-out=generated.tf"])
        .ok()
        .text();
    let mut ids: Vec<String> = results_of(&out, "rootaccess_member_password_recovery.profiles")
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    ids.sort();
    assert_eq!(ids, vec!["333333333333", "444444444444"], "{out}");
    // Importing adopts the login profiles and changes nothing.
    let actions = w.planned_actions();
    assert_eq!(actions.len(), 2, "{actions:?}");
    assert!(
        actions.iter().all(|(_, a)| a == &vec!["no-op".to_string()]),
        "{actions:?}"
    );
    w.apply();
    for (address, _) in actions {
        assert_eq!(w.resource_values(&address)["adopted"], true, "{address}");
    }
}

#[test]
fn invalid_list_arguments_are_refused_before_any_aws_call() {
    let aws = AwsEndpoint::start();
    seed_small(&aws);
    let w = Workdir::new(&aws.provider_hcl());
    w.write_file(
        "bad.tfquery.hcl",
        r#"
list "rootaccess_member_credentials_absent" "bad" {
  provider = rootaccess
  config {
    account_ids             = ["12345"]
    organizational_unit_ids = ["engineering"]
    credential_types        = ["passwords"]
  }
}
"#,
    );
    let before = aws.calls();
    w.terraform(&["query", "-no-color"]).fails_with(&[
        "exactly 12 digits",
        "organizational unit id",
        "passwords",
    ]);
    assert_eq!(
        aws.assume_root_total(),
        before["assume_root_total"].as_u64().unwrap_or(0)
    );
}

#[test]
fn organizational_units_select_their_accounts_at_any_depth() {
    let aws = AwsEndpoint::start();
    let seeded = aws.seed(json!({
        "organization": {"feature_set": "ALL"},
        "trusted_access": ["iam.amazonaws.com"],
        "features": ["RootCredentialsManagement", "RootSessions"],
        "accounts": [
            {"id": "111111111111", "name": "workloads-shared", "root_credentials": {"password": true}},
            {"id": "222222222222", "name": "prod-app", "root_credentials": {"access_keys": 1}},
            {"id": "333333333333", "name": "sandbox", "root_credentials": {"password": true}}
        ],
        "organizational_units": [
            {"name": "Workloads", "parent": null, "accounts": ["111111111111"]},
            {"name": "Prod", "parent": "Workloads", "accounts": ["222222222222"]}
        ]
    }));
    let unit = |name: &str| {
        seeded["organizational_units"][name]
            .as_str()
            .expect("unit id")
            .to_string()
    };
    let w = Workdir::new(&aws.provider_hcl());
    w.write_file(
        "units.tfquery.hcl",
        &format!(
            r#"
list "rootaccess_member_credentials_absent" "workloads" {{
  provider = rootaccess
  config {{
    organizational_unit_ids = ["{workloads}"]
  }}
}}
list "rootaccess_member_credentials_absent" "prod" {{
  provider = rootaccess
  config {{
    organizational_unit_ids = ["{prod}"]
  }}
}}
"#,
            workloads = unit("Workloads"),
            prod = unit("Prod")
        ),
    );
    let out = w.terraform(&["query", "-no-color"]).ok().text();
    let ids = |list: &str| -> BTreeSet<String> {
        results_of(
            &out,
            &format!("rootaccess_member_credentials_absent.{list}"),
        )
        .into_iter()
        .map(|(id, _)| id)
        .collect()
    };
    assert_eq!(
        ids("workloads"),
        BTreeSet::from(["111111111111".to_string(), "222222222222".to_string()]),
        "a unit includes its child units: {out}"
    );
    assert_eq!(
        ids("prod"),
        BTreeSet::from(["222222222222".to_string()]),
        "{out}"
    );

    // A unit that is not in the organization is an error that names it.
    w.write_file(
        "units.tfquery.hcl",
        "list \"rootaccess_member_credentials_absent\" \"gone\" {\n  provider = rootaccess\n  config {\n    organizational_unit_ids = [\"ou-zzzz-zzzzzzzz\"]\n  }\n}\n",
    );
    w.terraform(&["query", "-no-color"])
        .fails_with(&["ou-zzzz-zzzzzzzz is not in this organization"]);
}

#[test]
fn an_account_that_cannot_be_audited_is_a_warning_not_a_missing_result() {
    let aws = AwsEndpoint::start();
    seed_small(&aws);
    // IAM keeps failing in one account.
    aws.post(
        "/faults",
        json!({"service": "iam", "account": "333333333333", "errors": 100, "status": 500}),
    );
    let provider = aws.provider_hcl().replacen(
        "provider \"rootaccess\" {\n",
        "provider \"rootaccess\" {\n  max_retries = 0\n",
        1,
    );
    let w = Workdir::new(&provider);
    w.write_file("members.tfquery.hcl", LIST_ALL);
    let out = w.terraform(&["query", "-no-color"]).ok().text();
    assert_eq!(
        listed_accounts(&out),
        BTreeSet::from(["111111111111".to_string(), "444444444444".to_string()]),
        "{out}"
    );
    assert!(
        out.contains("Account 333333333333 not examined (audit failed)"),
        "{out}"
    );
    // Issue 22: when no account at all can be read, the query fails rather
    // than list nothing as if the organization were clean.
    aws.post(
        "/faults",
        json!({"service": "iam", "errors": 100, "status": 500}),
    );
    w.terraform(&["query", "-no-color"])
        .fails_with(&["not examined (audit failed)", "AWS had an internal error"]);
}

/// Issue 22: `exclude_account_ids` leaves accounts out, for example those
/// whose root password recovery another resource keeps.
#[test]
fn excluded_accounts_are_not_listed() {
    let aws = AwsEndpoint::start();
    seed_small(&aws);
    let w = Workdir::new(&aws.provider_hcl());
    w.write_file(
        "members.tfquery.hcl",
        "list \"rootaccess_member_credentials_absent\" \"members\" {\n  provider = rootaccess\n  config {\n    exclude_account_ids = [\"444444444444\"]\n  }\n}\n",
    );
    let out = w.terraform(&["query", "-no-color"]).ok().text();
    assert_eq!(
        listed_accounts(&out),
        BTreeSet::from(["111111111111".to_string(), "333333333333".to_string()]),
        "{out}"
    );
}
