//! Managed resources, one file each.

pub mod bucket_policy_unlock;
mod policy_unlock;
pub mod queue_policy_unlock;
