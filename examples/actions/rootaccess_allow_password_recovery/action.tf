# Let the root mailbox owner recover the root password once:
#   terraform apply -invoke=action.rootaccess_allow_password_recovery.prod
action "rootaccess_allow_password_recovery" "prod" {
  config {
    account_id = "111122223333"
  }
}
