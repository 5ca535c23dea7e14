# Delete every root credential of a member account, and keep them deleted:
# any that comes back shows up in the next plan and is deleted again.
resource "rootaccess_member_credentials_absent" "dev" {
  account_id = "111111111111"
}

# Only some kinds: here the root password stays, so that the owner of the root
# mailbox can still sign in (see rootaccess_member_password_recovery).
resource "rootaccess_member_credentials_absent" "prod" {
  account_id       = "333333333333"
  credential_types = ["access_keys", "signing_certificates", "mfa_devices"]
}

output "deleted_root_access_keys" {
  value = rootaccess_member_credentials_absent.dev.removed_access_key_ids
}
