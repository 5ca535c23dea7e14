//! A framework for Terraform and OpenTofu providers written in Rust: plugin
//! protocol 5 over gRPC, knowing nothing of any cloud. A provider implements
//! [`Provider`] and its resources, data sources, ephemeral resources, actions
//! and functions, and calls [`serve`] from `main`.
//!
//! - `handshake`, `tls`, `serve`: how Terraform starts and reaches the plugin.
//! - `grpc`: the tfplugin5 service, mapping RPCs onto the framework.
//! - `lifecycle`: the rules Terraform enforces around plan, apply and read.
//! - `value`, `schema`, `diag`, `validators`: the vocabulary handlers use.
//! - `framework`: the traits a provider implements.

mod diag;
pub mod docs;
mod framework;
mod grpc;
mod handshake;
mod lifecycle;
mod log;
#[doc(hidden)]
pub mod proto;
mod schema;
mod serve;
mod tls;
mod validators;
mod value;

pub use diag::AttributePath;
pub use diag::Diagnostic;
pub use diag::Diagnostics;
pub use diag::PathStep;
pub use diag::Severity;
pub use framework::Action;
pub use framework::DataSource;
pub use framework::EphemeralResource;
pub use framework::Function;
pub use framework::FunctionError;
pub use framework::Opened;
pub use framework::Parameter;
pub use framework::Plan;
pub use framework::Progress;
pub use framework::Provider;
pub use framework::ReadOutcome;
pub use framework::Resource;
pub use framework::Signature;
pub use grpc::ProviderService;
pub use grpc::schema_to_proto;
pub use handshake::MAGIC_COOKIE_KEY;
pub use handshake::MAGIC_COOKIE_VALUE;
pub use schema::Attribute;
pub use schema::Block;
pub use schema::NestedBlock;
pub use schema::Nesting;
pub use schema::PlanModifier;
pub use schema::Schema;
pub use schema::Validator;
pub use serve::ServeOptions;
pub use serve::serve;
pub use validators::IntBetween;
pub use validators::OneOf;
pub use validators::StringCheck;
pub use value::Number;
pub use value::Type;
pub use value::Value;
pub use value::ValueError;
