//! Data source `rootaccess_org_root_credentials` through the real Terraform
//! CLI against the local AWS endpoint (counts, skipped accounts with reasons,
//! the account filter, failures), and the concurrency of the organization-wide
//! audit in the AWS layer (it uses the provider's bound, and no more).

use crate::support;

use std::time::{Duration, Instant};

use aws_root_access::root_credentials::audit_many;
use aws_root_access::{AwsClients, AwsSettings};
use serde_json::json;
use support::Workdir;
use support::aws::AwsEndpoint;

fn seed_org(aws: &AwsEndpoint) {
    aws.seed(org_scenario());
}

fn seed_org_in(aws: &AwsEndpoint, account_shape: &str) {
    let mut scenario = org_scenario();
    scenario["account_shape"] = json!(account_shape);
    aws.seed(scenario);
}

fn org_scenario() -> serde_json::Value {
    json!({
        "organization": {"feature_set": "ALL"},
        "trusted_access": ["iam.amazonaws.com"],
        "delegated_administrators": ["222222222222"],
        "features": ["RootCredentialsManagement"],
        "accounts": [
            {"id": "111111111111", "name": "dev",
             "root_credentials": {"password": true, "access_keys": 2}},
            {"id": "222222222222", "name": "security"},
            {"id": "333333333333", "name": "prod", "root_credentials": {"mfa_devices": 1}},
            {"id": "444444444444", "name": "old", "status": "SUSPENDED"},
            {"id": "555555555555", "name": "sandbox"}
        ]
    })
}

fn audit(aws: &AwsEndpoint, args: &str) -> serde_json::Value {
    let w = Workdir::new(&format!(
        "{}data \"rootaccess_org_root_credentials\" \"all\" {{\n{args}}}\noutput \"audit\" {{ value = data.rootaccess_org_root_credentials.all }}\n",
        aws.provider_hcl()
    ));
    w.apply();
    w.outputs()["audit"]["value"].clone()
}

