//! `rootaccess_bucket_policy_unlock` through the real Terraform CLI against the
//! local AWS endpoint: a member account's bucket with a deny-everyone policy,
//! an ordinary principal of that account locked out before and let in after,
//! and what the plan shows, drift, races, regions, import and errors.

use crate::support;

use aws_root_access::resource_policies;
use aws_root_access::{AwsClients, AwsSettings, Endpoints, StaticCredentials};
use serde_json::{Value, json};
use support::Workdir;
use support::aws::AwsEndpoint;

const DEV: &str = "111111111111";
const PROD: &str = "333333333333";
const LOCKED: &str = "dev-locked-bucket";

/// The organization with RootSessions on; `dev` holds `buckets`, `prod` `prod_buckets`.
fn seed(aws: &AwsEndpoint, buckets: Value, prod_buckets: Value) -> Value {
    aws.seed(json!({
        "organization": {"feature_set": "ALL"},
        "trusted_access": ["iam.amazonaws.com"],
        "features": ["RootCredentialsManagement", "RootSessions"],
        "accounts": [
            {"id": DEV, "name": "dev", "users": ["alice"], "buckets": buckets},
            {"id": PROD, "name": "prod", "buckets": prod_buckets}
        ]
    }))
}

fn seed_locked(aws: &AwsEndpoint) -> Value {
    seed(
        aws,
        json!([{"name": LOCKED, "policy": "deny-all", "objects": {"a.txt": "A"}}]),
        json!([]),
    )
}

fn unlock_hcl(name: &str, bucket: &str, extra: &str) -> String {
    format!(
        "resource \"rootaccess_bucket_policy_unlock\" \"{name}\" {{\n  account_id = \"{DEV}\"\n  bucket     = \"{bucket}\"\n{extra}}}\n"
    )
}

fn workdir(aws: &AwsEndpoint, resources: &str) -> Workdir {
    Workdir::new(&format!("{}{resources}", aws.provider_hcl()))
}

/// The policy the endpoint holds for a bucket of `DEV` (JSON, null for none).
fn policy_of(aws: &AwsEndpoint, bucket: &str) -> Value {
    aws.account(DEV)["buckets"][bucket]["policy"].clone()
}

/// An ordinary principal of the member account, through the AWS SDK.
struct Principal {
    rt: tokio::runtime::Runtime,
    s3: aws_sdk_s3::Client,
}

impl Principal {
    fn new(aws: &AwsEndpoint, keys: &Value) -> Principal {
        let creds = aws_sdk_s3::config::Credentials::new(
            keys["access_key_id"].as_str().expect("key id"),
            keys["secret_access_key"].as_str().expect("secret"),
            None,
            None,
            "test-principal",
        );
        let conf = aws_sdk_s3::Config::builder()
            .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
            .region(aws_sdk_s3::config::Region::new(aws.region.clone()))
            .endpoint_url(&aws.url)
            .credentials_provider(creds)
            .force_path_style(true)
            .build();
        Principal {
            rt: tokio::runtime::Runtime::new().expect("runtime"),
            s3: aws_sdk_s3::Client::from_conf(conf),
        }
    }

    fn code<E: aws_sdk_s3::error::ProvideErrorMetadata>(e: E) -> String {
        e.code().unwrap_or("no code").to_string()
    }

    fn list(&self, bucket: &str) -> Result<Vec<String>, String> {
        self.rt.block_on(async {
            let out = self
                .s3
                .list_objects_v2()
                .bucket(bucket)
                .send()
                .await
                .map_err(Self::code)?;
            Ok(out
                .contents()
                .iter()
                .filter_map(|o| o.key().map(str::to_string))
                .collect())
        })
    }

    fn delete_object(&self, bucket: &str, key: &str) -> Result<(), String> {
        self.rt.block_on(async {
            self.s3
                .delete_object()
                .bucket(bucket)
                .key(key)
                .send()
                .await
                .map(|_| ())
                .map_err(Self::code)
        })
    }

    fn delete_bucket(&self, bucket: &str) -> Result<(), String> {
        self.rt.block_on(async {
            self.s3
                .delete_bucket()
                .bucket(bucket)
                .send()
                .await
                .map(|_| ())
                .map_err(Self::code)
        })
    }

    fn put_policy(&self, bucket: &str, policy: &Value) -> Result<(), String> {
        self.rt.block_on(async {
            self.s3
                .put_bucket_policy()
                .bucket(bucket)
                .policy(policy.to_string())
                .send()
                .await
                .map(|_| ())
                .map_err(Self::code)
        })
    }
}

fn alice(aws: &AwsEndpoint, seeded: &Value) -> Principal {
    Principal::new(aws, &seeded["accounts"][DEV]["users"]["alice"])
}

fn admin(aws: &AwsEndpoint, seeded: &Value) -> Principal {
    Principal::new(aws, &seeded["accounts"][DEV]["admin"])
}

