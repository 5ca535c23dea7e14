# Every ACTIVE member account whose root user still has credentials.
list "rootaccess_member_credentials_absent" "all" {
  provider = rootaccess
  limit    = 1000 # Terraform stops at 100 results unless told otherwise
}

# Only the workload units (and their child units), only access keys.
list "rootaccess_member_credentials_absent" "workload_keys" {
  provider = rootaccess
  config {
    organizational_unit_ids = ["ou-ab12-cd34ef56"]
    credential_types        = ["access_keys"]
  }
}
