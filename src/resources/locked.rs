//! The objects the unlock resources and actions act on, a bucket and a
//! queue, as [`Locked`] objects: how each is named, read, and unlocked as its
//! account's root user.

use async_trait::async_trait;

use super::policy_unlock::Locked;
use aws_root_access::resource_policies::{self as policies, BucketPolicy, BucketRegion, QueueUrl};
use aws_root_access::{AwsClients, AwsError, ErrorKind};
use tfplugin::{AttributePath, Diagnostics, Value};

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
    pub fn of(value: &Value) -> Option<LockedBucket> {
        Some(LockedBucket {
            account: value.attr("account_id").as_str()?.to_string(),
            bucket: value.attr("bucket").as_str()?.to_string(),
            region: value.attr("region").as_str().map(str::to_string),
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

    fn id(&self) -> Value {
        Value::string(format!("{}/{}", self.account, self.bucket))
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

    fn record(&self, found: &BucketPolicy, state: &mut Value) {
        state.set_attr("region", Value::string(found.region.clone()));
    }

    fn where_planned(
        &self,
        planned: &Value,
        found: &BucketPolicy,
        diags: &mut Diagnostics,
    ) -> bool {
        match planned.attr("region").as_str() {
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
    pub fn of(value: &Value) -> Option<LockedQueue> {
        Some(LockedQueue {
            account: value.attr("account_id").as_str()?.to_string(),
            queue: QueueUrl::parse(value.attr("queue_url").as_str()?).ok()?,
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

    fn id(&self) -> Value {
        Value::string(&self.queue.url)
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