/// Someone else with a root session of the member account (the only way to
/// change a locking policy).
fn root_put_policy(aws: &AwsEndpoint, bucket: &str, policy: &Value) {
    let u = Some(aws.url.clone());
    let settings = AwsSettings {
        region: Some(aws.region.clone()),
        static_credentials: Some(StaticCredentials {
            access_key_id: aws.access_key_id.clone(),
            secret_access_key: aws.secret_access_key.clone(),
            session_token: None,
        }),
        // IAM too: a root session is opened only once IAM says the
        // feature it needs is on.
        endpoints: Endpoints {
            sts: u.clone(),
            iam: u.clone(),
            s3: u,
            ..Endpoints::default()
        },
        s3_use_path_style: true,
        ..AwsSettings::default()
    };
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let clients = AwsClients::new(settings).await.expect("clients");
        resource_policies::put_bucket_policy(
            &clients,
            DEV,
            bucket,
            &aws.region,
            &policy.to_string(),
        )
        .await
        .expect("root session puts the policy");
    });
}

fn deny_delete_bucket(bucket: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Sid": "KeepIt", "Effect": "Deny", "Principal": "*",
           "Action": "s3:DeleteBucket", "Resource": format!("arn:aws:s3:::{bucket}")}]})
}

fn calls(aws: &AwsEndpoint, account: &str, operation: &str) -> u64 {
    aws.calls()["calls"][account]["s3"][operation]
        .as_u64()
        .unwrap_or(0)
}

#[test]
fn a_locked_bucket_is_unlocked_end_to_end() {
    let aws = AwsEndpoint::start();
    let seeded = seed_locked(&aws);
    let lock = policy_of(&aws, LOCKED);
    assert_eq!(lock["Statement"][0]["Effect"], "Deny");
    // Before: an ordinary principal of the account, even its administrator, is locked out.
    let alice = alice(&aws, &seeded);
    assert_eq!(alice.list(LOCKED), Err("AccessDenied".into()));
    assert_eq!(alice.delete_bucket(LOCKED), Err("AccessDenied".into()));
    assert_eq!(
        admin(&aws, &seeded).list(LOCKED),
        Err("AccessDenied".into())
    );

    let w = workdir(
        &aws,
        &format!(
            "{}output \"removed\" {{ value = rootaccess_bucket_policy_unlock.locked.removed_policy }}\n",
            unlock_hcl("locked", LOCKED, "")
        ),
    );
    // The plan shows the policy that will go, read through the root session.
    let plan = w.plan_json();
    let after =
        support::resource_change(&plan, "rootaccess_bucket_policy_unlock.locked")["after"].clone();
    assert_eq!(support::json_of(&after["removed_policy"]), lock, "{after}");
    assert_eq!(after["unlocked"], true);
    assert_eq!(after["region"], aws.region.as_str());
    assert_eq!(after["id"], format!("{DEV}/{LOCKED}"));
    assert_eq!(
        w.planned_actions(),
        vec![(
            "rootaccess_bucket_policy_unlock.locked".to_string(),
            vec!["create".to_string()]
        )]
    );
    // The plan itself changed nothing.
    assert_eq!(policy_of(&aws, LOCKED), lock);
    assert_eq!(calls(&aws, DEV, "DeleteBucketPolicy"), 0);

    w.apply();
    assert_eq!(policy_of(&aws, LOCKED), Value::Null, "the policy is gone");
    assert_eq!(support::json_of(&w.outputs()["removed"]["value"]), lock);
    let state = w.resource_values("rootaccess_bucket_policy_unlock.locked");
    assert_eq!(state["unlocked"], true);
    assert_eq!(calls(&aws, DEV, "DeleteBucketPolicy"), 1);
    // After: the principal is let in (list, and delete once emptied).
    assert_eq!(alice.list(LOCKED), Ok(vec!["a.txt".to_string()]));
    alice.delete_object(LOCKED, "a.txt").expect("delete object");
    alice.delete_bucket(LOCKED).expect("delete bucket");

    // The bucket is gone: a refresh drops the resource, and planning it again
    // says the bucket does not exist.
    w.terraform(&["apply", "-refresh-only", "-auto-approve", "-no-color"])
        .ok();
    assert_eq!(
        w.resource_values("rootaccess_bucket_policy_unlock.locked"),
        Value::Null
    );
    w.terraform(&["plan", "-no-color"]).fails_with(&[
        "Bucket not found",
        &format!("There is no bucket {LOCKED} in account {DEV}"),
    ]);
}

