data "rootaccess_org_root_credentials" "all" {}

# The compliance control "no member account has root credentials".
check "no_member_root_credentials" {
  assert {
    condition     = data.rootaccess_org_root_credentials.all.summary.accounts_with_credentials == 0
    error_message = "Member accounts with root credentials: ${join(", ", data.rootaccess_org_root_credentials.all.account_ids_with_credentials)}"
  }
}

# Delete them in every active member account, and keep them deleted.
resource "rootaccess_member_credentials_absent" "member" {
  for_each   = toset(data.rootaccess_org_root_credentials.all.accounts[*].account_id)
  account_id = each.value
}

output "skipped_accounts" {
  value = { for s in data.rootaccess_org_root_credentials.all.skipped : s.account_id => s.reason }
}
