//! What the Terraform benchmarks measure of the processes they run: the
//! provider's CPU time and peak RSS (through a wrapper, over every process
//! Terraform starts), and the CPU time of this process's children.

use std::path::Path;

use serde_json::Value;

use crate::support;

/// The provider behind a wrapper that records each process's CPU time and
/// peak RSS (getrusage of its child) in `log`.
pub fn measured_provider(dir: &Path, log: &Path) {
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
pub fn provider_usage(log: &Path) -> (f64, f64, usize) {
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

/// CPU seconds of this process's waited-for children (Terraform, and the
/// providers it waited for).
pub fn children_cpu() -> f64 {
    support::cpu_seconds_of("/proc/self/stat", 16)
}
