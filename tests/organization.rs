//! Data source rootaccess_organization through the real Terraform CLI.

mod support;

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
    assert!(
        accounts
            .iter()
            .any(|a| a["id"] == "444444444444" && a["status"] == "SUSPENDED")
    );
    // No feature is enabled and no root session was opened.
    assert_eq!(aws.assume_root_total(), 0);
}
