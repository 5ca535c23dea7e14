# Unlock a bucket once, without keeping anything in state:
#   terraform apply -invoke=action.rootaccess_unlock_bucket_policy.reports
action "rootaccess_unlock_bucket_policy" "reports" {
  config {
    account_id = "111122223333"
    bucket     = "finance-reports"
  }
}
