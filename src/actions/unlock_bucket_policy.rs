//! Action `rootaccess_unlock_bucket_policy`: remove (or replace) the policy
//! of a member account's bucket once, as that account's root user.

use async_trait::async_trait;

use crate::checks::{ACCOUNT_ID, BUCKET_NAME, POLICY_JSON, REGION};
use crate::unlock::{self, BucketNames, LockedBucket};
use aws_root_access::AwsClients;
use tfplugin::{Action, Attribute, Diagnostics, Known, Progress, Schema};

pub struct UnlockBucketPolicy;

/// The action's configuration, known when it is invoked.
#[derive(serde::Deserialize)]
pub struct UnlockBucketConfig {
    #[serde(flatten)]
    names: BucketNames,
    /// `Known`: validate checks the names even while this is unknown.
    replacement_policy: Known<Option<String>>,
}

#[async_trait]
impl Action<AwsClients> for UnlockBucketPolicy {
    type Config = UnlockBucketConfig;

    fn type_name(&self) -> &'static str {
        "rootaccess_unlock_bucket_policy"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            "Deletes (or replaces) the policy of an S3 bucket in a member account, once, in an \
             `S3UnlockBucketPolicy` root session: for a bucket whose policy denies everyone, including the \
             account's administrators. Nothing is kept in state; use the `rootaccess_bucket_policy_unlock` \
             resource to keep the bucket unlocked. Progress shows the policy removed. Requires Terraform 1.14+.",
        )
        .attribute(Attribute::string("account_id").required().validator(ACCOUNT_ID).describe("The member account that owns the bucket."))
        .attribute(Attribute::string("bucket").required().validator(BUCKET_NAME).describe("The bucket's name."))
        .attribute(Attribute::string("region").optional().validator(REGION).describe(
            "Where to look for the bucket first. Defaults to the provider's region; S3's redirect to the bucket's \
             real region is followed.",
        ))
        .attribute(Attribute::string("replacement_policy").optional().validator(POLICY_JSON).describe(
            "A policy to put instead of deleting the current one.",
        ))
    }

    async fn invoke(
        &self,
        aws: &AwsClients,
        config: &UnlockBucketConfig,
        progress: &dyn Progress,
        diags: &mut Diagnostics,
    ) {
        // `region` is where to look first (not exactly): S3's redirect is followed.
        let Some(target) = LockedBucket::of(&config.names) else {
            diags.error(
                "Invalid configuration",
                "account_id and bucket must be known to unlock a bucket.",
            );
            return;
        };
        let replacement = config.replacement_policy.get().cloned().flatten();
        let replacement = replacement.as_deref();
        unlock::unlock_once(aws, &target, replacement, progress, diags).await;
    }
}
