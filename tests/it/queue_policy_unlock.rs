//! `rootaccess_queue_policy_unlock` through the real Terraform CLI against the
//! local AWS endpoint: a member account's queue with a deny-everyone policy,
//! an ordinary principal of that account unable to see it before and using
//! it after, and what the plan shows, drift, races, import and errors.

use crate::support;

use serde_json::{Value, json};
use support::Workdir;
use support::aws::AwsEndpoint;

const DEV: &str = "111111111111";
const PROD: &str = "333333333333";
const LOCKED: &str = "dev-locked-queue";

/// The organization with RootSessions on; `dev` holds `queues`.
fn seed(aws: &AwsEndpoint, queues: Value) -> Value {
    aws.seed(json!({
        "organization": {"feature_set": "ALL"},
        "trusted_access": ["iam.amazonaws.com"],
        "features": ["RootCredentialsManagement", "RootSessions"],
        "accounts": [
            {"id": DEV, "name": "dev", "users": ["alice"], "queues": queues},
            {"id": PROD, "name": "prod", "queues": [{"name": "prod-queue", "policy": "deny-all"}]}
        ]
    }))
}

fn seed_locked(aws: &AwsEndpoint) -> (Value, String) {
    let seeded = seed(aws, json!([{"name": LOCKED, "policy": "deny-all"}]));
    let url = seeded["accounts"][DEV]["queues"][LOCKED]
        .as_str()
        .expect("queue url")
        .to_string();
    (seeded, url)
}

fn unlock_hcl(name: &str, url: &str, extra: &str) -> String {
    format!(
        "resource \"rootaccess_queue_policy_unlock\" \"{name}\" {{\n  account_id = \"{DEV}\"\n  queue_url  = \"{url}\"\n{extra}}}\n"
    )
}

fn workdir(aws: &AwsEndpoint, resources: &str) -> Workdir {
    Workdir::new(&format!("{}{resources}", aws.provider_hcl()))
}

/// The policy the endpoint holds for a queue of `DEV` (JSON, null for none).
fn policy_of(aws: &AwsEndpoint, queue: &str) -> Value {
    aws.account(DEV)["queues"][queue]["policy"].clone()
}

fn calls(aws: &AwsEndpoint, operation: &str) -> u64 {
    aws.calls()["calls"][DEV]["sqs"][operation]
        .as_u64()
        .unwrap_or(0)
}

/// An ordinary principal of the member account, through the AWS SDK.
struct Principal {
    rt: tokio::runtime::Runtime,
    sqs: aws_sdk_sqs::Client,
}

fn code<E: aws_sdk_sqs::error::ProvideErrorMetadata>(e: E) -> String {
    e.code().unwrap_or("no code").to_string()
}

impl Principal {
    fn new(aws: &AwsEndpoint, keys: &Value) -> Principal {
        let creds = aws_sdk_sqs::config::Credentials::new(
            keys["access_key_id"].as_str().expect("key id"),
            keys["secret_access_key"].as_str().expect("secret"),
            None,
            None,
            "test-principal",
        );
        let conf = aws_sdk_sqs::Config::builder()
            .behavior_version(aws_sdk_sqs::config::BehaviorVersion::latest())
            .region(aws_sdk_sqs::config::Region::new(aws.region.clone()))
            .endpoint_url(&aws.url)
            .credentials_provider(creds)
            .build();
        Principal {
            rt: tokio::runtime::Runtime::new().expect("runtime"),
            sqs: aws_sdk_sqs::Client::from_conf(conf),
        }
    }

    fn list(&self) -> Vec<String> {
        self.rt.block_on(async {
            self.sqs
                .list_queues()
                .send()
                .await
                .expect("ListQueues")
                .queue_urls()
                .to_vec()
        })
    }

    fn url_of(&self, name: &str) -> Result<String, String> {
        self.rt.block_on(async {
            let out = self
                .sqs
                .get_queue_url()
                .queue_name(name)
                .send()
                .await
                .map_err(code)?;
            Ok(out.queue_url().unwrap_or_default().to_string())
        })
    }

    fn send_and_receive(&self, url: &str) -> Result<Vec<String>, String> {
        self.rt.block_on(async {
            self.sqs
                .send_message()
                .queue_url(url)
                .message_body("hello")
                .send()
                .await
                .map_err(code)?;
            let out = self
                .sqs
                .receive_message()
                .queue_url(url)
                .send()
                .await
                .map_err(code)?;
            Ok(out
                .messages()
                .iter()
                .filter_map(|m| m.body().map(str::to_string))
                .collect())
        })
    }

