# The whole job: centralize root access for an organization, then remove the
# root credentials of every member account and unlock locked resources.
# Run with management-account credentials. Against real AWS this file is used
# as it is, with provider.tf; the demo (scripts/demo) only overrides the
# provider block to reach the local endpoint.

data "rootaccess_caller_identity" "me" {}

# 1. Both organization features, with IAM trusted access in AWS Organizations.
resource "rootaccess_org_features" "this" {
  enabled_features      = ["RootCredentialsManagement", "RootSessions"]
  manage_trusted_access = true

  lifecycle {
    precondition {
      condition     = data.rootaccess_caller_identity.me.is_management_account
      error_message = "Run this configuration with the organization's management account."
    }
  }
}

output "organization" {
  value = rootaccess_org_features.this.organization_id
}
