# Keep the root credentials of every ACTIVE member account of the
# organization deleted: one resource, however many accounts. Accounts that
# join the organization are covered by the next plan.
resource "rootaccess_org_credentials_absent" "all" {
  # The security tooling account keeps its root password for recovery
  # (its rootaccess_member_password_recovery would be refused otherwise).
  exclude_account_ids = ["222222222222"]
}

# To cover only some organizational units (child units included), and only
# some kinds of credentials, use instead:
#
# resource "rootaccess_org_credentials_absent" "sandbox" {
#   organizational_unit_ids = ["ou-ab12-cdef3456"]
#   credential_types        = ["access_keys", "signing_certificates"]
# }

output "accounts_cleaned_by_the_last_apply" {
  value = keys(rootaccess_org_credentials_absent.all.removed)
}
