data "rootaccess_organization" "this" {}

# One resource per active member account, known at plan time even before the
# organization features are enabled.
resource "rootaccess_member_credentials_absent" "member" {
  for_each   = toset(data.rootaccess_organization.this.active_member_account_ids)
  account_id = each.value
}
