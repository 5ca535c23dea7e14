# Delete every root credential of two member accounts, once:
#   terraform apply -invoke=action.rootaccess_delete_root_credentials.cleanup
action "rootaccess_delete_root_credentials" "cleanup" {
  config {
    account_ids      = ["111122223333", "444455556666"]
    credential_types = ["password", "access_keys", "signing_certificates", "mfa_devices"]
  }
}
