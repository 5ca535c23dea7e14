data "rootaccess_caller_identity" "current" {}

# Refuse to run anywhere but the management account.
check "management_account" {
  assert {
    condition     = data.rootaccess_caller_identity.current.is_management_account
    error_message = "Run this configuration with management-account credentials."
  }
}
