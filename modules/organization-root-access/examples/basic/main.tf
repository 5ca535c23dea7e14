# The whole organization, run from the management account: both features on,
# every member account's root credentials deleted and kept deleted, except a
# recovery login profile for one account, and a locked bucket unlocked.

terraform {
  required_providers {
    rootaccess = { source = "rootaccess/rootaccess" }
  }
}

provider "rootaccess" {
  alias  = "mgmt"
  region = "us-east-1" # AssumeRoot needs a regional STS endpoint
}

module "root_access" {
  source = "../.."
  providers = {
    rootaccess = rootaccess.mgmt
  }

  password_recovery_account_ids = ["222222222222"]
  locked_buckets = [
    { account_id = "111111111111", bucket = "dev-data-locked" },
  ]
}

output "all_members_clean" {
  value = module.root_access.all_members_clean
}

output "removed_credentials" {
  value = module.root_access.removed_credentials
}
