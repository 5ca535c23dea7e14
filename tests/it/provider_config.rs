//! Provider configuration through the real Terraform CLI against the local
//! AWS endpoint: attributes, environment, shared files, assume_role,
//! endpoints, and the errors a user can make.

use crate::support;

use support::Workdir;
use support::aws::AwsEndpoint;

const IDENTITY: &str = r#"
data "rootaccess_caller_identity" "me" {}

output "me" { value = data.rootaccess_caller_identity.me }
"#;

fn identity(w: &Workdir) -> serde_json::Value {
    w.apply();
    w.outputs()["me"]["value"].clone()
}

#[test]
fn configured_from_attributes_the_management_account_is_recognised() {
    let aws = AwsEndpoint::start();
    let seeded = aws.seed_standard();
    let w = Workdir::new(&format!("{}{IDENTITY}", aws.provider_hcl()));
    let me = identity(&w);
    assert_eq!(me["account_id"], "123456789012");
    assert_eq!(me["is_management_account"], true);
    assert_eq!(me["is_iam_delegated_administrator"], false);
    assert_eq!(me["organization_id"], seeded["organization"]["id"]);
    assert_eq!(me["management_account_id"], "123456789012");
    // The data source really asked AWS.
    let calls = aws.calls();
    assert!(
        calls["calls"]["123456789012"]["sts"]["GetCallerIdentity"]
            .as_u64()
            .unwrap_or(0)
            >= 1,
        "{calls}"
    );
    // Provider credentials never reach state.
    assert!(!w.state_text().contains(&aws.secret_access_key));
}

#[test]
fn configured_from_environment_variables() {
    let aws = AwsEndpoint::start();
    aws.seed_standard();
    let u = &aws.url;
    let config = format!(
        "provider \"rootaccess\" {{\n  s3_use_path_style = true\n  endpoints {{\n    sts = \"{u}\"\n    iam = \"{u}\"\n    organizations = \"{u}\"\n  }}\n}}\n{IDENTITY}"
    );
    let w = Workdir::new(&config)
        .env("AWS_ACCESS_KEY_ID", &aws.access_key_id)
        .env("AWS_SECRET_ACCESS_KEY", &aws.secret_access_key)
        .env("AWS_REGION", &aws.region)
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
    assert_eq!(identity(&w)["is_management_account"], true);
}

#[test]
fn configured_from_a_profile_in_shared_files() {
    let aws = AwsEndpoint::start();
    let seeded = aws.seed_standard();
    let member = &seeded["accounts"]["111111111111"]["admin"];
    let config = format!(
        "provider \"rootaccess\" {{\n  profile = \"member\"\n  shared_config_files = [\"${{path.module}}/aws_config\"]\n  shared_credentials_files = [\"${{path.module}}/aws_credentials\"]\n  endpoints {{\n    sts = \"{u}\"\n    iam = \"{u}\"\n    organizations = \"{u}\"\n  }}\n}}\n{IDENTITY}",
        u = aws.url
    );
    let w = Workdir::new(&config);
    w.write_file(
        "aws_config",
        &format!("[profile member]\nregion = {}\n", aws.region),
    );
    w.write_file(
        "aws_credentials",
        &format!(
            "[member]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            member["access_key_id"].as_str().unwrap(),
            member["secret_access_key"].as_str().unwrap()
        ),
    );
    let me = identity(&w);
    assert_eq!(me["account_id"], "111111111111");
    assert_eq!(me["is_management_account"], false);
    assert_eq!(me["is_iam_delegated_administrator"], false);
}

