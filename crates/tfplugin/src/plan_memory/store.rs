//! The plan memory's storage: readings kept as files in a directory only
//! this user can open, keyed by the Terraform run (`invocation`), found again
//! by the re-plan, and removed when used or stale.

use std::fs::{self, DirBuilder, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[cfg(test)]
use super::invocation::start_time;
use super::invocation::{Invocation, Process};

/// How long a kept reading stays: a saved plan is rarely applied later.
const KEEP_FOR: Duration = Duration::from_secs(30 * 24 * 3600);

/// A saved plan is written when its plan walk ends, a little after the
/// readings; a plan file much newer than them was copied or touched since,
/// and may not be the plan they were made for.
const PLAN_FILE_WINDOW: Duration = Duration::from_secs(3600);

/// How a plan file is known: by its path, then by its name alone (a copy of
/// the working directory, CI style, has the same name at another path).
fn file_keys(file: &Path) -> [String; 2] {
    let name = file.file_name().unwrap_or_default();
    [
        digest(&[file.as_os_str().as_encoded_bytes()]),
        digest(&[b"name", name.as_encoded_bytes()]),
    ]
}

fn digest(parts: &[&[u8]]) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part);
    }
    hash.finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// One kept reading.
#[derive(Serialize, Deserialize)]
struct Entry {
    type_name: String,
    key: String,
    terraform: Process,
    writer: Process,
    seen: String,
}

/// Plan memory of this provider process.
pub(crate) struct PlanMemory {
    dir: PathBuf,
    invocation: Invocation,
    terraform: Process,
    me: Process,
    /// Entries this process planned from: its apply uses them, and they
    /// are removed when it ends (see `Drop`).
    used: std::sync::Mutex<Vec<PathBuf>>,
}

/// An apply's provider process ends once the apply is done: the readings
/// it planned from have served and leave nothing behind.
impl Drop for PlanMemory {
    fn drop(&mut self) {
        let used = self.used.get_mut().map(std::mem::take).unwrap_or_default();
        for path in used {
            let _ = fs::remove_file(path);
        }
    }
}

impl PlanMemory {
    /// The memory for provider `provider` (its type name), or `None` where
    /// it cannot work safely: no /proc, no parent process, or a directory
    /// that is not this user's alone.
    pub(crate) fn open(provider: &str) -> Option<PlanMemory> {
        let parent = std::os::unix::process::parent_id();
        let invocation = Invocation::of_parent(parent);
        tracing::debug!(parent, ?invocation, "plan memory");
        if invocation == Invocation::Other {
            return None;
        }
        let uid = fs::metadata("/proc/self").ok()?.uid();
        // The runtime directory only when it is this user's alone (not so
        // under `sudo -E`, for one).
        let runtime = std::env::var_os("XDG_RUNTIME_DIR")
            .map(PathBuf::from)
            .filter(|dir| dir.is_absolute())
            .filter(|dir| fs::metadata(dir).is_ok_and(|m| m.uid() == uid && m.mode() & 0o022 == 0));
        let dir = match runtime {
            Some(runtime) => runtime.join(format!("terraform-provider-{provider}-plans")),
            None => std::env::temp_dir().join(format!("terraform-provider-{provider}-plans-{uid}")),
        };
        let memory = PlanMemory::in_dir(
            dir,
            invocation,
            Process::of(parent)?,
            Process::of(std::process::id())?,
            uid,
        )?;
        memory.prune();
        Some(memory)
    }

    fn in_dir(
        dir: PathBuf,
        invocation: Invocation,
        terraform: Process,
        me: Process,
        uid: u32,
    ) -> Option<PlanMemory> {
        let _ = DirBuilder::new().mode(0o700).create(&dir);
        // Another user could have made it first, to read or plant readings.
        let meta = fs::symlink_metadata(&dir).ok()?;
        if !meta.is_dir() || meta.uid() != uid || meta.mode() & 0o077 != 0 {
            tracing::warn!(dir = %dir.display(), "plan memory off: the directory is not this user's alone");
            return None;
        }
        Some(PlanMemory {
            dir,
            invocation,
            terraform,
            me,
            used: Default::default(),
        })
    }

