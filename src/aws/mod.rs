//! The AWS layer: facts and (later) clients for centralized root access.
//! Knows nothing of Terraform.

pub mod ids;
pub mod task_policy;