    fn set_policy(&self, url: &str, policy: &Value) -> Result<(), String> {
        self.rt.block_on(async {
            self.sqs
                .set_queue_attributes()
                .queue_url(url)
                .attributes(
                    aws_sdk_sqs::types::QueueAttributeName::Policy,
                    policy.to_string(),
                )
                .send()
                .await
                .map(|_| ())
                .map_err(code)
        })
    }

    fn delete_queue(&self, url: &str) -> Result<(), String> {
        self.rt.block_on(async {
            self.sqs
                .delete_queue()
                .queue_url(url)
                .send()
                .await
                .map(|_| ())
                .map_err(code)
        })
    }
}

fn alice(aws: &AwsEndpoint, seeded: &Value) -> Principal {
    Principal::new(aws, &seeded["accounts"][DEV]["users"]["alice"])
}

fn admin(aws: &AwsEndpoint, seeded: &Value) -> Principal {
    Principal::new(aws, &seeded["accounts"][DEV]["admin"])
}

fn deny_delete(url: &str) -> Value {
    let name = url.rsplit('/').next().unwrap_or_default();
    json!({"Version": "2012-10-17", "Statement": [{"Sid": "KeepIt", "Effect": "Deny", "Principal": {"AWS": "*"},
           "Action": "sqs:DeleteQueue", "Resource": format!("arn:aws:sqs:us-east-1:{DEV}:{name}")}]})
}

#[test]
fn a_locked_queue_is_unlocked_end_to_end() {
    let aws = AwsEndpoint::start();
    let (seeded, url) = seed_locked(&aws);
    let lock = policy_of(&aws, LOCKED);
    assert_eq!(lock["Statement"][0]["Effect"], "Deny");
    // Before: an ordinary principal of the account cannot even see the queue.
    let alice = alice(&aws, &seeded);
    assert!(!alice.list().contains(&url));
    assert_eq!(alice.url_of(LOCKED), Err("AccessDenied".into()));
    assert_eq!(alice.send_and_receive(&url), Err("AccessDenied".into()));

    let w = workdir(&aws, &unlock_hcl("locked", &url, ""));
    let change = support::resource_change(&w.plan_json(), "rootaccess_queue_policy_unlock.locked");
    assert_eq!(change["actions"], json!(["create"]));
    assert_eq!(
        support::json_of(&change["after"]["removed_policy"]),
        lock,
        "{change}"
    );
    assert_eq!(change["after"]["id"], url.as_str());
    assert_eq!(policy_of(&aws, LOCKED), lock, "the plan changed nothing");
    assert_eq!(calls(&aws, "SetQueueAttributes"), 0);

    w.apply();
    assert_eq!(policy_of(&aws, LOCKED), Value::Null, "the policy is gone");
    assert_eq!(calls(&aws, "SetQueueAttributes"), 1);
    let state = w.resource_values("rootaccess_queue_policy_unlock.locked");
    assert_eq!(support::json_of(&state["removed_policy"]), lock);
    assert_eq!(state["unlocked"], true);
    // After: the principal sees and uses the queue.
    assert!(alice.list().contains(&url));
    assert_eq!(alice.url_of(LOCKED), Ok(url.clone()));
    assert_eq!(alice.send_and_receive(&url), Ok(vec!["hello".to_string()]));

    // Deleted out of band: a refresh drops the resource; planning it again
    // says the queue does not exist.
    alice.delete_queue(&url).expect("delete queue");
    w.terraform(&["apply", "-refresh-only", "-auto-approve", "-no-color"])
        .ok();
    assert_eq!(
        w.resource_values("rootaccess_queue_policy_unlock.locked"),
        Value::Null
    );
    w.terraform(&["plan", "-no-color"])
        .fails_with(&["Queue not found", &format!("There is no queue {url}")]);
}

