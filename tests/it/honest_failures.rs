//! Issue 22: a plan that could not read AWS never looks clean, waits are
//! bounded, and failures are told in words a person reads, through the real
//! Terraform CLI. (The harness fails every run that shows the SDK's debug
//! text; these tests make the failures happen.)

use std::time::{Duration, Instant};

use crate::support;

use serde_json::json;
use support::Workdir;
use support::aws::AwsEndpoint;

const DEV: &str = "111111111111";

fn members(account: &str) -> String {
    format!(
        "resource \"rootaccess_member_credentials_absent\" \"dev\" {{\n  account_id = \"{account}\"\n}}\n\
         resource \"rootaccess_member_password_recovery\" \"security\" {{\n  account_id = \"222222222222\"\n}}\n"
    )
}

/// A local port nothing listens on: connections to it are refused.
fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

fn provider_at(url: &str, extra: &str) -> String {
    format!(
        "provider \"rootaccess\" {{\n  region     = \"us-east-1\"\n  access_key = \"AKIAEXAMPLEEXAMPLE01\"\n  secret_key = \"not-a-secret\"\n{extra}  endpoints {{\n    sts           = \"{url}\"\n    iam           = \"{url}\"\n    s3            = \"{url}\"\n    sqs           = \"{url}\"\n    organizations = \"{url}\"\n  }}\n}}\n"
    )
}

#[test]
fn a_plan_against_an_unreachable_aws_fails_within_a_minute_and_names_the_cause() {
    let url = closed_port_url();
    let w = Workdir::new(&format!("{}{}", provider_at(&url, ""), members(DEV)));
    let started = Instant::now();
    let run = w.terraform(&["plan", "-no-color"]).fails_with(&[
        &format!("Could not read the organization to check account {DEV}"),
        "Could not read the organization to check account 222222222222",
        "Connection refused",
        "AWS could not be reached",
    ]);
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(60),
        "the plan took {took:?} with default settings:\n{}",
        run.text()
    );
    assert!(!run.text().contains("to add"), "{}", run.text());
}

#[test]
fn call_timeout_bounds_the_retries_and_is_named_in_the_error() {
    let url = closed_port_url();
    let w = Workdir::new(&format!(
        "{}{}",
        provider_at(&url, "  call_timeout = \"2s\"\n  max_retries  = 100\n"),
        members(DEV)
    ));
    let started = Instant::now();
    w.terraform(&["plan", "-no-color"]).fails_with(&[
        "Could not read the organization to check account",
        "call_timeout",
    ]);
    // 100 retries with backoff would take many minutes; the budget stops them.
    let took = started.elapsed();
    assert!(took < Duration::from_secs(30), "took {took:?}");
    w.write_config(&format!(
        "{}{}",
        provider_at(&url, "  call_timeout = \"2 minutes\"\n"),
        members(DEV)
    ));
    w.terraform(&["validate", "-no-color"])
        .fails_with(&["call_timeout", "is not a duration"]);
}

#[test]
fn without_any_credentials_the_plan_names_every_source_it_tried() {
    let aws = AwsEndpoint::start();
    aws.seed_standard();
    let home = tempfile::tempdir().expect("home");
    let provider = format!("provider \"rootaccess\" {{\n{}}}\n", aws.endpoints_hcl());
    let w = Workdir::new(&format!("{provider}{}", members(DEV)))
        .env("HOME", &home.path().display().to_string())
        // No instance metadata service here: do not wait for one.
        .env("AWS_EC2_METADATA_DISABLED", "true");
    let run = w.terraform(&["plan", "-no-color"]).fails_with(&[
        "no AWS credentials were found",
        "AWS_ACCESS_KEY_ID",
        "~/.aws/credentials",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "instance metadata",
    ]);
    assert!(
        !run.text().contains("could not be reached"),
        "no credentials is not a network problem:\n{}",
        run.text()
    );
}

#[test]
fn wrong_keys_are_refused_as_aws_refuses_them() {
    let aws = AwsEndpoint::start();
    aws.seed_standard();
    let provider = aws.provider_hcl_with_keys("AKIAUNKNOWNKEY000001", "wrong");
    let w = Workdir::new(&format!("{provider}{}", members(DEV)));
    w.terraform(&["plan", "-no-color"]).fails_with(&[
        "Could not read the organization",
        "does not accept the provider's own credentials",
    ]);
}

/// A read refused at plan for another reason than a feature this run may
/// enable is an error naming the account, for each resource that reads at
/// plan; a feature that is off defers with a warning.
#[test]
fn a_read_that_fails_at_plan_is_an_error_and_only_a_disabled_feature_defers() {
    let aws = AwsEndpoint::start();
    aws.seed_standard();
    let provider = aws.provider_hcl().replacen(
        "provider \"rootaccess\" {\n",
        "provider \"rootaccess\" {\n  max_retries = 0\n",
        1,
    );
    let w = Workdir::new(&format!("{provider}{}", members(DEV)));
    aws.post(
        "/faults",
        json!({"faults": [
            {"service": "iam", "action": "GetAccountSummary", "errors": 1, "status": 503},
            {"service": "iam", "action": "GetLoginProfile", "errors": 1, "status": 503}
        ]}),
    );
    w.terraform(&["plan", "-no-color"]).fails_with(&[
        &format!("Could not audit the root credentials of account {DEV}"),
        "Could not read the root login profile of account 222222222222",
        "ServiceUnavailable",
    ]);
    // Nothing was changed, and the next plan (fault spent) shows what goes.
    let plan = w.terraform(&["plan", "-no-color"]).ok();
    assert!(plan.text().contains("present_password"), "{}", plan.text());

    // Features off: the plan defers with a warning that says why.
    aws.seed(json!({
        "organization": {"feature_set": "ALL"},
        "trusted_access": ["iam.amazonaws.com"],
        "features": [],
        "accounts": [
            {"id": DEV, "name": "dev", "root_credentials": {"password": true}},
            {"id": "222222222222", "name": "security"}
        ]
    }));
    let run = w.terraform(&["plan", "-no-color"]).ok();
    support::assert_points_at(
        &run.text(),
        &[
            "The root credentials this resource deletes will be known at apply",
            "Whether a login profile is adopted or created will be known at apply",
        ],
    );
}
