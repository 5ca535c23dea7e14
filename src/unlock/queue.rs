//! A queue to unlock: its names, and how it is read and unlocked as its
//! account's root user (SQSUnlockQueuePolicy session). The queue's URL names
//! its account and region.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::{Locked, Names};
use aws_root_access::resource_policies::{self as policies, QueueUrl};
use aws_root_access::{AwsClients, AwsError, ErrorKind};
use tfplugin::{AttributePath, Diagnostics, Known};

/// A queue's own attributes in a configuration, plan or state.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct QueueNames {
    pub account_id: Known<String>,
    pub queue_url: Known<String>,
}

impl Names for QueueNames {
    type Object = LockedQueue;
    const WHAT: &'static str = "account and queue URL";
    const UNNAMED: &'static str = "the queue";
    fn object(&self) -> Option<LockedQueue> {
        LockedQueue::of(self)
    }
}

/// A queue a configuration or state names, once it is known.
pub struct LockedQueue {
    pub account: String,
    pub queue: QueueUrl,
}

impl LockedQueue {
    /// The queue `names` name, once known and a valid URL.
    pub fn of(names: &QueueNames) -> Option<LockedQueue> {
        Some(LockedQueue {
            account: names.account_id.get()?.clone(),
            queue: QueueUrl::parse(names.queue_url.get()?).ok()?,
        })
    }
}

#[async_trait]
impl Locked for LockedQueue {
    /// The queue's policy (`None`: no policy).
    type Found = Option<String>;

    fn describe(&self) -> String {
        format!("queue {} of account {}", self.queue.name, self.account)
    }

    fn id(&self) -> String {
        self.queue.url.clone()
    }

    async fn read(&self, aws: &AwsClients) -> Result<Option<Option<String>>, AwsError> {
        match policies::get_queue_policy(aws, &self.queue).await {
            Ok(policy) => Ok(Some(policy)),
            // Only the queue itself missing means gone, not any other NotFound.
            Err(e)
                if e.is(ErrorKind::NotFound)
                    && (e.code.contains("NonExistentQueue")
                        || e.code.contains("QueueDoesNotExist")) =>
            {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    fn policy(found: &Option<String>) -> Option<&str> {
        found.as_deref()
    }

    fn missing(&self, diags: &mut Diagnostics) {
        diags.attribute_error(
            AttributePath::root("queue_url"),
            "Queue not found",
            format!(
                "There is no queue {} in account {}. Check the URL (as `aws sqs get-queue-url` prints it in that \
                 account).",
                self.queue.url, self.account
            ),
        );
    }

    async fn set_policy(
        &self,
        aws: &AwsClients,
        _found: &Option<String>,
        policy: Option<&str>,
    ) -> Result<(), AwsError> {
        policies::set_queue_policy(aws, &self.queue, policy).await
    }

    fn remove_verb(&self) -> &'static str {
        "remove"
    }

    fn account(&self) -> &str {
        &self.account
    }

    fn label(&self) -> String {
        self.queue.name.clone()
    }
}