#[test]
fn replacement_policy_and_drift_rules() {
    let aws = AwsEndpoint::start();
    let (seeded, url) = seed_locked(&aws);
    let replacement = deny_delete(&url);
    let w = workdir(
        &aws,
        &unlock_hcl(
            "locked",
            &url,
            &format!(
                "  replacement_policy = {:?}\n",
                serde_json::to_string_pretty(&replacement).expect("json")
            ),
        ),
    );
    w.apply();
    // moto re-serialises queue policies: compared as JSON, the plans stay empty.
    assert_eq!(policy_of(&aws, LOCKED), replacement);
    let admin = admin(&aws, &seeded);
    assert_eq!(admin.send_and_receive(&url), Ok(vec!["hello".to_string()]));
    assert_eq!(admin.delete_queue(&url), Err("AccessDenied".into()));

    // With a replacement, any other policy is drift, repaired in place.
    let other = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": {"AWS": "*"},
                       "Action": "sqs:SendMessage", "Resource": "*"}]});
    admin.set_policy(&url, &other).expect("change the policy");
    let change = support::resource_change(&w.plan_json(), "rootaccess_queue_policy_unlock.locked");
    assert_eq!(change["actions"], json!(["update"]));
    assert_eq!(support::json_of(&change["after"]["removed_policy"]), other);
    w.apply();
    assert_eq!(policy_of(&aws, LOCKED), replacement);

    // Without a replacement, a later policy is legitimate ...
    w.write_config(&format!(
        "{}{}",
        aws.provider_hcl(),
        unlock_hcl("locked", &url, "")
    ));
    w.apply();
    assert_eq!(policy_of(&aws, LOCKED), Value::Null);
    admin.set_policy(&url, &other).expect("a later policy");
    w.assert_plan_empty();
    assert_eq!(policy_of(&aws, LOCKED), other);
    // ... but the policy the unlock removed coming back is drift. The last
    // unlock removed the replacement; put it back and it is planned away.
    admin
        .set_policy(&url, &replacement)
        .expect("old policy back");
    let change = support::resource_change(&w.plan_json(), "rootaccess_queue_policy_unlock.locked");
    assert_eq!(change["actions"], json!(["update"]));
    assert_eq!(change["before"]["unlocked"], false);
    assert_eq!(change["after"]["unlocked"], true);
    w.apply();
    assert_eq!(policy_of(&aws, LOCKED), Value::Null);
}

#[test]
fn the_locking_policy_coming_back_is_drift_and_triggers_rerun_in_place() {
    let aws = AwsEndpoint::start();
    let (seeded, url) = seed_locked(&aws);
    let lock = policy_of(&aws, LOCKED);
    let with_triggers = |v: &str| {
        unlock_hcl(
            "locked",
            &url,
            &format!("  triggers = {{ run = \"{v}\" }}\n"),
        )
    };
    let w = workdir(&aws, &with_triggers("1"));
    w.apply();
    // The administrator locks everyone out again.
    let admin = admin(&aws, &seeded);
    admin.set_policy(&url, &lock).expect("lock again");
    assert_eq!(admin.url_of(LOCKED), Err("AccessDenied".into()));
    let change = support::resource_change(&w.plan_json(), "rootaccess_queue_policy_unlock.locked");
    assert_eq!(change["actions"], json!(["update"]));
    w.apply();
    assert_eq!(admin.url_of(LOCKED), Ok(url.clone()));

    // A later legitimate policy, then new triggers: an update that shows it.
    let legit = deny_delete(&url);
    admin.set_policy(&url, &legit).expect("legit policy");
    w.assert_plan_empty();
    w.write_config(&format!("{}{}", aws.provider_hcl(), with_triggers("2")));
    let change = support::resource_change(&w.plan_json(), "rootaccess_queue_policy_unlock.locked");
    assert_eq!(change["actions"], json!(["update"]), "not a replacement");
    assert_eq!(support::json_of(&change["after"]["removed_policy"]), legit);
    w.apply();
    assert_eq!(policy_of(&aws, LOCKED), Value::Null);

    // Destroy only forgets, with a warning.
    let run = w.destroy();
    let text = support::flatten(&run.text());
    assert!(
        text.contains(
            "Unlock of queue dev-locked-queue of account 111111111111 removed from state only"
        ),
        "{text}"
    );
    // Three unlocks and the administrator's two changes; destroy wrote nothing.
    assert_eq!(calls(&aws, "SetQueueAttributes"), 5, "{}", aws.calls());
}

