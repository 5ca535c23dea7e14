//! terraform-provider-rootaccess: AWS Organizations centralized root access
//! under Terraform and OpenTofu.
//!
//! # Structure
//! The provider joins two crates that never import each other:
//! - `tfplugin` (crates/tfplugin): the Terraform side. Handshake, mutual TLS,
//!   the gRPC service for plugin protocol 5, wire values, schemas and the
//!   framework that resources implement. Knows nothing of AWS.
//! - `aws_root_access` (crates/aws-root-access): the AWS side. Clients, root
//!   sessions, the organization, and the root-credential and resource-policy
//!   operations. Knows nothing of Terraform.
//!
//! This crate:
//! - [`provider`]: the rootaccess provider: its configuration and the list of
//!   everything it offers, one line per resource, data source or function.
//! - `resources`, `data_sources`, `ephemeral_resources`, `actions`, `functions`:
//!   one file each, reading top to
//!   bottom (schema, validate, plan, create, read, update, delete, import).
//! - `member_account`, `errors`: what resources share (the account id
//!   attribute and its plan-time checks; AWS errors as diagnostics).
//! - `checks`: attribute validators shared by all of them.

// The optimizer computes the layout of the deepest async handlers (a
// resource's plan over root sessions, organization reads and audits) past
// the default query depth of 128.
#![recursion_limit = "256"]

pub mod provider;

mod actions;
mod checks;
mod claims;
mod credential_sets;
mod data_sources;
mod ephemeral_resources;
mod errors;
mod functions;
mod list_resources;
mod member_account;
mod resources;
mod unlock;

/// The provider's source address in the registry: `NAMESPACE/TYPE`.
pub const PROVIDER_ADDRESS: &str = "registry.terraform.io/rootaccess/rootaccess";
