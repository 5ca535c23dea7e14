//! Action `rootaccess_unlock_queue_policy`: remove (or replace) the policy of
//! a member account's SQS queue once, as that account's root user.

use async_trait::async_trait;

use crate::checks::{ACCOUNT_ID, POLICY_JSON, QUEUE_URL};
use crate::unlock::{self, LockedQueue, QueueNames};
use aws_root_access::AwsClients;
use aws_root_access::resource_policies::QueueUrl;
use tfplugin::{Action, Attribute, AttributePath, Diagnostics, Known, Progress, Schema};

pub struct UnlockQueuePolicy;

/// The action's configuration, known when it is invoked.
#[derive(serde::Deserialize)]
pub struct UnlockQueueConfig {
    #[serde(flatten)]
    names: QueueNames,
    /// `Known`: validate checks the names even while this is unknown.
    replacement_policy: Known<Option<String>>,
}

#[async_trait]
impl Action<AwsClients> for UnlockQueuePolicy {
    type Config = UnlockQueueConfig;

    fn type_name(&self) -> &'static str {
        "rootaccess_unlock_queue_policy"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            "Removes (or replaces) the policy of an SQS queue in a member account, once, in an \
             `SQSUnlockQueuePolicy` root session (`SetQueueAttributes` with an empty `Policy`): for a queue whose \
             policy denies everyone. Nothing is kept in state; use the `rootaccess_queue_policy_unlock` resource to \
             keep the queue unlocked. Requires Terraform 1.14+.",
        )
        .attribute(Attribute::string("account_id").required().validator(ACCOUNT_ID).describe("The member account that owns the queue."))
        .attribute(Attribute::string("queue_url").required().validator(QUEUE_URL).describe(
            "The queue's URL; its account must be `account_id`, its region comes from the host name.",
        ))
        .attribute(Attribute::string("replacement_policy").optional().validator(POLICY_JSON).describe(
            "A policy to put instead of removing the current one.",
        ))
    }

    async fn validate(&self, config: &UnlockQueueConfig, diags: &mut Diagnostics) {
        let names = &config.names;
        let (Known::Value(account), Known::Value(url)) = (&names.account_id, &names.queue_url)
        else {
            return;
        };
        if let Ok(queue) = QueueUrl::parse(url)
            && &queue.account_id != account
        {
            diags.attribute_error(
                    AttributePath::root("queue_url"),
                    "Queue belongs to another account",
                    format!("The queue URL names account {}, but account_id is {account}. Use the URL of a queue in {account}.", queue.account_id),
                );
        }
    }

    async fn invoke(
        &self,
        aws: &AwsClients,
        config: &UnlockQueueConfig,
        progress: &dyn Progress,
        diags: &mut Diagnostics,
    ) {
        let Some(target) = LockedQueue::of(&config.names) else {
            let url = config.names.queue_url.get().map_or("", String::as_str);
            if let Err(message) = QueueUrl::parse(url) {
                diags.attribute_error(AttributePath::root("queue_url"), "Invalid value", message);
            }
            return;
        };
        // Checked again here: validate cannot see names known only at apply.
        if target.queue.account_id != target.account {
            diags.attribute_error(
                AttributePath::root("queue_url"),
                "Queue belongs to another account",
                format!(
                    "The queue URL names account {}, but account_id is {}. Nothing was changed.",
                    target.queue.account_id, target.account
                ),
            );
            return;
        }
        let replacement = config.replacement_policy.get().cloned().flatten();
        let replacement = replacement.as_deref();
        unlock::unlock_once(aws, &target, replacement, progress, diags).await;
    }
}