#[test]
fn a_policy_changed_between_plan_and_apply_is_not_removed() {
    let aws = AwsEndpoint::start();
    let seeded = seed(
        &aws,
        json!([{"name": "q", "policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny",
               "Principal": {"AWS": "*"}, "Action": "sqs:ReceiveMessage", "Resource": "*"}]}}]),
    );
    let url = seeded["accounts"][DEV]["queues"]["q"]
        .as_str()
        .expect("url")
        .to_string();
    let w = workdir(&aws, &unlock_hcl("q", &url, ""));
    w.terraform(&["plan", "-out=tfplan", "-no-color"]).ok();
    let other = json!({"Version": "2012-10-17", "Statement": [{"Sid": "Other", "Effect": "Deny",
                       "Principal": {"AWS": "*"}, "Action": "sqs:SendMessage", "Resource": "*"}]});
    admin(&aws, &seeded)
        .set_policy(&url, &other)
        .expect("someone changes the policy");
    // The provider's own refusal, not Terraform's "inconsistent final plan".
    let run = w.terraform(&["apply", "-no-color", "tfplan"]);
    run.fails_with(&[
        "The policy of queue q of account 111111111111 changed after the plan",
        "Nothing was changed",
        "Other",
    ]);
    assert_eq!(policy_of(&aws, "q"), other, "the unapproved policy stays");
    assert_eq!(
        w.resource_values("rootaccess_queue_policy_unlock.q"),
        Value::Null
    );
}

#[test]
fn a_queue_without_policy_is_already_unlocked_with_a_warning() {
    let aws = AwsEndpoint::start();
    let seeded = seed(&aws, json!([{"name": "open"}]));
    let url = seeded["accounts"][DEV]["queues"]["open"]
        .as_str()
        .expect("url")
        .to_string();
    let w = workdir(&aws, &unlock_hcl("open", &url, ""));
    let change = support::resource_change(&w.plan_json(), "rootaccess_queue_policy_unlock.open");
    assert_eq!(change["after"]["removed_policy"], Value::Null);
    let run = w.apply();
    let text = support::flatten(&run.text());
    assert!(
        text.contains("No policy on queue open of account 111111111111")
            && text.contains("already unlocked"),
        "{text}"
    );
    assert_eq!(calls(&aws, "SetQueueAttributes"), 0);
}

#[test]
fn import_by_queue_url_with_the_cli_and_an_import_block() {
    let aws = AwsEndpoint::start();
    let seeded = seed(
        &aws,
        json!([{"name": "open"}, {"name": LOCKED, "policy": "deny-all"}]),
    );
    let url = |name: &str| {
        seeded["accounts"][DEV]["queues"][name]
            .as_str()
            .expect("url")
            .to_string()
    };
    let w = workdir(&aws, &unlock_hcl("open", &url("open"), ""));
    w.terraform(&[
        "import",
        "-no-color",
        "rootaccess_queue_policy_unlock.open",
        &url("open"),
    ])
    .ok();
    let state = w.resource_values("rootaccess_queue_policy_unlock.open");
    assert_eq!(state["account_id"], DEV);
    assert_eq!(state["queue_url"], url("open").as_str());
    assert_eq!(state["unlocked"], true);
    w.assert_plan_empty();

    let w = workdir(
        &aws,
        &format!(
            "import {{\n  to = rootaccess_queue_policy_unlock.locked\n  id = \"{}\"\n}}\n{}",
            url(LOCKED),
            unlock_hcl("locked", &url(LOCKED), "")
        ),
    );
    let change = support::resource_change(&w.plan_json(), "rootaccess_queue_policy_unlock.locked");
    assert_eq!(change["actions"], json!(["no-op"]), "{change}");
    assert!(change["importing"].is_object(), "{change}");
    w.apply();
    assert!(
        policy_of(&aws, LOCKED).is_object(),
        "import changes nothing"
    );

    let w = workdir(&aws, &unlock_hcl("x", &url("open"), ""));
    w.terraform(&[
        "import",
        "-no-color",
        "rootaccess_queue_policy_unlock.x",
        "open",
    ])
    .fails_with(&["The import id must be the queue URL"]);
    let gone = url("open").replace("/open", "/no-such-queue");
    w.terraform(&[
        "import",
        "-no-color",
        "rootaccess_queue_policy_unlock.x",
        &gone,
    ])
    .fails_with(&["Cannot import non-existent remote object"]);
}

