//! Create, drift, partial failure, import, and what a plan shows before the apply.

use super::*;

#[test]
fn create_deletes_every_root_credential_and_records_what_it_removed() {
    let aws = AwsEndpoint::start();
    let seeded = aws.seed_standard();
    let before = &seeded["accounts"][DEV]["root_credentials"];
    let keys = ids(before, "access_keys", "access_key_id");
    let certs = ids(before, "signing_certificates", "certificate_id");
    let mfa = ids(before, "mfa_devices", "serial_number");
    assert_eq!((keys.len(), certs.len(), mfa.len()), (2, 1, 1));

    let w = Workdir::new(&format!("{}{}", aws.provider_hcl(), resource(DEV, "")));
    // The plan audits the account and shows what apply deletes before
    // anything happens (issue 13, case 6: it used to say "known after apply").
    let plan = w.terraform(&["plan", "-no-color"]).ok();
    let text = support::flatten(&plan.text());
    assert!(text.contains("present_access_key_ids = []"), "{text}");
    for key in &keys {
        assert!(text.contains(key.as_str()), "{key} in {text}");
    }
    assert!(text.contains(mfa[0].as_str()), "{text}");
    assert!(text.contains("removed_password = true"), "{text}");
    assert!(
        text.contains("Root credentials present in account 111111111111"),
        "{text}"
    );

    aws.delete("/calls");
    w.apply();
    assert_clean(&aws, DEV);

    let s = state_of(&w);
    assert_eq!(s["id"], DEV);
    assert_eq!(strings(&s["removed_access_key_ids"]), keys);
    assert_eq!(strings(&s["removed_signing_certificate_ids"]), certs);
    assert_eq!(strings(&s["removed_mfa_serials"]), mfa);
    assert_eq!(s["removed_password"], true);
    assert_eq!(s["present_password"], false);
    assert_eq!(s["present_access_key_ids"], json!([]));
    assert_eq!(
        strings(&s["credential_types"]),
        [
            "access_keys",
            "mfa_devices",
            "password",
            "signing_certificates"
        ]
    );

    // Exactly one deletion per credential, and one root session per task and
    // provider process: the plan audits (one session); Terraform's re-plan in
    // the apply plans from that audit (the plan memory: no session); apply
    // deletes exactly what the plan showed in one IAMDeleteRootUserCredentials
    // session, without listing again; of the two plans that follow, only the
    // refreshing one audits (one session).
    assert_eq!(calls_in(&aws, DEV, "DeleteAccessKey"), 2);
    assert_eq!(calls_in(&aws, DEV, "DeleteLoginProfile"), 1);
    assert_eq!(calls_in(&aws, DEV, "DeleteSigningCertificate"), 1);
    assert_eq!(calls_in(&aws, DEV, "DeactivateMFADevice"), 1);
    assert_eq!(sessions(&aws, DEV, "IAMDeleteRootUserCredentials"), 1);
    assert_eq!(sessions(&aws, DEV, "IAMAuditRootUserCredentials"), 2);
    // The audit of a clean account is one summary call, no listing.
    assert_eq!(calls_in(&aws, DEV, "GetAccountSummary"), 2);
    assert_eq!(
        calls_in(&aws, DEV, "ListAccessKeys"),
        1,
        "only the plan's audit lists; neither the re-plan nor the apply does"
    );

    // No session credentials anywhere in the state (the endpoint's record
    // of every root session it issued, secrets included).
    let state_text = w.state_text();
    let sessions = aws.get("/sessions?secrets=1");
    let issued = sessions["sessions"].as_array().cloned().unwrap_or_default();
    assert!(!issued.is_empty(), "{sessions}");
    for session in issued {
        for field in ["access_key_id", "secret_access_key", "session_token"] {
            let secret = session[field].as_str().unwrap_or_default();
            assert!(!secret.is_empty(), "{field} in {session}");
            assert!(
                !state_text.contains(secret),
                "root session {field} in state"
            );
        }
    }
    assert!(!state_text.contains(&aws.secret_access_key));

    // Destroy forgets the resource, says nothing is restored, and restores nothing.
    let run = w.destroy();
    let text = support::flatten(&run.text());
    assert!(text.contains("Root credentials are not restored"), "{text}");
    assert_clean(&aws, DEV);
    assert_eq!(state_of(&w), Value::Null);
}

