//! Terraform itself driving the provider at organization scale, with
//! `cargo bench --bench terraform_org`: `terraform apply` and then `terraform
//! plan` of examples/complete (the module for the whole organization) on the
//! local endpoint, for 10, 100 and 1,000 member accounts, with 50 ms injected
//! into every AWS call. Reported: wall time, AWS calls, root sessions, the
//! provider's CPU seconds and peak RSS (over all its processes: Terraform
//! starts it several times per command), beside the ideal `calls x latency /
//! parallelism` (Terraform's default -parallelism of 10), with the CPU time
//! of Terraform and of the endpoint. Then the same job as people script it
//! with the AWS CLI (benches/aws_cli_loop.sh) at 10 members (4 in the smoke run), checked
//! and scaled up. Under `cargo test` it runs the smallest case once as a
//! smoke test. Figures: BENCHMARKS.md.

#[path = "common/measure.rs"]
mod measure;
#[path = "../tests/it/support/mod.rs"]
mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use measure::{children_cpu, measured_provider, provider_usage};
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
    // The aws-CLI loop runs at 10 members (when that size runs) and is
    // scaled up: at 1,000 it would take most of an hour. The smoke run loops
    // over the example's accounts and one more: every `aws` process spends
    // most of a CPU second importing Python before its first request.
    let cli_members = if benchmarking { 10 } else { 4 };
    let aws = AwsEndpoint::start();
    println!(
        "{:>8} {:>8} {:>7} {:>9} {:>9} {:>10} {:>10} {:>8} {:>8} {:>6} {:>8} {:>8}",
        "members",
        "command",
        "calls",
        "sessions",
        "elapsed",
        "ideal",
        "ideal/real",
        "cpu s",
        "rss MB",
        "starts",
        "tf cpu",
        "aws cpu"
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
            let (children_before, endpoint_before) = (children_cpu(), aws.cpu_seconds());
            let t = Instant::now();
            let run = w.terraform(args);
            let elapsed = t.elapsed();
            let endpoint_cpu = aws.cpu_seconds() - endpoint_before;
            // Terraform and everything it waited for, less the provider.
            let all_cpu = children_cpu() - children_before;
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
                "{members:>8} {command:>8} {total:>7} {sessions:>9} {:>9.1?} {:>10.1?} {:>9.0}% {cpu:>8.2} {rss:>8.1} {starts:>6} {:>8.2} {endpoint_cpu:>8.2}",
                elapsed,
                ideal,
                100.0 * ideal.as_secs_f64() / elapsed.as_secs_f64(),
                all_cpu - cpu,
            );
        }
        aws.delete("/faults");
        if members == 10 {
            cli_loop(&aws, cli_members, latency);
        }
        terraform_alone(members);
    }
}

/// The floor of Terraform's own work per resource instance: `instances`
/// `terraform_data` instances (no provider process, no AWS), as one
/// resource and as ten module shards of a tenth each (what the module does).
fn terraform_alone(instances: usize) {
    // for_each over a set already made, as in the module.
    let ids = format!(
        "locals {{\n  id_list = [for i in range({instances}) : format(\"%012d\", 400000000000 + i)]\n  \
         ids     = toset(local.id_list)\n}}\n"
    );
    let one = format!(
        "{ids}resource \"terraform_data\" \"m\" {{\n  for_each = local.ids\n  input    = each.key\n}}\n"
    );
    let sharded = format!(
        "{ids}module \"shard\" {{\n  source   = \"./shard\"\n  for_each = {{ for s in range(10) : tostring(s) => \
         toset([for i, id in local.id_list : id if i % 10 == s]) }}\n  ids      = each.value\n}}\n"
    );
    for (shape, config) in [("one resource", one), ("10 module shards", sharded)] {
        let w = Workdir::new(&config);
        std::fs::create_dir_all(w.path().join("shard")).expect("shard dir");
        w.write_file(
            "shard/main.tf",
            "variable \"ids\" {\n  type = set(string)\n}\nresource \"terraform_data\" \"m\" {\n  for_each = var.ids\n  input    = each.key\n}\n",
        );
        w.terraform(&["init", "-no-color", "-backend=false"]).ok();
        let mut line = format!("Terraform alone, {instances} terraform_data instances as {shape}:");
        for args in [
            &["apply", "-auto-approve", "-no-color"][..],
            &["plan", "-no-color"][..],
        ] {
            let before = children_cpu();
            let t = Instant::now();
            w.terraform(args).ok();
            line.push_str(&format!(
                " {} {:.1?} ({:.1} CPU s);",
                args[0],
                t.elapsed(),
                children_cpu() - before
            ));
        }
        println!("{line}");
    }
}

