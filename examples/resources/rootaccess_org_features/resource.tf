# Run with management-account credentials.
resource "rootaccess_org_features" "this" {
  enabled_features      = ["RootCredentialsManagement", "RootSessions"]
  manage_trusted_access = true
}
