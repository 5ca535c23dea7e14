# The whole job, in one configuration run from the management account:
# centralize root access for the organization, remove every member account's
# root credentials (and keep them removed), unlock a bucket and a queue whose
# policies lock everyone out, and let one account's owner recover the root
# password. Against real AWS this file is used as it is with provider.tf;
# scripts/demo only overrides the provider block to reach the local endpoint.

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

data "rootaccess_organization" "this" {}

# 1. Both organization features, with IAM trusted access in AWS Organizations.
resource "rootaccess_org_features" "this" {
  enabled_features      = ["RootCredentialsManagement", "RootSessions"]
  manage_trusted_access = true

  lifecycle {
    precondition {
      condition     = data.rootaccess_caller_identity.me.is_management_account
      error_message = "Run this configuration with the organization's management account."
    }
  }
}

# 2. No root credentials in any active member account. The account chosen for
#    password recovery keeps its (recovery) login profile.
resource "rootaccess_member_credentials_absent" "member" {
  for_each   = toset(data.rootaccess_organization.this.active_member_account_ids)
  account_id = each.value
  credential_types = (each.value == var.password_recovery_account
    ? ["access_keys", "signing_certificates", "mfa_devices"]
  : ["password", "access_keys", "signing_certificates", "mfa_devices"])

  depends_on = [rootaccess_org_features.this]
}

# 3. Unlock the bucket and the queue.
resource "rootaccess_bucket_policy_unlock" "locked" {
  account_id = var.locked_bucket.account_id
  bucket     = var.locked_bucket.bucket
  depends_on = [rootaccess_org_features.this]
}

resource "rootaccess_queue_policy_unlock" "locked" {
  account_id = var.locked_queue.account_id
  queue_url  = "https://sqs.${var.region}.amazonaws.com/${var.locked_queue.account_id}/${var.locked_queue.queue_name}"
  depends_on = [rootaccess_org_features.this]
}

# 4. Password recovery for one account.
resource "rootaccess_member_password_recovery" "owner" {
  account_id = var.password_recovery_account
  depends_on = [rootaccess_member_credentials_absent.member]
}

output "organization" {
  value = rootaccess_org_features.this.organization_id
}

output "removed_root_access_keys" {
  value = { for id, r in rootaccess_member_credentials_absent.member : id => r.removed_access_key_ids }
}

output "removed_bucket_policy" {
  value = rootaccess_bucket_policy_unlock.locked.removed_policy
}

# 5. The audit, read once everything above is done: the compliance view
#    ("no member account has root credentials", except the recovery profile).
data "rootaccess_org_root_credentials" "after" {
  depends_on = [
    rootaccess_member_credentials_absent.member,
    rootaccess_member_password_recovery.owner,
  ]
}

output "audit" {
  value = {
    summary                      = data.rootaccess_org_root_credentials.after.summary
    account_ids_with_credentials = data.rootaccess_org_root_credentials.after.account_ids_with_credentials
    skipped                      = { for s in data.rootaccess_org_root_credentials.after.skipped : s.account_id => s.reason }
  }
}
