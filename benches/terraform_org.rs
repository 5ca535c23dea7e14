//! Terraform itself driving the provider at organization scale, with
//! `cargo bench --bench terraform_org`: `terraform apply` and then `terraform
//! plan` of examples/complete (the module for the whole organization) on the
//! local endpoint, for 10, 100 and 1,000 member accounts, with 50 ms injected
//! into every AWS call. Reported: wall time, AWS calls, root sessions, the
//! provider's CPU seconds and peak RSS (over all its processes: Terraform
//! starts it several times per command), beside the ideal `calls x latency /
//! parallelism` (Terraform's default -parallelism of 10). Under `cargo test`
//! it runs the smallest case once as a smoke test. Figures: BENCHMARKS.md.

#[path = "../tests/it/support/mod.rs"]
mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::Workdir;
use support::aws::AwsEndpoint;

/// Per AWS call (TF_BENCH_LATENCY_MS overrides it, e.g. 0 to see what the
/// endpoint and Terraform cost by themselves).
fn latency_ms() -> u64 {
    std::env::var("TF_BENCH_LATENCY_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50)
}
const PARALLELISM: u64 = 10;

/// The example's accounts (a locked bucket in 111..., the recovery account
/// 222..., a locked queue in 333...) and `members - 3` more; every tenth
/// member has a root password and an access key, every member of the
/// example's three its own mix.
fn seed(aws: &AwsEndpoint, members: usize) {
    let mut accounts = vec![
        json!({"id": "111111111111", "name": "workload-dev",
               "root_credentials": {"password": true, "access_keys": 2, "mfa_devices": 1},
               "buckets": [{"name": "dev-data-locked", "policy": "deny-all"}]}),
        json!({"id": "222222222222", "name": "security-tooling"}),
        json!({"id": "333333333333", "name": "workload-prod",
               "root_credentials": {"password": true, "access_keys": 1},
               "queues": [{"name": "prod-orders-locked", "policy": "deny-all"}]}),
    ];
    for i in 1..=members.saturating_sub(3) {
        let id = format!("{:012}", 400_000_000_000u64 + i as u64);
        let credentials = if i % 10 == 1 {
            json!({"password": true, "access_keys": 1})
        } else {
            json!({})
        };
        accounts.push(
            json!({"id": id, "name": format!("member-{i}"), "root_credentials": credentials}),
        );
    }
    aws.seed(json!({"organization": {"feature_set": "ALL"}, "accounts": accounts}));
}

/// The provider behind a wrapper that records each process's CPU time and
/// peak RSS (getrusage of its child) in `log`.
fn measured_provider(dir: &Path, log: &Path) {
    let python = support::repo_root().join(".tools/venv/bin/python");
    let wrapper = format!(
        "#!{python}\nimport json, resource, subprocess, sys\nrun = subprocess.run([{real:?}] + sys.argv[1:])\nru = resource.getrusage(resource.RUSAGE_CHILDREN)\nwith open({log:?}, \"a\") as f:\n    f.write(json.dumps({{\"cpu\": ru.ru_utime + ru.ru_stime, \"rss_kb\": ru.ru_maxrss}}) + \"\\n\")\nsys.exit(run.returncode)\n",
        python = python.display(),
        real = support::provider_binary().display().to_string(),
        log = log.display().to_string(),
    );
    let path = dir.join("terraform-provider-rootaccess");
    std::fs::write(&path, wrapper).expect("wrapper");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

/// CPU seconds summed and the largest peak RSS (MB) over the processes logged.
fn provider_usage(log: &Path) -> (f64, f64, usize) {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let runs: Vec<Value> = text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let cpu = runs.iter().filter_map(|r| r["cpu"].as_f64()).sum();
    let rss = runs
        .iter()
        .filter_map(|r| r["rss_kb"].as_f64())
        .fold(0.0, f64::max)
        / 1024.0;
    (cpu, rss, runs.len())
}

fn main() {
    let benchmarking = std::env::args().any(|a| a == "--bench");
    // TF_BENCH_MEMBERS=1000 runs one size only.
    let only: Option<usize> = std::env::var("TF_BENCH_MEMBERS")
        .ok()
        .and_then(|v| v.parse().ok());
    let all: &[usize] = if benchmarking {
        &[10, 100, 1000]
    } else {
        &[10]
    };
    let sizes: Vec<usize> = only.map_or_else(|| all.to_vec(), |n| vec![n]);
    let latency = latency_ms();
    let aws = AwsEndpoint::start();
    println!(
        "{:>8} {:>8} {:>7} {:>9} {:>9} {:>10} {:>10} {:>8} {:>8} {:>6}",
        "members",
        "command",
        "calls",
        "sessions",
        "elapsed",
        "ideal",
        "ideal/real",
        "cpu s",
        "rss MB",
        "starts"
    );
    for members in sizes {
        seed(&aws, members);
        let w = Workdir::repo_copy(Path::new("examples/complete"));
        w.write_file("provider_override.tf", &aws.provider_hcl());
        let plugins = tempfile::tempdir().expect("plugin dir");
        let log = plugins.path().join("usage.jsonl");
        measured_provider(plugins.path(), &log);
        std::fs::write(
            w.path().join("cli.tfrc"),
            format!(
                "provider_installation {{\n  dev_overrides {{\n    \"{}\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
                support::PROVIDER_SOURCE,
                plugins.path().display()
            ),
        )
        .expect("cli config");
        w.terraform(&["init", "-no-color", "-backend=false"]).ok();
        if latency > 0 {
            aws.post("/faults", json!({"service": "*", "latency_ms": latency}));
        }
        for command in ["apply", "plan"] {
            aws.delete("/calls");
            std::fs::remove_file(&log).ok();
            let args: &[&str] = if command == "apply" {
                &["apply", "-auto-approve", "-no-color"]
            } else {
                &["plan", "-detailed-exitcode", "-no-color"]
            };
            let t = Instant::now();
            let run = w.terraform(args);
            let elapsed = t.elapsed();
            assert_eq!(
                run.code(),
                0,
                "{command} at {members} members:\n{}",
                run.text()
            );
            let calls = aws.calls();
            let total = calls["total"].as_u64().unwrap_or(0);
            let sessions = calls["assume_root_total"].as_u64().unwrap_or(0);
            let ideal = Duration::from_millis(total * latency / PARALLELISM);
            let (cpu, rss, starts) = provider_usage(&log);
            println!(
                "{members:>8} {command:>8} {total:>7} {sessions:>9} {:>9.1?} {:>10.1?} {:>9.0}% {cpu:>8.2} {rss:>8.1} {starts:>6}",
                elapsed,
                ideal,
                100.0 * ideal.as_secs_f64() / elapsed.as_secs_f64()
            );
        }
        aws.delete("/faults");
    }
}
