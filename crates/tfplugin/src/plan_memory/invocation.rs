//! Which Terraform run this provider process serves, read from its parent's
//! command line, directory and start time in /proc: what the plan memory
//! keys its readings by.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// A process, told apart from a later one with the same pid by its start
/// time (clock ticks since boot).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Process {
    pub(super) pid: u32,
    pub(super) start: u64,
}

impl Process {
    pub(super) fn of(pid: u32) -> Option<Process> {
        let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        Some(Process {
            pid,
            start: start_time(&stat)?,
        })
    }
}

/// Field 22 of /proc/PID/stat; the name before it (field 2, in
/// parentheses) may itself hold spaces and parentheses.
pub(super) fn start_time(stat: &str) -> Option<u64> {
    let (_, after_name) = stat.rsplit_once(')')?;
    after_name.split_whitespace().nth(19)?.parse().ok()
}

/// How Terraform runs this provider, from its command line.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Invocation {
    /// `terraform apply` without a plan file: the plan walk, then the apply
    /// walk, in two provider processes of this Terraform process.
    Apply,
    /// `terraform apply F`: only the apply walk; F was planned elsewhere.
    ApplySaved(PathBuf),
    /// `terraform plan -out=F`.
    PlanOut(PathBuf),
    /// Anything else: nothing to keep or recall.
    Other,
}

impl Invocation {
    /// `args`: Terraform's command line (argv\[0\] first); `extra(sub)`: the
    /// arguments `TF_CLI_ARGS` and `TF_CLI_ARGS_<sub>` add after the
    /// subcommand; `cwd`: Terraform's directory (after `-chdir`).
    pub(crate) fn parse(
        args: &[String],
        extra: impl Fn(&str) -> Vec<String>,
        cwd: &Path,
        is_plan_file: impl Fn(&Path) -> bool,
    ) -> Invocation {
        // Global options, and the script an interpreter runs (a Terraform
        // wrapper): no subcommand starts with '-' or holds a '/'.
        let mut rest = args
            .iter()
            .skip(1)
            .skip_while(|a| a.starts_with('-') || a.contains('/'));
        let Some(sub) = rest.next() else {
            return Invocation::Other;
        };
        let mut words = extra(sub);
        words.extend(rest.cloned());
        match sub.as_str() {
            "plan" => out_file(&words).map_or(Invocation::Other, |f| {
                Invocation::PlanOut(canonical(&cwd.join(f)))
            }),
            "apply" => match words.last() {
                Some(last) if !last.starts_with('-') && is_plan_file(&cwd.join(last)) => {
                    Invocation::ApplySaved(canonical(&cwd.join(last)))
                }
                _ => Invocation::Apply,
            },
            _ => Invocation::Other,
        }
    }

    /// This process's: from the parent's command line and directory.
    pub(super) fn of_parent(parent: u32) -> Invocation {
        let Ok(cmdline) = fs::read(format!("/proc/{parent}/cmdline")) else {
            return Invocation::Other;
        };
        let Ok(cwd) = fs::read_link(format!("/proc/{parent}/cwd")) else {
            return Invocation::Other;
        };
        let args: Vec<String> = cmdline
            .split(|b| *b == 0)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        // Terraform reads these itself; the provider inherits its environment.
        let extra = |sub: &str| {
            [format!("TF_CLI_ARGS_{sub}"), "TF_CLI_ARGS".to_string()]
                .iter()
                .filter_map(|name| std::env::var(name).ok())
                .flat_map(|v| v.split_whitespace().map(str::to_string).collect::<Vec<_>>())
                .collect()
        };
        Invocation::parse(&args, extra, &cwd, is_plan_file)
    }
}

/// The `-out` of a plan's arguments: the last one, as Terraform's flag
/// parsing takes it (the user's, after those of `TF_CLI_ARGS`).
fn out_file(words: &[String]) -> Option<&str> {
    let mut out = None;
    let mut words = words.iter();
    while let Some(word) = words.next() {
        let flag = word.strip_prefix("--").or_else(|| word.strip_prefix('-'));
        match flag {
            Some("out") => out = words.next().map(String::as_str),
            Some(f) if f.starts_with("out=") => out = f.strip_prefix("out="),
            _ => {}
        }
    }
    out
}

/// A saved plan is a zip archive.
pub(super) fn is_plan_file(path: &Path) -> bool {
    let mut magic = [0u8; 4];
    fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok_and(|()| &magic == b"PK\x03\x04")
}

/// The same path however it was spelled; the file itself may not exist yet.
fn canonical(path: &Path) -> PathBuf {
    match (path.parent(), path.file_name()) {
        (Some(dir), Some(name)) => {
            fs::canonicalize(dir).map_or_else(|_| path.to_path_buf(), |d| d.join(name))
        }
        _ => path.to_path_buf(),
    }
}
