output "organization_id" {
  description = "The organization's id (o-...)."
  value       = data.rootaccess_organization.this.id
}

output "member_account_ids" {
  description = "The ACTIVE member accounts in scope, sorted."
  value       = sort(local.members)
}

output "removed_credentials" {
  description = "By account: the root credentials the module has deleted (password, access key ids, signing certificate ids, MFA serials)."
  value = merge(
    merge(values(module.members)[*].removed_credentials...),
    # One resource for the scope: what its last apply deleted.
    try(rootaccess_org_credentials_absent.members[0].removed, {}),
  )
}

output "removed_policies" {
  description = "By bucket (`s3://BUCKET in ACCOUNT`) and by queue URL: the locking policy each unlock removed or replaced (null: there was none)."
  value = merge(
    { for k, b in rootaccess_bucket_policy_unlock.locked : "s3://${b.bucket} in ${b.account_id}" => b.removed_policy },
    { for k, q in rootaccess_queue_policy_unlock.locked : q.queue_url => q.removed_policy },
  )
}

output "audit" {
  description = "The audit of the accounts in scope after the changes: summary counts, accounts with root credentials, and accounts skipped with the reason."
  value = {
    summary                      = data.rootaccess_org_root_credentials.after.summary
    account_ids_with_credentials = data.rootaccess_org_root_credentials.after.account_ids_with_credentials
    skipped                      = { for s in data.rootaccess_org_root_credentials.after.skipped : s.account_id => s.reason }
  }
}

output "all_members_clean" {
  description = "True when no member account in scope has a managed kind of root credential (a recovery account's login profile does not count) and none was skipped."
  value       = length(local.unclean) == 0 && length(data.rootaccess_org_root_credentials.after.skipped) == 0
}
