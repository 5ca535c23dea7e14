//! rootaccess_org_features (resource and data source) through the real
//! Terraform CLI against the local AWS endpoint.

use crate::support;

use serde_json::{Value, json};
use support::Workdir;
use support::aws::{AwsEndpoint, block_on};

fn features_of(aws: &AwsEndpoint) -> Vec<String> {
    let mut f: Vec<String> = aws.organization()["features"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    f.sort();
    f
}

fn resource(features: &str, extra: &str) -> String {
    format!(
        "resource \"rootaccess_org_features\" \"this\" {{\n  enabled_features = {features}\n{extra}}}\n"
    )
}

/// RootCredentialsManagement on, 222222222222 the IAM delegated administrator.
fn with_delegated_administrator() -> Value {
    json!({
        "organization": {"feature_set": "ALL"},
        "trusted_access": ["iam.amazonaws.com"],
        "delegated_administrators": ["222222222222"],
        "features": ["RootCredentialsManagement"],
        "accounts": [{"id": "111111111111"}, {"id": "222222222222"}]
    })
}

fn org_with(trusted: bool, features: &[&str]) -> Value {
    json!({
        "organization": {"feature_set": "ALL"},
        "trusted_access": if trusted { json!(["iam.amazonaws.com"]) } else { json!([]) },
        "features": features,
        "accounts": [{"id": "111111111111"}, {"id": "222222222222"}]
    })
}

#[test]
fn enables_updates_in_place_and_disables_on_destroy() {
    let aws = AwsEndpoint::start();
    let seeded = aws.seed(org_with(true, &[]));
    let org_id = seeded["organization"]["id"].as_str().unwrap().to_string();
    let w = Workdir::new(&format!(
        "{}{}",
        aws.provider_hcl(),
        resource("[\"RootCredentialsManagement\", \"RootSessions\"]", "")
    ));
    w.apply();
    assert_eq!(
        features_of(&aws),
        ["RootCredentialsManagement", "RootSessions"]
    );
    let state = w.state_json();
    let attrs = &state["values"]["root_module"]["resources"][0]["values"];
    assert_eq!(attrs["organization_id"], org_id.as_str());
    assert_eq!(attrs["id"], org_id.as_str());
    assert_eq!(attrs["manage_trusted_access"], false);

    // Removing a feature is an in-place update, never a replacement.
    w.write_config(&format!(
        "{}{}",
        aws.provider_hcl(),
        resource("[\"RootCredentialsManagement\"]", "")
    ));
    assert_eq!(
        w.planned_actions(),
        vec![(
            "rootaccess_org_features.this".to_string(),
            vec!["update".to_string()]
        )]
    );
    w.apply();
    assert_eq!(features_of(&aws), ["RootCredentialsManagement"]);

    w.destroy();
    assert!(
        features_of(&aws).is_empty(),
        "destroy disables what the resource enabled"
    );
}

#[test]
fn a_feature_disabled_out_of_band_is_drift_that_apply_repairs() {
    let aws = AwsEndpoint::start();
    aws.seed(org_with(true, &[]));
    let w = Workdir::new(&format!(
        "{}{}",
        aws.provider_hcl(),
        resource("[\"RootCredentialsManagement\", \"RootSessions\"]", "")
    ));
    w.apply();
    block_on(aws.iam(None).disable_organizations_root_sessions().send())
        .expect("disable out of band");
    let plan = w.terraform(&["plan", "-detailed-exitcode", "-no-color"]);
    assert_eq!(
        plan.code(),
        2,
        "drift must show in the plan:\n{}",
        plan.text()
    );
    assert!(
        plan.stdout().contains("+ \"RootSessions\""),
        "{}",
        plan.stdout()
    );
    w.apply();
    assert_eq!(
        features_of(&aws),
        ["RootCredentialsManagement", "RootSessions"]
    );

    // Everything disabled out of band: the resource is gone and is planned again.
    block_on(aws.iam(None).disable_organizations_root_sessions().send()).expect("disable");
    block_on(
        aws.iam(None)
            .disable_organizations_root_credentials_management()
            .send(),
    )
    .expect("disable");
    assert_eq!(
        w.planned_actions(),
        vec![(
            "rootaccess_org_features.this".to_string(),
            vec!["create".to_string()]
        )]
    );
}

#[test]
fn manage_trusted_access_turns_on_iam_access_only() {
    let aws = AwsEndpoint::start();
    aws.seed(org_with(false, &[]));
    block_on(
        aws.organizations(None)
            .enable_aws_service_access()
            .service_principal("sso.amazonaws.com")
            .send(),
    )
    .expect("another service's access");
    // Without it, the error says what to do.
    let w = Workdir::new(&format!(
        "{}{}",
        aws.provider_hcl(),
        resource("[\"RootSessions\"]", "")
    ));
    w.terraform(&["apply", "-auto-approve", "-no-color"])
        .fails_with(&[
            "Could not enable RootSessions",
            "manage_trusted_access = true",
        ]);
    assert!(features_of(&aws).is_empty());
    // With it, IAM gets trusted access and the other principal keeps its own.
    w.write_config(&format!(
        "{}{}",
        aws.provider_hcl(),
        resource("[\"RootSessions\"]", "  manage_trusted_access = true\n")
    ));
    w.apply();
    let trusted: Vec<String> = aws.organization()["trusted_access"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert!(
        trusted.contains(&"iam.amazonaws.com".to_string()),
        "{trusted:?}"
    );
    assert!(
        trusted.contains(&"sso.amazonaws.com".to_string()),
        "{trusted:?}"
    );
    assert_eq!(features_of(&aws), ["RootSessions"]);
}

#[test]
fn import_by_organization_id_with_the_cli_and_with_an_import_block() {
    let aws = AwsEndpoint::start();
    let seeded = aws.seed(org_with(
        true,
        &["RootCredentialsManagement", "RootSessions"],
    ));
    let org_id = seeded["organization"]["id"].as_str().unwrap().to_string();
    let config = format!(
        "{}{}",
        aws.provider_hcl(),
        resource("[\"RootCredentialsManagement\", \"RootSessions\"]", "")
    );

    let w = Workdir::new(&config);
    w.terraform(&[
        "import",
        "-no-color",
        "rootaccess_org_features.this",
        &org_id,
    ])
    .ok();
    w.assert_plan_empty();

    let w = Workdir::new(&format!(
        "{config}\nimport {{\n  to = rootaccess_org_features.this\n  id = \"{org_id}\"\n}}\n"
    ));
    let plan = w.plan_json();
    let change = &plan["resource_changes"][0];
    assert_eq!(change["change"]["actions"], json!(["no-op"]), "{change}");
    assert_eq!(change["change"]["importing"]["id"], org_id.as_str());
    w.apply();

    let w = Workdir::new(&config);
    w.terraform(&[
        "import",
        "-no-color",
        "rootaccess_org_features.this",
        "o-doesnotexist1",
    ])
    .fails_with(&["Wrong organization", org_id.as_str()]);
    w.terraform(&[
        "import",
        "-no-color",
        "rootaccess_org_features.this",
        "123456789012",
    ])
    .fails_with(&["is not an organization id"]);
}

#[test]
fn every_aws_refusal_says_what_to_do() {
    let aws = AwsEndpoint::start();
    let cfg = |provider: &str| format!("{provider}{}", resource("[\"RootSessions\"]", ""));

    aws.seed(json!({"organization": null}));
    Workdir::new(&cfg(&aws.provider_hcl()))
        .terraform(&["apply", "-auto-approve", "-no-color"])
        .fails_with(&["not in an AWS organization", "create-organization"]);

    aws.seed(json!({"organization": {"feature_set": "CONSOLIDATED_BILLING"}, "accounts": [{"id": "111111111111"}]}));
    Workdir::new(&cfg(&aws.provider_hcl()))
        .terraform(&["apply", "-auto-approve", "-no-color"])
        .fails_with(&["consolidated billing only", "Enable all features"]);

    let seeded = aws.seed(json!({
        "organization": {"feature_set": "ALL"},
        "trusted_access": ["iam.amazonaws.com"],
        "delegated_administrators": ["222222222222"],
        "accounts": [{"id": "111111111111"}, {"id": "222222222222"}]
    }));
    let key = |id: &str, k: &str| {
        seeded["accounts"][id]["admin"][k]
            .as_str()
            .unwrap()
            .to_string()
    };
    let admin = aws.provider_hcl_with_keys(
        &key("222222222222", "access_key_id"),
        &key("222222222222", "secret_access_key"),
    );
    Workdir::new(&cfg(&admin))
        .terraform(&["apply", "-auto-approve", "-no-color"])
        .fails_with(&["Only the management account can enable organization features"]);
    let member = aws.provider_hcl_with_keys(
        &key("111111111111", "access_key_id"),
        &key("111111111111", "secret_access_key"),
    );
    Workdir::new(&cfg(&member))
        .terraform(&["apply", "-auto-approve", "-no-color"])
        .fails_with(&[
            "neither the organization's management account nor its IAM delegated administrator",
        ]);
    assert!(features_of(&aws).is_empty());
}

#[test]
fn invalid_feature_names_fail_at_plan() {
    let w = Workdir::new(&format!(
        "provider \"rootaccess\" {{\n  region = \"us-east-1\"\n}}\n{}",
        resource("[\"RootSessions\", \"RootEverything\"]", "")
    ));
    w.terraform(&["validate", "-no-color"]).fails_with(&[
        "\"RootEverything\" is not allowed here",
        "`RootCredentialsManagement`, `RootSessions`",
    ]);
    w.write_config(&format!(
        "provider \"rootaccess\" {{\n  region = \"us-east-1\"\n}}\n{}",
        resource("[]", "")
    ));
    w.terraform(&["validate", "-no-color"])
        .fails_with(&["must name at least one of", "remove the resource"]);
}

#[test]
fn the_data_source_reports_features_access_and_delegated_admin() {
    let aws = AwsEndpoint::start();
    let seeded = aws.seed(with_delegated_administrator());
    let w = Workdir::new(&format!(
        "{}data \"rootaccess_org_features\" \"org\" {{}}\noutput \"org\" {{ value = data.rootaccess_org_features.org }}\n",
        aws.provider_hcl()
    ));
    w.apply();
    let org = &w.outputs()["org"]["value"];
    assert_eq!(org["organization_id"], seeded["organization"]["id"]);
    assert_eq!(
        org["enabled_features"],
        json!(["RootCredentialsManagement"])
    );
    assert_eq!(org["iam_trusted_access"], true);
    assert_eq!(org["iam_delegated_administrator"], "222222222222");
}

#[test]
fn state_moves_over_from_the_aws_providers_resource() {
    let aws = AwsEndpoint::start();
    let seeded = aws.seed(org_with(
        true,
        &["RootCredentialsManagement", "RootSessions"],
    ));
    let org_id = seeded["organization"]["id"].as_str().unwrap().to_string();
    let w = Workdir::new(&format!(
        "{}{}\nmoved {{\n  from = aws_iam_organizations_features.this\n  to   = rootaccess_org_features.this\n}}\n",
        aws.provider_hcl(),
        resource("[\"RootCredentialsManagement\", \"RootSessions\"]", "")
    ));
    // State as the AWS provider wrote it.
    let state = json!({
        "version": 4, "terraform_version": "1.15.5", "serial": 1,
        "lineage": "5e0c4a8e-0000-4000-8000-000000000001", "outputs": {},
        "resources": [{
            "mode": "managed", "type": "aws_iam_organizations_features", "name": "this",
            "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
            "instances": [{"schema_version": 0, "sensitive_attributes": [],
                           "attributes": {"id": org_id, "enabled_features": ["RootCredentialsManagement", "RootSessions"]}}]
        }],
        "check_results": null
    });
    w.write_file("terraform.tfstate", &state.to_string());
    // Terraform insists that the source provider be installed; no registry is
    // reachable here, so a stand-in binary answers for hashicorp/aws.
    let stand_in = tempfile::tempdir().expect("dir");
    std::os::unix::fs::symlink(
        support::provider_binary(),
        stand_in.path().join("terraform-provider-aws"),
    )
    .expect("link");
    w.write_dev_overrides(&[("registry.terraform.io/hashicorp/aws", stand_in.path())]);

    let plan = w.terraform(&["plan", "-detailed-exitcode", "-no-color"]);
    assert!(
        plan.stdout()
            .contains("has moved to rootaccess_org_features.this"),
        "{}",
        plan.text()
    );
    w.apply();
    let after = w.state_json();
    let moved = &after["values"]["root_module"]["resources"][0];
    assert_eq!(moved["type"], "rootaccess_org_features");
    assert_eq!(moved["values"]["organization_id"], org_id.as_str());
    assert_eq!(moved["values"]["manage_trusted_access"], false);
}

/// Issue 13, case 1: a feature already on but not configured. The resource
/// is authoritative: the plan says the apply disables it, and the apply does
/// exactly that (before, the apply returned AWS's set and Terraform reported
/// "Provider produced inconsistent result after apply").
#[test]
fn a_feature_on_but_not_configured_is_shown_in_the_plan_and_disabled() {
    let aws = AwsEndpoint::start();
    aws.seed(org_with(true, &["RootSessions"]));
    let w = Workdir::new(&format!(
        "{}{}",
        aws.provider_hcl(),
        resource("[\"RootCredentialsManagement\"]", "")
    ));
    let plan = w.terraform(&["plan", "-no-color"]).ok();
    let text = support::flatten(&plan.text());
    assert!(text.contains("Apply disables RootSessions"), "{text}");
    assert!(
        text.contains("RootSessions is enabled in organization"),
        "{text}"
    );
    assert_eq!(
        features_of(&aws),
        ["RootSessions"],
        "the plan changed nothing"
    );
    let run = w.apply();
    assert!(
        !run.text().contains("bug in the provider"),
        "{}",
        run.text()
    );
    assert_eq!(features_of(&aws), ["RootCredentialsManagement"]);
    // An update converges too: a feature switched on between the plan and
    // the apply is disabled, so the apply ends exactly as planned.
    w.write_config(&format!(
        "{}{}",
        aws.provider_hcl(),
        resource(
            "[\"RootCredentialsManagement\"]",
            "  manage_trusted_access = true\n"
        )
    ));
    w.terraform(&["plan", "-out=tfplan", "-no-color"]).ok();
    block_on(aws.iam(None).enable_organizations_root_sessions().send())
        .expect("RootSessions switched on out of band");
    assert_eq!(
        features_of(&aws),
        ["RootCredentialsManagement", "RootSessions"]
    );
    let run = w.terraform(&["apply", "-no-color", "tfplan"]).ok();
    assert!(
        !run.text().contains("bug in the provider"),
        "{}",
        run.text()
    );
    assert_eq!(features_of(&aws), ["RootCredentialsManagement"]);
}

/// Issue 22: adopting features that are on, destroying the resource, and
/// handing it over each say at plan what they do to the whole organization;
/// disable_on_destroy = false keeps the features on when the resource goes.
#[test]
fn adoption_destroy_and_hand_over_are_said_at_plan() {
    let aws = AwsEndpoint::start();
    aws.seed(org_with(
        true,
        &["RootCredentialsManagement", "RootSessions"],
    ));
    let both = "[\"RootCredentialsManagement\", \"RootSessions\"]";
    let w = Workdir::new(&format!("{}{}", aws.provider_hcl(), resource(both, "")));
    let plan = w.terraform(&["plan", "-no-color"]).ok();
    assert!(
        support::flatten(&plan.text()).contains(
            "RootCredentialsManagement and RootSessions are already enabled: this resource adopts them"
        ),
        "{}",
        plan.text()
    );
    w.apply();
    let destroy_plan = w.terraform(&["plan", "-destroy", "-no-color"]).ok();
    assert!(
        support::flatten(&destroy_plan.text())
            .contains("Destroy disables centralized root access for the whole organization"),
        "{}",
        destroy_plan.text()
    );

    // Hand-over: the value in the state decides, so it is applied first.
    w.write_config(&format!(
        "{}{}",
        aws.provider_hcl(),
        resource(both, "  disable_on_destroy = false\n")
    ));
    w.apply();
    w.write_config(&aws.provider_hcl());
    let plan = w.terraform(&["plan", "-no-color"]).ok();
    let flat = support::flatten(&plan.text());
    assert!(
        flat.contains("Destroy keeps the organization's root access features on")
            && !flat.contains("Destroy disables"),
        "{}",
        plan.text()
    );
    w.terraform(&["apply", "-auto-approve", "-no-color"]).ok();
    assert_eq!(
        features_of(&aws),
        ["RootCredentialsManagement", "RootSessions"],
        "the features stay on"
    );
    assert!(w.resource("rootaccess_org_features.this").is_null());
}

/// Issue 22: the delegated administrator learns at plan, not at apply, that
/// only the management account can enable features, or adopt them.
#[test]
fn the_delegated_administrator_is_refused_at_plan_when_a_feature_must_be_enabled() {
    let aws = AwsEndpoint::start();
    let seeded = aws.seed(with_delegated_administrator());
    let key = |k: &str| {
        seeded["accounts"]["222222222222"]["admin"][k]
            .as_str()
            .unwrap()
            .to_string()
    };
    let admin = aws.provider_hcl_with_keys(&key("access_key_id"), &key("secret_access_key"));
    let w = Workdir::new(&format!(
        "{admin}{}",
        resource("[\"RootCredentialsManagement\", \"RootSessions\"]", "")
    ));
    w.terraform(&["plan", "-no-color"]).fails_with(&[
        "Only the management account can enable organization features",
        "runs as account 222222222222, the organization's IAM delegated administrator",
        "manage_features = false",
    ]);
    assert_eq!(
        aws.calls()["calls"]["222222222222"]["iam"]["EnableOrganizationsRootSessions"],
        Value::Null
    );
    // Adopting features that are on is refused too: the resource would let
    // it disable them for the whole organization on destroy.
    w.write_config(&format!(
        "{admin}{}",
        resource("[\"RootCredentialsManagement\"]", "")
    ));
    w.terraform(&["plan", "-no-color"]).fails_with(&[
        "Only the management account can enable organization features",
        "adopts them",
    ]);
    assert_eq!(features_of(&aws), ["RootCredentialsManagement"]);
}
