//! Resource `rootaccess_queue_policy_unlock`: removes (or replaces) an SQS
//! queue policy that locks everyone out of a member account's queue, as that
//! account's root user in an SQSUnlockQueuePolicy session.

use async_trait::async_trait;

use crate::checks::{ACCOUNT_ID, QUEUE_URL};
use crate::member_account::check_importable;
use crate::unlock::{self, Locked, LockedQueue, Observed, Planned, QueueNames, State};
use aws_root_access::AwsClients;
use aws_root_access::resource_policies::QueueUrl;
use tfplugin::{
    Attribute, AttributePath, Diagnostics, IdentityAttribute, IdentitySchema, Known, Plan,
    ReadOutcome, Resource, Schema,
};

const TYPE_NAME: &str = "rootaccess_queue_policy_unlock";

pub struct QueuePolicyUnlock;

#[async_trait]
impl Resource<AwsClients> for QueuePolicyUnlock {
    type Config = QueueNames;
    type Planned = Planned<QueueNames>;
    type State = State<QueueNames>;
    type Private = Observed;

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
            unlock::plan_and_drift("queue")
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
        unlock::shared_attributes(schema, "queue", "`SetQueueAttributes`")
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(IdentitySchema::new().attribute(IdentityAttribute::string(
            "queue_url",
            "The queue's URL, which names its account, region and name.",
        )))
    }

    async fn validate(&self, names: &QueueNames, diags: &mut Diagnostics) {
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

    async fn plan(&self, plan: &mut Plan<'_, AwsClients, Self>, diags: &mut Diagnostics) {
        let Some(queue) = LockedQueue::of(&plan.config) else {
            return; // names unknown until apply
        };
        plan.planned.unlock.id = Known::Value(Some(queue.id()));
        unlock::claim(plan.client, &queue, TYPE_NAME, diags);
        // Another queue is a replacement: Terraform plans the new object
        // again from scratch. Another account's queue is refused by validate.
        let moved = plan.prior.as_ref().is_some_and(|p| p.names != plan.config);
        let prior_unlock = plan.prior.as_ref().map(|p| &p.unlock);
        if !moved
            && queue.queue.account_id == queue.account
            && unlock::plan_run(prior_unlock, &mut plan.planned.unlock)
        {
            // Plan-time read: the person approving sees the policy that goes.
            unlock::plan_removed_policy(plan, &queue, diags).await;
        }
    }

    async fn create(
        &self,
        aws: &AwsClients,
        planned: &Planned<QueueNames>,
        diags: &mut Diagnostics,
    ) -> Option<State<QueueNames>> {
        unlock::apply(aws, None, planned, diags).await
    }

    async fn read(
        &self,
        aws: &AwsClients,
        state: &State<QueueNames>,
        diags: &mut Diagnostics,
    ) -> ReadOutcome<State<QueueNames>, Observed> {
        unlock::refresh(aws, state, diags).await
    }

    async fn update(
        &self,
        aws: &AwsClients,
        prior: &State<QueueNames>,
        planned: &Planned<QueueNames>,
        diags: &mut Diagnostics,
    ) -> Option<State<QueueNames>> {
        // Runs the unlock again (triggers, replacement_policy, or the lock came back).
        unlock::apply(aws, Some(prior), planned, diags).await
    }

    async fn delete(&self, _aws: &AwsClients, prior: &State<QueueNames>, diags: &mut Diagnostics) {
        unlock::destroy(prior, diags);
    }

    fn plan_destroy(&self, prior: &State<QueueNames>, diags: &mut Diagnostics) {
        unlock::destroy(prior, diags);
    }

    async fn import(
        &self,
        aws: &AwsClients,
        id: &str,
        diags: &mut Diagnostics,
    ) -> Option<State<QueueNames>> {
        let queue = match QueueUrl::parse(id) {
            Ok(q) => q,
            Err(e) => {
                diags.error(
                    "Invalid import id",
                    format!("The import id must be the queue URL: {e}."),
                );
                return None;
            }
        };
        if !check_importable(aws, &queue.account_id, TYPE_NAME, diags).await {
            return None;
        }
        let names = QueueNames {
            account_id: Known::Value(queue.account_id),
            queue_url: Known::Value(id.to_string()),
        };
        Some(unlock::imported(id, names))
    }
}
