# The whole job, in one configuration run from the management account:
# centralize root access for the organization, remove every member account's
# root credentials (and keep them removed), unlock a bucket and a queue whose
# policies lock everyone out, and let one account's owner recover the root
# password. It is a call of the module modules/organization-root-access plus
# what is specific to this organization. Against real AWS this directory is
# used as it is; scripts/demo only overrides the provider block to reach the
# local endpoint.

variable "region" {
  description = "Region of the provider's STS root sessions and of the locked queue."
  type        = string
  default     = "us-east-1"
}

variable "locked_bucket" {
  description = "A member account's bucket whose policy denies everyone."
  type        = object({ account_id = string, bucket = string })
  default     = { account_id = "111111111111", bucket = "dev-data-locked" }
}

variable "locked_queue" {
  description = "A member account's queue whose policy denies everyone."
  type        = object({ account_id = string, queue_name = string })
  default     = { account_id = "333333333333", queue_name = "prod-orders-locked" }
}

variable "password_recovery_account" {
  description = "The member account whose root mailbox owner may recover the root password."
  type        = string
  default     = "222222222222"
}

data "rootaccess_caller_identity" "me" {}

# Features, root credentials of every active member, the recovery login
# profile, the two unlocks, and the audit afterwards.
module "root_access" {
  source = "../../modules/organization-root-access"

  password_recovery_account_ids = [var.password_recovery_account]
  locked_buckets                = [var.locked_bucket]
  locked_queues = [{
    account_id = var.locked_queue.account_id
    queue_url  = "https://sqs.${var.region}.amazonaws.com/${var.locked_queue.account_id}/${var.locked_queue.queue_name}"
  }]
}

check "management_account" {
  assert {
    condition     = data.rootaccess_caller_identity.me.is_management_account
    error_message = "Run this configuration with the organization's management account: the IAM delegated administrator cannot enable the features."
  }
}

output "organization" {
  value = module.root_access.organization_id
}

output "removed_root_access_keys" {
  value = { for id, r in module.root_access.removed_credentials : id => r.access_key_ids }
}

output "removed_policies" {
  value = module.root_access.removed_policies
}

# The compliance view ("no member account has root credentials", except the
# recovery profile).
output "audit" {
  value = module.root_access.audit
}

output "all_members_clean" {
  value = module.root_access.all_members_clean
}
