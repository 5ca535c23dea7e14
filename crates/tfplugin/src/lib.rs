//! A framework for Terraform and OpenTofu providers written in Rust. It speaks
//! plugin protocol 5 over gRPC and knows nothing of any cloud: a provider
//! implements [`Provider`] and its [`Resource`]s, [`DataSource`]s,
//! [`EphemeralResource`]s, [`Action`]s, [`ListResource`]s and [`Function`]s,
//! each in its own model types, and calls [`serve`]
//! from `main`.
//!
//! # Layers
//!
//! From the process boundary inwards:
//!
//! - **Handshake, TLS, serve** (`handshake`, `tls`, [`serve`]): how Terraform
//!   starts the plugin and reaches it. [`serve`] checks the magic cookie and
//!   protocol versions Terraform puts in the environment, listens on a unix
//!   socket (TCP as a fallback), pins Terraform's client certificate for
//!   mutual TLS, prints the go-plugin handshake line and serves gRPC until
//!   Terraform says Shutdown. `--debug` serves without TLS and prints a
//!   `TF_REATTACH_PROVIDERS` value instead. Logs go to stderr as hclog JSON,
//!   at the level `TF_LOG_PROVIDER`/`TF_LOG` asks for ([`ServeOptions`]).
//! - **gRPC service** ([`ProviderService`]): the tfplugin5 `Provider` service.
//!   Every RPC looks up its handler by type name, decodes the request's values
//!   against the handler's schema, requires the client `configure` built when
//!   it reaches the provider's API, calls the handler and encodes the result.
//!   Everything a user can act on travels as [`Diagnostics`], never as a gRPC
//!   error.
//! - **Lifecycle rules** (`lifecycle`): what Terraform demands around plan,
//!   apply and refresh, applied by the service around the handlers so that a
//!   resource cannot break them: computed values unknown on create, defaults,
//!   replacement only on a real change of a requires-replace attribute, null
//!   plans on destroy, wholly known states after apply, a failed delete or
//!   read keeps the stored object.
//! - **Values** ([`Value`], [`Type`], [`Number`]): Terraform's values with
//!   their msgpack (wire) and JSON (state) codecs, and the serde bridge
//!   ([`Value::decode`], [`Value::encode`]) the framework decodes handlers'
//!   models with.
//! - **Schema** ([`Schema`], [`Attribute`], [`NestedBlock`]): declarative
//!   schemas; validators ([`OneOf`], [`IntBetween`], [`StringCheck`], or any
//!   [`Validator`]) and plan modifiers ([`PlanModifier`]) live on the
//!   attribute, and the descriptions feed Terraform, validation messages and
//!   the registry pages [`docs::render`] generates.
//! - **Framework traits** ([`Provider`], [`Resource`], [`DataSource`], ...):
//!   what a provider implements, each in its own model types (serde structs,
//!   [`Known`] where a value may be unknown). The framework decodes every
//!   request value into them and encodes what handlers return, so handlers
//!   never touch a [`Value`]; they receive the provider's client and report
//!   problems through [`Diagnostics`].
//!
//! # The contract
//!
//! The framework keeps Terraform's rules; a resource keeps two of its own:
//!
//! - **Computed values.** The plan a resource's [`Resource::plan`] hook sees
//!   already has its computed attributes resolved, and apply (`create`,
//!   `update`) must return every value the plan knew, unchanged, and fill in
//!   every value it did not. The rules are spelled out on [`Resource`].
//! - **Refresh.** [`Resource::read`] answers with a [`ReadOutcome`]: the
//!   object as it is now ([`ReadOutcome::Present`]), or
//!   [`ReadOutcome::Gone`] when it was deleted outside Terraform, which then
//!   plans to create it again. After a failed read the stored state is kept
//!   ([`ReadOutcome::Unchanged`]).
//!
//! # Writing a provider
//!
//! `examples/terraform-provider-example.rs` is a complete provider to copy
//! from: a provider configuration and its client, a resource `example_file`
//! (create, read with drift and deletion detected, update in place,
//! replacement, import) and a function `upper`. `tests/example_provider.rs`
//! serves it to the real Terraform CLI. Its skeleton:
//!
//! ```no_run
//! use std::process::ExitCode;
//!
//! use async_trait::async_trait;
//! use serde::{Deserialize, Serialize};
//! use tfplugin::{
//!     Attribute, Diagnostics, Known, Nothing, Provider, ReadOutcome, Resource, ResourceType,
//!     Schema, ServeOptions,
//! };
//!
//! struct MyProvider;
//!
//! /// What `configure` builds once and every handler receives (an SDK client, say).
//! struct Client;
//!
//! #[async_trait]
//! impl Provider for MyProvider {
//!     type Client = Client;
//!     type Config = Nothing; // the provider block's model
//!     fn type_name(&self) -> &'static str {
//!         "my" // resource types are named my_*
//!     }
//!     fn schema(&self) -> Schema {
//!         Schema::new("The provider block.")
//!     }
//!     async fn configure(&self, _config: &Nothing, _diags: &mut Diagnostics) -> Option<Client> {
//!         Some(Client)
//!     }
//!     fn resources(&self) -> Vec<ResourceType<Client>> {
//!         vec![ResourceType::new(Thing)] // one line per resource
//!     }
//! }
//!
//! struct Thing;
//!
//! /// The state: one field per attribute.
//! #[derive(Serialize, Deserialize, Clone)]
//! struct ThingState {
//!     name: String,
//!     id: String,
//! }
//!
//! /// The plan as apply carries it out: values may be unknown in a plan.
//! #[derive(Serialize, Deserialize)]
//! struct PlannedThing {
//!     name: Known<String>,
//! }
//!
//! #[async_trait]
//! impl Resource<Client> for Thing {
//!     type Config = Nothing; // no checks across attributes
//!     type Planned = PlannedThing;
//!     type State = ThingState;
//!     type Private = Nothing;
//!
//!     fn type_name(&self) -> &'static str {
//!         "my_thing"
//!     }
//!     fn schema(&self) -> Schema {
//!         Schema::new("A thing.")
//!             .attribute(Attribute::string("name").required().requires_replace())
//!             .attribute(Attribute::string("id").computed().use_state_for_unknown())
//!     }
//!     async fn create(&self, _: &Client, planned: &PlannedThing, _: &mut Diagnostics) -> Option<ThingState> {
//!         // Configured values are known at apply; the framework reports an
//!         // object that is not wholly known after apply as the provider's bug.
//!         let name = planned.name.get()?.clone();
//!         Some(ThingState { name, id: "thing-1".into() }) // every unknown gets a value
//!     }
//!     async fn read(&self, _: &Client, state: &ThingState, _: &mut Diagnostics) -> ReadOutcome<ThingState> {
//!         ReadOutcome::Present(state.clone()) // or ReadOutcome::gone("deleted by hand")
//!     }
//!     async fn update(
//!         &self,
//!         _: &Client,
//!         prior: &ThingState,
//!         _planned: &PlannedThing,
//!         _: &mut Diagnostics,
//!     ) -> Option<ThingState> {
//!         Some(prior.clone())
//!     }
//!     async fn delete(&self, _: &Client, _prior: &ThingState, _: &mut Diagnostics) {}
//!     fn plan_destroy(&self, _prior: &ThingState, diags: &mut Diagnostics) {
//!         diags.warning("The thing will be deleted", "Destroy deletes it; it cannot be recovered.");
//!     }
//! }
//!
//! fn main() -> ExitCode {
//!     tfplugin::serve(
//!         MyProvider,
//!         &ServeOptions {
//!             provider_address: "registry.terraform.io/me/my",
//!             log_targets: &["terraform_provider_my", "tfplugin"],
//!             silenced_log_targets: &[],
//!         },
//!     )
//! }
//! ```
//!
//! The binary must be named `terraform-provider-<TYPE>` (here
//! `terraform-provider-my`): that is the file Terraform looks for.

mod diag;
pub mod docs;
mod framework;
mod grpc;
mod handshake;
mod identity;
mod lifecycle;
mod log;
mod plan_memory;
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
pub use framework::ActionType;
pub use framework::DataSource;
pub use framework::DataSourceType;
pub use framework::EphemeralResource;
pub use framework::EphemeralResourceType;
pub use framework::Function;
pub use framework::FunctionError;
pub use framework::FunctionType;
pub use framework::ListResource;
pub use framework::ListResourceType;
pub use framework::ListResults;
pub use framework::Listed;
pub use framework::Nothing;
pub use framework::Opened;
pub use framework::Parameter;
pub use framework::Plan;
pub use framework::Progress;
pub use framework::Provider;
pub use framework::ReadOutcome;
pub use framework::Resource;
pub use framework::ResourceType;
pub use framework::Signature;
pub use framework::null_as_default;
pub use grpc::ProviderService;
pub use grpc::schema_to_proto;
pub use handshake::MAGIC_COOKIE_KEY;
pub use handshake::MAGIC_COOKIE_VALUE;
pub use identity::IdentityAttribute;
pub use identity::IdentitySchema;
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
pub use value::Known;
pub use value::Number;
pub use value::Type;
pub use value::Value;
pub use value::ValueError;
