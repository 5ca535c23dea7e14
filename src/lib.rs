//! terraform-provider-rootaccess: AWS Organizations centralized root access
//! under Terraform and OpenTofu.
//!
//! # Structure
//! - [`plugin`]: the Terraform side. Handshake, mutual TLS, the gRPC service
//!   for plugin protocol 5, wire values, schemas and the small framework that
//!   resources implement. Knows nothing of AWS.
//! - [`provider`]: the rootaccess provider: its configuration and the list of
//!   everything it offers, one line per resource, data source or function.
//! - [`aws`]: the AWS side. Clients, root sessions, the organization, and the
//!   root-credential operations. Knows nothing of Terraform.
//! - `resources`, `data_sources`, `ephemeral_resources`, `actions`, `functions`:
//!   one file each, reading top to
//!   bottom (schema, validate, plan, create, read, update, delete, import).
//! - `member_account`, `errors`: what resources share (the account id
//!   attribute and its plan-time checks; AWS errors as diagnostics).
//! - `checks`: attribute validators shared by all of them.

pub mod aws;
pub mod plugin;
pub mod provider;

mod actions;
mod checks;
mod data_sources;
mod ephemeral_resources;
mod errors;
mod functions;
mod member_account;
mod resources;

/// The provider's source address in the registry: `NAMESPACE/TYPE`.
pub const PROVIDER_ADDRESS: &str = "registry.terraform.io/rootaccess/rootaccess";
