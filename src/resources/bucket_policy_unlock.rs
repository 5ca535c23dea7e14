//! Resource `rootaccess_bucket_policy_unlock`: removes (or replaces) an S3
//! bucket policy that locks everyone out of a member account's bucket, as
//! that account's root user in an S3UnlockBucketPolicy session.

use async_trait::async_trait;

use crate::checks::{ACCOUNT_ID, BUCKET_NAME, REGION};
use crate::member_account::check_importable;
use crate::unlock::{self, BucketNames, Locked, LockedBucket, Observed, Planned, State};
use aws_root_access::AwsClients;
use aws_root_access::ids::check_account_id;
use aws_root_access::resource_policies::check_bucket_name;
use tfplugin::{
    Attribute, Diagnostics, IdentityAttribute, IdentitySchema, Known, Plan, ReadOutcome, Resource,
    Schema,
};

const TYPE_NAME: &str = "rootaccess_bucket_policy_unlock";

pub struct BucketPolicyUnlock;

#[async_trait]
impl Resource<AwsClients> for BucketPolicyUnlock {
    type Config = BucketNames;
    type Planned = Planned<BucketNames>;
    type State = State<BucketNames>;
    type Private = Observed;

    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        let schema = Schema::new(&format!(
            "Unlocks an S3 bucket in a member account whose bucket policy denies everyone, including the account's \
             own administrators. Only the account's root user can undo that: the provider opens a root session for \
             the account (`sts:AssumeRoot` with the `S3UnlockBucketPolicy` task policy, which needs the \
             organization's `RootSessions` feature) and deletes the policy, or replaces it with \
             `replacement_policy`.\n\n\
             {}\n\n\
             **Regions.** Buckets can be in any region. The unlock session cannot call `GetBucketLocation`, so the \
             provider asks in `region` (default: the provider's region) and follows S3's redirect, which names \
             the bucket's region in `x-amz-bucket-region`; the region found is kept in `region`.\n\n\
             **Import** adopts an unlock done earlier (for example by hand) without judging the bucket's current \
             policy: what was removed then is unknown, so until the next run only `replacement_policy` drift is \
             watched.\n\n\
             **Destroy** only removes the resource from state, with a warning: the removed policy is not restored.\n\n\
             **Not listable.** `terraform query` cannot find locked buckets for this resource: the unlock task policy \
             can only read and delete the policy of a bucket it is given, not enumerate buckets. Name each bucket yourself.",
            unlock::plan_and_drift("bucket")
        ))
        .attribute(
            Attribute::string("id")
                .computed()
                .use_state_for_unknown()
                .describe("`<account_id>/<bucket>`, also the import id."),
        )
        .attribute(
            Attribute::string("account_id")
                .required()
                .requires_replace()
                .validator(ACCOUNT_ID)
                .describe("Member account that owns the bucket (not the management account: AWS issues no root sessions for it). Changing it replaces the resource."),
        )
        .attribute(
            Attribute::string("bucket")
                .required()
                .requires_replace()
                .validator(BUCKET_NAME)
                .describe(
                    "Name of the locked bucket (the name alone, not an ARN or `s3://` URL). Legacy names with capitals \
                     or underscores (us-east-1 buckets from before March 2018) are not accepted. Changing it replaces \
                     the resource.",
                ),
        )
        .attribute(
            Attribute::string("region")
                .optional()
                .computed()
                .requires_replace()
                .validator(REGION)
                .describe(
                    "Region of the bucket. Leave it out to have the provider find it (see **Regions** above); set \
                     it to insist on a region, and a bucket elsewhere is an error. Changing it replaces the resource.",
                ),
        );
        unlock::shared_attributes(schema, "bucket", "`s3:PutBucketPolicy`")
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(
            IdentitySchema::new()
                .attribute(IdentityAttribute::string(
                    "account_id",
                    "The 12-digit id of the member account that owns the bucket.",
                ))
                .attribute(IdentityAttribute::string("bucket", "The bucket's name.")),
        )
    }

    async fn plan(&self, plan: &mut Plan<'_, AwsClients, Self>, diags: &mut Diagnostics) {
        let Some(bucket) = LockedBucket::of(&plan.config) else {
            return; // names unknown until apply
        };
        plan.planned.unlock.id = Known::Value(Some(bucket.id()));
        unlock::claim(plan.client, &bucket, TYPE_NAME, diags);
        let config = &plan.config;
        let region_configured = config.region != Known::Value(None);
        let prior_names = plan.prior.as_ref().map(|p| p.names.clone());
        if let Some(prior_names) = &prior_names {
            let moved = config.account_id != prior_names.account_id
                || config.bucket != prior_names.bucket
                || (region_configured && config.region != prior_names.region);
            if moved {
                return; // a replacement: Terraform plans the new object again from scratch
            }
        }
        let prior_region = prior_names.and_then(|n| n.region.into_option()).flatten();
        // Unless configured, the region found before stands (an unknown region
        // would force a replacement); a read below may find the bucket elsewhere.
        if !region_configured && plan.prior.is_some() {
            plan.planned.names.region = Known::Value(prior_region.clone());
        }
        let prior_unlock = plan.prior.as_ref().map(|p| &p.unlock);
        if !unlock::plan_run(prior_unlock, &mut plan.planned.unlock) {
            return;
        }
        if plan.config.region == Known::Unknown {
            // Where to read is known only after apply; so is the region.
            plan.planned.unlock.removed_policy = Known::Unknown;
            unlock::shown_at_apply(
                &bucket.describe(),
                "region is known only after apply, so the plan cannot tell where to read the bucket's policy",
                diags,
            );
            return;
        }
        // Plan-time read: the person approving sees the policy that goes.
        let target = LockedBucket {
            region: bucket.region.clone().or(prior_region),
            exact_region: region_configured,
            ..bucket
        };
        unlock::plan_removed_policy(plan, &target, diags).await;
    }

    async fn create(
        &self,
        aws: &AwsClients,
        planned: &Planned<BucketNames>,
        diags: &mut Diagnostics,
    ) -> Option<State<BucketNames>> {
        unlock::apply(aws, None, planned, diags).await
    }

    async fn read(
        &self,
        aws: &AwsClients,
        state: &State<BucketNames>,
        diags: &mut Diagnostics,
    ) -> ReadOutcome<State<BucketNames>, Observed> {
        // The stored region is a starting point: a bucket re-created elsewhere is followed.
        unlock::refresh(aws, state, diags).await
    }

    async fn update(
        &self,
        aws: &AwsClients,
        prior: &State<BucketNames>,
        planned: &Planned<BucketNames>,
        diags: &mut Diagnostics,
    ) -> Option<State<BucketNames>> {
        // Runs the unlock again (triggers, replacement_policy, or the lock came back).
        unlock::apply(aws, Some(prior), planned, diags).await
    }

    async fn delete(&self, _aws: &AwsClients, prior: &State<BucketNames>, diags: &mut Diagnostics) {
        unlock::destroy(prior, diags);
    }

    fn plan_destroy(&self, prior: &State<BucketNames>, diags: &mut Diagnostics) {
        unlock::destroy(prior, diags);
    }

    async fn import(
        &self,
        aws: &AwsClients,
        id: &str,
        diags: &mut Diagnostics,
    ) -> Option<State<BucketNames>> {
        let parsed = id.split_once('/').filter(|(account, bucket)| {
            check_account_id(account).is_ok() && check_bucket_name(bucket).is_ok()
        });
        let Some((account, bucket)) = parsed else {
            diags.error(
                "Invalid import id",
                format!(
                    "{id:?} is not `<account_id>/<bucket>`: write the 12-digit account id, a slash and the bucket \
                     name, e.g. 111122223333/my-locked-bucket."
                ),
            );
            return None;
        };
        if !check_importable(aws, account, TYPE_NAME, diags).await {
            return None;
        }
        let names = BucketNames {
            account_id: Known::Value(account.to_string()),
            bucket: Known::Value(bucket.to_string()),
            region: Known::Value(None),
        };
        Some(unlock::imported(id, names))
    }
}