/// The same job as the AWS CLI loop people run (benches/aws_cli_loop.sh),
/// on a freshly seeded organization of `members`, with the same latency;
/// checks that it did the job, and prints its time scaled to 100 and 1,000
/// members (it is sequential: time grows with the members).
fn cli_loop(aws: &AwsEndpoint, members: usize, latency: u64) {
    seed(aws, members);
    let config = tempfile::NamedTempFile::new().expect("aws config");
    std::fs::write(
        config.path(),
        "[default]\ns3 =\n    addressing_style = path\n",
    )
    .expect("aws config");
    // The endpoint's queue URLs: endpoint/account/name.
    let queue = format!("{}/333333333333/prod-orders-locked", aws.url);
    if latency > 0 {
        aws.post("/faults", json!({"service": "*", "latency_ms": latency}));
    }
    aws.delete("/calls");
    let venv = support::repo_root().join(".tools/venv/bin");
    let path = format!(
        "{}:{}",
        venv.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let t = Instant::now();
    let out = std::process::Command::new("bash")
        .arg(support::repo_root().join("benches/aws_cli_loop.sh"))
        .env_clear()
        .env("PATH", path)
        .env("HOME", config.path().parent().unwrap_or(Path::new("/tmp")))
        .env("AWS_CONFIG_FILE", config.path())
        .env("AWS_ACCESS_KEY_ID", &aws.access_key_id)
        .env("AWS_SECRET_ACCESS_KEY", &aws.secret_access_key)
        .env("AWS_DEFAULT_REGION", &aws.region)
        .env("AWS_ENDPOINT_URL", &aws.url)
        .env("LOOP_SKIP", "222222222222")
        .env("LOOP_BUCKET", "111111111111:dev-data-locked")
        .env("LOOP_QUEUE", format!("333333333333:{queue}"))
        .output()
        .expect("run the aws-CLI loop");
    let elapsed = t.elapsed();
    aws.delete("/faults");
    assert!(
        out.status.success(),
        "the aws-CLI loop failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // It did the job: every member clean, the bucket and queue unlocked.
    let state = aws.get("/state");
    for (id, account) in state["accounts"].as_object().cloned().unwrap_or_default() {
        let rc = &account["root_credentials"];
        if id == aws.management_account_id || id == "222222222222" || rc.is_null() {
            continue;
        }
        for kind in ["access_keys", "signing_certificates", "mfa_devices"] {
            assert_eq!(rc[kind], json!([]), "{id}: {rc}");
        }
        assert_eq!(rc["login_profile"], Value::Null, "{id}: {rc}");
    }
    let (dev, prod) = (
        &state["accounts"]["111111111111"],
        &state["accounts"]["333333333333"],
    );
    assert_eq!(
        dev["buckets"]["dev-data-locked"]["policy"],
        Value::Null,
        "{dev}"
    );
    assert_eq!(
        prod["queues"]["prod-orders-locked"]["policy"],
        Value::Null,
        "{prod}"
    );
    let calls = aws.calls()["total"].as_u64().unwrap_or(0);
    let per_member = elapsed.as_secs_f64() / members as f64;
    println!(
        "aws-CLI loop, {members} members: {elapsed:.1?}, {calls} AWS calls; \
         scaled: 100 members {:.0} s, 1,000 members {:.0} s",
        per_member * 100.0,
        per_member * 1000.0
    );
}