#[test]
fn assume_role_into_the_delegated_administrator() {
    let aws = AwsEndpoint::start();
    aws.seed_standard();
    let config = format!(
        "provider \"rootaccess\" {{\n  access_key = \"{}\"\n  secret_key = \"{}\"\n{}  assume_role {{\n    role_arn = \"arn:aws:iam::222222222222:role/root-access-admin\"\n    session_name = \"acc-test\"\n  }}\n}}\n{IDENTITY}",
        aws.access_key_id,
        aws.secret_access_key,
        aws.endpoints_hcl()
    );
    // moto gives an assumed role a new random id per session, so user_id is
    // left out of the output: with it a second plan would never be empty.
    let config = config.replace(
        "value = data.rootaccess_caller_identity.me }",
        "value = { for k, v in data.rootaccess_caller_identity.me : k => v if k != \"user_id\" } }",
    );
    let w = Workdir::new(&config);
    let me = identity(&w);
    assert_eq!(me["account_id"], "222222222222");
    assert!(
        me["arn"]
            .as_str()
            .unwrap()
            .contains("assumed-role/root-access-admin/acc-test"),
        "{me}"
    );
    assert_eq!(me["is_iam_delegated_administrator"], true);
    let calls = aws.calls();
    // One role session per Terraform command (apply and two plans), reused
    // for the three calls each command makes as the delegated administrator.
    assert_eq!(
        calls["calls"]["123456789012"]["sts"]["AssumeRole"].as_u64(),
        Some(3),
        "{calls}"
    );
    assert_eq!(
        calls["calls"]["222222222222"]["organizations"]["DescribeOrganization"].as_u64(),
        Some(3),
        "{calls}"
    );
}

#[test]
fn outside_an_organization_the_identity_says_so() {
    let aws = AwsEndpoint::start();
    aws.seed(serde_json::json!({"organization": null}));
    let w = Workdir::new(&format!("{}{IDENTITY}", aws.provider_hcl()));
    let me = identity(&w);
    assert_eq!(me["organization_id"], serde_json::Value::Null);
    assert_eq!(me["is_management_account"], false);
}

#[test]
fn invalid_arguments_are_refused_at_validate_with_the_attribute_named() {
    let w = Workdir::new(
        r#"
provider "rootaccess" {
  region                = "us-east-1"
  access_key            = "AKIAEXAMPLE"
  root_session_duration = 901
  max_retries           = -1
  endpoints {
    sts = "localhost:4566"
  }
  assume_role {
    role_arn = "arn:aws:iam::123456789012:user/bob"
    duration = "1 day"
  }
}
data "rootaccess_caller_identity" "me" {}
"#,
    );
    let run = w.terraform(&["validate", "-no-color"]).fails_with(&[
        "901 is not allowed. Must be a whole number from 1 to 900",
        "-1 is not allowed",
        "\"localhost:4566\" is not an endpoint URL",
        "is not an IAM role ARN",
        "\"1 day\" is not a duration",
        "`access_key` and `secret_key` must be set together",
    ]);
    // Each diagnostic points at the offending line of the configuration.
    let text = support::flatten(&run.text());
    support::assert_points_at(
        &text,
        &[
            "root_session_duration = 901",
            "max_retries = -1",
            "sts = \"localhost:4566\"",
            "role_arn = ",
            "duration = \"1 day\"",
        ],
    );
}

#[test]
fn a_missing_region_is_explained() {
    let aws = AwsEndpoint::start();
    aws.seed_standard();
    let config = format!(
        "provider \"rootaccess\" {{\n  access_key = \"{}\"\n  secret_key = \"{}\"\n  endpoints {{ sts = \"{u}\" }}\n}}\n{IDENTITY}",
        aws.access_key_id,
        aws.secret_access_key,
        u = aws.url
    );
    let w = Workdir::new(&config)
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
    let run = w
        .terraform(&["plan", "-no-color"])
        .fails_with(&["no AWS region is configured", "set `region`"]);
    assert!(
        !run.text().contains(&aws.secret_access_key),
        "secret in output"
    );
}

