//! Actions (Terraform 1.14+) through the real Terraform CLI: invoked on their
//! own with -invoke and from an action_trigger, with their effect checked in
//! the local endpoint and their progress shown by the CLI.

use crate::support;

use serde_json::json;
use support::Workdir;
use support::aws::AwsEndpoint;

fn seed(aws: &AwsEndpoint) -> serde_json::Value {
    aws.seed(json!({
        "organization": {"feature_set": "ALL"},
        "trusted_access": ["iam.amazonaws.com"],
        "features": ["RootCredentialsManagement", "RootSessions"],
        "accounts": [
            {"id": "111111111111",
             "root_credentials": {"password": true, "access_keys": 2, "mfa_devices": 1, "signing_certificates": 1},
             "buckets": [{"name": "locked-bucket", "policy": "deny-all"}],
             "queues": [{"name": "locked-queue", "policy": "deny-all"}]},
            {"id": "222222222222", "root_credentials": {"password": true, "access_keys": 1}},
            {"id": "333333333333"}
        ]
    }))
}

fn bucket_policy(aws: &AwsEndpoint) -> serde_json::Value {
    aws.account("111111111111")["buckets"]["locked-bucket"]["policy"].clone()
}

fn queue_policy(aws: &AwsEndpoint) -> serde_json::Value {
    aws.account("111111111111")["queues"]["locked-queue"]["policy"].clone()
}

#[test]
fn unlock_bucket_policy_invoked_from_the_cli_shows_progress() {
    let aws = AwsEndpoint::start();
    seed(&aws);
    let w = Workdir::new(&format!(
        "{}action \"rootaccess_unlock_bucket_policy\" \"dev\" {{\n  config {{\n    account_id = \"111111111111\"\n    bucket     = \"locked-bucket\"\n  }}\n}}\n",
        aws.provider_hcl()
    ));
    assert!(!bucket_policy(&aws).is_null());
    let run = w
        .terraform(&[
            "apply",
            "-auto-approve",
            "-no-color",
            "-invoke=action.rootaccess_unlock_bucket_policy.dev",
        ])
        .ok();
    let out = support::flatten(&run.stdout());
    assert!(
        out.contains("Action started: action.rootaccess_unlock_bucket_policy.dev"),
        "{out}"
    );
    assert!(
        out.contains("Deleting the policy of s3://locked-bucket"),
        "{out}"
    );
    assert!(
        out.contains("\"Sid\": \"DenyEveryone\""),
        "the removed policy is shown: {out}"
    );
    assert!(
        out.contains("s3://locked-bucket in 111111111111 is unlocked"),
        "{out}"
    );
    assert!(bucket_policy(&aws).is_null(), "policy deleted");
    // An action keeps nothing in state.
    assert!(w.state_text().is_empty() || !w.state_text().contains("locked-bucket"));
    // Invoked again there is nothing to do, and it says so.
    let again = w
        .terraform(&[
            "apply",
            "-auto-approve",
            "-no-color",
            "-invoke=action.rootaccess_unlock_bucket_policy.dev",
        ])
        .ok();
    assert!(
        support::flatten(&again.text()).contains("already unlocked"),
        "{}",
        again.text()
    );
}

#[test]
fn unlock_queue_policy_runs_from_an_action_trigger() {
    let aws = AwsEndpoint::start();
    let seeded = seed(&aws);
    let url = seeded["accounts"]["111111111111"]["queues"]["locked-queue"]
        .as_str()
        .unwrap()
        .to_string();
    let w = Workdir::new(&format!(
        r#"{provider}
action "rootaccess_unlock_queue_policy" "orders" {{
  config {{
    account_id = "111111111111"
    queue_url  = "{url}"
  }}
}}

resource "terraform_data" "incident" {{
  input = "INC-42"
  lifecycle {{
    action_trigger {{
      events  = [after_create]
      actions = [action.rootaccess_unlock_queue_policy.orders]
    }}
  }}
}}
"#,
        provider = aws.provider_hcl()
    ));
    assert!(!queue_policy(&aws).is_null());
    let run = w.apply();
    let out = support::flatten(&run.stdout());
    assert!(
        out.contains("triggered by terraform_data.incident"),
        "{out}"
    );
    assert!(
        out.contains("locked-queue in 111111111111 is unlocked"),
        "{out}"
    );
    assert!(queue_policy(&aws).is_null(), "queue policy removed");
}

#[test]
fn invalid_action_input_fails_before_anything_runs() {
    let aws = AwsEndpoint::start();
    seed(&aws);
    let w = Workdir::new(&format!(
        r#"{provider}
action "rootaccess_unlock_queue_policy" "wrong_account" {{
  config {{
    account_id = "111111111111"
    queue_url  = "https://sqs.us-east-1.amazonaws.com/222222222222/locked-queue"
  }}
}}
action "rootaccess_unlock_bucket_policy" "bad_name" {{
  config {{
    account_id = "1111"
    bucket     = "Not_A_Bucket"
  }}
}}
"#,
        provider = aws.provider_hcl()
    ));
    w.terraform(&["validate", "-no-color"]).fails_with(&[
        "The queue URL names account 222222222222, but account_id is 111111111111",
        "\"1111\" is not an AWS account id",
        "Not_A_Bucket",
    ]);
    assert!(
        !bucket_policy(&aws).is_null() && !queue_policy(&aws).is_null(),
        "nothing changed"
    );
}

fn root_credentials(aws: &AwsEndpoint, account: &str) -> serde_json::Value {
    aws.account(account)["root_credentials"].clone()
}