#[test]
fn invalid_arguments_are_refused_at_plan_with_the_attribute_named() {
    let w = Workdir::new(
        r#"
provider "rootaccess" {
  region = "us-east-1"
}
resource "rootaccess_queue_policy_unlock" "other_account" {
  account_id = "111111111111"
  queue_url  = "https://sqs.eu-west-1.amazonaws.com/222222222222/jobs"
}
resource "rootaccess_queue_policy_unlock" "bad" {
  account_id         = "111111111111"
  queue_url          = "arn:aws:sqs:us-east-1:111111111111:jobs"
  replacement_policy = "{not json"
}
resource "rootaccess_queue_policy_unlock" "bad_name" {
  account_id = "111111111111"
  queue_url  = "https://sqs.us-east-1.amazonaws.com/111111111111/no spaces"
}
resource "rootaccess_queue_policy_unlock" "no_statements" {
  account_id         = "111111111111"
  queue_url          = "https://sqs.us-east-1.amazonaws.com/111111111111/jobs"
  replacement_policy = jsonencode({ Version = "2012-10-17", Statement = [] })
}
"#,
    );
    let run = w.terraform(&["validate", "-no-color"]).fails_with(&[
        "The queue URL belongs to account 222222222222, but account_id is 111111111111",
        "set account_id = \"222222222222\"",
        "\"arn:aws:sqs:us-east-1:111111111111:jobs\" is not an SQS queue URL",
        "the policy is not valid JSON",
        "\"no spaces\" is not a queue name",
        "the policy has no statements",
        "to leave no policy at all, leave replacement_policy out",
    ]);
    let text = support::flatten(&run.text());
    support::assert_points_at(
        &text,
        &[
            "queue_url = \"https://sqs.eu-west-1.amazonaws.com/222222222222/jobs\"",
            "replacement_policy = \"{not json\"",
        ],
    );
}

#[test]
fn throttling_on_the_unlock_call_is_retried() {
    let aws = AwsEndpoint::start();
    let (_, url) = seed_locked(&aws);
    aws.post(
        "/faults",
        json!({"service": "sqs", "action": "SetQueueAttributes", "throttle": 2}),
    );
    let w = workdir(&aws, &unlock_hcl("locked", &url, ""));
    w.apply();
    assert_eq!(policy_of(&aws, LOCKED), Value::Null);
    assert_eq!(
        calls(&aws, "SetQueueAttributes"),
        3,
        "two throttled, one answered"
    );

    // Exhausted retries: explained, nothing recorded, the queue still locked.
    let (_, url) = seed_locked(&aws);
    aws.post(
        "/faults",
        json!({"service": "sqs", "action": "SetQueueAttributes", "throttle": 10}),
    );
    let provider = aws.provider_hcl().replacen(
        "provider \"rootaccess\" {\n",
        "provider \"rootaccess\" {\n  max_retries = 0\n",
        1,
    );
    let w = Workdir::new(&format!("{provider}{}", unlock_hcl("locked", &url, "")));
    w.terraform(&["apply", "-auto-approve", "-no-color"])
        .fails_with(&[
            "Could not remove the policy of queue dev-locked-queue",
            "RequestThrottled",
            "raise max_retries",
        ]);
    assert_eq!(
        w.resource_values("rootaccess_queue_policy_unlock.locked"),
        Value::Null
    );
    assert!(policy_of(&aws, LOCKED).is_object());
}

#[test]
fn the_documented_example_applies() {
    let aws = AwsEndpoint::start();
    aws.seed(json!({
        "organization": {"feature_set": "ALL"},
        "trusted_access": ["iam.amazonaws.com"],
        "features": ["RootSessions"],
        "accounts": [{"id": "111122223333", "queues": [
            {"name": "example-locked-jobs", "policy": "deny-all"},
            {"name": "example-locked-events", "policy": "deny-all"}
        ]}]
    }));
    let example = std::fs::read_to_string(
        support::repo_root().join("examples/resources/rootaccess_queue_policy_unlock/resource.tf"),
    )
    .expect("example");
    let w = Workdir::new(&format!("{}{example}", aws.provider_hcl()));
    w.apply();
    let queues = &aws.account("111122223333")["queues"];
    assert_eq!(queues["example-locked-jobs"]["policy"], Value::Null);
    assert_eq!(
        queues["example-locked-events"]["policy"]["Statement"][0]["Sid"],
        "KeepTheQueue"
    );
}
