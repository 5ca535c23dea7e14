//! Provider functions, one file each.

pub mod root_user_arn;
pub mod task_policy_arn;
