//! Organizations of thousands of members, with `cargo bench --bench
//! org_scale`: for 1,000, 5,000 and 10,000 members (spread over ten
//! organizational units, every tenth with a root password and an access
//! key), `terraform apply` and then `terraform plan` of
//! `rootaccess_org_credentials_absent` for the whole organization, and of
//! the module with one resource per member (up to TF_BENCH_PER_ACCOUNT_MAX
//! members, 1,000 by default: Terraform alone needs minutes per thousand
//! instances beyond that). Reported per command: AWS calls and root
//! sessions, wall time, the provider's CPU seconds and peak RSS, Terraform's
//! CPU seconds and the local endpoint's. Then the two ways to list the
//! members, with TF_BENCH_LATENCY_MS (50 by default) injected into every
//! call: one ListAccounts chain over the organization, and each unit's
//! ListAccountsForParent with the units read concurrently. Under `cargo
//! test` it runs 30 members once as a smoke test. Figures: BENCHMARKS.md.

#[path = "common/measure.rs"]
mod measure;
#[path = "../tests/it/support/mod.rs"]
mod support;

use std::path::Path;
use std::time::Instant;

use serde_json::{Value, json};

use measure::{children_cpu, measured_provider, provider_usage};
use support::Workdir;
use support::aws::{AwsEndpoint, block_on};

const UNITS: usize = 10;

fn member(i: usize) -> String {
    format!("{:012}", 400_000_000_000u64 + i as u64)
}

/// `members` accounts in ten units; returns the unit ids.
fn seed(aws: &AwsEndpoint, members: usize) -> Vec<String> {
    let accounts: Vec<Value> = (1..=members)
        .map(|i| {
            let credentials = if i % 10 == 1 {
                json!({"password": true, "access_keys": 1})
            } else {
                json!({})
            };
            json!({"id": member(i), "name": format!("member-{i}"), "root_credentials": credentials})
        })
        .collect();
    let units: Vec<Value> = (0..UNITS)
        .map(|u| {
            let ids: Vec<String> = (1..=members)
                .filter(|i| i % UNITS == u)
                .map(member)
                .collect();
            json!({"name": format!("unit-{u}"), "accounts": ids})
        })
        .collect();
    let seeded = aws.seed(json!({
        "organization": {"feature_set": "ALL"},
        "features": ["RootCredentialsManagement", "RootSessions"],
        "trusted_access": ["iam.amazonaws.com"],
        "accounts": accounts,
        "organizational_units": units,
    }));
    (0..UNITS)
        .filter_map(|u| {
            seeded["organizational_units"][format!("unit-{u}")]
                .as_str()
                .map(str::to_string)
        })
        .collect()
}

/// A work directory whose Terraform runs the provider through the
/// measuring wrapper; returns it with the wrapper's log.
fn measured_workdir(aws: &AwsEndpoint, config: &str) -> (Workdir, tempfile::TempDir) {
    let w = Workdir::new(&format!("{}{config}", aws.provider_hcl()));
    let plugins = tempfile::tempdir().expect("plugin dir");
    measured_provider(plugins.path(), &plugins.path().join("usage.jsonl"));
    std::fs::write(
        w.path().join("cli.tfrc"),
        format!(
            "provider_installation {{\n  dev_overrides {{\n    \"{}\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
            support::PROVIDER_SOURCE,
            plugins.path().display()
        ),
    )
    .expect("cli config");
    (w, plugins)
}

/// Runs `apply` then `plan`, printing one line each.
fn run_commands(aws: &AwsEndpoint, members: usize, shape: &str, w: &Workdir, plugins: &Path) {
    let log = plugins.join("usage.jsonl");
    for command in ["apply", "plan"] {
        aws.delete("/calls");
        std::fs::remove_file(&log).ok();
        let args: &[&str] = if command == "apply" {
            &["apply", "-auto-approve", "-no-color"]
        } else {
            &["plan", "-detailed-exitcode", "-no-color"]
        };
        let (children_before, endpoint_before) = (children_cpu(), aws.cpu_seconds());
        let t = Instant::now();
        let run = w.terraform(args);
        let elapsed = t.elapsed();
        let endpoint_cpu = aws.cpu_seconds() - endpoint_before;
        let all_cpu = children_cpu() - children_before;
        assert_eq!(
            run.code(),
            0,
            "{shape} {command} at {members}:\n{}",
            run.text()
        );
        let calls = aws.calls();
        let (cpu, rss, starts) = provider_usage(&log);
        println!(
            "{members:>7} {shape:>12} {command:>6} {:>7} {:>8} {:>9.1?} {cpu:>8.2} {rss:>7.1} {starts:>6} {:>8.2} {endpoint_cpu:>8.2}",
            calls["total"].as_u64().unwrap_or(0),
            calls["assume_root_total"].as_u64().unwrap_or(0),
            elapsed,
            all_cpu - cpu,
        );
    }
}

