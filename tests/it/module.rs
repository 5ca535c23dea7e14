//! The module `modules/organization-root-access`: its own `terraform test`
//! suite (`tests/*.tftest.hcl`) run against the local endpoint, one file per
//! organization seeded fresh; a configuration outside the repository that
//! calls the module with an aliased provider; and its README, generated from
//! its variables and outputs.

use std::path::PathBuf;

use serde_json::{Value, json};

use crate::support::aws::{AwsEndpoint, block_on};
use crate::support::{self, Workdir, copy_dir};

fn module_dir() -> PathBuf {
    support::repo_root().join("modules/organization-root-access")
}

/// Workloads (111..., 555...) with child unit Prod (222...), Sandbox
/// (333...), and 444... under the root; every member has root credentials,
/// 555... only a password (it becomes the recovery account). `clean`: the
/// same organization with both features on and no root credentials.
fn seed(aws: &AwsEndpoint, features: &[&str], clean: bool) -> Value {
    let mut scenario = json!({
        "organization": {"feature_set": "ALL"},
        "trusted_access": ["iam.amazonaws.com"],
        "features": features,
        "accounts": [
            {"id": "111111111111", "name": "workloads-shared",
             "root_credentials": {"password": true, "access_keys": 2, "mfa_devices": 1},
             "buckets": [{"name": "dev-locked-bucket", "policy": "deny-all"}],
             "queues": [{"name": "dev-locked-queue", "policy": "deny-all"}]},
            {"id": "222222222222", "name": "prod-app", "root_credentials": {"access_keys": 1, "signing_certificates": 1}},
            {"id": "333333333333", "name": "sandbox", "root_credentials": {"password": true, "access_keys": 1, "mfa_devices": 1}},
            {"id": "444444444444", "name": "legacy", "root_credentials": {"password": true}},
            {"id": "555555555555", "name": "recovery", "root_credentials": {"password": true}}
        ],
        "organizational_units": [
            {"name": "Workloads", "parent": null, "accounts": ["111111111111", "555555555555"]},
            {"name": "Prod", "parent": "Workloads", "accounts": ["222222222222"]},
            {"name": "Sandbox", "parent": null, "accounts": ["333333333333"]}
        ]
    });
    if clean {
        scenario["features"] = json!(["RootCredentialsManagement", "RootSessions"]);
        for account in scenario["accounts"].as_array_mut().into_iter().flatten() {
            account["root_credentials"] = json!({});
        }
    }
    aws.seed(scenario)
}

