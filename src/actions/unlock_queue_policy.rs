//! Action `rootaccess_unlock_queue_policy`: remove (or replace) the policy of
//! a member account's SQS queue once, as that account's root user.

use async_trait::async_trait;

use crate::checks::{ACCOUNT_ID, POLICY_JSON, QUEUE_URL};
use crate::errors::aws_diagnostic;
use aws_root_access::AwsClients;
use aws_root_access::resource_policies::{self, QueueUrl, same_policy};
use tfplugin::{Action, Attribute, AttributePath, Diagnostics, Progress, Schema, Value};

pub struct UnlockQueuePolicy;

#[async_trait]
impl Action<AwsClients> for UnlockQueuePolicy {
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

    async fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        let (Some(account), Some(url)) = (
            config.attr("account_id").as_str(),
            config.attr("queue_url").as_str(),
        ) else {
            return;
        };
        if let Ok(queue) = QueueUrl::parse(url)
            && queue.account_id != account
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
        config: &Value,
        progress: &dyn Progress,
        diags: &mut Diagnostics,
    ) {
        let url = config.attr("queue_url").as_str().unwrap_or_default();
        let queue = match QueueUrl::parse(url) {
            Ok(q) => q,
            Err(message) => {
                diags.attribute_error(AttributePath::root("queue_url"), "Invalid value", message);
                return;
            }
        };
        let replacement = config.attr("replacement_policy").as_str();
        progress
            .message(format!(
                "Reading the policy of {} as the root user of {}",
                queue.name, queue.account_id
            ))
            .await;
        let current = match resource_policies::get_queue_policy(aws, &queue).await {
            Ok(p) => p,
            Err(e) => {
                diags.extend(aws_diagnostic(
                    &e,
                    &format!("read the policy of queue {}", queue.url),
                ));
                return;
            }
        };
        match (&current, replacement) {
            (Some(policy), Some(wanted)) if same_policy(policy, wanted) => {
                progress
                    .message(format!(
                        "{} already has the replacement policy; nothing to do",
                        queue.name
                    ))
                    .await;
                return;
            }
            (None, None) => {
                progress
                    .message(format!(
                        "{} has no policy; it is already unlocked",
                        queue.name
                    ))
                    .await;
                diags.warning(
                    "Nothing to unlock",
                    format!("Queue {} has no policy.", queue.url),
                );
                return;
            }
            (Some(old), _) => {
                progress
                    .message(format!("Removing the policy of {}: {old}", queue.name))
                    .await
            }
            (None, Some(_)) => {}
        }
        match resource_policies::set_queue_policy(aws, &queue, replacement).await {
            Ok(()) => {
                progress
                    .message(format!(
                        "{} in {} is unlocked",
                        queue.name, queue.account_id
                    ))
                    .await
            }
            Err(e) => diags.extend(aws_diagnostic(&e, &format!("unlock queue {}", queue.url))),
        }
    }
}
