//! Managed resources, one file each.

pub mod bucket_policy_unlock;
pub mod member_credentials_absent;
pub mod member_password_recovery;
pub mod org_credentials_absent;
pub mod org_features;
pub mod queue_policy_unlock;
