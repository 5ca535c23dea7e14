//! Benchmark of `terraform query` on the list resource
//! `rootaccess_member_credentials_absent`, driven by the real Terraform CLI
//! against the local AWS endpoint, with `cargo bench --bench query`: 10, 100
//! and 1,000 member accounts with a fixed latency injected into every AWS
//! call. Reported beside the ideal `calls x latency /
//! max_concurrent_requests` and the floor that the organization listing
//! sets: its pages (ListAccounts, 20 accounts a page) can only be read one
//! after another, before the audits.
//! Under `cargo test` it runs the smallest case once as a smoke test.
//! Figures: BENCHMARKS.md.

#[path = "../tests/it/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use serde_json::json;
use support::Workdir;
use support::aws::AwsEndpoint;

/// Per call; see benches/org_audit.rs for why (the endpoint's own rate).
const LATENCY_MS: u64 = 250;
const CONCURRENCY: u64 = 16;

/// Every tenth member has a root password and an access key.
fn seed(aws: &AwsEndpoint, members: usize) -> usize {
    let accounts: Vec<_> = (1..=members)
        .map(|i| {
            let id = format!("{:012}", 100_000_000_000u64 + i as u64);
            if i % 10 == 1 {
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
    members.div_ceil(10)
}

fn main() {
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let sizes: &[usize] = if benchmarking {
        &[10, 100, 1000]
    } else {
        &[10]
    };
    let aws = AwsEndpoint::start();
    println!(
        "{:>8} {:>7} {:>9} {:>11} {:>11} {:>11} {:>11}",
        "members", "listed", "calls", "elapsed", "ideal", "floor", "floor/real"
    );
    for &members in sizes {
        let with_credentials = seed(&aws, members);
        let provider = aws.provider_hcl().replacen(
            "provider \"rootaccess\" {\n",
            &format!("provider \"rootaccess\" {{\n  max_concurrent_requests = {CONCURRENCY}\n"),
            1,
        );
        let w = Workdir::new(&provider);
        w.write_file(
            "members.tfquery.hcl",
            &format!(
                "list \"rootaccess_member_credentials_absent\" \"members\" {{\n  provider = rootaccess\n  limit    = {}\n}}\n",
                members + 1
            ),
        );
        // Warm-up without latency: Terraform's and moto's first-use costs.
        w.terraform(&["query", "-no-color"]).ok();
        aws.post("/faults", json!({"service": "*", "latency_ms": LATENCY_MS}));
        aws.delete("/calls");
        let t = Instant::now();
        let out = w.terraform(&["query", "-no-color"]).ok().text();
        let elapsed = t.elapsed();
        aws.delete("/faults");
        let listed = out.lines().filter(|l| l.starts_with("list.")).count();
        assert_eq!(listed, with_credentials, "{out}");
        let calls = aws.calls()["total"].as_u64().unwrap_or(0);
        let ideal = Duration::from_millis(calls * LATENCY_MS / CONCURRENCY);
        // The floor: DescribeOrganization and the ListAccounts pages one
        // after another (each needs the previous page's token), then the
        // audits at full concurrency.
        let org_calls = 1 + members.div_ceil(20) as u64;
        let floor = Duration::from_millis(
            org_calls * LATENCY_MS + (calls - org_calls) * LATENCY_MS / CONCURRENCY,
        );
        println!(
            "{members:>8} {listed:>7} {calls:>9} {:>11.2?} {:>11.2?} {:>11.2?} {:>10.0}%",
            elapsed,
            ideal,
            floor,
            100.0 * floor.as_secs_f64() / elapsed.as_secs_f64()
        );
    }
}
