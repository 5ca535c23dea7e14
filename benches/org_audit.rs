//! Benchmark of the organization-wide root credentials audit (what the
//! `rootaccess_org_root_credentials` data source runs), with `cargo bench
//! --bench org_audit`: 10, 100 and 1,000 member accounts on the local AWS
//! endpoint with a fixed latency injected into every AWS call, against the
//! ideal `calls x latency / max_concurrent_requests`. Under `cargo test` it
//! runs the smallest case once as a smoke test. Figures: BENCHMARKS.md.

#[path = "../tests/it/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use aws_root_access::root_credentials::audit_many;
use aws_root_access::{AwsClients, AwsSettings};
use serde_json::json;
use support::aws::AwsEndpoint;

/// Per call. The endpoint (moto, one Python process) serves roughly 100-200
/// calls/s; at 250 ms x 16 in flight the demand is 64 calls/s, so what is
/// measured is the provider's concurrency, not the endpoint's limit.
const LATENCY_MS: u64 = 250;
const CONCURRENCY: usize = 16;

async fn clients(aws: &AwsEndpoint) -> AwsClients {
    AwsClients::new(AwsSettings {
        max_concurrent_requests: CONCURRENCY,
        ..aws.aws_settings()
    })
    .await
    .expect("clients")
}

/// Every tenth member still has a root password and an access key (three
/// calls to audit); the others are clean (two calls: AssumeRoot, GetAccountSummary).
fn seed(aws: &AwsEndpoint, members: usize) -> Vec<String> {
    let ids: Vec<String> = (1..=members)
        .map(|i| format!("{:012}", 100_000_000_000u64 + i as u64))
        .collect();
    let accounts: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            if i % 10 == 0 {
                json!({"id": id, "root_credentials": {"password": true, "access_keys": 1}})
            } else {
                json!({"id": id})
            }
        })
        .collect();
    aws.seed(json!({
        "organization": {"feature_set": "ALL"},
        "trusted_access": ["iam.amazonaws.com"],
        "features": ["RootCredentialsManagement"],
        "accounts": accounts
    }));
    ids
}

fn main() {
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let sizes: &[usize] = if benchmarking {
        &[10, 100, 1000]
    } else {
        &[10]
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let aws = AwsEndpoint::start();
    println!(
        "{:>8} {:>7} {:>12} {:>12} {:>10} {:>12}",
        "members", "calls", "elapsed", "ideal", "ideal/real", "no-latency"
    );
    for &members in sizes {
        let ids = seed(&aws, members);
        // Without latency first: what the endpoint itself costs (after a
        // warm-up, as moto loads its service backends on first use).
        let baseline = runtime.block_on(async {
            let c = clients(&aws).await;
            let _ = audit_many(&c, ids[..1].to_vec()).await;
            let c = clients(&aws).await;
            let t = Instant::now();
            let results = audit_many(&c, ids.clone()).await;
            assert!(results.iter().all(|(_, r)| r.is_ok()));
            t.elapsed()
        });
        aws.post("/faults", json!({"service": "*", "latency_ms": LATENCY_MS}));
        aws.delete("/calls");
        let elapsed = runtime.block_on(async {
            // A fresh client: no cached root sessions.
            let c = clients(&aws).await;
            let t = Instant::now();
            let results = audit_many(&c, ids.clone()).await;
            let elapsed = t.elapsed();
            let with_credentials = results
                .iter()
                .filter(|(_, r)| r.as_ref().is_ok_and(|c| !c.is_empty()))
                .count();
            assert_eq!(results.len(), members);
            assert_eq!(with_credentials, members.div_ceil(10));
            elapsed
        });
        aws.delete("/faults");
        let calls = aws.calls()["total"].as_u64().unwrap_or(0);
        let ideal = Duration::from_millis(calls * LATENCY_MS) / CONCURRENCY as u32;
        println!(
            "{members:>8} {calls:>7} {:>12.3?} {:>12.3?} {:>9.0}% {:>12.3?}",
            elapsed,
            ideal,
            100.0 * ideal.as_secs_f64() / elapsed.as_secs_f64(),
            baseline
        );
    }
}