    /// At ConfigureProvider: a `terraform plan -out=F` marks itself as the
    /// run whose readings the apply of F may use (an older plan's are not).
    pub(crate) fn begin_plan(&self) {
        if let Invocation::PlanOut(file) = &self.invocation
            && let Ok(bytes) = serde_json::to_vec(&self.terraform)
        {
            for file_key in file_keys(file) {
                self.write(&self.latest_planner_path(&file_key), &bytes);
            }
        }
    }

    /// Keeps what a create's plan read under `key` (for example the object's
    /// id), for the same create's re-plan.
    pub(crate) fn remember(&self, type_name: &str, key: &str, seen: &[u8]) {
        if matches!(self.invocation, Invocation::ApplySaved(_)) {
            return;
        }
        let entry = Entry {
            type_name: type_name.to_string(),
            key: key.to_string(),
            terraform: self.terraform,
            writer: self.me,
            seen: base64::engine::general_purpose::STANDARD.encode(seen),
        };
        let Ok(bytes) = serde_json::to_vec(&entry) else {
            return;
        };
        for (_, path) in self.entry_paths(type_name, key) {
            self.write(&path, &bytes);
        }
    }

    /// What the first plan of this create kept under `key`, when this is
    /// its re-plan: in a provider process of the same `terraform apply`
    /// that has exited (the plan walk's: Terraform stops them before the
    /// apply walk), or in the apply of the plan file that plan wrote (found
    /// by its path, or by its name when no plan was ever made at this path:
    /// a copy of the working directory, as CI systems make).
    /// Not consumed while this process runs (instances of the same object
    /// share the reading); removed when it ends; entries no apply used are
    /// pruned once their run has finished.
    pub(crate) fn recall(&self, type_name: &str, key: &str) -> Option<Vec<u8>> {
        let paths = self.entry_paths(type_name, key);
        let chosen = paths.iter().find(|(file_key, _)| {
            file_key
                .as_ref()
                .is_none_or(|k| self.latest_planner_path(k).exists())
        });
        let Some((file_key, path)) = chosen else {
            tracing::debug!(
                type_name,
                key,
                "plan memory: no plan was made into this plan file"
            );
            return None;
        };
        let entry = fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Entry>(&bytes).ok())
            .filter(|e| e.type_name == type_name && e.key == key);
        let usable = entry.filter(|entry| match (&self.invocation, file_key) {
            (Invocation::Apply, _) => {
                entry.terraform == self.terraform
                    && entry.writer != self.me
                    && Process::of(entry.writer.pid) != Some(entry.writer)
            }
            (Invocation::ApplySaved(file), Some(file_key)) => {
                let latest = fs::read(self.latest_planner_path(file_key))
                    .ok()
                    .and_then(|b| serde_json::from_slice::<Process>(&b).ok());
                // Written by the run that last planned into the file, a
                // little before the file.
                let (Some(planned), Some(read)) = (modified(file), modified(path)) else {
                    return false;
                };
                latest == Some(entry.terraform)
                    && planned >= read
                    && planned.duration_since(read).unwrap_or_default() <= PLAN_FILE_WINDOW
            }
            _ => false,
        });
        tracing::debug!(
            type_name,
            key,
            found = usable.is_some(),
            "plan memory: recall"
        );
        let seen = base64::engine::general_purpose::STANDARD
            .decode(usable?.seen)
            .ok()?;
        if let Ok(mut used) = self.used.lock() {
            used.extend(paths.into_iter().map(|(_, path)| path));
        }
        Some(seen)
    }

    /// Where `terraform plan -out=FILE` marks the run that last planned
    /// into it (`file_key`: one of [`file_keys`]).
    fn latest_planner_path(&self, file_key: &str) -> PathBuf {
        self.dir.join(format!("plan-{file_key}.latest"))
    }

    /// Where the reading of `key` is kept, in the order a recall tries them,
    /// each with the plan file's key it belongs to (none for `terraform apply`).
    fn entry_paths(&self, type_name: &str, key: &str) -> Vec<(Option<String>, PathBuf)> {
        let entry = digest(&[type_name.as_bytes(), key.as_bytes()]);
        match &self.invocation {
            Invocation::Apply => vec![(
                None,
                self.dir.join(format!(
                    "run-{}-{}-{entry}",
                    self.terraform.pid, self.terraform.start
                )),
            )],
            Invocation::ApplySaved(file) | Invocation::PlanOut(file) => file_keys(file)
                .into_iter()
                .map(|file_key| {
                    let path = self.dir.join(format!("plan-{file_key}-{entry}"));
                    (Some(file_key), path)
                })
                .collect(),
            Invocation::Other => Vec::new(),
        }
    }

    /// Writes whole or not at all, readable by this user only.
    fn write(&self, path: &Path, bytes: &[u8]) {
        let staging = path.with_extension(format!("{}.tmp", self.me.pid));
        let written = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&staging)
            .and_then(|mut f| f.write_all(bytes))
            .and_then(|()| fs::rename(&staging, path));
        if let Err(e) = written {
            tracing::debug!(%e, path = %path.display(), "plan memory: not kept");
            let _ = fs::remove_file(&staging);
        }
    }

    /// Drops readings of finished `terraform apply` runs and old ones.
    fn prune(&self) {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return;
        };
        let now = SystemTime::now();
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            // Only what this module writes.
            if !(name.starts_with("run-") || name.starts_with("plan-")) {
                continue;
            }
            let old = modified(&path)
                .is_some_and(|t| now.duration_since(t).unwrap_or_default() > KEEP_FOR);
            let finished_run = name
                .strip_prefix("run-")
                .and_then(|rest| {
                    let mut parts = rest.split('-');
                    Some(Process {
                        pid: parts.next()?.parse().ok()?,
                        start: parts.next()?.parse().ok()?,
                    })
                })
                .is_some_and(|run| Process::of(run.pid) != Some(run));
            if old || finished_run {
                let _ = fs::remove_file(&path);
            }
        }
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    fs::metadata(path).and_then(|m| m.modified()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_string).collect()
    }

    fn parse(line: &str, plan_files: &[&str]) -> Invocation {
        let cwd = Path::new("/work");
        Invocation::parse(
            &args(line),
            |_| Vec::new(),
            cwd,
            |p| plan_files.iter().any(|f| cwd.join(f) == p),
        )
    }

    #[test]
    fn the_command_line_tells_the_run() {
        assert_eq!(parse("terraform apply", &[]), Invocation::Apply);
        assert_eq!(
            parse("terraform -chdir=x apply -auto-approve -no-color", &[]),
            Invocation::Apply
        );
        assert_eq!(parse("tofu apply -var a=b", &[]), Invocation::Apply);
        assert_eq!(
            parse(
                "/venv/bin/python /tools/bin/terraform apply -no-color tfplan",
                &["tfplan"]
            ),
            Invocation::ApplySaved(PathBuf::from("/work/tfplan"))
        );
        assert_eq!(
            parse("terraform apply -no-color tfplan", &["tfplan"]),
            Invocation::ApplySaved(PathBuf::from("/work/tfplan"))
        );
        assert_eq!(
            parse("terraform plan -out=tfplan", &[]),
            Invocation::PlanOut(PathBuf::from("/work/tfplan"))
        );
        assert_eq!(
            parse("terraform plan -out=first -out=last", &[]),
            Invocation::PlanOut(PathBuf::from("/work/last")),
            "the last one, as Terraform takes it"
        );
        assert_eq!(
            parse("terraform plan --out plans/a.tfplan -no-color", &[]),
            Invocation::PlanOut(PathBuf::from("/work/plans/a.tfplan"))
        );
        for other in [
            "terraform plan",
            "terraform test",
            "terraform import a b",
            "terraform",
            "terraform -version",
        ] {
            assert_eq!(parse(other, &[]), Invocation::Other, "{other}");
        }
    }

    #[test]
    fn cli_args_from_the_environment_count() {
        let cwd = Path::new("/work");
        let extra = |sub: &str| {
            if sub == "plan" {
                args("-out=env.tfplan")
            } else {
                Vec::new()
            }
        };
        assert_eq!(
            Invocation::parse(&args("terraform plan"), extra, cwd, |_| false),
            Invocation::PlanOut(PathBuf::from("/work/env.tfplan"))
        );
    }

    #[test]
    fn start_time_survives_odd_process_names() {
        let stat = "42 (a) b (c) S 1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10";
        assert_eq!(start_time(stat), Some(987654));
        assert_eq!(start_time("garbage"), None);
    }

    /// A process that has exited (pids above Linux's pid_max never exist).
    fn exited(n: u32) -> Process {
        Process {
            pid: 5_000_000 + n,
            start: 1,
        }
    }

    fn running() -> Process {
        Process::of(std::process::id()).expect("this test's process")
    }

    fn memory(dir: &Path, invocation: Invocation, terraform: Process, me: Process) -> PlanMemory {
        let uid = fs::metadata(dir).map(|m| m.uid()).unwrap_or_default();
        PlanMemory::in_dir(dir.join("memory"), invocation, terraform, me, uid)
            .expect("memory in a private directory")
    }

    #[test]
    fn one_apply_run_hands_the_plan_walk_reading_to_the_apply_walk() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let terraform = exited(1);
        let apply_walk = memory(tmp.path(), Invocation::Apply, terraform, exited(3));
        // A provider process of the plan walk that still runs (another
        // alias): its readings are of this walk, not a plan before it.
        let sibling = memory(tmp.path(), Invocation::Apply, terraform, running());
        sibling.remember("t_x", "a", b"sibling");
        assert_eq!(apply_walk.recall("t_x", "a"), None, "a running writer");
        // The plan walk's process, exited since.
        let plan_walk = memory(tmp.path(), Invocation::Apply, terraform, exited(2));
        plan_walk.remember("t_x", "a", b"seen");
        assert_eq!(plan_walk.recall("t_x", "a"), None, "its own reading");
        let other_run = memory(tmp.path(), Invocation::Apply, exited(9), exited(10));
        assert_eq!(other_run.recall("t_x", "a"), None, "another run's reading");
        assert_eq!(apply_walk.recall("t_x", "b"), None);
        assert_eq!(apply_walk.recall("t_x", "a").as_deref(), Some(&b"seen"[..]));
        assert_eq!(
            apply_walk.recall("t_x", "a").as_deref(),
            Some(&b"seen"[..]),
            "two instances of one object share it"
        );
    }

    #[test]
    fn a_saved_plan_is_applied_with_the_readings_of_the_plan_that_wrote_it() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let file = tmp.path().join("tfplan");
        let plan_out = || Invocation::PlanOut(file.clone());
        let first_plan = memory(tmp.path(), plan_out(), exited(1), exited(2));
        first_plan.begin_plan();
        first_plan.remember("t_x", "a", b"first");
        first_plan.remember("t_x", "b", b"only the first plan read b");
        fs::write(&file, b"PK\x03\x04").expect("plan file");
        let apply = memory(
            tmp.path(),
            Invocation::ApplySaved(file.clone()),
            exited(3),
            exited(4),
        );
        assert_eq!(apply.recall("t_x", "a").as_deref(), Some(&b"first"[..]));
        assert_eq!(
            apply.recall("t_x", "a").as_deref(),
            Some(&b"first"[..]),
            "a saved plan may be applied again after a failure"
        );

        // A later plan to the same file: its readings, and none of the first's.
        let second_plan = memory(tmp.path(), plan_out(), exited(5), exited(6));
        second_plan.begin_plan();
        second_plan.remember("t_x", "a", b"second");
        std::thread::sleep(Duration::from_millis(20));
        fs::write(&file, b"PK\x03\x04").expect("plan file");
        assert_eq!(apply.recall("t_x", "a").as_deref(), Some(&b"second"[..]));
        assert_eq!(apply.recall("t_x", "b"), None);

        // A plan file touched long after its plan is not trusted to be it.
        let later = SystemTime::now() + PLAN_FILE_WINDOW + Duration::from_secs(60);
        fs::File::options()
            .write(true)
            .open(&file)
            .and_then(|f| f.set_modified(later))
            .expect("touch");
        assert_eq!(apply.recall("t_x", "a"), None);
    }

    #[test]
    fn a_directory_others_can_open_is_not_used() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("memory");
        DirBuilder::new().mode(0o755).create(&dir).expect("dir");
        let uid = fs::metadata(tmp.path())
            .map(|m| m.uid())
            .unwrap_or_default();
        let p = exited(1);
        assert!(PlanMemory::in_dir(dir, Invocation::Apply, p, p, uid).is_none());
    }
}
