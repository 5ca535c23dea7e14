//! terraform-provider-rootaccess: AWS Organizations centralized root access
//! under Terraform and OpenTofu.
//!
//! # Structure
//! - [`plugin`]: the Terraform side. Handshake, mutual TLS, the gRPC service
//!   for plugin protocol 5, wire values, schemas and the small framework that
//!   resources implement. Knows nothing of AWS.
//! - [`provider`]: the rootaccess provider: its configuration and the list of
//!   everything it offers, one line per resource, data source or function.
//! - `functions`: provider functions, one file each.
//! - `resources`: managed resources, one file each.

pub mod aws;
pub mod plugin;
pub mod provider;

mod actions;
mod checks;
mod data_sources;
mod ephemeral_resources;
mod errors;
mod functions;
mod resources;

/// The provider's source address in the registry: `NAMESPACE/TYPE`.
pub const PROVIDER_ADDRESS: &str = "registry.terraform.io/rootaccess/rootaccess";
