//! Managed resources, one file each.

pub mod bucket_policy_unlock;
pub mod org_features;
mod policy_unlock;
pub mod queue_policy_unlock;
