# Centralized root access for one organization, or for some of its
# organizational units: the features on, every in-scope member account's
# root credentials deleted and kept deleted (a recovery login profile where
# asked), locked buckets and queues unlocked, and a compliance check in every
# plan. The provider comes from the caller (`providers = { rootaccess = ... }`).

data "rootaccess_organization" "this" {
  organizational_unit_ids = var.organizational_unit_ids
}

locals {
  members  = setsubtract(data.rootaccess_organization.this.active_member_account_ids, var.exclude_account_ids)
  recovery = setintersection(toset(var.password_recovery_account_ids), local.members)
  # Every member in scope, ACTIVE or not: the audit names the ones it cannot
  # audit (suspended, closing), so all_members_clean never counts them clean.
  in_scope = setsubtract(
    [for a in data.rootaccess_organization.this.accounts : a.id if a.id != data.rootaccess_organization.this.management_account_id],
    var.exclude_account_ids,
  )
  # With one resource for the scope, only the recovery accounts keep
  # per-account resources (their password stays): the scope excludes them.
  per_account     = var.credentials_resource == "per_account"
  member_accounts = local.per_account ? local.members : local.recovery
  # Members in shards by the last digit of the account id (see
  # modules/members): at most ten, each a tenth of the organization.
  shards = {
    for digit in distinct([for id in local.member_accounts : substr(id, 11, 1)]) : digit => {
      account_ids = toset([for id in local.member_accounts : id if substr(id, 11, 1) == digit])
      recovery    = toset([for id in local.recovery : id if substr(id, 11, 1) == digit])
    }
  }
}

resource "rootaccess_org_features" "this" {
  count = var.manage_features ? 1 : 0

  enabled_features      = ["RootCredentialsManagement", "RootSessions"]
  manage_trusted_access = var.manage_trusted_access
  # The value in the state decides at destroy: with the default false,
  # manage_features = false and `terraform destroy` leave the features on.
  disable_on_destroy = var.disable_features_on_destroy
}

module "members" {
  source   = "./modules/members"
  for_each = local.shards

  account_ids                   = each.value.account_ids
  password_recovery_account_ids = each.value.recovery
  credential_types              = var.credential_types

  depends_on = [rootaccess_org_features.this]
}

# credentials_resource = "scope": every ACTIVE member in scope as one
# resource, minus the exclusions and the recovery accounts.
resource "rootaccess_org_credentials_absent" "members" {
  count = local.per_account ? 0 : 1

  organizational_unit_ids = var.organizational_unit_ids
  exclude_account_ids     = setunion(var.exclude_account_ids, local.recovery)
  credential_types        = var.credential_types

  depends_on = [rootaccess_org_features.this]
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

# The audit of the accounts in scope, read once the changes above are done
# (in a plan without changes, at plan time: the compliance view of today).
data "rootaccess_org_root_credentials" "after" {
  account_ids      = sort(local.in_scope)
  allow_incomplete = true # an account that cannot be audited: a warning below, not a failed plan

  depends_on = [module.members, rootaccess_org_credentials_absent.members]
}

# The features as they are, read after this run changes them (IAM cannot list
# them before trusted access is on: the first run enables it).
data "rootaccess_org_features" "now" {
  depends_on = [rootaccess_org_features.this]
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
  features_off = setsubtract(["RootCredentialsManagement", "RootSessions"], data.rootaccess_org_features.now.enabled_features)
}

# Continuous compliance, as warnings that never fail a plan: in a plan
# without changes the audit above is today's, so these name accounts whose
# root credentials came back in kinds no resource plans to delete, accounts
# that cannot be audited, and features that are off; after an apply, whatever
# the apply could not fix. (Credentials that came back in managed kinds are a
# planned change already, and their resource's plan warning names them.)
# Ordinary data sources on purpose: a data source scoped to a check block is
# shown as a read in every plan, and `plan -detailed-exitcode` would never
# report "no changes".
check "root_credentials_absent" {
  assert {
    condition     = length(local.unclean) == 0
    error_message = "Member accounts in scope have root credentials: ${join(", ", local.unclean)}."
  }

  assert {
    condition     = length(data.rootaccess_org_root_credentials.after.skipped) == 0
    error_message = "Member accounts in scope could not be audited: ${join("; ", [for s in data.rootaccess_org_root_credentials.after.skipped : "${s.account_id} (${s.reason})"])}."
  }
}

check "root_access_features" {
  assert {
    condition     = length(local.features_off) == 0
    error_message = "Organization features off: ${join(", ", local.features_off)}. Without them no root credential can be audited or deleted."
  }
}
