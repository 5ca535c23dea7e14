terraform {
  required_providers {
    rootaccess = { source = "rootaccess/rootaccess" }
  }
}
