//! The objects the unlock resources and actions act on, a bucket and a
//! queue, as [`Locked`] objects: how each is named, read, and unlocked as its
//! account's root user.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::policy_unlock::Locked;
use aws_root_access::resource_policies::{self as policies, BucketPolicy, BucketRegion, QueueUrl};
use aws_root_access::{AwsClients, AwsError, ErrorKind};
use tfplugin::{AttributePath, Diagnostics, Known};

/// The attributes of an unlock resource that name its object: decoded from
/// a state or plan, they give the object once known.
pub trait Names: serde::de::DeserializeOwned + Send + Sync {
    type Object: Locked;
    /// What the names are, for an error about a state or plan without
    /// them: "account and bucket".
    const WHAT: &'static str;
    /// The object in words when it cannot be named: "the bucket".
    const UNNAMED: &'static str;
    /// The object, once its names are known.
    fn object(&self) -> Option<Self::Object>;
}

impl Names for BucketNames {
    type Object = LockedBucket;
    const WHAT: &'static str = "account and bucket";
    const UNNAMED: &'static str = "the bucket";
    fn object(&self) -> Option<LockedBucket> {
        LockedBucket::of(self)
    }
}

impl Names for QueueNames {
    type Object = LockedQueue;
    const WHAT: &'static str = "account and queue URL";
    const UNNAMED: &'static str = "the queue";
    fn object(&self) -> Option<LockedQueue> {
        LockedQueue::of(self)
    }
}

/// A bucket's own attributes in a configuration, plan or state (of the
/// unlock resource and action alike).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct BucketNames {
    pub account_id: Known<String>,
    pub bucket: Known<String>,
    pub region: Known<Option<String>>,
}

/// The region a read found the bucket in: what the bucket unlock keeps.
#[derive(Serialize)]
pub struct FoundRegion {
    pub region: String,
}

/// A queue's own attributes in a configuration, plan or state.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct QueueNames {
    pub account_id: Known<String>,
    pub queue_url: Known<String>,
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
    type Recorded = FoundRegion;

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

    fn recorded(&self, found: &BucketPolicy) -> Option<FoundRegion> {
        Some(FoundRegion {
            region: found.region.clone(),
        })
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
    type Recorded = ();

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