#[test]
fn audits_every_active_member_and_skips_the_management_and_suspended_accounts() {
    let aws = AwsEndpoint::start();
    seed_org(&aws);
    aws.delete("/calls");
    let a = audit(&aws, "");
    let audited: Vec<&str> = a["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["account_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        audited,
        [
            "111111111111",
            "222222222222",
            "333333333333",
            "555555555555"
        ]
    );
    assert_eq!(a["accounts"][0]["name"], "dev");
    assert_eq!(a["accounts"][0]["password_present"], true);
    assert_eq!(
        a["accounts"][0]["access_keys"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(
        a["accounts"][2]["mfa_serials"].as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(
        a["skipped"],
        json!([
            {"account_id": "123456789012", "name": a["skipped"][0]["name"],
             "reason": "management account: centralized root access acts on member accounts only"},
            {"account_id": "444444444444", "name": "old",
             "reason": "Account 444444444444 is SUSPENDED (closed or suspended by AWS); AWS opens no root session in it."}
        ])
    );
    assert_eq!(
        a["account_ids_with_credentials"],
        json!(["111111111111", "333333333333"])
    );
    assert_eq!(
        a["summary"],
        json!({"accounts_audited": 4, "accounts_skipped": 2, "accounts_with_credentials": 2,
               "passwords": 1, "access_keys": 2, "signing_certificates": 0, "mfa_devices": 1})
    );
    assert!(a["organization_id"].as_str().unwrap().starts_with("o-"));
    // Each Terraform command (apply, two plans) audits each member once, in
    // one session, and never touches the skipped accounts.
    let calls = aws.calls();
    for id in [
        "111111111111",
        "222222222222",
        "333333333333",
        "555555555555",
    ] {
        assert_eq!(
            calls["assume_root"][id],
            json!({"IAMAuditRootUserCredentials": 3}),
            "{calls}"
        );
    }
    assert!(calls["assume_root"]["444444444444"].is_null());
    // A clean account costs one call; the others list only what exists.
    assert_eq!(
        calls["calls"]["555555555555"]["iam"],
        json!({"GetAccountSummary": 3})
    );
    assert_eq!(
        calls["calls"]["111111111111"]["iam"],
        json!({"GetAccountSummary": 3, "ListAccessKeys": 3})
    );
}

#[test]
fn account_ids_restrict_the_audit_and_unknown_ids_are_skipped_with_the_reason() {
    let aws = AwsEndpoint::start();
    seed_org(&aws);
    let a = audit(
        &aws,
        "  account_ids = [\"333333333333\", \"999999999999\", \"444444444444\", \"123456789012\"]\n",
    );
    assert_eq!(a["accounts"].as_array().map(Vec::len), Some(1));
    assert_eq!(a["accounts"][0]["account_id"], "333333333333");
    let reasons: Vec<(String, String)> = a["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["account_id"].as_str().unwrap().to_string(),
                s["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(reasons.len(), 3);
    assert_eq!(reasons[2].0, "999999999999");
    assert_eq!(reasons[2].1, "not an account of the organization");
    assert_eq!(a["summary"]["accounts_audited"], 1);
    assert_eq!(a["summary"]["accounts_skipped"], 3);
    // The argument reads back as written.
    assert_eq!(a["account_ids"][0], "333333333333");
}

#[test]
fn accounts_that_cannot_be_audited_fail_the_read_and_are_all_named() {
    let aws = AwsEndpoint::start();
    aws.seed(json!({
        "organization": {"feature_set": "ALL"},
        "trusted_access": ["iam.amazonaws.com"],
        "features": ["RootCredentialsManagement"],
        "accounts": [{"id": "111111111111"}, {"id": "222222222222"}, {"id": "333333333333"}]
    }));
    // IAM keeps failing in one account.
    aws.post(
        "/faults",
        json!({"service": "iam", "account": "222222222222", "errors": 100, "status": 500}),
    );
    let w = Workdir::new(&format!(
        "{}data \"rootaccess_org_root_credentials\" \"all\" {{}}\n",
        aws.provider_hcl().replacen(
            "provider \"rootaccess\" {\n",
            "provider \"rootaccess\" {\n  max_retries = 0\n",
            1
        )
    ));
    let run = w.terraform(&["plan", "-no-color"]).fails_with(&[
        "Root credentials audit incomplete",
        "1 of 3 member accounts could not be audited",
        "222222222222: iam:GetAccountSummary failed",
    ]);
    assert!(!run.text().contains("111111111111:"), "{}", run.text());
    // Validation of the filter happens before any call.
    let w = Workdir::new(
        "data \"rootaccess_org_root_credentials\" \"all\" {\n  account_ids = [\"111111111111\", \"abc\"]\n}\n",
    );
    w.terraform(&["validate", "-no-color"])
        .fails_with(&["\"abc\" is not an AWS account id"]);
}

async fn clients(aws: &AwsEndpoint, max_concurrent_requests: usize) -> AwsClients {
    AwsClients::new(AwsSettings {
        max_concurrent_requests,
        ..aws.aws_settings()
    })
    .await
    .expect("clients")
}

/// Timed audit of 12 clean members (2 calls each: AssumeRoot, GetAccountSummary)
/// with 150 ms injected per call.
async fn timed_audit(aws: &AwsEndpoint, bound: usize) -> Duration {
    let c = clients(aws, bound).await;
    let ids: Vec<String> = (1..=12)
        .map(|i| format!("{:012}", 100_000_000_000u64 + i))
        .collect();
    let start = Instant::now();
    let results = audit_many(&c, ids).await;
    let elapsed = start.elapsed();
    assert_eq!(results.len(), 12);
    assert!(
        results
            .iter()
            .all(|(_, r)| r.as_ref().is_ok_and(|c| c.is_empty()))
    );
    elapsed
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_org_wide_audit_runs_concurrently_within_the_provider_bound() {
    let aws = AwsEndpoint::start();
    aws.seed(json!({
        "organization": {"feature_set": "ALL"},
        "trusted_access": ["iam.amazonaws.com"],
        "features": ["RootCredentialsManagement"],
        "accounts": (1..=12).map(|i| json!({"id": format!("{:012}", 100_000_000_000u64 + i)})).collect::<Vec<_>>()
    }));
    aws.post("/faults", json!({"service": "*", "latency_ms": 150}));
    // 24 calls x 150 ms: 3.6 s one at a time.
    // Bound 2: never faster than 24 x 150 / 2 = 1.8 s.
    let bounded = timed_audit(&aws, 2).await;
    assert!(
        bounded >= Duration::from_millis(1700),
        "{bounded:?}: the bound was exceeded"
    );
    // Bound 24: every account at once, about two round trips.
    let wide = timed_audit(&aws, 24).await;
    assert!(
        wide < Duration::from_millis(1500),
        "{wide:?}: the audit did not run concurrently"
    );
}

#[test]
fn the_documented_example_applies_and_converges() {
    let aws = AwsEndpoint::start();
    seed_org(&aws);
    let example = std::fs::read_to_string(
        support::repo_root()
            .join("examples/data-sources/rootaccess_org_root_credentials/data-source.tf"),
    )
    .expect("example");
    let w = Workdir::new(&format!("{}{example}", aws.provider_hcl()));
    // The check reports the accounts found before the resources deleted their credentials.
    let run = w.apply();
    let text = support::flatten(&run.text());
    assert!(
        text.contains("Member accounts with root credentials: 111111111111, 333333333333"),
        "{text}"
    );
    for id in ["111111111111", "333333333333"] {
        let rc = aws.account(id)["root_credentials"].clone();
        assert_eq!(
            rc["present"],
            json!({"password": false, "access_keys": false, "signing_certificates": false, "mfa": false}),
            "{rc}"
        );
    }
    // The next run finds nothing: the check passes.
    let run = w.terraform(&["plan", "-no-color"]).ok();
    assert!(
        !run.text().contains("Member accounts with root credentials"),
        "{}",
        run.text()
    );
    assert_eq!(
        w.outputs()["skipped_accounts"]["value"]["444444444444"],
        "Account 444444444444 is SUSPENDED (closed or suspended by AWS); AWS opens no root session in it."
    );
}

#[test]
fn a_member_of_unknown_state_fails_the_audit_instead_of_counting_as_clean() {
    let aws = AwsEndpoint::start();
    // States with no pre-2026 Status: today's answer shape, whatever the suite runs on.
    seed_org_in(&aws, "2026");
    aws.put_json("/accounts/333333333333/state", json!({"state": "omit"}));
    aws.put_json("/accounts/555555555555/state", json!({"state": "ARCHIVED"}));
    let w = Workdir::new(&format!(
        "{}data \"rootaccess_org_root_credentials\" \"all\" {{}}\n",
        aws.provider_hcl()
    ));
    let archived = "555555555555: state \"ARCHIVED\", unknown to this provider";
    w.terraform(&["plan", "-no-color"]).fails_with(&[
        "Account state unknown",
        "333333333333: AWS reported no state",
        archived,
    ]);
    assert_eq!(aws.assume_root_total(), 0, "nothing was audited");
    // Every state AWS documents is handled: not-ACTIVE members are skipped
    // with their state named.
    for state in ["PENDING_ACTIVATION", "PENDING_CLOSURE", "CLOSED"] {
        aws.put_json("/accounts/333333333333/state", json!({"state": state}));
        aws.put_json("/accounts/555555555555/state", json!({"state": "ACTIVE"}));
        let a = audit(&aws, "");
        let reason = a["skipped"]
            .as_array()
            .and_then(|s| s.iter().find(|x| x["account_id"] == "333333333333"))
            .map(|x| x["reason"].clone());
        assert!(
            reason
                .as_ref()
                .and_then(|r| r.as_str())
                .is_some_and(|r| r.contains(&format!("is {state}"))),
            "{state}: {reason:?}"
        );
    }
}

#[test]
fn organizational_units_scope_the_audit_and_allow_incomplete_reports_instead_of_failing() {
    let aws = AwsEndpoint::start();
    let seeded = aws.seed(json!({
        "organization": {"feature_set": "ALL"},
        "trusted_access": ["iam.amazonaws.com"],
        "features": ["RootCredentialsManagement"],
        "accounts": [
            {"id": "111111111111", "name": "workloads", "root_credentials": {"password": true}},
            {"id": "222222222222", "name": "prod", "root_credentials": {"access_keys": 1}},
            {"id": "333333333333", "name": "sandbox", "root_credentials": {"password": true}}
        ],
        "organizational_units": [
            {"name": "Workloads", "parent": null, "accounts": ["111111111111"]},
            {"name": "Prod", "parent": "Workloads", "accounts": ["222222222222"]}
        ]
    }));
    let workloads = seeded["organizational_units"]["Workloads"]
        .as_str()
        .expect("ou");
    let scoped = audit(
        &aws,
        &format!("organizational_unit_ids = [\"{workloads}\"]\n"),
    );
    let audited: Vec<&str> = scoped["accounts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["account_id"].as_str())
        .collect();
    assert_eq!(audited, ["111111111111", "222222222222"], "{scoped}");
    // The organization data source takes the same scope.
    let w = Workdir::new(&format!(
        "{}data \"rootaccess_organization\" \"units\" {{\n  organizational_unit_ids = [\"{workloads}\"]\n}}\noutput \"members\" {{ value = data.rootaccess_organization.units.active_member_account_ids }}\n",
        aws.provider_hcl()
    ));
    w.apply();
    assert_eq!(
        w.outputs()["members"]["value"],
        json!(["111111111111", "222222222222"])
    );

    // Root sessions refused for one account: with allow_incomplete the read
    // succeeds and names it in `skipped`, with AWS's reason.
    aws.post(
        "/faults",
        json!({"service": "iam", "account": "333333333333", "errors": 100, "status": 500}),
    );
    let w = Workdir::new(&format!(
        "{}data \"rootaccess_org_root_credentials\" \"all\" {{\n  allow_incomplete = true\n}}\noutput \"audit\" {{ value = data.rootaccess_org_root_credentials.all }}\n",
        aws.provider_hcl().replacen(
            "provider \"rootaccess\" {\n",
            "provider \"rootaccess\" {\n  max_retries = 0\n",
            1
        )
    ));
    w.terraform(&["apply", "-auto-approve", "-no-color"]).ok();
    let incomplete = w.outputs()["audit"]["value"].clone();
    let skipped = incomplete["skipped"].to_string();
    assert!(
        skipped.contains("333333333333") && skipped.contains("not audited"),
        "{incomplete}"
    );
    assert_eq!(incomplete["summary"]["accounts_audited"], 2, "{incomplete}");
}

#[test]
fn a_plan_audits_each_account_once_for_its_resources_and_the_audit_data_source() {
    let aws = AwsEndpoint::start();
    aws.seed(json!({
        "organization": {"feature_set": "ALL"},
        "trusted_access": ["iam.amazonaws.com"],
        "features": ["RootCredentialsManagement"],
        "accounts": [{"id": "111111111111"}, {"id": "222222222222"}, {"id": "333333333333"}]
    }));
    let members = ["111111111111", "222222222222", "333333333333"];
    let w = Workdir::new(&format!(
        r#"{}
resource "rootaccess_member_credentials_absent" "member" {{
  for_each   = toset({members:?})
  account_id = each.key
}}
data "rootaccess_org_root_credentials" "after" {{
  account_ids = {members:?}
  depends_on  = [rootaccess_member_credentials_absent.member]
}}
"#,
        aws.provider_hcl()
    ));
    w.apply();
    // A plan with nothing to change: each account's refresh audits it, and
    // the data source read in the same command reuses that audit.
    aws.delete("/calls");
    let plan = w.terraform(&["plan", "-detailed-exitcode", "-no-color"]);
    assert_eq!(plan.code(), 0, "{}", plan.text());
    let calls = aws.calls();
    for id in members {
        assert_eq!(
            calls["calls"][id]["iam"]["GetAccountSummary"], 1,
            "{id}: {}",
            calls["calls"][id]
        );
    }
}
