terraform {
  required_version = ">= 1.8"
  required_providers {
    rootaccess = {
      source = "rootaccess/rootaccess"
    }
  }
}

# Credentials of the management account from the usual AWS chain
# (AWS_PROFILE, SSO, environment, instance role, ...).
provider "rootaccess" {
  region = var.region
}
