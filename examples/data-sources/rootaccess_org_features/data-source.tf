data "rootaccess_org_features" "org" {}

check "root_access_centralized" {
  assert {
    condition     = contains(data.rootaccess_org_features.org.enabled_features, "RootCredentialsManagement")
    error_message = "Centralized root credentials management is off in ${data.rootaccess_org_features.org.organization_id}."
  }
}
