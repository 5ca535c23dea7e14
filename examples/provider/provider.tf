terraform {
  required_providers {
    rootaccess = {
      source = "rootaccess/rootaccess"
    }
  }
}

# Run from the organization's management account (or the IAM delegated
# administrator). Credentials come from the usual AWS chain.
provider "rootaccess" {
  region = "us-east-1"
}
