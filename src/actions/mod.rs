//! Actions (Terraform 1.14+), one file each: one-shot root tasks invoked with
//! `terraform apply -invoke=action.<type>.<name>` or from an `action_trigger`.

pub mod unlock_bucket_policy;
pub mod unlock_queue_policy;
