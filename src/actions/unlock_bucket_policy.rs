//! Action `rootaccess_unlock_bucket_policy`: remove (or replace) the policy
//! of a member account's bucket once, as that account's root user.

use async_trait::async_trait;

use crate::checks::{ACCOUNT_ID, BUCKET_NAME, POLICY_JSON, REGION};
use crate::errors::aws_diagnostic;
use aws_root_access::AwsClients;
use aws_root_access::resource_policies::{self, BucketRegion, same_policy};
use tfplugin::{Action, Attribute, Diagnostics, Progress, Schema, Value};

pub struct UnlockBucketPolicy;

#[async_trait]
impl Action<AwsClients> for UnlockBucketPolicy {
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
        config: &Value,
        progress: &dyn Progress,
        diags: &mut Diagnostics,
    ) {
        let account = config.attr("account_id").as_str().unwrap_or_default();
        let bucket = config.attr("bucket").as_str().unwrap_or_default();
        let replacement = config.attr("replacement_policy").as_str();
        progress
            .message(format!(
                "Reading the policy of s3://{bucket} as the root user of {account}"
            ))
            .await;
        let region = BucketRegion::Find(config.attr("region").as_str());
        let current = match resource_policies::get_bucket_policy(aws, account, bucket, region).await
        {
            Ok(p) => p,
            Err(e) => {
                diags.extend(aws_diagnostic(
                    &e,
                    &format!("read the policy of bucket {bucket} in {account}"),
                ));
                return;
            }
        };
        let result = match (&current.policy, replacement) {
            (Some(policy), Some(wanted)) if same_policy(policy, wanted) => {
                progress
                    .message(format!(
                        "s3://{bucket} already has the replacement policy; nothing to do"
                    ))
                    .await;
                return;
            }
            (None, None) => {
                progress
                    .message(format!(
                        "s3://{bucket} has no policy; it is already unlocked"
                    ))
                    .await;
                diags.warning(
                    "Nothing to unlock",
                    format!("Bucket {bucket} in {account} has no policy."),
                );
                return;
            }
            (old, Some(wanted)) => {
                if let Some(old) = old {
                    progress
                        .message(format!("Replacing the policy of s3://{bucket}: {old}"))
                        .await;
                }
                resource_policies::put_bucket_policy(aws, account, bucket, &current.region, wanted)
                    .await
            }
            (Some(old), None) => {
                progress
                    .message(format!("Deleting the policy of s3://{bucket}: {old}"))
                    .await;
                resource_policies::delete_bucket_policy(aws, account, bucket, &current.region).await
            }
        };
        match result {
            Ok(()) => {
                progress
                    .message(format!("s3://{bucket} in {account} is unlocked"))
                    .await
            }
            Err(e) => diags.extend(aws_diagnostic(
                &e,
                &format!("unlock bucket {bucket} in {account}"),
            )),
        }
    }
}
