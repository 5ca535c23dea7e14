//! Data source rootaccess_organization through the real Terraform CLI.

use crate::support;

use serde_json::json;
use support::Workdir;
use support::aws::AwsEndpoint;

#[test]
fn lists_accounts_and_active_members_without_any_root_session() {
    let aws = AwsEndpoint::start();
    let seeded = aws.seed(json!({
        "organization": {"feature_set": "ALL"},
        "accounts": [
            {"id": "111111111111", "name": "dev"},
            {"id": "222222222222", "name": "prod"},
            {"id": "444444444444", "name": "old", "status": "SUSPENDED"}
        ]
    }));
    let w = Workdir::new(&format!(
        "{}data \"rootaccess_organization\" \"this\" {{}}\noutput \"org\" {{ value = data.rootaccess_organization.this }}\n",
        aws.provider_hcl()
    ));
    w.apply();
    let org = &w.outputs()["org"]["value"];
    assert_eq!(org["id"], seeded["organization"]["id"]);
    assert_eq!(org["management_account_id"], "123456789012");
    assert_eq!(
        org["active_member_account_ids"],
        json!(["111111111111", "222222222222"])
    );
    let accounts = org["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 4);
    assert!(accounts.iter().any(|a| a["id"] == "444444444444"
        && a["state"] == "SUSPENDED"
        && a["status"] == "SUSPENDED"));
    // No feature is enabled and no root session was opened.
    assert_eq!(aws.assume_root_total(), 0);
}

#[test]
fn every_account_state_is_reported_and_only_active_members_are_targets() {
    let aws = AwsEndpoint::start();
    aws.seed(json!({
        "account_shape": "2026",
        "organization": {"feature_set": "ALL"},
        "accounts": [
            {"id": "111111111111", "state": "ACTIVE"},
            {"id": "222222222222", "state": "PENDING_ACTIVATION"},
            {"id": "333333333333", "state": "SUSPENDED"},
            {"id": "444444444444", "state": "PENDING_CLOSURE"},
            {"id": "555555555555", "state": "CLOSED"}
        ]
    }));
    let w = Workdir::new(&format!(
        "{}data \"rootaccess_organization\" \"this\" {{}}\noutput \"org\" {{ value = data.rootaccess_organization.this }}\n",
        aws.provider_hcl()
    ));
    w.apply();
    let org = &w.outputs()["org"]["value"];
    assert_eq!(org["active_member_account_ids"], json!(["111111111111"]));
    let states: Vec<(String, String)> = org["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["id"].as_str().unwrap().to_string(),
                a["state"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        states,
        [
            ("111111111111", "ACTIVE"),
            ("123456789012", "ACTIVE"),
            ("222222222222", "PENDING_ACTIVATION"),
            ("333333333333", "SUSPENDED"),
            ("444444444444", "PENDING_CLOSURE"),
            ("555555555555", "CLOSED"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
}

#[test]
fn an_unknown_account_state_fails_the_read_instead_of_shrinking_the_member_list() {
    let aws = AwsEndpoint::start();
    aws.seed(json!({
        "organization": {"feature_set": "ALL"},
        "accounts": [{"id": "111111111111"}, {"id": "222222222222", "state": "omit"}]
    }));
    let w = Workdir::new(&format!(
        "{}data \"rootaccess_organization\" \"this\" {{}}\noutput \"ids\" {{ value = data.rootaccess_organization.this.active_member_account_ids }}\n",
        aws.provider_hcl()
    ));
    w.terraform(&["plan", "-no-color"]).fails_with(&[
        "Account state unknown",
        "cannot tell whether account 222222222222 is ACTIVE",
    ]);
}

#[test]
fn the_pre_2026_answer_shape_still_works() {
    // Answers with Account.Status and no State (before AWS added State): the
    // fallback reads Status.
    let aws = AwsEndpoint::start();
    aws.seed(json!({
        "account_shape": "2024",
        "organization": {"feature_set": "ALL"},
        "accounts": [{"id": "111111111111"}, {"id": "444444444444", "state": "SUSPENDED"}]
    }));
    let w = Workdir::new(&format!(
        "{}data \"rootaccess_organization\" \"this\" {{}}\noutput \"ids\" {{ value = data.rootaccess_organization.this.active_member_account_ids }}\n",
        aws.provider_hcl()
    ));
    w.apply();
    assert_eq!(w.outputs()["ids"]["value"], json!(["111111111111"]));
}

#[test]
fn the_organization_is_handed_over_page_by_page_as_it_is_read() {
    let aws = AwsEndpoint::start();
    let accounts: Vec<_> = (1..=5)
        .map(|i| json!({"id": format!("{:012}", 100_000_000_000u64 + i), "name": format!("m{i}")}))
        .collect();
    aws.seed(json!({
        "organization": {"feature_set": "ALL"},
        "accounts": accounts,
        "page_size": {"organizations": 2}
    }));
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let clients = aws_root_access::AwsClients::new(aws.aws_settings())
            .await
            .expect("clients");
        // The management account and five members, two a page: three or
        // four pages (AWS may also end with an empty page).
        let mut pages: Vec<(String, usize)> = Vec::new();
        let org = aws_root_access::organization::read_with_pages(&clients, |management, page| {
            pages.push((management.to_string(), page.len()))
        })
        .await
        .expect("organization");
        assert_eq!(org.accounts.len(), 6);
        let sizes: Vec<usize> = pages.iter().map(|p| p.1).filter(|n| *n > 0).collect();
        assert_eq!(sizes, [2, 2, 2], "{pages:?}");
        assert!(
            pages.iter().all(|p| p.0 == aws.management_account_id),
            "{pages:?}"
        );
        // Read already: everything at once, and no second listing.
        let mut again = Vec::new();
        aws_root_access::organization::read_with_pages(&clients, |_, page| again.push(page.len()))
            .await
            .expect("organization");
        assert_eq!(again, [6]);
    });
    let calls = aws.calls();
    let org_calls = &calls["calls"][aws.management_account_id.as_str()]["organizations"];
    assert_eq!(org_calls["ListAccounts"], 3, "{calls}");
}