#[test]
fn replacement_policy_is_put_and_drift_from_it_is_repaired() {
    let aws = AwsEndpoint::start();
    let seeded = seed_locked(&aws);
    let replacement = deny_delete_bucket(LOCKED);
    // Written differently from how AWS will return it: compared as JSON.
    let hcl = format!(
        "  replacement_policy = jsonencode({{\n    Version = \"2012-10-17\"\n    Statement = [{{ Sid = \"KeepIt\", Effect = \"Deny\", Principal = \"*\", Action = \"s3:DeleteBucket\", Resource = \"arn:aws:s3:::{LOCKED}\" }}]\n  }})\n"
    );
    let w = workdir(&aws, &unlock_hcl("locked", LOCKED, &hcl));
    w.apply();
    assert_eq!(policy_of(&aws, LOCKED), replacement);
    assert_eq!(calls(&aws, DEV, "PutBucketPolicy"), 1);
    assert_eq!(calls(&aws, DEV, "DeleteBucketPolicy"), 0);
    let alice = alice(&aws, &seeded);
    assert_eq!(alice.list(LOCKED), Ok(vec!["a.txt".to_string()]));
    assert_eq!(alice.delete_bucket(LOCKED), Err("AccessDenied".into()));

    // The same policy in another layout changes nothing.
    let pretty = serde_json::to_string_pretty(&replacement).expect("json");
    w.write_config(&format!(
        "{}{}",
        aws.provider_hcl(),
        unlock_hcl(
            "locked",
            LOCKED,
            &format!("  replacement_policy = <<-EOT\n{pretty}\n  EOT\n")
        )
    ));
    w.assert_plan_empty();

    // Someone changes the policy: drift, planned as an in-place update that
    // shows the policy about to be replaced.
    let other = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*",
                       "Action": "s3:GetObject", "Resource": format!("arn:aws:s3:::{LOCKED}/*")}]});
    admin(&aws, &seeded)
        .put_policy(LOCKED, &other)
        .expect("the administrator may change this policy");
    let plan = w.plan_json();
    assert_eq!(
        w.planned_actions()[0].1,
        vec!["update".to_string()],
        "drift is repaired in place"
    );
    let after =
        support::resource_change(&plan, "rootaccess_bucket_policy_unlock.locked")["after"].clone();
    assert_eq!(support::json_of(&after["removed_policy"]), other);
    assert_eq!(after["unlocked"], true);
    w.apply();
    assert_eq!(policy_of(&aws, LOCKED), replacement);

    // Removing the replacement_policy argument deletes the policy the provider put.
    w.write_config(&format!(
        "{}{}",
        aws.provider_hcl(),
        unlock_hcl("locked", LOCKED, "")
    ));
    let after = support::resource_change(&w.plan_json(), "rootaccess_bucket_policy_unlock.locked")
        ["after"]
        .clone();
    assert_eq!(support::json_of(&after["removed_policy"]), replacement);
    w.apply();
    assert_eq!(policy_of(&aws, LOCKED), Value::Null);
}

#[test]
fn without_replacement_a_later_policy_is_not_drift_but_the_lock_coming_back_is() {
    let aws = AwsEndpoint::start();
    let seeded = seed_locked(&aws);
    let lock = policy_of(&aws, LOCKED);
    let w = workdir(&aws, &unlock_hcl("locked", LOCKED, ""));
    w.apply();

    // A policy someone puts later is theirs: never planned for deletion.
    let admin = admin(&aws, &seeded);
    let legit = deny_delete_bucket(LOCKED);
    admin.put_policy(LOCKED, &legit).expect("put a policy");
    w.assert_plan_empty();
    assert_eq!(policy_of(&aws, LOCKED), legit);

    // The very policy that was removed comes back (in another layout): drift.
    admin
        .put_policy(LOCKED, &lock)
        .expect("lock the bucket again");
    assert_eq!(admin.list(LOCKED), Err("AccessDenied".into()));
    let plan = w.plan_json();
    assert_eq!(w.planned_actions()[0].1, vec!["update".to_string()]);
    let change = plan["resource_changes"][0]["change"].clone();
    assert_eq!(change["before"]["unlocked"], false, "{change}");
    assert_eq!(change["after"]["unlocked"], true, "{change}");
    assert_eq!(support::json_of(&change["after"]["removed_policy"]), lock);
    w.apply();
    assert_eq!(policy_of(&aws, LOCKED), Value::Null);
    assert_eq!(admin.list(LOCKED), Ok(vec!["a.txt".to_string()]));
}

#[test]
fn triggers_run_the_unlock_again_as_an_in_place_update() {
    let aws = AwsEndpoint::start();
    let seeded = seed_locked(&aws);
    let lock = policy_of(&aws, LOCKED);
    let with_triggers = |v: &str| {
        unlock_hcl(
            "locked",
            LOCKED,
            &format!("  triggers = {{ run = \"{v}\" }}\n"),
        )
    };
    let w = workdir(&aws, &with_triggers("1"));
    w.apply();
    let legit = deny_delete_bucket(LOCKED);
    admin(&aws, &seeded)
        .put_policy(LOCKED, &legit)
        .expect("put a policy");
    w.assert_plan_empty();

    w.write_config(&format!("{}{}", aws.provider_hcl(), with_triggers("2")));
    let plan = w.plan_json();
    assert_eq!(
        w.planned_actions(),
        vec![(
            "rootaccess_bucket_policy_unlock.locked".to_string(),
            vec!["update".to_string()]
        )],
        "an update, not a replacement"
    );
    let change = plan["resource_changes"][0]["change"].clone();
    assert_eq!(support::json_of(&change["before"]["removed_policy"]), lock);
    assert_eq!(
        support::json_of(&change["after"]["removed_policy"]),
        legit,
        "the plan shows what the new run removes"
    );
    w.apply();
    assert_eq!(policy_of(&aws, LOCKED), Value::Null);

    // A run that finds nothing to remove keeps the last removed policy, with a warning.
    w.write_config(&format!("{}{}", aws.provider_hcl(), with_triggers("3")));
    let run = w.apply();
    assert!(
        support::flatten(&run.text()).contains("No policy on bucket dev-locked-bucket"),
        "{}",
        run.text()
    );
    assert_eq!(
        support::json_of(
            &w.resource_values("rootaccess_bucket_policy_unlock.locked")["removed_policy"]
        ),
        legit
    );
}

