//! The AWS core against the local endpoint: root sessions are cached, shared,
//! refreshed, single-flight; retries absorb throttling and 5xx; Stop cancels;
//! AWS errors are classified so diagnostics can say what to do.

use crate::support;

use std::sync::Arc;
use std::time::Duration;

use aws_root_access::task_policy::TaskPolicy;
use aws_root_access::{AwsClients, AwsError, AwsSettings, ErrorKind};
use serde_json::json;
use support::aws::AwsEndpoint;

async fn account_summary(
    iam: aws_sdk_iam::Client,
) -> Result<aws_sdk_iam::operation::get_account_summary::GetAccountSummaryOutput, AwsError> {
    iam.get_account_summary()
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("iam:GetAccountSummary", e))
}

async fn clients(aws: &AwsEndpoint, tweak: impl FnOnce(&mut AwsSettings)) -> AwsClients {
    let mut settings = aws.aws_settings();
    tweak(&mut settings);
    AwsClients::new(settings).await.expect("clients")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_share_one_session_per_account_and_task() {
    let aws = AwsEndpoint::start();
    aws.seed_standard();
    let c = Arc::new(clients(&aws, |_| {}).await);
    let mut tasks = Vec::new();
    for _ in 0..12 {
        let c = c.clone();
        tasks.push(tokio::spawn(async move {
            c.root_session("111111111111", TaskPolicy::IamAuditRootUserCredentials)
                .await
        }));
    }
    let mut keys = std::collections::HashSet::new();
    for t in tasks {
        keys.insert(
            t.await
                .expect("join")
                .expect("session")
                .access_key_id()
                .to_string(),
        );
    }
    assert_eq!(keys.len(), 1, "every caller got the same session");
    assert_eq!(aws.assume_root_total(), 1);
    // Another task policy is another session.
    c.root_session("111111111111", TaskPolicy::IamDeleteRootUserCredentials)
        .await
        .expect("session");
    assert_eq!(aws.assume_root_total(), 2);
    // The session really acts as the member's root user.
    let iam = c
        .root_iam("111111111111", TaskPolicy::IamAuditRootUserCredentials)
        .await
        .expect("iam");
    let summary = iam.call(account_summary).await.expect("GetAccountSummary");
    let map = summary.summary_map.unwrap_or_default();
    assert_eq!(
        map.get(&aws_sdk_iam::types::SummaryKeyType::AccountAccessKeysPresent),
        Some(&1)
    );
}

#[tokio::test]
async fn a_short_session_is_reused_within_its_lifetime_and_renewed_near_its_end() {
    let aws = AwsEndpoint::start();
    aws.seed_standard();
    // A 60 s session is renewed 15 s before its end, not before every call.
    let c = clients(&aws, |s| s.root_session_duration = Duration::from_secs(60)).await;
    for _ in 0..5 {
        c.root_session("111111111111", TaskPolicy::IamAuditRootUserCredentials)
            .await
            .expect("session");
    }
    assert_eq!(aws.assume_root_total(), 1, "one AssumeRoot for five uses");
    // Sessions issued by a clock 50 s behind this one have 10 s left, inside
    // the 15 s margin: each use renews.
    aws.post("/clock", json!({"offset_seconds": -50}));
    let c = clients(&aws, |s| s.root_session_duration = Duration::from_secs(60)).await;
    for _ in 0..2 {
        c.root_session("111111111111", TaskPolicy::IamAuditRootUserCredentials)
            .await
            .expect("session");
    }
    assert_eq!(aws.assume_root_total(), 3);
    // 900 s sessions are reused.
    aws.post("/clock", json!({"offset_seconds": 0}));
    let c = clients(&aws, |_| {}).await;
    for _ in 0..2 {
        c.root_session("111111111111", TaskPolicy::IamAuditRootUserCredentials)
            .await
            .expect("session");
    }
    assert_eq!(aws.assume_root_total(), 4);
}

#[tokio::test]
async fn a_session_rejected_before_its_expiry_is_renewed_once() {
    let aws = AwsEndpoint::start();
    aws.seed_standard();
    let c = clients(&aws, |_| {}).await;
    let iam = c
        .root_iam("111111111111", TaskPolicy::IamAuditRootUserCredentials)
        .await
        .expect("iam");
    iam.call(account_summary).await.expect("first call");
    // AWS now answers ExpiredToken for the cached session, 15 minutes early.
    aws.post("/sessions/expire", json!({}));
    iam.call(account_summary)
        .await
        .expect("renewed and retried");
    assert_eq!(aws.assume_root_total(), 2);
    let calls = aws.calls();
    assert_eq!(
        calls["calls"]["111111111111"]["iam"]["GetAccountSummary"], 3,
        "one call, one rejected, one retried: {calls}"
    );
    // The cache holds the new session: a new client for the task reuses it.
    let again = c
        .root_iam("111111111111", TaskPolicy::IamAuditRootUserCredentials)
        .await
        .expect("iam");
    again.call(account_summary).await.expect("cached session");
    assert_eq!(aws.assume_root_total(), 2);
}

#[tokio::test]
async fn a_session_rejected_twice_is_reported_as_a_root_session_problem() {
    let aws = AwsEndpoint::start();
    aws.seed_standard();
    // 1 s sessions and 1.2 s of latency: every session has expired by the
    // time AWS checks it, the renewed one too.
    aws.post(
        "/faults",
        json!({"service": "iam", "action": "GetAccountSummary", "latency_ms": 1200}),
    );
    let c = clients(&aws, |s| s.root_session_duration = Duration::from_secs(1)).await;
    let iam = c
        .root_iam("111111111111", TaskPolicy::IamAuditRootUserCredentials)
        .await
        .expect("iam");
    let err = iam.call(account_summary).await.expect_err("expired twice");
    assert_eq!(err.kind, ErrorKind::RootSessionRejected, "{err}");
    assert_eq!(aws.assume_root_total(), 2, "renewed once, not in a loop");
}

#[tokio::test]
async fn throttling_and_server_errors_are_retried() {
    let aws = AwsEndpoint::start();
    aws.seed_standard();
    aws.post(
        "/faults",
        json!({"service": "sts", "action": "AssumeRoot", "throttle": 2}),
    );
    aws.post(
        "/faults",
        json!({"service": "iam", "action": "GetAccountSummary", "errors": 2, "status": 503}),
    );
    let c = clients(&aws, |_| {}).await;
    let iam = c
        .root_iam("111111111111", TaskPolicy::IamAuditRootUserCredentials)
        .await
        .expect("session despite throttling");
    iam.call(account_summary)
        .await
        .expect("summary despite 503s");
    let faults = aws.get("/faults");
    assert_eq!(faults["faults"][0]["fired_throttle"], 2, "{faults}");
    assert_eq!(faults["faults"][1]["fired_errors"], 2, "{faults}");
    // With retries off the same throttling is an error, classified as such.
    aws.delete("/faults");
    aws.post(
        "/faults",
        json!({"service": "sts", "action": "AssumeRoot", "throttle": 5}),
    );
    let c = clients(&aws, |s| s.max_retries = 0).await;
    let err = c
        .root_session("111111111111", TaskPolicy::S3UnlockBucketPolicy)
        .await
        .expect_err("throttled");
    assert_eq!(err.kind, ErrorKind::Throttled, "{err}");
}

#[tokio::test]
async fn stop_cancels_calls_in_flight() {
    let aws = AwsEndpoint::start();
    aws.seed_standard();
    aws.post(
        "/faults",
        json!({"service": "sts", "action": "AssumeRoot", "latency_ms": 5000}),
    );
    let c = Arc::new(clients(&aws, |_| {}).await);
    let c2 = c.clone();
    let pending = tokio::spawn(async move {
        c2.root_session("111111111111", TaskPolicy::IamAuditRootUserCredentials)
            .await
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let started = std::time::Instant::now();
    c.stop();
    let err = pending.await.expect("join").expect_err("cancelled");
    assert!(err.message.contains("stop"), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
}

#[tokio::test]
async fn errors_are_classified_for_the_user() {
    let aws = AwsEndpoint::start();
    aws.seed(json!({
        "organization": {"feature_set": "ALL"},
        "trusted_access": ["iam.amazonaws.com"],
        "features": ["RootCredentialsManagement"],
        "accounts": [{"id": "111111111111"}, {"id": "444444444444", "status": "SUSPENDED"}]
    }));
    let c = clients(&aws, |_| {}).await;
    let err = c
        .root_session("111111111111", TaskPolicy::S3UnlockBucketPolicy)
        .await
        .expect_err("RootSessions is off");
    assert_eq!(err.kind, ErrorKind::FeatureNotEnabled, "{err}");
    let err = c
        .root_session("123456789012", TaskPolicy::IamAuditRootUserCredentials)
        .await
        .expect_err("management");
    assert_eq!(err.kind, ErrorKind::AccessDenied, "{err}");
    let err = c
        .root_session("444444444444", TaskPolicy::IamAuditRootUserCredentials)
        .await
        .expect_err("suspended");
    assert_eq!(err.kind, ErrorKind::AccessDenied, "{err}");
    // The caller-side secrets never appear in an error.
    assert!(!err.to_string().contains(&aws.secret_access_key));
    // Trusted access off.
    aws.seed(json!({"organization": {"feature_set": "ALL"}, "accounts": [{"id": "111111111111"}]}));
    let err = c
        .root_session("111111111111", TaskPolicy::IamAuditRootUserCredentials)
        .await
        .expect_err("no trusted access");
    assert_eq!(err.kind, ErrorKind::TrustedAccessOff, "{err}");
}
