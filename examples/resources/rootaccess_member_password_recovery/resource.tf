# Let the owner of the root mailbox of 333333333333 recover the root password
# ("Forgot password" on the root sign-in page)...
resource "rootaccess_member_password_recovery" "prod" {
  account_id = "333333333333"
}

# ...while every other root credential of that account stays deleted. Leave
# "password" out here, or each apply would delete the recovery login profile.
resource "rootaccess_member_credentials_absent" "prod" {
  account_id       = "333333333333"
  credential_types = ["access_keys", "signing_certificates", "mfa_devices"]
}
