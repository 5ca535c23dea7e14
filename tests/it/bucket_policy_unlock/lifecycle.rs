//! The unlock from create to destroy: drift, triggers, import, validation, regions, sessions, the documented example.

use super::*;

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