#[test]
fn delete_root_credentials_reports_each_credential_it_removes() {
    let aws = AwsEndpoint::start();
    seed(&aws);
    let keys: Vec<String> = root_credentials(&aws, "111111111111")["access_keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["access_key_id"].as_str().unwrap().to_string())
        .collect();
    let w = Workdir::new(&format!(
        r#"{provider}
action "rootaccess_delete_root_credentials" "all" {{
  config {{
    account_ids = ["111111111111", "222222222222"]
  }}
}}
"#,
        provider = aws.provider_hcl()
    ));
    let run = w
        .terraform(&[
            "apply",
            "-auto-approve",
            "-no-color",
            "-invoke=action.rootaccess_delete_root_credentials.all",
        ])
        .ok();
    let out = support::flatten(&run.stdout());
    for key in &keys {
        assert!(
            out.contains(&format!("111111111111: deleted access key {key}")),
            "{out}"
        );
    }
    assert!(out.contains("222222222222: deleted"), "{out}");
    for account in ["111111111111", "222222222222"] {
        let rc = root_credentials(&aws, account);
        assert!(rc["login_profile"].is_null(), "{account}: {rc}");
        assert_eq!(rc["access_keys"], json!([]), "{account}: {rc}");
        assert_eq!(rc["signing_certificates"], json!([]), "{account}: {rc}");
        assert_eq!(rc["mfa_devices"], json!([]), "{account}: {rc}");
    }
}

#[test]
fn allow_password_recovery_runs_from_an_action_trigger_and_only_once() {
    let aws = AwsEndpoint::start();
    seed(&aws);
    assert!(root_credentials(&aws, "333333333333")["login_profile"].is_null());
    let w = Workdir::new(&recovery_config(&aws, "new-owner@example.com"));
    let run = w.apply();
    assert!(
        support::flatten(&run.stdout()).contains("333333333333: password recovery allowed"),
        "{}",
        run.stdout()
    );
    assert!(!root_credentials(&aws, "333333333333")["login_profile"].is_null());
    // Triggered again, it finds the login profile and changes nothing.
    w.write_config(&recovery_config(&aws, "other-owner@example.com"));
    let again = w.apply();
    assert!(
        support::flatten(&again.stdout()).contains("already has a login profile"),
        "{}",
        again.stdout()
    );
}

fn recovery_config(aws: &AwsEndpoint, input: &str) -> String {
    format!(
        r#"{provider}
action "rootaccess_allow_password_recovery" "prod" {{
  config {{
    account_id = "333333333333"
  }}
}}

resource "terraform_data" "owner_change" {{
  input = "{input}"
  lifecycle {{
    action_trigger {{
      events  = [after_create, after_update]
      actions = [action.rootaccess_allow_password_recovery.prod]
    }}
  }}
}}
"#,
        provider = aws.provider_hcl()
    )
}

/// Each action's config block and how to tell, in the endpoint, that it ran.
fn every_action(queue_url: &str) -> Vec<(&'static str, String, &'static str)> {
    vec![
        (
            "rootaccess_unlock_bucket_policy",
            "account_id = \"111111111111\"\n    bucket = \"locked-bucket\"".to_string(),
            "is unlocked",
        ),
        (
            "rootaccess_unlock_queue_policy",
            format!("account_id = \"111111111111\"\n    queue_url = \"{queue_url}\""),
            "is unlocked",
        ),
        (
            "rootaccess_delete_root_credentials",
            "account_ids = [\"111111111111\"]".to_string(),
            "111111111111: deleted",
        ),
        (
            "rootaccess_allow_password_recovery",
            "account_id = \"333333333333\"".to_string(),
            "password recovery allowed",
        ),
    ]
}

fn action_ran(aws: &AwsEndpoint, action: &str) -> bool {
    match action {
        "rootaccess_unlock_bucket_policy" => bucket_policy(aws).is_null(),
        "rootaccess_unlock_queue_policy" => queue_policy(aws).is_null(),
        "rootaccess_delete_root_credentials" => {
            root_credentials(aws, "111111111111")["access_keys"] == json!([])
        }
        _ => !root_credentials(aws, "333333333333")["login_profile"].is_null(),
    }
}

#[test]
fn every_action_runs_both_from_the_cli_and_from_a_trigger() {
    let aws = AwsEndpoint::start();
    for (how, trigger) in [("cli", false), ("trigger", true)] {
        let seeded = seed(&aws);
        let url = seeded["accounts"]["111111111111"]["queues"]["locked-queue"]
            .as_str()
            .unwrap()
            .to_string();
        for (action, config, progress) in every_action(&url) {
            let mut hcl = format!(
                "{}action \"{action}\" \"it\" {{\n  config {{\n    {config}\n  }}\n}}\n",
                aws.provider_hcl()
            );
            if trigger {
                hcl.push_str(&format!(
                    "resource \"terraform_data\" \"t\" {{\n  input = 1\n  lifecycle {{\n    action_trigger {{\n      events  = [after_create]\n      actions = [action.{action}.it]\n    }}\n  }}\n}}\n"
                ));
            }
            let w = Workdir::new(&hcl);
            assert!(
                !action_ran(&aws, action),
                "{action} ({how}): already done before"
            );
            let run = if trigger {
                w.apply()
            } else {
                w.terraform(&[
                    "apply",
                    "-auto-approve",
                    "-no-color",
                    &format!("-invoke=action.{action}.it"),
                ])
                .ok()
            };
            assert!(
                support::flatten(&run.stdout()).contains(progress),
                "{action} ({how}): {}",
                run.stdout()
            );
            assert!(
                action_ran(&aws, action),
                "{action} ({how}): no effect in the endpoint"
            );
        }
    }
}
