//! Data sources, one file each.

pub mod caller_identity;
pub mod member_root_credentials;
pub mod org_features;
pub mod org_root_credentials;
pub mod organization;
pub mod root_guardrail_policy;
