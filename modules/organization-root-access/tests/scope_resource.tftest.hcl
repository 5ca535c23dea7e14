# credentials_resource = "scope": one rootaccess_org_credentials_absent for
# the whole organization; the recovery account keeps its own resource.
# Run by tests/it/module.rs against the local endpoint, which passes the
# endpoint and the seeded ids as TF_VAR_* variables.

variables {
  credentials_resource          = "scope"
  password_recovery_account_ids = ["555555555555"]
}

provider "rootaccess" {
  access_key        = var.access_key
  secret_key        = var.secret_key
  region            = var.region
  s3_use_path_style = true
  endpoints {
    sts           = var.endpoint
    iam           = var.endpoint
    s3            = var.endpoint
    sqs           = var.endpoint
    organizations = var.endpoint
  }
}

run "one_resource_cleans_the_organization" {
  assert {
    condition     = output.all_members_clean
    error_message = "Members still have root credentials: ${jsonencode(output.audit)}"
  }
  assert {
    condition     = length(rootaccess_org_credentials_absent.members) == 1 && length(module.members) == 1
    error_message = "One resource for the scope, and one shard: the recovery account's."
  }
  assert {
    condition     = output.removed_credentials["111111111111"].password && length(output.removed_credentials["111111111111"].access_key_ids) == 2
    error_message = "The dev account's password and access keys were removed: ${jsonencode(output.removed_credentials)}"
  }
  assert {
    condition     = !contains(keys(rootaccess_org_credentials_absent.members[0].removed), "555555555555")
    error_message = "The recovery account is excluded from the scope."
  }
  assert {
    condition     = module.members["5"].password_recovery_adopted["555555555555"]
    error_message = "The recovery account's existing login profile is adopted."
  }
}

run "a_second_apply_changes_nothing" {
  assert {
    condition     = output.all_members_clean
    error_message = "Still clean."
  }
}
