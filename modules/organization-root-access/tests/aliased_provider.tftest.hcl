# The provider passed under an alias, as a landing zone passes the
# management account's provider: `providers = { rootaccess = rootaccess.mgmt }`.

provider "rootaccess" {
  alias             = "mgmt"
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

run "with_an_aliased_provider" {
  providers = {
    rootaccess = rootaccess.mgmt
  }

  variables {
    organizational_unit_ids = [var.sandbox_ou]
    credential_types        = ["access_keys", "password"]
  }

  assert {
    condition     = output.member_account_ids == tolist(["333333333333"])
    error_message = "The sandbox unit: ${jsonencode(output.member_account_ids)}"
  }
  assert {
    condition     = output.all_members_clean
    error_message = "Clean for the managed kinds: ${jsonencode(output.audit)}"
  }
  assert {
    # The sandbox account's MFA device is not a managed kind here.
    condition     = length(output.removed_credentials["333333333333"].mfa_serials) == 0
    error_message = "Kinds not in credential_types are left alone."
  }
}
