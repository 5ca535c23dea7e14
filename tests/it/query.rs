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
