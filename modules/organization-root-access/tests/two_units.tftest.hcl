# Two instances of the module in one configuration, one per organizational
# unit, without conflicting resources (only the first manages the features).

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

run "two_units_in_one_configuration" {
  module {
    source = "./tests/fixtures/two_units"
  }

  variables {
    workloads_ou = var.workloads_ou
    sandbox_ou   = var.sandbox_ou
  }

  assert {
    condition     = output.workloads_members == tolist(["111111111111", "222222222222", "555555555555"]) && output.sandbox_members == tolist(["333333333333"])
    error_message = "Each instance has its unit: ${jsonencode([output.workloads_members, output.sandbox_members])}"
  }
  assert {
    condition     = output.all_clean
    error_message = "Both units are clean."
  }
}
