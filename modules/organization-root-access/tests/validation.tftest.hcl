# Invalid inputs are refused at plan, each with its message. The first run
# applies a valid configuration to a compliant organization, so that the plans
# below know the compliance checks' results (a fresh plan could not: their
# audit runs after the apply) and only the invalid input fails.

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

run "a_valid_configuration" {
  assert {
    condition     = output.all_members_clean
    error_message = "The organization is compliant."
  }
}

run "unknown_credential_type" {
  command = plan
  variables {
    credential_types = ["passwords"]
  }
  expect_failures = [var.credential_types]
}

run "no_credential_type" {
  command = plan
  variables {
    credential_types = []
  }
  expect_failures = [var.credential_types]
}

run "not_an_organizational_unit" {
  command = plan
  variables {
    organizational_unit_ids = ["engineering"]
  }
  expect_failures = [var.organizational_unit_ids]
}

run "account_ids_are_twelve_digits" {
  command = plan
  variables {
    exclude_account_ids           = ["12345"]
    password_recovery_account_ids = [123456789012]
  }
  expect_failures = [var.exclude_account_ids]
}

run "a_queue_in_another_account" {
  command = plan
  variables {
    locked_queues = [{ account_id = "111111111111", queue_url = "https://sqs.us-east-1.amazonaws.com/222222222222/q" }]
  }
  expect_failures = [var.locked_queues]
}

run "the_same_bucket_twice" {
  command = plan
  variables {
    locked_buckets = [
      { account_id = "111111111111", bucket = "b" },
      { account_id = "111111111111", bucket = "b" },
    ]
  }
  expect_failures = [var.locked_buckets]
}
