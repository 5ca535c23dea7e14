//! Stored state across provider versions (UpgradeResourceState): state that
//! holds an attribute a later release removed still plans and is stored
//! without it; state written by a newer provider (a higher schema version) is
//! refused.

use crate::support;

use support::Workdir;
use support::aws::AwsEndpoint;

/// A state file as Terraform writes it, with one password-recovery resource
/// stored at `schema_version` with `attributes`.
fn state_file(schema_version: i64, attributes: serde_json::Value) -> String {
    serde_json::json!({
        "version": 4,
        "terraform_version": "1.15.5",
        "serial": 1,
        "lineage": "00000000-0000-4000-8000-000000000001",
        "outputs": {},
        "resources": [{
            "mode": "managed",
            "type": "rootaccess_member_password_recovery",
            "name": "owner",
            "provider": format!("provider[\"{}\"]", support::PROVIDER_SOURCE),
            "instances": [{
                "schema_version": schema_version,
                "attributes": attributes,
                "sensitive_attributes": []
            }]
        }]
    })
    .to_string()
}

fn config(aws: &AwsEndpoint) -> String {
    format!(
        "{}resource \"rootaccess_member_password_recovery\" \"owner\" {{\n  account_id = \"222222222222\"\n}}\n",
        aws.provider_hcl()
    )
}

#[test]
fn a_v0_state_with_an_attribute_the_schema_no_longer_has_still_plans() {
    let aws = AwsEndpoint::start();
    aws.seed_standard();
    let w = Workdir::new(&config(&aws));
    w.write_file(
        "terraform.tfstate",
        &state_file(
            0,
            serde_json::json!({
                "id": "222222222222",
                "account_id": "222222222222",
                "created_at": "2026-01-01T00:00:00Z",
                "recovery_email_hint": "removed in a later release"
            }),
        ),
    );
    let plan = w.terraform(&["plan", "-refresh=false", "-detailed-exitcode", "-no-color"]);
    assert_eq!(plan.code(), 0, "{}", plan.text());
    // The apply stores the upgraded state, without the removed attribute.
    w.terraform(&["apply", "-refresh=false", "-auto-approve", "-no-color"])
        .ok();
    assert!(!w.state_text().contains("recovery_email_hint"));
    let shown = w.terraform(&["show", "-json"]).ok().json();
    let attrs = &shown["values"]["root_module"]["resources"][0]["values"];
    assert_eq!(attrs["account_id"], "222222222222", "{shown}");
}

#[test]
fn state_written_by_a_newer_provider_is_refused_clearly() {
    let aws = AwsEndpoint::start();
    aws.seed_standard();
    let w = Workdir::new(&config(&aws));
    w.write_file(
        "terraform.tfstate",
        &state_file(
            7,
            serde_json::json!({"id": "222222222222", "account_id": "222222222222", "created_at": ""}),
        ),
    );
    // Terraform refuses it before asking the provider (the provider's own
    // refusal, for other clients, is unit-tested in tfplugin's lifecycle).
    w.terraform(&["plan", "-refresh=false", "-no-color"])
        .fails_with(&["Resource instance managed by newer provider version"]);
}
