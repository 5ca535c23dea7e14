//! Root sessions (`sts:AssumeRoot`): one per (member account, task policy),
//! shared by every resource of a run, refreshed shortly before expiry, and
//! requested once even when many resources ask at the same moment.
//!
//! Session credentials live only in this process's memory.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sdk_sts::types::PolicyDescriptorType;

use super::error::{AwsError, Classify, ErrorKind};
use super::task_policy::TaskPolicy;
use crate::partition::Partition;

/// A cached session is renewed when less than this is left of it: long
/// enough for one more AWS call with retries, but at most a quarter of the
/// session's lifetime, so that a short `root_session_duration` (60 s, say)
/// still serves many calls instead of one AssumeRoot per call.
fn refresh_margin(duration: Duration) -> Duration {
    (duration / 4).min(Duration::from_secs(120))
}

type Slot = Arc<tokio::sync::Mutex<Option<Credentials>>>;

pub struct RootSessions {
    sts: aws_sdk_sts::Client,
    partition: Partition,
    duration: Duration,
    slots: Mutex<HashMap<(String, TaskPolicy), Slot>>,
}

impl RootSessions {
    pub fn new(sts: aws_sdk_sts::Client, partition: Partition, duration: Duration) -> Self {
        RootSessions {
            sts,
            partition,
            duration,
            slots: Mutex::new(HashMap::new()),
        }
    }

    fn slot(&self, account: &str, task: TaskPolicy) -> Slot {
        let mut slots = self
            .slots
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        slots
            .entry((account.to_string(), task))
            .or_default()
            .clone()
    }

    pub async fn get(&self, account: &str, task: TaskPolicy) -> Result<Credentials, AwsError> {
        let slot = self.slot(account, task);
        // Holding the slot's lock while asking STS makes concurrent callers
        // for the same session wait for this one answer.
        let mut cached = slot.lock().await;
        if let Some(creds) = cached.as_ref() {
            let fresh = creds
                .expiry()
                .and_then(|e| e.duration_since(SystemTime::now()).ok())
                .is_some_and(|left| left > refresh_margin(self.duration));
            if fresh {
                return Ok(creds.clone());
            }
        }
        let creds = self.assume_root(account, task, self.duration).await?;
        *cached = Some(creds.clone());
        Ok(creds)
    }

    /// Drops the cached session of (`account`, `task`) if it is still the one
    /// with `rejected`'s access key: AWS refused it before its expiry (clock
    /// skew, revocation). A session another caller already renewed stays.
    pub async fn forget(&self, account: &str, task: TaskPolicy, rejected: &Credentials) {
        let slot = self.slot(account, task);
        let mut cached = slot.lock().await;
        if cached
            .as_ref()
            .is_some_and(|c| c.access_key_id() == rejected.access_key_id())
        {
            *cached = None;
        }
    }

    /// A new session that bypasses the cache: for credentials handed out of
    /// the provider (the ephemeral resource), whose lifetime the caller owns.
    pub async fn open(
        &self,
        account: &str,
        task: TaskPolicy,
        duration: Duration,
    ) -> Result<Credentials, AwsError> {
        self.assume_root(account, task, duration).await
    }

    async fn assume_root(
        &self,
        account: &str,
        task: TaskPolicy,
        duration: Duration,
    ) -> Result<Credentials, AwsError> {
        tracing::debug!(account, task = task.name(), "requesting a root session");
        let out = self
            .sts
            .assume_root()
            .target_principal(account)
            .task_policy_arn(
                PolicyDescriptorType::builder()
                    .arn(task.arn(self.partition))
                    .build(),
            )
            .duration_seconds(duration.as_secs().min(900) as i32)
            .send()
            .await
            .classify("sts:AssumeRoot")?;
        let c = out.credentials.ok_or_else(|| {
            AwsError::new(
                "sts:AssumeRoot",
                ErrorKind::Other,
                "",
                "AWS returned no credentials",
            )
        })?;
        let expiry = SystemTime::try_from(c.expiration).ok();
        Ok(Credentials::new(
            c.access_key_id,
            c.secret_access_key,
            Some(c.session_token),
            expiry,
            "rootaccess-assume-root",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_renewal_margin_fits_the_session() {
        assert_eq!(
            refresh_margin(Duration::from_secs(900)),
            Duration::from_secs(120)
        );
        assert_eq!(
            refresh_margin(Duration::from_secs(480)),
            Duration::from_secs(120)
        );
        assert_eq!(
            refresh_margin(Duration::from_secs(60)),
            Duration::from_secs(15)
        );
        assert_eq!(
            refresh_margin(Duration::from_secs(1)),
            Duration::from_millis(250)
        );
    }
}
