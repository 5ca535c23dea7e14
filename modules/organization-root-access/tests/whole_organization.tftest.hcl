# The whole organization: features, every member's root credentials, a
# password recovery account, a locked bucket and a locked queue.
# Run by tests/it/module.rs against the local endpoint, which passes the
# endpoint and the seeded ids as TF_VAR_* variables.

variables {
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

run "cleans_the_whole_organization" {
  variables {
    locked_buckets = [{ account_id = "111111111111", bucket = "dev-locked-bucket" }]
    locked_queues  = [{ account_id = "111111111111", queue_url = var.dev_queue_url }]
  }

  assert {
    condition     = output.member_account_ids == tolist(["111111111111", "222222222222", "333333333333", "444444444444", "555555555555"])
    error_message = "Every ACTIVE member is in scope: ${jsonencode(output.member_account_ids)}"
  }
  assert {
    condition     = output.all_members_clean
    error_message = "Members still have root credentials: ${jsonencode(output.audit)}"
  }
  assert {
    condition     = output.removed_credentials["111111111111"].password && length(output.removed_credentials["111111111111"].access_key_ids) == 2
    error_message = "The dev account's password and access keys were removed: ${jsonencode(output.removed_credentials["111111111111"])}"
  }
  assert {
    condition     = !output.removed_credentials["555555555555"].password
    error_message = "The recovery account keeps its login profile."
  }
  assert {
    condition     = module.members["5"].password_recovery_adopted["555555555555"]
    error_message = "The recovery account's existing login profile is adopted."
  }
  assert {
    condition     = length(output.removed_policies) == 2 && alltrue([for p in values(output.removed_policies) : strcontains(p, "Deny")])
    error_message = "Both locking policies were removed: ${jsonencode(output.removed_policies)}"
  }
  assert {
    condition     = output.audit.summary.accounts_audited == 5
    error_message = "The audit covers the five members: ${jsonencode(output.audit.summary)}"
  }
}

run "a_second_apply_changes_nothing" {
  variables {
    locked_buckets = [{ account_id = "111111111111", bucket = "dev-locked-bucket" }]
    locked_queues  = [{ account_id = "111111111111", queue_url = var.dev_queue_url }]
  }

  assert {
    condition     = output.all_members_clean && length(output.removed_credentials) == 5
    error_message = "Still clean, still five members."
  }
}
