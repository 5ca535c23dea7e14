//! Ephemeral resources, one file each.

pub mod root_session;
