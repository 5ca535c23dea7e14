//! `rootaccess_member_credentials_absent` through the real Terraform CLI
//! against the local AWS endpoint: what happens in the member account (read
//! back through the endpoint's control API), drift, partial failure and
//! convergence, import, destroy, validation, accounts that leave, and the
//! AWS calls each step costs.

use crate::support;

use serde_json::{Value, json};
use support::Workdir;
use support::aws::AwsEndpoint;

const DEV: &str = "111111111111";

fn resource(account: &str, extra: &str) -> String {
    format!(
        "resource \"rootaccess_member_credentials_absent\" \"dev\" {{\n  account_id = \"{account}\"\n{extra}}}\n"
    )
}

/// The provider block without SDK retries, so one injected fault is one failure.
fn provider_no_retries(aws: &AwsEndpoint) -> String {
    aws.provider_hcl().replacen(
        "provider \"rootaccess\" {\n",
        "provider \"rootaccess\" {\n  max_retries = 0\n",
        1,
    )
}

fn root_credentials(aws: &AwsEndpoint, account: &str) -> Value {
    aws.account(account)["root_credentials"].clone()
}

fn ids(v: &Value, list: &str, key: &str) -> Vec<String> {
    let mut out: Vec<String> = v[list]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .filter_map(|x| x[key].as_str().map(String::from))
        .collect();
    out.sort();
    out
}

fn strings(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .filter_map(|x| x.as_str().map(String::from))
        .collect();
    out.sort();
    out
}

/// The resource's attributes in the state (and whether it is tainted).
fn state_of(w: &Workdir) -> Value {
    let r = w.resource("rootaccess_member_credentials_absent.dev");
    if r.is_null() {
        return Value::Null;
    }
    let mut v = r["values"].clone();
    v["__tainted"] = r["tainted"].clone();
    v
}

fn calls_in(aws: &AwsEndpoint, account: &str, op: &str) -> u64 {
    aws.calls()["calls"][account]["iam"][op]
        .as_u64()
        .unwrap_or(0)
}

fn sessions(aws: &AwsEndpoint, account: &str, task: &str) -> u64 {
    aws.calls()["assume_root"][account][task]
        .as_u64()
        .unwrap_or(0)
}

fn assert_clean(aws: &AwsEndpoint, account: &str) {
    let rc = root_credentials(aws, account);
    assert_eq!(rc["login_profile"], Value::Null, "{rc}");
    for list in ["access_keys", "signing_certificates", "mfa_devices"] {
        assert_eq!(rc[list], json!([]), "{list} left: {rc}");
    }
}

mod accounts_and_callers;
mod lifecycle;
