//! What the plan shows against what the apply finds (changes in between, plans that cannot read), and faults: throttling, features off, a suspended account.

use super::*;

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