#[test]
fn provider_configuration_unknown_at_plan_is_explained_for_data_sources() {
    let aws = AwsEndpoint::start();
    aws.seed_standard();
    // The region comes from a resource, so it is unknown while planning.
    let config = format!(
        "resource \"terraform_data\" \"region\" {{ input = \"{region}\" }}\nprovider \"rootaccess\" {{\n  region = terraform_data.region.output\n  access_key = \"{}\"\n  secret_key = \"{}\"\n  endpoints {{\n    sts = \"{u}\"\n    iam = \"{u}\"\n    organizations = \"{u}\"\n  }}\n}}\n{IDENTITY}",
        aws.access_key_id,
        aws.secret_access_key,
        region = aws.region,
        u = aws.url
    );
    let w = Workdir::new(&config);
    // Validation passes (unknown values are not errors); reading a data source
    // during plan needs a known configuration, and the error says how to get one.
    w.terraform(&["validate", "-no-color"]).ok();
    w.terraform(&["plan", "-no-color"]).fails_with(&[
        "Provider configuration not known yet",
        "reading data source rootaccess_caller_identity needs a configured provider",
        "-target=",
    ]);
    // Once the region is known, the same configuration works.
    w.terraform(&[
        "apply",
        "-auto-approve",
        "-target=terraform_data.region",
        "-no-color",
    ])
    .ok();
    assert_eq!(identity(&w)["is_management_account"], true);
}

/// Issue 13, case 2: a provider argument that depends on a resource being
/// changed. Terraform configures the provider with unknown values during
/// plan; existing managed resources must still plan (keeping their stored
/// state, with a warning naming what was not refreshed), and the apply then
/// runs with the known configuration.
#[test]
fn managed_resources_plan_while_the_provider_configuration_is_unknown() {
    let aws = AwsEndpoint::start();
    aws.seed_standard();
    let config = |label: &str| {
        format!(
            "resource \"terraform_data\" \"label\" {{ input = \"{label}\" }}\n\
             provider \"rootaccess\" {{\n  region = terraform_data.label.output == \"never\" ? \"eu-west-1\" : \"{region}\"\n  access_key = \"{}\"\n  secret_key = \"{}\"\n  endpoints {{\n    sts = \"{u}\"\n    iam = \"{u}\"\n    organizations = \"{u}\"\n  }}\n}}\n\
             resource \"rootaccess_member_credentials_absent\" \"dev\" {{\n  account_id = \"111111111111\"\n}}\n",
            aws.access_key_id,
            aws.secret_access_key,
            region = aws.region,
            u = aws.url
        )
    };
    let w = Workdir::new(&config("first"));
    // First run: the label is new, so the provider configuration is unknown
    // at plan; the new resource plans without a client.
    w.terraform(&["apply", "-auto-approve", "-no-color"]).ok();
    let dev = &aws.account("111111111111")["root_credentials"]["present"];
    assert_eq!(dev["password"], false, "{dev}");
    // The label changes: the provider configuration is unknown again, now
    // with an existing resource to refresh.
    w.write_config(&config("second"));
    let plan = w.terraform(&["plan", "-no-color"]).ok();
    let text = support::flatten(&plan.text());
    assert!(
        text.contains("rootaccess_member_credentials_absent not refreshed"),
        "{text}"
    );
    assert!(
        !text.contains("Provider configuration not known yet"),
        "{text}"
    );
    assert!(!text.contains("bug in the provider"), "{text}");
    // A root password comes back meanwhile. This apply's plan cannot see it
    // (same unknown configuration), so it changes only terraform_data; the
    // next run, with the configuration known, refreshes and deletes it.
    aws.put_json(
        "/accounts/111111111111/root-credentials",
        serde_json::json!({"password": true}),
    );
    w.terraform(&["apply", "-auto-approve", "-no-color"]).ok();
    let dev = &aws.account("111111111111")["root_credentials"]["present"];
    assert_eq!(dev["password"], true, "not seen while unknown: {dev}");
    w.apply();
    let dev = &aws.account("111111111111")["root_credentials"]["present"];
    assert_eq!(dev["password"], false, "{dev}");
}
