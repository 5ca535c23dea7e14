//! Actions (Terraform 1.14+), one file each: one-shot root tasks invoked with
//! `terraform apply -invoke=action.<type>.<name>` or from an `action_trigger`.

pub mod allow_password_recovery;
pub mod delete_root_credentials;
pub mod unlock_bucket_policy;
pub mod unlock_queue_policy;
