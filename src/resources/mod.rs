//! Resources, one file each.

pub mod member_credentials_absent;
pub mod member_password_recovery;
