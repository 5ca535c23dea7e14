terraform {
  # check blocks (1.5), optional object attributes (1.3).
  required_version = ">= 1.5"

  required_providers {
    rootaccess = {
      source  = "rootaccess/rootaccess"
      version = ">= 0.1.0"
    }
  }
}