/// A copy of the module in a work directory, with the test variables the
/// `.tftest.hcl` files read (endpoint, keys, seeded ids) in the environment.
fn module_workdir(aws: &AwsEndpoint, seeded: &Value) -> Workdir {
    let w = Workdir::new("");
    std::fs::remove_file(w.path().join("main.tf")).ok();
    copy_dir(&module_dir(), &w.path());
    let unit = |name: &str| {
        seeded["organizational_units"][name]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let queue = seeded["accounts"]["111111111111"]["queues"]["dev-locked-queue"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    // Test files declare no variables: Terraform reads these values as
    // HCL expressions, so each is a quoted string.
    let quoted = |s: &str| Value::String(s.to_string()).to_string();
    w.env("TF_VAR_endpoint", &quoted(&aws.url))
        .env("TF_VAR_region", &quoted(&aws.region))
        .env("TF_VAR_access_key", &quoted(&aws.access_key_id))
        .env("TF_VAR_secret_key", &quoted(&aws.secret_access_key))
        .env("TF_VAR_workloads_ou", &quoted(&unit("Workloads")))
        .env("TF_VAR_sandbox_ou", &quoted(&unit("Sandbox")))
        .env("TF_VAR_dev_queue_url", &quoted(&queue))
}

fn has_credentials(aws: &AwsEndpoint, account: &str, kind: &str) -> bool {
    aws.account(account)["root_credentials"]["present"][kind] == json!(true)
}

/// Runs one `.tftest.hcl` file of the module against a freshly seeded
/// organization; returns the endpoint for checks of what happened in "AWS".
fn terraform_test(file: &str, features: &[&str], clean: bool) -> AwsEndpoint {
    let aws = AwsEndpoint::start();
    let seeded = seed(&aws, features, clean);
    let w = module_workdir(&aws, &seeded);
    // Installs the fixture modules that run blocks call (providers come
    // from dev_overrides, no registry is asked).
    w.terraform(&["init", "-no-color", "-backend=false"]).ok();
    let run = w.terraform(&["test", "-no-color", &format!("-filter=tests/{file}")]);
    let text = run.text();
    assert_eq!(run.code(), 0, "terraform test {file} failed:\n{text}");
    assert!(text.contains("0 failed"), "{text}");
    assert!(!text.contains("bug in the provider"), "{text}");
    aws
}

#[test]
fn the_whole_organization_test_passes_and_cleans_every_member() {
    let aws = terraform_test("whole_organization.tftest.hcl", &[], false);
    for id in [
        "111111111111",
        "222222222222",
        "333333333333",
        "444444444444",
    ] {
        for kind in ["password", "access_keys", "signing_certificates", "mfa"] {
            assert!(!has_credentials(&aws, id, kind), "{id} still has {kind}");
        }
    }
    // terraform test destroys what it created at the end: the features stay
    // on (the module's disable_features_on_destroy is false, issue 22), the
    // adopted recovery login profile is deleted with its resource, and
    // deleted root credentials stay deleted.
    assert_eq!(
        aws.organization()["features"],
        json!(["RootCredentialsManagement", "RootSessions"])
    );
    assert!(!has_credentials(&aws, "555555555555", "password"));
}

#[test]
fn the_scope_resource_test_passes_and_cleans_every_member() {
    let aws = terraform_test("scope_resource.tftest.hcl", &[], false);
    for id in [
        "111111111111",
        "222222222222",
        "333333333333",
        "444444444444",
    ] {
        for kind in ["password", "access_keys", "signing_certificates", "mfa"] {
            assert!(!has_credentials(&aws, id, kind), "{id} still has {kind}");
        }
    }
}

#[test]
fn a_configuration_outside_the_repository_uses_the_module_with_an_aliased_provider() {
    let aws = AwsEndpoint::start();
    let seeded = seed(&aws, &[], false);
    let queue = seeded["accounts"]["111111111111"]["queues"]["dev-locked-queue"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let provider = aws.provider_hcl().replacen(
        "provider \"rootaccess\" {\n",
        "provider \"rootaccess\" {\n  alias = \"mgmt\"\n",
        1,
    );
    let w = Workdir::new(&format!(
        r#"{provider}
module "root_access" {{
  source    = "{module}"
  providers = {{ rootaccess = rootaccess.mgmt }}

  password_recovery_account_ids = ["555555555555"]
  locked_buckets = [{{ account_id = "111111111111", bucket = "dev-locked-bucket" }}]
  locked_queues  = [{{ account_id = "111111111111", queue_url = "{queue}" }}]
}}

output "clean" {{
  value = module.root_access.all_members_clean
}}

output "removed_policies" {{
  value = module.root_access.removed_policies
}}
"#,
        module = module_dir().display()
    ));
    w.terraform(&["init", "-no-color", "-backend=false"]).ok();
    w.terraform(&["apply", "-auto-approve", "-no-color"]).ok();
    // The next plans, with and without refresh, are empty (exit code 0 of
    // -detailed-exitcode: the compliance checks add no reads to a plan).
    w.assert_plan_empty();
    let outputs = w.outputs();
    assert_eq!(outputs["clean"]["value"], true, "{outputs}");
    assert_eq!(
        outputs["removed_policies"]["value"]
            .as_object()
            .map(|m| m.len()),
        Some(2)
    );
    assert_eq!(
        aws.organization()["features"],
        json!(["RootCredentialsManagement", "RootSessions"])
    );
    for id in [
        "111111111111",
        "222222222222",
        "333333333333",
        "444444444444",
    ] {
        for kind in ["password", "access_keys", "signing_certificates", "mfa"] {
            assert!(!has_credentials(&aws, id, kind), "{id} still has {kind}");
        }
    }
    assert!(
        has_credentials(&aws, "555555555555", "password"),
        "recovery login profile"
    );
    let dev = aws.account("111111111111");
    assert_eq!(dev["buckets"]["dev-locked-bucket"]["policy"], Value::Null);
    assert_eq!(dev["queues"]["dev-locked-queue"]["policy"], Value::Null);

    // An access key comes back: the plan warns, naming the account, without
    // failing, and plans its deletion.
    aws.put_json(
        "/accounts/222222222222/root-credentials",
        json!({"access_keys": 1}),
    );
    let text = w.terraform(&["plan", "-no-color"]).ok().text();
    assert!(
        text.contains("Warning: Root credentials present in account 222222222222"),
        "{text}"
    );
    assert!(
        text.contains("module.root_access.module.members[\"2\"].rootaccess_member_credentials_absent.member[\"222222222222\"] will be updated in-place"),
        "{text}"
    );

    // A feature turned off behind Terraform's back, with the features managed
    // elsewhere: the check warns in a plan that still succeeds.
    let w2 = Workdir::new(&format!(
        r#"{}
module "root_access" {{
  source          = "{}"
  providers       = {{ rootaccess = rootaccess.mgmt }}
  manage_features = false
  password_recovery_account_ids = ["555555555555"]
}}
"#,
        aws.provider_hcl().replacen(
            "provider \"rootaccess\" {\n",
            "provider \"rootaccess\" {\n  alias = \"mgmt\"\n",
            1
        ),
        module_dir().display()
    ));
    w2.terraform(&["init", "-no-color", "-backend=false"]).ok();
    block_on(aws.iam(None).disable_organizations_root_sessions().send()).expect("disable");
    let text = w2.terraform(&["plan", "-no-color"]).ok().text();
    assert!(
        text.contains("Warning: Check block assertion failed"),
        "{text}"
    );
    assert!(
        text.contains("Organization features off: RootSessions"),
        "{text}"
    );
}

#[test]
fn the_organizational_units_test_passes_and_leaves_the_rest_alone() {
    let aws = terraform_test("organizational_units.tftest.hcl", &[], false);
    assert!(!has_credentials(&aws, "111111111111", "access_keys"));
    assert!(
        !has_credentials(&aws, "222222222222", "access_keys"),
        "child unit"
    );
    assert!(
        has_credentials(&aws, "333333333333", "access_keys"),
        "other unit untouched"
    );
    assert!(
        has_credentials(&aws, "444444444444", "password"),
        "root account untouched"
    );
    assert!(
        has_credentials(&aws, "555555555555", "password"),
        "excluded account untouched"
    );
}

#[test]
fn the_aliased_provider_test_passes() {
    let aws = terraform_test("aliased_provider.tftest.hcl", &[], false);
    assert!(!has_credentials(&aws, "333333333333", "access_keys"));
    assert!(
        has_credentials(&aws, "333333333333", "mfa"),
        "not a managed kind"
    );
}

#[test]
fn the_two_units_test_passes() {
    let aws = terraform_test(
        "two_units.tftest.hcl",
        &["RootCredentialsManagement", "RootSessions"],
        false,
    );
    for id in ["111111111111", "222222222222", "333333333333"] {
        assert!(!has_credentials(&aws, id, "access_keys"), "{id}");
    }
    assert!(
        has_credentials(&aws, "444444444444", "password"),
        "in neither unit"
    );
}

#[test]
fn the_validation_test_passes() {
    // A compliant organization: only the invalid inputs can fail.
    terraform_test("validation.tftest.hcl", &[], true);
}

/// The module README's generated part: every input with its type, default
/// and description, every output with its description, from variables.tf
/// and outputs.tf.
fn readme_reference() -> String {
    let parse = |file: &str| -> hcl::Body {
        let text = std::fs::read_to_string(module_dir().join(file)).expect("module file");
        hcl::parse(&text).expect("valid HCL")
    };
    let text_of = |expr: &hcl::Expression| -> String {
        let raw = match expr {
            hcl::Expression::String(s) => s.clone(),
            other => hcl::format::to_string(other).unwrap_or_default(),
        };
        raw.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    let attribute = |block: &hcl::Block, name: &str| -> Option<String> {
        block
            .body
            .attributes()
            .find(|a| a.key.as_str() == name)
            .map(|a| text_of(&a.expr))
    };
    let label = |block: &hcl::Block| -> String {
        block
            .labels
            .first()
            .map(|l| l.as_str().to_string())
            .unwrap_or_default()
    };
    let mut out =
        String::from("## Inputs\n\n| Name | Type | Default | Description |\n|---|---|---|---|\n");
    for block in parse("variables.tf")
        .blocks()
        .filter(|b| b.identifier.as_str() == "variable")
    {
        let default =
            attribute(block, "default").map_or("required".to_string(), |d| format!("`{d}`"));
        out.push_str(&format!(
            "| `{}` | `{}` | {} | {} |\n",
            label(block),
            attribute(block, "type").unwrap_or_default(),
            default,
            attribute(block, "description").unwrap_or_default()
        ));
    }
    out.push_str("\n## Outputs\n\n| Name | Description |\n|---|---|\n");
    for block in parse("outputs.tf")
        .blocks()
        .filter(|b| b.identifier.as_str() == "output")
    {
        out.push_str(&format!(
            "| `{}` | {} |\n",
            label(block),
            attribute(block, "description").unwrap_or_default()
        ));
    }
    out
}

const GENERATED_BEGIN: &str =
    "<!-- BEGIN GENERATED: inputs and outputs, from variables.tf and outputs.tf -->\n";
const GENERATED_END: &str = "<!-- END GENERATED -->\n";

#[test]
fn the_readme_lists_every_input_and_output_as_the_module_declares_them() {
    let path = module_dir().join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md");
    let (before, rest) = readme
        .split_once(GENERATED_BEGIN)
        .expect("the generated part's start marker");
    let (_, after) = rest
        .split_once(GENERATED_END)
        .expect("the generated part's end marker");
    let expected = format!(
        "{before}{GENERATED_BEGIN}{}{GENERATED_END}{after}",
        readme_reference()
    );
    if std::env::var("UPDATE_DOCS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, expected).expect("write README.md");
    } else {
        assert!(
            readme == expected,
            "modules/organization-root-access/README.md is out of date; run `UPDATE_DOCS=1 cargo test --test it -- module::the_readme`"
        );
    }
}
