//! Unlocking a member account's S3 bucket or SQS queue whose resource policy
//! denies everyone, as the account's root user: written once, over the
//! object unlocked ([`Locked`]), for the two resources
//! (`rootaccess_bucket_policy_unlock`, `rootaccess_queue_policy_unlock`) and
//! the two actions (`rootaccess_unlock_bucket_policy`,
//! `rootaccess_unlock_queue_policy`).
//!
//! - this file: the objects ([`Locked`], [`Names`]) and the resources'
//!   models ([`State`], [`Planned`], [`Observed`]);
//! - `bucket.rs`, `queue.rs`: each object's specifics;
//! - `lifecycle.rs`: the resources' plan, apply, refresh and import;
//! - `once.rs`: the actions' single unlock;
//! - `rules.rs`: the pure rules (what goes, what is drift, when a plan runs);
//! - `diagnostics.rs`, `docs.rs`: what users read.
//!
//! Policies are always compared as JSON documents
//! ([`aws_root_access::resource_policies::same_policy`]), never as text.
//!
//! Attributes both resources share:
//! - `replacement_policy`: what the object should hold after the unlock
//!   (`None`: no policy at all).
//! - `removed_policy`: at plan time the policy that the unlock will remove
//!   (so the person approving sees it), afterwards the policy it removed.
//!   When an unlock finds nothing to remove it keeps the earlier value.
//! - `unlocked`: `false` when a refresh finds the object locked again; the
//!   plan then shows `unlocked: false -> true` and the apply unlocks again.

use std::collections::BTreeMap;

use async_trait::async_trait;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use aws_root_access::{AwsClients, AwsError};
use tfplugin::{Diagnostics, Known, Resource};

mod bucket;
mod diagnostics;
mod docs;
mod lifecycle;
mod once;
mod queue;
mod rules;
#[cfg(test)]
mod tests;

pub use bucket::{BucketNames, LockedBucket};
pub use diagnostics::shown_at_apply;
pub use docs::{plan_and_drift, shared_attributes};
pub use lifecycle::{apply, claim, destroy, imported, plan_removed_policy, refresh};
pub use once::unlock_once;
pub use queue::{LockedQueue, QueueNames};
pub use rules::plan_run;

/// A locked object, as its resource or action names it: a bucket or a queue.
#[async_trait]
pub trait Locked: Send + Sync {
    /// What a read finds: the policy, and anything else the resource keeps.
    type Found: Send + Sync;

    /// Plain words for messages: "bucket b of account a".
    fn describe(&self) -> String;
    /// The resource's `id`.
    fn id(&self) -> String;
    /// Reads the object's policy as its account's root user; `Ok(None)` when
    /// the object itself does not exist.
    async fn read(&self, aws: &AwsClients) -> Result<Option<Self::Found>, AwsError>;
    /// The policy in what a read found (`None`: no policy).
    fn policy(found: &Self::Found) -> Option<&str>;
    /// The error for an object that does not exist.
    fn missing(&self, diags: &mut Diagnostics);
    /// Deletes the policy (`None`) or puts `policy`, where `found` says the
    /// object is.
    async fn set_policy(
        &self,
        aws: &AwsClients,
        found: &Self::Found,
        policy: Option<&str>,
    ) -> Result<(), AwsError>;
    /// The verb for removing the policy ("delete" for buckets, "remove"
    /// for queues, as their APIs say), in errors and progress.
    fn remove_verb(&self) -> &'static str;
    /// The account that owns the object.
    fn account(&self) -> &str;
    /// A short name for progress messages (`s3://bucket`, a queue's name).
    fn label(&self) -> String;
    /// At apply: whether the object is still where the plan found it.
    fn where_planned(&self, _found: &Self::Found, _diags: &mut Diagnostics) -> bool {
        true
    }
}

/// The attributes of an unlock resource that name its object (in its
/// configuration, plan and state alike): they give the object once known.
pub trait Names: Serialize + DeserializeOwned + Clone + PartialEq + Send + Sync + 'static {
    type Object: Locked;
    /// What the names are, for an error about a state or plan without
    /// them: "account and bucket".
    const WHAT: &'static str;
    /// The object in words when it cannot be named: "the bucket".
    const UNNAMED: &'static str;
    /// The object, once its names are known.
    fn object(&self) -> Option<Self::Object>;
    /// Keeps what a read found besides the policy (a bucket's region).
    fn record(&mut self, _found: &<Self::Object as Locked>::Found) {}
}

/// The attributes both unlock resources share, as stored.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Unlock {
    pub id: Option<String>,
    pub replacement_policy: Option<String>,
    pub triggers: Option<BTreeMap<String, String>>,
    pub removed_policy: Option<String>,
    pub unlocked: Option<bool>,
}

/// The same attributes in a plan.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct PlannedUnlock {
    pub id: Known<Option<String>>,
    pub replacement_policy: Known<Option<String>>,
    pub triggers: Known<Option<BTreeMap<String, String>>>,
    pub removed_policy: Known<Option<String>>,
    pub unlocked: Known<Option<bool>>,
}

/// An unlock resource's state: its object's names and the unlock.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct State<N> {
    #[serde(flatten)]
    pub names: N,
    #[serde(flatten)]
    pub unlock: Unlock,
}

/// An unlock resource's plan.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Planned<N> {
    #[serde(flatten)]
    pub names: N,
    #[serde(flatten)]
    pub unlock: PlannedUnlock,
}

/// What a refresh saw, kept in Terraform's private state for the next plan:
/// the policy the object held, and the stored attributes it was seen
/// against (an observation made for another state is never used). A plan
/// that shows what goes from it plans the same at the apply-time re-plan,
/// and the apply then refuses a policy that changed since with the
/// provider's own error, instead of Terraform's "inconsistent final plan".
#[derive(Serialize, Deserialize, PartialEq, Debug)]
pub struct Observed {
    policy: Option<String>,
    removed_policy: Option<String>,
    replacement_policy: Option<String>,
    unlocked: Option<bool>,
}

impl Observed {
    fn of(policy: Option<&str>, state: &Unlock) -> Observed {
        Observed {
            policy: policy.map(str::to_string),
            removed_policy: state.removed_policy.clone(),
            replacement_policy: state.replacement_policy.clone(),
            unlocked: state.unlocked,
        }
    }

    /// Whether this observation was made for `state`.
    fn made_for(&self, state: &Unlock) -> bool {
        let context = Observed::of(None, state);
        self.removed_policy == context.removed_policy
            && self.replacement_policy == context.replacement_policy
            && self.unlocked == context.unlocked
    }
}

/// An unlock resource, as the lifecycle functions see it: its models are
/// the ones above, over its names `N`.
pub trait UnlockResource<N: Names>:
    Resource<AwsClients, Config = N, Planned = Planned<N>, State = State<N>, Private = Observed>
{
}

impl<N: Names, R> UnlockResource<N> for R where
    R: Resource<AwsClients, Config = N, Planned = Planned<N>, State = State<N>, Private = Observed>
{
}
