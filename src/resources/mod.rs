//! Managed resources, one file each.

pub mod org_features;