/// A lock someone else puts on the bucket, told apart by its `Sid`.
fn other_lock(sid: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Sid": sid, "Effect": "Deny",
           "Principal": "*", "Action": "s3:*", "Resource": format!("arn:aws:s3:::{LOCKED}")}]})
}

/// The apply of a new unlock refused a policy its plan did not show:
/// nothing changed in AWS, nothing in state.
#[track_caller]
fn assert_refused(aws: &AwsEndpoint, w: &Workdir, run: support::Run, now: &Value, sid: &str) {
    run.fails_with(&[
        "The policy of bucket dev-locked-bucket of account 111111111111 changed after the plan",
        "Nothing was changed",
        sid,
    ]);
    assert_eq!(&policy_of(aws, LOCKED), now, "the unapproved policy stays");
    assert_eq!(calls(aws, DEV, "DeleteBucketPolicy"), 0);
    assert_eq!(
        w.resource_values("rootaccess_bucket_policy_unlock.locked"),
        Value::Null
    );
}

#[test]
fn a_policy_changed_between_plan_and_apply_is_not_removed() {
    let aws = AwsEndpoint::start();
    seed_locked(&aws);
    let w = workdir(&aws, &unlock_hcl("locked", LOCKED, ""));
    w.terraform(&["plan", "-out=tfplan", "-no-color"]).ok();
    // Someone with a root session swaps the policy after the plan was approved.
    let other = other_lock("Other");
    root_put_policy(&aws, LOCKED, &other);
    // Terraform's re-plan before the apply plans from what the plan read
    // (issue 13, case 8, for a create: it used to read again, and Terraform
    // stopped with "inconsistent final plan ... bug in the provider"); the
    // apply then finds the new policy and refuses it.
    let run = w.terraform(&["apply", "-no-color", "tfplan"]);
    assert_refused(&aws, &w, run, &other, "Other");

    // A change after that final check, just before the delete, is refused by
    // the provider. Every read is slowed down; the policy changes while the
    // apply's own read is on its way.
    aws.post(
        "/faults",
        json!({"service": "s3", "action": "GetBucketPolicy", "latency_ms": 3000}),
    );
    let reads_before = calls(&aws, DEV, "GetBucketPolicy");
    let lock = other_lock("Third");
    let run = std::thread::scope(|s| {
        let apply = s.spawn(|| w.terraform(&["apply", "-auto-approve", "-no-color"]));
        // Reads: the plan's, then the apply's (the re-plan before it plans
        // from the plan's reading).
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while calls(&aws, DEV, "GetBucketPolicy") < reads_before + 2 {
            assert!(std::time::Instant::now() < deadline, "no second read");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        root_put_policy(&aws, LOCKED, &lock);
        apply.join().expect("apply thread")
    });
    run.fails_with(&[
        "The policy of bucket dev-locked-bucket of account 111111111111 changed after the plan",
        "Nothing was changed",
        "Third",
    ]);
    assert_eq!(policy_of(&aws, LOCKED), lock);
    assert_eq!(calls(&aws, DEV, "DeleteBucketPolicy"), 0);
}

#[test]
fn a_policy_changed_while_terraform_apply_waits_for_approval_is_not_removed() {
    let aws = AwsEndpoint::start();
    seed_locked(&aws);
    let w = workdir(&aws, &unlock_hcl("locked", LOCKED, ""));
    let other = other_lock("Other");
    let run = w.apply_approving(&["-no-color"], || root_put_policy(&aws, LOCKED, &other));
    assert_refused(&aws, &w, run, &other, "Other");

    // Approved unchanged, the same run removes exactly what it showed.
    let run = w.apply_approving(&["-no-color"], || {}).ok();
    assert!(
        run.stdout().contains("Other"),
        "the plan showed the policy there now"
    );
    assert_eq!(policy_of(&aws, LOCKED), Value::Null);
    assert_eq!(
        w.resource_values("rootaccess_bucket_policy_unlock.locked")["removed_policy"]
            .as_str()
            .map(|p| p.contains("Other")),
        Some(true)
    );
}

#[test]
fn a_bucket_without_policy_is_already_unlocked_with_a_warning() {
    let aws = AwsEndpoint::start();
    seed(&aws, json!([{"name": "open-bucket"}]), json!([]));
    let w = workdir(&aws, &unlock_hcl("open", "open-bucket", ""));
    let after =
        support::resource_change(&w.plan_json(), "rootaccess_bucket_policy_unlock.open")["after"]
            .clone();
    assert_eq!(after["removed_policy"], Value::Null);
    let run = w.apply();
    let text = support::flatten(&run.text());
    assert!(
        text.contains("No policy on bucket open-bucket")
            && text.contains("already unlocked and nothing was removed"),
        "{text}"
    );
    assert_eq!(calls(&aws, DEV, "DeleteBucketPolicy"), 0);
}

#[test]
fn import_by_account_and_bucket_with_the_cli_and_an_import_block() {
    let aws = AwsEndpoint::start();
    seed(
        &aws,
        json!([{"name": LOCKED}, {"name": "other-bucket", "policy": "deny-all"}]),
        json!([]),
    );
    let w = workdir(&aws, &unlock_hcl("locked", LOCKED, ""));
    w.terraform(&[
        "import",
        "-no-color",
        "rootaccess_bucket_policy_unlock.locked",
        &format!("{DEV}/{LOCKED}"),
    ])
    .ok();
    let state = w.resource_values("rootaccess_bucket_policy_unlock.locked");
    assert_eq!(state["account_id"], DEV);
    assert_eq!(state["bucket"], LOCKED);
    assert_eq!(state["region"], aws.region.as_str());
    assert_eq!(state["id"], format!("{DEV}/{LOCKED}"));
    assert_eq!(state["unlocked"], true);
    w.assert_plan_empty();

    // An import block plans as a no-op import, even for a bucket that still
    // has a policy: import adopts, it judges nothing.
    let w = workdir(
        &aws,
        &format!(
            "import {{\n  to = rootaccess_bucket_policy_unlock.other\n  id = \"{DEV}/other-bucket\"\n}}\n{}",
            unlock_hcl("other", "other-bucket", "")
        ),
    );
    let plan = w.plan_json();
    let change = &plan["resource_changes"][0]["change"];
    assert_eq!(change["actions"], json!(["no-op"]), "{change}");
    assert!(change["importing"].is_object(), "{change}");
    let run = w.apply();
    assert!(run.stdout().contains("1 imported"), "{}", run.stdout());
    assert_eq!(calls(&aws, DEV, "DeleteBucketPolicy"), 0);

    // Ids that are not <account_id>/<bucket>, and buckets that do not exist.
    let w = workdir(&aws, &unlock_hcl("locked", LOCKED, ""));
    for bad in [
        "dev-locked-bucket",
        "12345/dev-locked-bucket",
        "111111111111/Bad_Name",
    ] {
        w.terraform(&[
            "import",
            "-no-color",
            "rootaccess_bucket_policy_unlock.locked",
            bad,
        ])
        .fails_with(&["is not `<account_id>/<bucket>`"]);
    }
    w.terraform(&[
        "import",
        "-no-color",
        "rootaccess_bucket_policy_unlock.locked",
        &format!("{DEV}/no-such-bucket"),
    ])
    .fails_with(&["Cannot import non-existent remote object"]);
}

#[test]
fn destroy_forgets_the_unlock_with_a_warning_and_restores_nothing() {
    let aws = AwsEndpoint::start();
    seed_locked(&aws);
    let replacement = deny_delete_bucket(LOCKED);
    let w = workdir(
        &aws,
        &unlock_hcl(
            "locked",
            LOCKED,
            &format!("  replacement_policy = {:?}\n", replacement.to_string()),
        ),
    );
    w.apply();
    let calls_before = aws.calls()["total"].as_u64();
    let run = w.destroy();
    let text = support::flatten(&run.text());
    assert!(
        text.contains(
            "Unlock of bucket dev-locked-bucket of account 111111111111 removed from state only"
        ) && text.contains("does not restore the policy it removed"),
        "{text}"
    );
    assert_eq!(
        policy_of(&aws, LOCKED),
        replacement,
        "nothing restored or removed"
    );
    assert_eq!(
        w.resource_values("rootaccess_bucket_policy_unlock.locked"),
        Value::Null
    );
    let calls = aws.calls();
    let s3_writes = ["PutBucketPolicy", "DeleteBucketPolicy"]
        .iter()
        .map(|op| calls["calls"][DEV]["s3"][op].as_u64().unwrap_or(0))
        .sum::<u64>();
    assert_eq!(
        s3_writes, 1,
        "only the unlock wrote: {calls} (before: {calls_before:?})"
    );
}

#[test]
fn invalid_arguments_are_refused_at_plan_with_the_attribute_named() {
    let w = Workdir::new(
        r#"
provider "rootaccess" {
  region = "us-east-1"
}
resource "rootaccess_bucket_policy_unlock" "bad" {
  account_id         = "11111111111"
  bucket             = "My_Bucket"
  region             = "europe"
  replacement_policy = "{\"Statement\": ["
}
resource "rootaccess_bucket_policy_unlock" "arn" {
  account_id         = "111111111111"
  bucket             = "arn:aws:s3:::my-bucket"
  replacement_policy = "[]"
}
"#,
    );
    let run = w.terraform(&["validate", "-no-color"]).fails_with(&[
        "\"11111111111\" is not an AWS account id",
        "\"My_Bucket\" is not a valid S3 bucket name",
        "\"europe\" is not an AWS region code",
        "the policy is not valid JSON",
        "write the bucket name, not its ARN (\"my-bucket\")",
        "the policy must be a JSON object",
    ]);
    let text = support::flatten(&run.text());
    support::assert_points_at(
        &text,
        &[
            "account_id = \"11111111111\"",
            "bucket = \"My_Bucket\"",
            "region = \"europe\"",
            "replacement_policy = \"[]\"",
        ],
    );
}

#[test]
fn buckets_in_other_regions_are_found_through_the_redirect() {
    let aws = AwsEndpoint::start();
    seed(
        &aws,
        json!([{"name": "far-bucket", "region": "eu-west-1", "policy": "deny-all"}]),
        json!([]),
    );
    let w = workdir(&aws, &unlock_hcl("far", "far-bucket", ""));
    let after =
        support::resource_change(&w.plan_json(), "rootaccess_bucket_policy_unlock.far")["after"]
            .clone();
    assert_eq!(after["region"], "eu-west-1");
    assert!(after["removed_policy"].is_string(), "{after}");
    w.apply();
    assert_eq!(policy_of(&aws, "far-bucket"), Value::Null);
    assert_eq!(
        w.resource_values("rootaccess_bucket_policy_unlock.far")["region"],
        "eu-west-1"
    );
    // Naming the region goes straight there: the redirect is not needed again.
    w.write_config(&format!(
        "{}{}",
        aws.provider_hcl(),
        unlock_hcl("far", "far-bucket", "  region = \"eu-west-1\"\n")
    ));
    w.assert_plan_empty();

    // Insisting on the wrong region is an error that says where the bucket is.
    let w = workdir(
        &aws,
        &unlock_hcl("far", "far-bucket", "  region = \"us-east-1\"\n"),
    );
    w.terraform(&["plan", "-no-color"])
        .fails_with(&["bucket far-bucket is in region eu-west-1, not in us-east-1"]);
}

#[test]
fn one_root_session_per_account_serves_many_buckets() {
    let aws = AwsEndpoint::start();
    seed(
        &aws,
        json!([{"name": "locked-1", "policy": "deny-all"}, {"name": "locked-2", "policy": "deny-all"},
               {"name": "locked-3", "policy": "deny-all"}]),
        json!([{"name": "prod-locked", "policy": "deny-all"}]),
    );
    let mut hcl: String = ["locked-1", "locked-2", "locked-3"]
        .iter()
        .map(|b| unlock_hcl(&b.replace('-', "_"), b, ""))
        .collect();
    hcl.push_str(&format!(
        "resource \"rootaccess_bucket_policy_unlock\" \"prod\" {{\n  account_id = \"{PROD}\"\n  bucket     = \"prod-locked\"\n}}\n"
    ));
    let w = workdir(&aws, &hcl);
    let sessions = |account: &str| {
        aws.calls()["assume_root"][account]["S3UnlockBucketPolicy"]
            .as_u64()
            .unwrap_or(0)
    };
    w.terraform(&["plan", "-no-color"]).ok();
    assert_eq!(sessions(DEV), 1, "{}", aws.calls());
    assert_eq!(sessions(PROD), 1, "{}", aws.calls());
    assert_eq!(calls(&aws, DEV, "GetBucketPolicy"), 3);
    // An apply is two provider processes (plan and apply): one session each.
    w.terraform(&["apply", "-auto-approve", "-no-color"]).ok();
    assert_eq!(sessions(DEV), 3, "{}", aws.calls());
    assert_eq!(sessions(PROD), 3, "{}", aws.calls());
    assert_eq!(calls(&aws, DEV, "DeleteBucketPolicy"), 3);
    for b in ["locked-1", "locked-2", "locked-3"] {
        assert_eq!(policy_of(&aws, b), Value::Null);
    }
}

#[test]
fn throttling_on_the_unlock_call_is_retried_then_explained() {
    let aws = AwsEndpoint::start();
    seed_locked(&aws);
    aws.post(
        "/faults",
        json!({"service": "s3", "action": "DeleteBucketPolicy", "throttle": 2}),
    );
    let w = workdir(&aws, &unlock_hcl("locked", LOCKED, ""));
    w.apply();
    assert_eq!(policy_of(&aws, LOCKED), Value::Null);
    assert_eq!(
        calls(&aws, DEV, "DeleteBucketPolicy"),
        3,
        "two throttled, one answered"
    );

    // With retries exhausted the apply fails, says what to do, and records nothing.
    seed_locked(&aws);
    aws.post(
        "/faults",
        json!({"service": "s3", "action": "DeleteBucketPolicy", "throttle": 10}),
    );
    let provider = aws.provider_hcl().replacen(
        "provider \"rootaccess\" {\n",
        "provider \"rootaccess\" {\n  max_retries = 1\n",
        1,
    );
    let w = Workdir::new(&format!("{provider}{}", unlock_hcl("locked", LOCKED, "")));
    w.terraform(&["apply", "-auto-approve", "-no-color"])
        .fails_with(&[
            "Could not delete the policy of bucket dev-locked-bucket",
            "SlowDown",
            "raise max_retries",
        ]);
    assert_eq!(
        w.resource_values("rootaccess_bucket_policy_unlock.locked"),
        Value::Null
    );
    assert!(policy_of(&aws, LOCKED).is_object(), "still locked");
    // Once AWS answers again, the same configuration unlocks.
    aws.delete("/faults");
    w.apply();
    assert_eq!(policy_of(&aws, LOCKED), Value::Null);
}

#[test]
fn without_root_sessions_the_plan_warns_and_apply_says_which_feature_to_enable() {
    let aws = AwsEndpoint::start();
    aws.seed(json!({
        "organization": {"feature_set": "ALL"},
        "trusted_access": ["iam.amazonaws.com"],
        "features": ["RootCredentialsManagement"],
        "accounts": [{"id": DEV, "buckets": [{"name": LOCKED, "policy": "deny-all"}]}]
    }));
    let w = workdir(&aws, &unlock_hcl("locked", LOCKED, ""));
    // The plan cannot show the policy yet (the feature may be enabled by the
    // same run), so it warns and leaves removed_policy known after apply...
    let plan = w.terraform(&["plan", "-no-color"]).ok();
    let text = support::flatten(&plan.text());
    assert!(text.contains("will be shown at apply"), "{text}");
    assert!(
        text.contains("removed_policy = (known after apply)"),
        "{text}"
    );
    // ...and an apply without the feature stops with what to do.
    w.terraform(&["apply", "-auto-approve", "-no-color"])
        .fails_with(&[
            "dev-locked-bucket",
            "RootSessions for bucket and queue unlocks",
        ]);
    assert!(policy_of(&aws, LOCKED).is_object(), "still locked");
}

#[test]
fn the_documented_example_applies() {
    let aws = AwsEndpoint::start();
    aws.seed(json!({
        "organization": {"feature_set": "ALL"},
        "trusted_access": ["iam.amazonaws.com"],
        "features": ["RootSessions"],
        "accounts": [{"id": "111122223333", "buckets": [
            {"name": "example-locked-logs", "policy": "deny-all"},
            {"name": "example-locked-data", "policy": "deny-all", "region": "eu-west-1"}
        ]}]
    }));
    let example = std::fs::read_to_string(
        support::repo_root().join("examples/resources/rootaccess_bucket_policy_unlock/resource.tf"),
    )
    .expect("example");
    let w = Workdir::new(&format!("{}{example}", aws.provider_hcl()));
    w.apply();
    let buckets = &aws.account("111122223333")["buckets"];
    assert_eq!(buckets["example-locked-logs"]["policy"], Value::Null);
    assert_eq!(
        buckets["example-locked-data"]["policy"]["Statement"][0]["Sid"],
        "DenyInsecureTransport"
    );
    assert_eq!(
        w.outputs()["removed_from_logs"]["value"]
            .as_str()
            .map(|p| p.contains("DenyEveryone")),
        Some(true)
    );
}

/// Issue 13, cases 3 and 4: whenever the plan cannot show the policy that
/// goes, it says so; an unknown region stays unknown in the plan; and a
/// `triggers` change while the provider configuration is unknown is an
/// update in place, not a replacement.
#[test]
fn plans_that_cannot_show_the_removed_policy_say_so() {
    let aws = AwsEndpoint::start();
    seed_locked(&aws);
    let needle = format!("The policy of bucket {LOCKED} of account {DEV} will be shown at apply");

    // replacement_policy known only after apply: the current policy is named.
    let w = workdir(
        &aws,
        &format!(
            "resource \"terraform_data\" \"policy\" {{ input = jsonencode({{Version = \"2012-10-17\", Statement = []}}) }}\n{}",
            unlock_hcl(
                "b",
                LOCKED,
                "  replacement_policy = terraform_data.policy.output\n"
            )
        ),
    );
    let text = support::flatten(&w.terraform(&["plan", "-no-color"]).ok().text());
    assert!(text.contains(&needle), "{text}");
    assert!(
        text.contains("replacement_policy is known only after apply"),
        "{text}"
    );
    assert!(text.contains("It holds this policy now"), "{text}");

    // region known only after apply: the plan keeps it unknown (it used to
    // plan a known region, which Terraform rejects as an invalid plan).
    let w = workdir(
        &aws,
        &format!(
            "resource \"terraform_data\" \"region\" {{ input = \"{}\" }}\n{}",
            aws.region,
            unlock_hcl("b", LOCKED, "  region = terraform_data.region.output\n")
        ),
    );
    let run = w.terraform(&["apply", "-auto-approve", "-no-color"]).ok();
    let text = support::flatten(&run.text());
    assert!(text.contains("region is known only after apply"), "{text}");
    assert!(!text.contains("bug in the provider"), "{text}");
    assert_eq!(policy_of(&aws, LOCKED), Value::Null, "unlocked at apply");
}

#[test]
fn a_triggers_change_with_the_provider_configuration_unknown_is_an_update_in_place() {
    let aws = AwsEndpoint::start();
    seed_locked(&aws);
    let config = |label: &str, run: &str| {
        let provider = aws.provider_hcl().replacen(
            &format!("  region            = \"{}\"\n", aws.region),
            &format!(
                "  region            = terraform_data.label.output == \"never\" ? \"eu-west-1\" : \"{}\"\n",
                aws.region
            ),
            1,
        );
        format!(
            "resource \"terraform_data\" \"label\" {{ input = \"{label}\" }}\n{provider}{}",
            unlock_hcl(
                "b",
                LOCKED,
                &format!("  triggers = {{ run = \"{run}\" }}\n")
            )
        )
    };
    let w = Workdir::new(&config("one", "1"));
    w.terraform(&["apply", "-auto-approve", "-no-color"]).ok();
    assert_eq!(policy_of(&aws, LOCKED), Value::Null);
    // Both change: the provider configuration is unknown during this plan.
    w.write_config(&config("two", "2"));
    let plan = w.terraform(&["plan", "-no-color"]).ok();
    let text = support::flatten(&plan.text());
    assert!(
        text.contains("rootaccess_bucket_policy_unlock.b will be updated in-place"),
        "{text}"
    );
    assert!(!text.contains("must be replaced"), "{text}");
    assert!(text.contains("will be shown at apply"), "{text}");
    assert!(
        text.contains("the provider configuration is known only after apply"),
        "{text}"
    );
}

#[test]
fn a_policy_changed_between_plan_and_apply_of_a_rerun_is_refused_by_the_provider() {
    let aws = AwsEndpoint::start();
    seed_locked(&aws);
    let w = workdir(&aws, &unlock_hcl("locked", LOCKED, ""));
    w.apply();
    let lock = policy_of(&aws, LOCKED);
    assert_eq!(lock, Value::Null, "unlocked");
    let removed: Value = serde_json::from_str(
        w.resource_values("rootaccess_bucket_policy_unlock.locked")["removed_policy"]
            .as_str()
            .expect("removed_policy"),
    )
    .expect("JSON");
    // The lock comes back: the refresh sees it, the plan unlocks again and
    // shows the policy that goes.
    root_put_policy(&aws, LOCKED, &removed);
    let plan = w.terraform(&["plan", "-out=tfplan", "-no-color"]).ok();
    assert!(
        plan.stdout().contains("unlocked") && plan.stdout().contains("false -> true"),
        "{}",
        plan.stdout()
    );
    // Someone swaps the policy after the plan was approved: Terraform's
    // final plan matches the approved one (the plan read nothing new), and
    // the provider refuses to remove a policy nobody saw.
    let other = json!({"Version": "2012-10-17", "Statement": [{"Sid": "Other", "Effect": "Deny",
                       "Principal": "*", "Action": "s3:*", "Resource": format!("arn:aws:s3:::{LOCKED}")}]});
    root_put_policy(&aws, LOCKED, &other);
    let run = w.terraform(&["apply", "-no-color", "tfplan"]).fails_with(&[
        "The policy of bucket dev-locked-bucket of account 111111111111 changed after the plan",
        "Other",
        "Nothing was changed",
    ]);
    assert!(
        !run.text().contains("inconsistent final plan"),
        "{}",
        run.text()
    );
    assert_eq!(
        policy_of(&aws, LOCKED),
        other,
        "the unapproved policy stays"
    );
    // Issue 22: the bucket is locked again, whatever its statements: the
    // next plan shows the unlock of the policy that is there now, and an
    // apply of it unlocks (it used to plan "No changes").
    let plan = w.terraform(&["plan", "-no-color"]).ok();
    assert!(
        plan.stdout().contains("false -> true") && plan.stdout().contains("Other"),
        "{}",
        plan.stdout()
    );
    w.apply();
    assert_eq!(policy_of(&aws, LOCKED), Value::Null);
}

/// Issue 22: the unlock follows the account-state rules the README states:
/// a member suspended after the unlock keeps its resource unrefreshed with
/// a warning and the plan changes nothing; a new unlock there is refused at
/// plan, and so is an import.
#[test]
fn a_suspended_account_keeps_its_unlock_unrefreshed_and_refuses_new_ones() {
    let aws = AwsEndpoint::start();
    seed_locked(&aws);
    let w = workdir(&aws, &unlock_hcl("locked", LOCKED, ""));
    w.apply();
    aws.put_json(
        &format!("/accounts/{DEV}/state"),
        json!({"state": "SUSPENDED"}),
    );
    let plan = w.terraform(&["plan", "-detailed-exitcode", "-no-color"]);
    assert_eq!(plan.code(), 0, "{}", plan.text());
    assert!(
        support::flatten(&plan.text()).contains(
            "Account 111111111111 is not active; unlock of s3://dev-locked-bucket kept unrefreshed"
        ),
        "{}",
        plan.text()
    );
    w.write_config(&format!(
        "{}{}{}",
        aws.provider_hcl(),
        unlock_hcl("locked", LOCKED, ""),
        unlock_hcl("other", "dev-other-bucket", "")
    ));
    w.terraform(&["plan", "-no-color"])
        .fails_with(&["The account is not active", "SUSPENDED"]);
    let fresh = workdir(&aws, &unlock_hcl("locked", LOCKED, ""));
    fresh
        .terraform(&[
            "import",
            "-no-color",
            "rootaccess_bucket_policy_unlock.locked",
            &format!("{DEV}/{LOCKED}"),
        ])
        .fails_with(&["Cannot import rootaccess_bucket_policy_unlock for account 111111111111"]);
}
