# Centralized root access for one organization, or for some of its
# organizational units: the features on, every in-scope member account's
# root credentials deleted and kept deleted (a recovery login profile where
# asked), locked buckets and queues unlocked, and a compliance check in every
# plan. The provider comes from the caller (`providers = { rootaccess = ... }`).

data "rootaccess_organization" "this" {
  organizational_unit_ids = var.organizational_unit_ids
}

locals {
  members       = setsubtract(data.rootaccess_organization.this.active_member_account_ids, var.exclude_account_ids)
  recovery      = setintersection(toset(var.password_recovery_account_ids), local.members)
  without_login = setsubtract(var.credential_types, ["password"])
}

resource "rootaccess_org_features" "this" {
  count = var.manage_features ? 1 : 0

  enabled_features      = ["RootCredentialsManagement", "RootSessions"]
  manage_trusted_access = var.manage_trusted_access
}

resource "rootaccess_member_credentials_absent" "member" {
  for_each = local.members

  account_id = each.key
  # A recovery account keeps its login profile; everything else goes.
  credential_types = contains(local.recovery, each.key) ? local.without_login : var.credential_types

  depends_on = [rootaccess_org_features.this]

  lifecycle {
    precondition {
      condition     = !contains(local.recovery, each.key) || length(local.without_login) > 0
      error_message = "Account ${each.key} is in password_recovery_account_ids and credential_types is only password: nothing would be managed for it. Add another credential type or leave the account out."
    }
  }
}

resource "rootaccess_member_password_recovery" "member" {
  for_each = local.recovery

  account_id = each.key
  depends_on = [rootaccess_member_credentials_absent.member]
}

resource "rootaccess_bucket_policy_unlock" "locked" {
  for_each = { for b in var.locked_buckets : "${b.account_id}/${b.bucket}" => b }

  account_id         = each.value.account_id
  bucket             = each.value.bucket
  replacement_policy = each.value.replacement_policy
  depends_on         = [rootaccess_org_features.this]
}

resource "rootaccess_queue_policy_unlock" "locked" {
  for_each = { for q in var.locked_queues : q.queue_url => q }

  account_id         = each.value.account_id
  queue_url          = each.value.queue_url
  replacement_policy = each.value.replacement_policy
  depends_on         = [rootaccess_org_features.this]
}

# The audit of the accounts in scope, read once the changes above are done.
data "rootaccess_org_root_credentials" "after" {
  account_ids = sort(local.members)

  depends_on = [
    rootaccess_member_credentials_absent.member,
    rootaccess_member_password_recovery.member,
  ]
}

locals {
  # An account is clean when it has none of the managed kinds of root
  # credentials (a recovery account may keep its login profile).
  unclean = sort([
    for a in data.rootaccess_org_root_credentials.after.accounts : a.account_id
    if(
      (a.password_present && contains(var.credential_types, "password") && !contains(local.recovery, a.account_id))
      || (length(a.access_keys) > 0 && contains(var.credential_types, "access_keys"))
      || (length(a.signing_certificates) > 0 && contains(var.credential_types, "signing_certificates"))
      || (length(a.mfa_serials) > 0 && contains(var.credential_types, "mfa_devices"))
    )
  ])
}

# Continuous compliance: every plan audits the accounts in scope and warns,
# naming them, when root credentials came back or a feature is off. A check
# never fails the plan (a check may hold one data source: hence two).
check "root_credentials_absent" {
  data "rootaccess_org_root_credentials" "now" {
    account_ids = sort(local.members)
  }

  assert {
    condition = length([
      for a in data.rootaccess_org_root_credentials.now.accounts : a.account_id
      if(
        (a.password_present && contains(var.credential_types, "password") && !contains(local.recovery, a.account_id))
        || (length(a.access_keys) > 0 && contains(var.credential_types, "access_keys"))
        || (length(a.signing_certificates) > 0 && contains(var.credential_types, "signing_certificates"))
        || (length(a.mfa_serials) > 0 && contains(var.credential_types, "mfa_devices"))
      )
    ]) == 0
    error_message = "Member accounts in scope have root credentials again: ${join(", ", [
      for a in data.rootaccess_org_root_credentials.now.accounts : a.account_id
      if(
        (a.password_present && contains(var.credential_types, "password") && !contains(local.recovery, a.account_id))
        || (length(a.access_keys) > 0 && contains(var.credential_types, "access_keys"))
        || (length(a.signing_certificates) > 0 && contains(var.credential_types, "signing_certificates"))
        || (length(a.mfa_serials) > 0 && contains(var.credential_types, "mfa_devices"))
      )
    ])}. The next apply deletes them."
  }
}

check "root_access_features" {
  data "rootaccess_org_features" "now" {}

  assert {
    condition     = length(setsubtract(["RootCredentialsManagement", "RootSessions"], data.rootaccess_org_features.now.enabled_features)) == 0
    error_message = "Organization features off: ${join(", ", setsubtract(["RootCredentialsManagement", "RootSessions"], data.rootaccess_org_features.now.enabled_features))}. Without them no root credential can be audited or deleted."
  }
}
