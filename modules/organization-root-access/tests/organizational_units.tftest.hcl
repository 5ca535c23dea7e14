# Scope by organizational unit (child units included) and exclusions.

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

run "one_unit_with_its_child_unit" {
  command = plan

  variables {
    organizational_unit_ids = [var.workloads_ou]
  }

  # The compliance checks audit after the apply: a plan cannot know them.
  expect_failures = [check.root_credentials_absent, check.root_access_features]

  assert {
    # Workloads holds 111111111111 and 555555555555; its child Prod 222222222222.
    condition     = output.member_account_ids == tolist(["111111111111", "222222222222", "555555555555"])
    error_message = "The unit and its child unit: ${jsonencode(output.member_account_ids)}"
  }
  assert {
    condition     = sum([for shard in module.members : length(shard.removed_credentials)]) == 3
    error_message = "One resource per member in scope."
  }
}

run "exclusions_leave_accounts_alone" {
  variables {
    organizational_unit_ids = [var.workloads_ou]
    exclude_account_ids     = ["555555555555"]
  }

  assert {
    condition     = output.member_account_ids == tolist(["111111111111", "222222222222"])
    error_message = "Excluded accounts are out of scope: ${jsonencode(output.member_account_ids)}"
  }
  assert {
    condition     = output.all_members_clean
    error_message = "The accounts in scope are clean: ${jsonencode(output.audit)}"
  }
  assert {
    condition     = !contains(keys(output.removed_credentials), "555555555555")
    error_message = "The excluded account was not touched."
  }
}