/// Every member clean after the apply: the job was done.
fn assert_clean(aws: &AwsEndpoint, members: usize) {
    // Account by account: the whole /state at 10,000 members is over the
    // client's 10 MB limit for a JSON body.
    for i in (1..=members).filter(|i| i % 10 == 1) {
        let account = aws.account(&member(i));
        let rc = &account["root_credentials"];
        assert_eq!(rc["login_profile"], Value::Null, "{}: {rc}", member(i));
    }
}

/// The two listings, in process, with latency injected.
fn listings(aws: &AwsEndpoint, members: usize, units: &[String], latency: u64) {
    let clients = block_on(aws_root_access::AwsClients::new(aws.aws_settings())).expect("clients");
    aws.post(
        "/faults",
        json!({"service": "organizations", "latency_ms": latency}),
    );
    aws.delete("/calls");
    let t = Instant::now();
    let org = block_on(aws_root_access::organization::read(&clients)).expect("ListAccounts");
    let chain = (t.elapsed(), aws.calls()["total"].as_u64().unwrap_or(0));
    aws.delete("/calls");
    let t = Instant::now();
    let walked = block_on(aws_root_access::organization::accounts_under(
        &clients, units,
    ))
    .expect("walk");
    let walk = (t.elapsed(), aws.calls()["total"].as_u64().unwrap_or(0));
    aws.delete("/faults");
    assert_eq!(walked.len(), members, "the walk finds every member");
    assert_eq!(
        org.accounts.len(),
        members + 1,
        "the chain finds every account"
    );
    println!(
        "listing {members} members with {latency} ms a call: ListAccounts chain {:.1?} ({} calls); \
         {} units walked concurrently {:.1?} ({} calls)",
        chain.0,
        chain.1,
        units.len(),
        walk.0,
        walk.1
    );
}

fn main() {
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let only: Option<usize> = std::env::var("TF_BENCH_MEMBERS")
        .ok()
        .and_then(|v| v.parse().ok());
    let all: &[usize] = if benchmarking {
        &[1000, 5000, 10000]
    } else {
        &[30]
    };
    let sizes = only.map_or_else(|| all.to_vec(), |n| vec![n]);
    let per_account_max: usize = std::env::var("TF_BENCH_PER_ACCOUNT_MAX")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let latency: u64 = std::env::var("TF_BENCH_LATENCY_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let aws = AwsEndpoint::start();
    println!(
        "{:>7} {:>12} {:>6} {:>7} {:>8} {:>9} {:>8} {:>7} {:>6} {:>8} {:>8}",
        "members",
        "shape",
        "cmd",
        "calls",
        "sessions",
        "elapsed",
        "cpu s",
        "rss MB",
        "starts",
        "tf cpu",
        "aws cpu"
    );
    for members in sizes {
        seed(&aws, members);
        let (w, plugins) = measured_workdir(
            &aws,
            "resource \"rootaccess_org_credentials_absent\" \"all\" {}\n",
        );
        run_commands(&aws, members, "one resource", &w, plugins.path());
        assert_clean(&aws, members);
        if members <= per_account_max {
            seed(&aws, members);
            let module = support::repo_root().join("modules/organization-root-access");
            let config = format!(
                "module \"root_access\" {{\n  source          = \"{}\"\n  manage_features = false\n}}\n",
                module.display()
            );
            let (w, plugins) = measured_workdir(&aws, &config);
            w.terraform(&["init", "-no-color", "-backend=false"]).ok();
            run_commands(&aws, members, "per account", &w, plugins.path());
            assert_clean(&aws, members);
        }
        let units = seed(&aws, members);
        listings(&aws, members, &units, latency);
    }
}
