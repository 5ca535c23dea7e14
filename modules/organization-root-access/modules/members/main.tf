# One shard of the organization-root-access module's member accounts: their
# root credentials deleted and kept deleted, and a recovery login profile
# where asked. The parent module splits its members into shards by the last
# digit of the account id (stable for an account, so an account never moves
# between shards), because Terraform's cost per instance of one resource
# grows with the instances of that resource: ten resources of 100 instances
# plan and apply several times faster than one of 1,000 (BENCHMARKS.md).

terraform {
  required_providers {
    rootaccess = {
      source = "rootaccess/rootaccess"
    }
  }
}

variable "account_ids" {
  description = "The member accounts of this shard."
  type        = set(string)
}

variable "credential_types" {
  description = "The kinds of root credentials kept absent."
  type        = set(string)
}

variable "password_recovery_account_ids" {
  description = "Accounts of this shard that keep (or get back) a root login profile."
  type        = set(string)
}

locals {
  without_login = setsubtract(var.credential_types, ["password"])
}

resource "rootaccess_member_credentials_absent" "member" {
  for_each = var.account_ids

  account_id = each.key
  # A recovery account keeps its login profile; everything else goes.
  credential_types = contains(var.password_recovery_account_ids, each.key) ? local.without_login : var.credential_types

  lifecycle {
    precondition {
      condition     = !contains(var.password_recovery_account_ids, each.key) || length(local.without_login) > 0
      error_message = "Account ${each.key} is in password_recovery_account_ids and credential_types is only password: nothing would be managed for it. Add another credential type or leave the account out."
    }
  }
}

resource "rootaccess_member_password_recovery" "member" {
  for_each = var.password_recovery_account_ids

  # No depends_on the credential resources: a recovery account's resource
  # leaves `password` alone, and a dependency on them would let one member
  # that cannot be cleaned (an SCP, say) hold back every recovery profile.
  account_id = each.key
}

output "removed_credentials" {
  description = "By account: the root credentials deleted."
  value = {
    for id, r in rootaccess_member_credentials_absent.member : id => {
      password                = r.removed_password
      access_key_ids          = r.removed_access_key_ids
      signing_certificate_ids = r.removed_signing_certificate_ids
      mfa_serials             = r.removed_mfa_serials
    }
  }
}

output "password_recovery_adopted" {
  description = "By recovery account: whether its login profile existed before the module managed it."
  value       = { for id, r in rootaccess_member_password_recovery.member : id => r.adopted }
}
