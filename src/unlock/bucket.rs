//! A bucket to unlock: its names, and how it is read and unlocked as its
//! account's root user (S3UnlockBucketPolicy session). Buckets can be in
//! any region: reads follow S3's redirect to the bucket's region.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::{Locked, Names};
use aws_root_access::resource_policies::{self as policies, BucketPolicy, BucketRegion};
use aws_root_access::{AwsClients, AwsError, ErrorKind};
use tfplugin::{AttributePath, Diagnostics, Known};

/// A bucket's own attributes in a configuration, plan or state (of the
/// unlock resource and action alike).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct BucketNames {
    pub account_id: Known<String>,
    pub bucket: Known<String>,
    pub region: Known<Option<String>>,
}

impl Names for BucketNames {
    type Object = LockedBucket;
    const WHAT: &'static str = "account and bucket";
    const UNNAMED: &'static str = "the bucket";
    fn object(&self) -> Option<LockedBucket> {
        LockedBucket::of(self)
    }
    /// The region the bucket was found in.
    fn record(&mut self, found: &BucketPolicy) {
        self.region = Known::Value(Some(found.region.clone()));
    }
}

/// A bucket a configuration or state names, once its names are known.
pub struct LockedBucket {
    pub account: String,
    pub bucket: String,
    /// The configured or previously found region.
    pub region: Option<String>,
    /// Only in `region`: a bucket elsewhere is an error (a configured region).
    pub exact_region: bool,
}

impl LockedBucket {
    /// The bucket `names` name, once account and bucket are known.
    pub fn of(names: &BucketNames) -> Option<LockedBucket> {
        Some(LockedBucket {
            account: names.account_id.get()?.clone(),
            bucket: names.bucket.get()?.clone(),
            region: names.region.get().cloned().flatten(),
            exact_region: false,
        })
    }
}

#[async_trait]
impl Locked for LockedBucket {
    type Found = BucketPolicy;

    fn describe(&self) -> String {
        format!("bucket {} of account {}", self.bucket, self.account)
    }

    fn id(&self) -> String {
        format!("{}/{}", self.account, self.bucket)
    }

    async fn read(&self, aws: &AwsClients) -> Result<Option<BucketPolicy>, AwsError> {
        let region = match (self.exact_region, self.region.as_deref()) {
            (true, Some(r)) => BucketRegion::Exactly(r),
            (_, r) => BucketRegion::Find(r),
        };
        match policies::get_bucket_policy(aws, &self.account, &self.bucket, region).await {
            Ok(found) => Ok(Some(found)),
            // Only the bucket itself missing means gone, not any other NotFound.
            Err(e) if e.is(ErrorKind::NotFound) && e.code == "NoSuchBucket" => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn policy(found: &BucketPolicy) -> Option<&str> {
        found.policy.as_deref()
    }

    fn missing(&self, diags: &mut Diagnostics) {
        diags.attribute_error(
            AttributePath::root("bucket"),
            "Bucket not found",
            format!(
                "There is no bucket {} in account {} (looked for in {}). Check the name and the account id; \
                 a bucket elsewhere is found through S3's redirect unless `region` names another region.",
                self.bucket,
                self.account,
                self.region.as_deref().unwrap_or("the provider's region"),
            ),
        );
    }

    async fn set_policy(
        &self,
        aws: &AwsClients,
        found: &BucketPolicy,
        policy: Option<&str>,
    ) -> Result<(), AwsError> {
        match policy {
            None => {
                policies::delete_bucket_policy(aws, &self.account, &self.bucket, &found.region)
                    .await
            }
            Some(p) => {
                policies::put_bucket_policy(aws, &self.account, &self.bucket, &found.region, p)
                    .await
            }
        }
    }

    fn remove_verb(&self) -> &'static str {
        "delete"
    }

    fn account(&self) -> &str {
        &self.account
    }

    fn label(&self) -> String {
        format!("s3://{}", self.bucket)
    }

    /// `self.region`: the planned region, when the plan knew it.
    fn where_planned(&self, found: &BucketPolicy, diags: &mut Diagnostics) -> bool {
        match self.region.as_deref() {
            Some(r) if r != found.region => {
                diags.error(
                    "Bucket moved",
                    format!(
                        "The plan found {} in {r}, but it is now in {}. Run `terraform plan` again.",
                        self.describe(),
                        found.region
                    ),
                );
                false
            }
            _ => true,
        }
    }
}