#[test]
fn a_subset_of_types_leaves_the_others_and_adding_a_type_updates_in_place() {
    let aws = AwsEndpoint::start();
    aws.seed_standard();
    let w = Workdir::new(&format!(
        "{}{}",
        aws.provider_hcl(),
        resource(DEV, "  credential_types = [\"access_keys\"]\n")
    ));
    w.apply();
    let rc = root_credentials(&aws, DEV);
    assert_eq!(rc["access_keys"], json!([]));
    assert_ne!(rc["login_profile"], Value::Null, "password untouched");
    assert_eq!(rc["mfa_devices"].as_array().map(Vec::len), Some(1));
    assert_eq!(rc["signing_certificates"].as_array().map(Vec::len), Some(1));
    // Unmanaged kinds are reported as they are, never hidden.
    let s = state_of(&w);
    assert_eq!(s["present_password"], true);
    assert_eq!(s["present_mfa_serials"].as_array().map(Vec::len), Some(1));
    assert_eq!(s["removed_password"], false);

    // Adding a kind is an in-place update that deletes it.
    w.write_config(&format!(
        "{}{}",
        aws.provider_hcl(),
        resource(
            DEV,
            "  credential_types = [\"access_keys\", \"password\"]\n"
        )
    ));
    let actions = w.planned_actions();
    assert_eq!(
        actions,
        vec![(
            "rootaccess_member_credentials_absent.dev".to_string(),
            vec!["update".to_string()]
        )]
    );
    let plan = w.terraform(&["plan", "-no-color"]).ok();
    let text = support::flatten(&plan.text());
    assert!(
        text.contains("~ present_password = true -> false"),
        "the plan shows the password going: {text}"
    );
    w.apply();
    let rc = root_credentials(&aws, DEV);
    assert_eq!(rc["login_profile"], Value::Null);
    assert_eq!(rc["mfa_devices"].as_array().map(Vec::len), Some(1));
    let s = state_of(&w);
    assert_eq!(s["removed_password"], true);
    assert_eq!(
        s["removed_access_key_ids"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(s["present_password"], false);
}

#[test]
fn credentials_that_come_back_are_drift_the_plan_names_and_apply_deletes() {
    let aws = AwsEndpoint::start();
    aws.seed_standard();
    let w = Workdir::new(&format!("{}{}", aws.provider_hcl(), resource(DEV, "")));
    w.apply();
    let removed_before = strings(&state_of(&w)["removed_access_key_ids"]);

    // Someone signs in as root and creates a password and an access key again.
    aws.put_json(
        &format!("/accounts/{DEV}/root-credentials"),
        json!({"password": true, "access_keys": [{"access_key_id": "AKIADRIFT00000000001"}]}),
    );
    let plan = w.terraform(&["plan", "-detailed-exitcode", "-no-color"]);
    assert_eq!(
        plan.code(),
        2,
        "drift must make the plan non-empty:\n{}",
        plan.text()
    );
    let text = support::flatten(&plan.text());
    for needle in [
        "will be updated in-place",
        "- \"AKIADRIFT00000000001\"",
        // The plan knows what apply will record as removed.
        "+ \"AKIADRIFT00000000001\"",
        "(2 unchanged elements hidden)",
        "~ present_password = true -> false",
        "Root credentials present in account 111111111111",
        "access key AKIADRIFT00000000001",
    ] {
        assert!(
            text.contains(needle),
            "{needle:?} missing from plan: {text}"
        );
    }

    w.apply();
    assert_clean(&aws, DEV);
    let s = state_of(&w);
    let mut expected = removed_before.clone();
    expected.push("AKIADRIFT00000000001".into());
    expected.sort();
    assert_eq!(
        strings(&s["removed_access_key_ids"]),
        expected,
        "removals accumulate"
    );
    assert_eq!(s["present_access_key_ids"], json!([]));
}

#[test]
fn a_credential_created_between_plan_and_apply_of_a_create_waits_for_the_next_plan() {
    let aws = AwsEndpoint::start();
    aws.seed_standard();
    let planned =
        json!({"password": true, "access_keys": [{"access_key_id": "AKIAPLANNED000000001"}]});
    aws.put_json(&format!("/accounts/{DEV}/root-credentials"), planned);
    let w = Workdir::new(&format!("{}{}", aws.provider_hcl(), resource(DEV, "")));
    w.terraform(&["plan", "-out=tfplan", "-no-color"]).ok();
    // A key appears after the plan was approved.
    let later = json!({"password": true, "access_keys": [
        {"access_key_id": "AKIAPLANNED000000001"}, {"access_key_id": "AKIALATER00000000001"}]});
    aws.put_json(&format!("/accounts/{DEV}/root-credentials"), later);
    // Terraform's re-plan before the apply plans what the plan showed (it
    // used to audit again and stop with "inconsistent final plan ... bug in
    // the provider"), and the apply deletes exactly that.
    w.terraform(&["apply", "-no-color", "tfplan"]).ok();
    let rc = root_credentials(&aws, DEV);
    assert_eq!(rc["login_profile"], Value::Null, "{rc}");
    assert_eq!(
        ids(&rc, "access_keys", "access_key_id"),
        ["AKIALATER00000000001"]
    );
    assert_eq!(
        strings(&state_of(&w)["removed_access_key_ids"]),
        ["AKIAPLANNED000000001"]
    );
    // The next plan finds the new key and names it.
    let plan = w.terraform(&["plan", "-detailed-exitcode", "-no-color"]);
    assert_eq!(plan.code(), 2, "{}", plan.text());
    assert!(
        support::flatten(&plan.text()).contains("access key AKIALATER00000000001"),
        "{}",
        plan.text()
    );
    w.apply();
    assert_clean(&aws, DEV);
}

#[test]
fn partial_failure_deletes_the_rest_reports_what_is_left_and_a_reapply_finishes() {
    let aws = AwsEndpoint::start();
    aws.seed_standard();
    // One of the two key deletions fails (no SDK retries).
    aws.post(
        "/faults",
        json!({"service": "iam", "action": "DeleteAccessKey", "errors": 1, "status": 500}),
    );
    let w = Workdir::new(&format!(
        "{}{}",
        provider_no_retries(&aws),
        resource(DEV, "")
    ));
    let run = w
        .terraform(&["apply", "-auto-approve", "-no-color"])
        .fails_with(&[
            "Root credentials of account 111111111111 only partly deleted: 1 left",
            "Still present:",
            "iam:DeleteAccessKey failed",
            "Run terraform apply again",
        ]);
    // Every other deletion ran.
    let rc = root_credentials(&aws, DEV);
    assert_eq!(rc["login_profile"], Value::Null);
    assert_eq!(rc["mfa_devices"], json!([]));
    assert_eq!(rc["signing_certificates"], json!([]));
    let left = ids(&rc, "access_keys", "access_key_id");
    assert_eq!(left.len(), 1);
    // The error names the key that is left, and the state does not lie.
    let text = support::flatten(&run.text());
    assert!(text.contains(&format!("access key {}", left[0])), "{text}");
    let s = state_of(&w);
    assert_eq!(strings(&s["present_access_key_ids"]), left);
    assert_eq!(s["present_password"], false);
    assert_eq!(
        s["removed_access_key_ids"].as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(s["__tainted"], true, "a failed create is tainted");

    // The next apply finishes the job (the tainted resource is replaced).
    let plan = w.terraform(&["plan", "-no-color"]).ok();
    assert!(
        support::flatten(&plan.text()).contains(&format!("- \"{}\"", left[0])),
        "the plan names the leftover key: {}",
        plan.text()
    );
    w.apply();
    assert_clean(&aws, DEV);
    assert_eq!(state_of(&w)["present_access_key_ids"], json!([]));
}

#[test]
fn partial_failure_during_an_update_keeps_the_leftover_in_state_for_the_next_apply() {
    let aws = AwsEndpoint::start();
    aws.seed_standard();
    let w = Workdir::new(&format!(
        "{}{}",
        provider_no_retries(&aws),
        resource(DEV, "")
    ));
    w.apply();
    aws.put_json(
        &format!("/accounts/{DEV}/root-credentials"),
        json!({"access_keys": 2, "signing_certificates": 1}),
    );
    aws.post(
        "/faults",
        json!({"service": "iam", "action": "DeleteSigningCertificate", "errors": 1, "status": 500}),
    );
    w.terraform(&["apply", "-auto-approve", "-no-color"])
        .fails_with(&["only partly deleted: 1 left", "signing certificate"]);
    let rc = root_credentials(&aws, DEV);
    assert_eq!(rc["access_keys"], json!([]), "the keys went anyway");
    let cert = ids(&rc, "signing_certificates", "certificate_id");
    assert_eq!(cert.len(), 1);
    let s = state_of(&w);
    assert_eq!(strings(&s["present_signing_certificate_ids"]), cert);
    assert_ne!(s["__tainted"], true, "a failed update does not taint");
    // Without refresh the plan still shows what is left, from the state alone.
    let plan = w.terraform(&["plan", "-refresh=false", "-detailed-exitcode", "-no-color"]);
    assert_eq!(plan.code(), 2, "{}", plan.text());
    w.apply();
    assert_clean(&aws, DEV);
}

#[test]
fn a_failing_audit_fails_the_plan_deletes_nothing_and_says_why() {
    let aws = AwsEndpoint::start();
    aws.seed_standard();
    aws.post(
        "/faults",
        // The plan's audit: a plan that could not read never looks clean
        // (issue 22); it used to plan "known after apply" silently.
        json!({"service": "iam", "action": "ListSigningCertificates", "errors": 1, "status": 500}),
    );
    let w = Workdir::new(&format!(
        "{}{}",
        provider_no_retries(&aws),
        resource(DEV, "")
    ));
    let run = w
        .terraform(&["apply", "-auto-approve", "-no-color"])
        .fails_with(&[
            "Could not audit the root credentials of account 111111111111",
            "iam:ListSigningCertificates failed",
        ]);
    assert!(!run.text().contains("Plan:"), "{}", run.text());
    let rc = root_credentials(&aws, DEV);
    assert_ne!(rc["login_profile"], Value::Null, "nothing deleted blindly");
    assert_eq!(state_of(&w), Value::Null);
    w.apply();
    assert_clean(&aws, DEV);
}

#[test]
fn import_by_account_id_with_the_cli_and_with_an_import_block() {
    let aws = AwsEndpoint::start();
    aws.seed_standard();
    // CLI import of an account that still has credentials: the plan then deletes them.
    let w = Workdir::new(&format!("{}{}", aws.provider_hcl(), resource(DEV, "")));
    w.terraform(&[
        "import",
        "-no-color",
        "rootaccess_member_credentials_absent.dev",
        DEV,
    ])
    .ok();
    let s = state_of(&w);
    assert_eq!(s["account_id"], DEV);
    assert_eq!(s["present_password"], true);
    assert_eq!(
        s["present_access_key_ids"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(s["removed_access_key_ids"], json!([]));
    assert_eq!(
        w.planned_actions(),
        vec![(
            "rootaccess_member_credentials_absent.dev".to_string(),
            vec!["update".to_string()]
        )]
    );
    w.apply();
    assert_clean(&aws, DEV);

    // An import block for an account without root credentials plans as a no-op.
    let w2 = Workdir::new(&format!(
        "{}{}import {{\n  to = rootaccess_member_credentials_absent.dev\n  id = \"222222222222\"\n}}\n",
        aws.provider_hcl(),
        resource("222222222222", "")
    ));
    let plan = w2.plan_json();
    let change = &plan["resource_changes"][0];
    assert_eq!(change["change"]["actions"], json!(["no-op"]), "{change}");
    assert!(change["change"]["importing"].is_object(), "{change}");
    w2.apply();
    assert_eq!(state_of(&w2)["account_id"], "222222222222");

    // A malformed id is refused with the expected format.
    let w3 = Workdir::new(&format!("{}{}", aws.provider_hcl(), resource(DEV, "")));
    w3.terraform(&[
        "import",
        "-no-color",
        "rootaccess_member_credentials_absent.dev",
        "dev-account",
    ])
    .fails_with(&[
        "Invalid import id",
        "exactly 12 digits",
        "e.g. 111122223333",
    ]);
}

#[test]
fn the_documented_example_applies() {
    let aws = AwsEndpoint::start();
    aws.seed(json!({
        "organization": {"feature_set": "ALL"},
        "trusted_access": ["iam.amazonaws.com"],
        "features": ["RootCredentialsManagement"],
        "accounts": [
            {"id": DEV, "root_credentials": {"password": true, "access_keys": 1}},
            {"id": "333333333333", "root_credentials": {"password": true, "mfa_devices": 1}}
        ]
    }));
    let example = std::fs::read_to_string(
        support::repo_root()
            .join("examples/resources/rootaccess_member_credentials_absent/resource.tf"),
    )
    .expect("example");
    let w = Workdir::new(&format!("{}{example}", aws.provider_hcl()));
    w.apply();
    assert_clean(&aws, DEV);
    let prod = root_credentials(&aws, "333333333333");
    assert!(
        prod["login_profile"].is_object(),
        "the password stays: {prod}"
    );
    assert_eq!(prod["mfa_devices"], json!([]));
    assert_eq!(
        w.outputs()["deleted_root_access_keys"]["value"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
}

/// Issue 13, case 6: a new account_id is a replacement whose plan audits the
/// new account; nothing of the old account's credentials is shown for it.
#[test]
fn a_new_account_id_plans_the_new_accounts_credentials_not_the_old_ones() {
    let aws = AwsEndpoint::start();
    let seeded = aws.seed_standard();
    let old_keys = ids(
        &seeded["accounts"][DEV]["root_credentials"],
        "access_keys",
        "access_key_id",
    );
    let w = Workdir::new(&format!("{}{}", aws.provider_hcl(), resource(DEV, "")));
    // Keys come back in the old account after the apply: still not the new
    // account's business.
    w.apply();
    aws.put_json(
        &format!("/accounts/{DEV}/root-credentials"),
        json!({"access_keys": [{"access_key_id": old_keys[0]}]}),
    );
    aws.put_json(
        "/accounts/222222222222/root-credentials",
        json!({"password": true, "access_keys": [{"access_key_id": "AKIANEWACCOUNTKEY001"}]}),
    );
    w.write_config(&format!(
        "{}{}",
        aws.provider_hcl(),
        resource("222222222222", "")
    ));
    let plan = w.terraform(&["plan", "-no-color"]).ok();
    let text = support::flatten(&plan.text());
    assert!(text.contains("must be replaced"), "{text}");
    assert!(
        text.contains("Root credentials present in account 222222222222"),
        "{text}"
    );
    assert!(text.contains("AKIANEWACCOUNTKEY001"), "{text}");
    assert!(
        !text.contains(&format!("present in account {DEV}")),
        "{text}"
    );
    let warning = text
        .split("Root credentials present in account 222222222222")
        .nth(1)
        .unwrap_or_default();
    assert!(
        !warning.contains(&old_keys[0]),
        "old key in the new account's warning: {text}"
    );
    w.apply();
    let new = &aws.account("222222222222")["root_credentials"]["present"];
    assert_eq!(new["password"], false, "{new}");
    assert_eq!(new["access_keys"], false, "{new}");
}
