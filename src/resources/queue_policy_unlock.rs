//! Resource `rootaccess_queue_policy_unlock`: removes (or replaces) an SQS
//! queue policy that locks everyone out of a member account's queue, as that
//! account's root user in an SQSUnlockQueuePolicy session.

use std::sync::LazyLock;

use async_trait::async_trait;

use super::locked::{LockedQueue, QueueNames};
use super::policy_unlock::{self, Locked, PlannedUnlock, Unlock};
use crate::checks::{ACCOUNT_ID, QUEUE_URL};
use crate::member_account::check_importable;
use aws_root_access::AwsClients;
use aws_root_access::resource_policies::QueueUrl;
use tfplugin::{
    Attribute, AttributePath, Diagnostics, IdentityAttribute, IdentitySchema, Known, Plan,
    ReadOutcome, Resource, Schema, Type, Value, decode_or_report,
};

const TYPE_NAME: &str = "rootaccess_queue_policy_unlock";

pub struct QueuePolicyUnlock;

#[async_trait]
impl Resource<AwsClients> for QueuePolicyUnlock {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        let schema = Schema::new(&format!(
            "Unlocks an SQS queue in a member account whose queue policy denies everyone, including the account's \
             own administrators. Only the account's root user can undo that: the provider opens a root session for \
             the account (`sts:AssumeRoot` with the `SQSUnlockQueuePolicy` task policy, which needs the \
             organization's `RootSessions` feature) and removes the policy (`SetQueueAttributes` with an empty \
             `Policy`), or replaces it with `replacement_policy`.\n\n\
             {}\n\n\
             **Regions.** The queue's region comes from its URL (`sqs.<region>.amazonaws.com`, the legacy \
             `<region>.queue.amazonaws.com` and `queue.amazonaws.com`, VPC endpoint names); a URL of another host \
             (a custom `endpoints.sqs`) means the provider's region.\n\n\
             **Import** adopts an unlock done earlier (for example by hand) without judging the queue's current \
             policy: what was removed then is unknown, so until the next run only `replacement_policy` drift is \
             watched.\n\n\
             **Destroy** only removes the resource from state, with a warning: the removed policy is not restored.\n\n\
             **Not listable.** `terraform query` cannot find locked queues for this resource: the unlock task policy \
             can only read and delete the policy of a queue it is given, not enumerate queues. Name each queue yourself.",
            policy_unlock::plan_and_drift("queue")
        ))
        .attribute(
            Attribute::string("id")
                .computed()
                .use_state_for_unknown()
                .describe("The queue URL, also the import id."),
        )
        .attribute(
            Attribute::string("account_id")
                .required()
                .requires_replace()
                .validator(ACCOUNT_ID)
                .describe("Member account that owns the queue (not the management account: AWS issues no root sessions for it). Must be the account in `queue_url`. Changing it replaces the resource."),
        )
        .attribute(
            Attribute::string("queue_url")
                .required()
                .requires_replace()
                .validator(QUEUE_URL)
                .describe("URL of the locked queue. Its account must be `account_id`; its host names the region. Changing it replaces the resource."),
        );
        policy_unlock::shared_attributes(schema, "queue", "`SetQueueAttributes`")
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(IdentitySchema::new().attribute(IdentityAttribute::string(
            "queue_url",
            "The queue's URL, which names its account, region and name.",
        )))
    }

    async fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        let Some(names) = decode_or_report::<QueueNames>(config, diags) else {
            return;
        };
        let (Known::Value(account), Known::Value(url)) = (&names.account_id, &names.queue_url)
        else {
            return; // unknown until apply: checked again then
        };
        if let Ok(q) = QueueUrl::parse(url)
            && &q.account_id != account
        {
            diags.attribute_error(
                    AttributePath::root("queue_url"),
                    "Queue of another account",
                    format!(
                        "The queue URL belongs to account {}, but account_id is {account}. A root session acts only \
                         in its own account: set account_id = \"{}\", or use the URL of a queue in {account}.",
                        q.account_id, q.account_id
                    ),
                );
        }
    }

    async fn plan(&self, plan: &mut Plan<'_, AwsClients>, diags: &mut Diagnostics) {
        let (Some(config), Some(prior), Some(prior_names), Some(mut planned)) = (
            decode_or_report::<QueueNames>(plan.config, diags),
            decode_or_report::<Option<Unlock>>(plan.prior, diags),
            decode_or_report::<Option<QueueNames>>(plan.prior, diags),
            decode_or_report::<PlannedUnlock>(&plan.planned, diags),
        ) else {
            return;
        };
        if let Some(t) = LockedQueue::of(&config) {
            planned.id = Known::Value(Some(t.id()));
            policy_unlock::claim(plan, &t, TYPE_NAME, diags);
            // Another queue is a replacement: Terraform plans the new object
            // again from scratch. Another account's queue is refused by validate.
            let moved = prior_names.is_some_and(|p| p != config);
            if !moved
                && t.queue.account_id == t.account
                && policy_unlock::plan_run(prior.as_ref(), &mut planned)
            {
                // Plan-time read: the person approving sees the policy that goes.
                policy_unlock::plan_removed_policy(plan, &mut planned, prior.as_ref(), &t, diags)
                    .await;
            }
        }
        plan.set(&planned, diags);
    }

    async fn create(&self, aws: &AwsClients, planned: &Value, diags: &mut Diagnostics) -> Value {
        policy_unlock::apply_named::<QueueNames>(aws, &Value::Null, planned, &STATE_TYPE, diags)
            .await
    }

    async fn read(&self, aws: &AwsClients, state: &Value, diags: &mut Diagnostics) -> ReadOutcome {
        policy_unlock::refresh_named::<QueueNames>(aws, state, &STATE_TYPE, diags).await
    }

    async fn update(
        &self,
        aws: &AwsClients,
        prior: &Value,
        planned: &Value,
        diags: &mut Diagnostics,
    ) -> Value {
        // Runs the unlock again (triggers, replacement_policy, or the lock came back).
        policy_unlock::apply_named::<QueueNames>(aws, prior, planned, &STATE_TYPE, diags).await
    }

    async fn delete(&self, _aws: &AwsClients, prior: &Value, diags: &mut Diagnostics) {
        policy_unlock::destroy_named::<QueueNames>(prior, diags);
    }

    fn plan_destroy(&self, prior: &Value, diags: &mut Diagnostics) {
        policy_unlock::destroy_named::<QueueNames>(prior, diags);
    }

    async fn import(&self, aws: &AwsClients, id: &str, diags: &mut Diagnostics) -> Value {
        let queue = match QueueUrl::parse(id) {
            Ok(q) => q,
            Err(e) => {
                diags.error(
                    "Invalid import id",
                    format!("The import id must be the queue URL: {e}."),
                );
                return Value::Null;
            }
        };
        if !check_importable(aws, &queue.account_id, TYPE_NAME, diags).await {
            return Value::Null;
        }
        let names = QueueNames {
            account_id: Known::Value(queue.account_id),
            queue_url: Known::Value(id.to_string()),
        };
        policy_unlock::imported(id, &names, &STATE_TYPE, diags)
    }
}

static STATE_TYPE: LazyLock<Type> = LazyLock::new(|| QueuePolicyUnlock.schema().value_type());
