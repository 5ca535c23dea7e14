//! The tfplugin5 `Provider` service: [`ProviderService`] holds what the
//! provider declares and answers each RPC through a handler of its kind
//! (`provider`, `resources`, `data_sources`, `ephemeral`, `functions`,
//! `actions`); `wire` converts to and from protocol messages.
//!
//! Every RPC that reaches provider code takes the same path:
//! 1. lookup: find the handler by type name (`lookup`); an unknown name is an
//!    error diagnostic;
//! 2. decode: read the request's values against the handler's schema
//!    (`wire::decode`); validation RPCs also run the schema's validators
//!    (`checked_config`);
//! 3. require client: operations that reach the provider's API need the client
//!    `configure` built (`require_client`; `decode_with_client` does 2 and 3);
//! 4. call: run the handler, with the rules of `crate::lifecycle` around it;
//! 5. encode: the result and the diagnostics go back as protocol messages.
//!
//! Failures a user can act on travel as diagnostics (a `FunctionError` for
//! functions), so every handler answers with a message (`reply`).

mod actions;
mod data_sources;
mod ephemeral;
mod functions;
mod identity;
mod list;
mod provider;
mod resources;
#[cfg(test)]
mod tests;
mod wire;

use std::collections::BTreeMap;
use std::pin::Pin;
use std::sync::{Arc, OnceLock, RwLock};

use tokio_stream::Stream;
use tonic::{Request, Response, Status};

use crate::diag::Diagnostics;
use crate::framework::Provider;
use crate::framework::erased::{
    DynAction, DynDataSource, DynEphemeralResource, DynFunction, DynListResource, DynResource,
};
use crate::identity::IdentitySchema;
use crate::lifecycle::validate_config;
use crate::plan_memory::PlanMemory;
use crate::proto::tfplugin5 as pb;
use crate::proto::tfplugin5::provider_server::Provider as ProviderRpc;
use crate::schema::Schema;
use crate::value::{Type, Value};
use wire::decode;

pub use wire::schema_to_proto;

type Client<P> = <P as Provider>::Client;
/// A registered handler with its schema, computed once.
type Registered<T> = (Arc<T>, Schema);
/// The server-streamed answers of `InvokeAction` and `ListResource`.
type EventStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send + 'static>>;

/// The tfplugin5 service over a [`Provider`]. What the provider declares is
/// resolved on the first call that needs it, not at start: the start path
/// only answers the handshake.
pub struct ProviderService<P: Provider> {
    provider: P,
    registry: OnceLock<Registry<P>>,
    client: RwLock<Option<Arc<Client<P>>>>,
    /// Opened on first use, never on the start path.
    plan_memory: OnceLock<Option<PlanMemory>>,
}

/// Everything the provider declares, with every schema built.
struct Registry<P: Provider> {
    provider_schema: Schema,
    resources: BTreeMap<&'static str, Registered<dyn DynResource<Client<P>>>>,
    data_sources: BTreeMap<&'static str, Registered<dyn DynDataSource<Client<P>>>>,
    ephemeral_resources: BTreeMap<&'static str, Registered<dyn DynEphemeralResource<Client<P>>>>,
    actions: BTreeMap<&'static str, Registered<dyn DynAction<Client<P>>>>,
    list_resources: BTreeMap<&'static str, Registered<dyn DynListResource<Client<P>>>>,
    /// The identity schemas of the managed resources that declare one.
    identities: BTreeMap<&'static str, IdentitySchema>,
    functions: BTreeMap<&'static str, Arc<dyn DynFunction>>,
    /// Mistakes in what the provider registered (a type name used twice, or
    /// without the provider's prefix), reported by GetProviderSchema.
    registration_problems: Vec<String>,
}

/// Type names registered more than once, or not `<provider>_...`.
fn registration_problems(provider: &str, kinds: &[(&str, Vec<&'static str>)]) -> Vec<String> {
    let prefix = format!("{provider}_");
    let mut problems = Vec::new();
    for (kind, names) in kinds {
        let mut seen = std::collections::BTreeSet::new();
        for name in names {
            if !seen.insert(*name) {
                problems.push(format!("{kind} {name} is registered more than once"));
            }
            if !name.starts_with(&prefix) {
                problems.push(format!("{kind} {name} does not start with {prefix}"));
            }
        }
    }
    problems
}

impl<P: Provider> Registry<P> {
    fn of(provider: &P) -> Self {
        // Each list is asked for once; its names are checked before they
        // become map keys, where a duplicate would silently replace.
        let resources: Vec<_> = provider.resources().into_iter().map(|h| h.0).collect();
        let data_sources: Vec<_> = provider.data_sources().into_iter().map(|h| h.0).collect();
        let ephemeral_resources: Vec<_> = provider
            .ephemeral_resources()
            .into_iter()
            .map(|h| h.0)
            .collect();
        let actions: Vec<_> = provider.actions().into_iter().map(|h| h.0).collect();
        let list_resources: Vec<_> = provider.list_resources().into_iter().map(|h| h.0).collect();
        let identities: BTreeMap<&'static str, IdentitySchema> = resources
            .iter()
            .filter_map(|r| Some((r.type_name(), r.identity_schema()?)))
            .collect();
        let mut registration_problems = registration_problems(
            provider.type_name(),
            &[
                (
                    "resource",
                    resources.iter().map(|r| r.type_name()).collect(),
                ),
                (
                    "data source",
                    data_sources.iter().map(|d| d.type_name()).collect(),
                ),
                (
                    "ephemeral resource",
                    ephemeral_resources.iter().map(|e| e.type_name()).collect(),
                ),
                ("action", actions.iter().map(|a| a.type_name()).collect()),
                (
                    "list resource",
                    list_resources.iter().map(|l| l.type_name()).collect(),
                ),
            ],
        );
        // Terraform lists objects of a managed resource type by its identity.
        for list in &list_resources {
            if !identities.contains_key(list.type_name()) {
                registration_problems.push(format!(
                    "list resource {} needs a managed resource of the same name that declares an identity",
                    list.type_name()
                ));
            }
        }
        Registry {
            registration_problems,
            provider_schema: provider.schema(),
            resources: resources
                .into_iter()
                .map(|r| (r.type_name(), (r.clone(), r.schema())))
                .collect(),
            data_sources: data_sources
                .into_iter()
                .map(|d| (d.type_name(), (d.clone(), d.schema())))
                .collect(),
            ephemeral_resources: ephemeral_resources
                .into_iter()
                .map(|e| (e.type_name(), (e.clone(), e.schema())))
                .collect(),
            actions: actions
                .into_iter()
                .map(|a| (a.type_name(), (a.clone(), a.schema())))
                .collect(),
            list_resources: list_resources
                .into_iter()
                .map(|l| (l.type_name(), (l.clone(), l.schema())))
                .collect(),
            identities,
            functions: provider
                .functions()
                .into_iter()
                .map(|f| (f.0.name(), f.0))
                .collect(),
        }
    }
}

impl<P: Provider> ProviderService<P> {
    pub fn new(provider: P) -> Self {
        ProviderService {
            provider,
            registry: OnceLock::new(),
            client: RwLock::new(None),
            plan_memory: OnceLock::new(),
        }
    }

    fn registry(&self) -> &Registry<P> {
        self.registry.get_or_init(|| Registry::of(&self.provider))
    }

    fn plan_memory(&self) -> Option<&PlanMemory> {
        self.plan_memory
            .get_or_init(|| PlanMemory::open(self.provider.type_name()))
            .as_ref()
    }

    fn client(&self) -> Option<Arc<Client<P>>> {
        self.client.read().ok().and_then(|c| c.clone())
    }

    /// The configured client; without one, an error that says which
    /// operation (`doing`, e.g. "reading data source x") needed it.
    fn require_client(&self, doing: &str, diags: &mut Diagnostics) -> Option<Arc<Client<P>>> {
        let client = self.client();
        if client.is_none() {
            // Terraform configures the provider with unknown values during
            // plan when the provider block depends on values known only after
            // apply; `configure` then builds no client. (A failed Configure
            // would have stopped the run earlier.)
            diags.error(
                "Provider configuration not known yet",
                format!(
                    "The provider block depends on values that are known only after apply, and {doing} needs a \
                     configured provider during plan. Apply the resources the provider block refers to first \
                     (terraform apply -target=<address>), or set those provider arguments to known values."
                ),
            );
        }
        client
    }

    /// Decodes a request value and requires the client. Both steps always
    /// run, decoding first, so a request reports every problem at once.
    fn decode_with_client(
        &self,
        value: Option<&pb::DynamicValue>,
        ty: &Type,
        what: &str,
        doing: &str,
        diags: &mut Diagnostics,
    ) -> Option<(Value, Arc<Client<P>>)> {
        let value = decode(value, ty, what, diags);
        let client = self.require_client(doing, diags);
        Some((value?, client?))
    }

    fn server_capabilities() -> pb::ServerCapabilities {
        pb::ServerCapabilities {
            plan_destroy: true,
            get_provider_schema_optional: true,
            move_resource_state: true,
            generate_resource_config: true,
        }
    }
}

/// Finds a handler by name; an unknown name is an error diagnostic.
fn lookup<'a, T>(
    map: &'a BTreeMap<&'static str, T>,
    kind: &str,
    name: &str,
    diags: &mut Diagnostics,
) -> Option<&'a T> {
    let found = map.get(name);
    if found.is_none() {
        diags.error(
            format!("Unknown {kind}"),
            format!("This provider has no {kind} named {name:?}."),
        );
    }
    found
}

/// Looks up a handler, decodes its configuration and runs the schema's
/// validators; the caller then runs the handler's own checks.
fn checked_config<T: ?Sized>(
    map: &BTreeMap<&'static str, Registered<T>>,
    kind: &str,
    name: &str,
    config: Option<&pb::DynamicValue>,
    diags: &mut Diagnostics,
) -> Option<(Arc<T>, Value)> {
    let (handler, schema) = lookup(map, kind, name, diags)?;
    let config = decode(config, &schema.value_type(), "configuration", diags)?;
    validate_config(schema, &config, diags);
    Some((handler.clone(), config))
}

/// Every handler answers with a message: problems travel as diagnostics.
fn reply<T>(message: T) -> Result<Response<T>, Status> {
    Ok(Response::new(message))
}

/// Each RPC unwraps its request and hands it to the handler of its kind.
#[tonic::async_trait]
impl<P: Provider> ProviderRpc for ProviderService<P> {
    // ---- provider (provider.rs) ----

    async fn get_metadata(
        &self,
        _request: Request<pb::get_metadata::Request>,
    ) -> Result<Response<pb::get_metadata::Response>, Status> {
        reply(self.handle_get_metadata())
    }

    async fn get_schema(
        &self,
        _request: Request<pb::get_provider_schema::Request>,
    ) -> Result<Response<pb::get_provider_schema::Response>, Status> {
        reply(self.handle_get_schema())
    }

    async fn prepare_provider_config(
        &self,
        request: Request<pb::prepare_provider_config::Request>,
    ) -> Result<Response<pb::prepare_provider_config::Response>, Status> {
        reply(
            self.handle_prepare_provider_config(request.into_inner())
                .await,
        )
    }

    async fn configure(
        &self,
        request: Request<pb::configure::Request>,
    ) -> Result<Response<pb::configure::Response>, Status> {
        reply(self.handle_configure(request.into_inner()).await)
    }

    // ---- identity (identity.rs) ----

    async fn get_resource_identity_schemas(
        &self,
        _request: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Result<Response<pb::get_resource_identity_schemas::Response>, Status> {
        reply(self.handle_get_resource_identity_schemas())
    }

    async fn stop(
        &self,
        _request: Request<pb::stop::Request>,
    ) -> Result<Response<pb::stop::Response>, Status> {
        reply(self.handle_stop().await)
    }

    // ---- managed resources (resources.rs) ----

    async fn validate_resource_type_config(
        &self,
        request: Request<pb::validate_resource_type_config::Request>,
    ) -> Result<Response<pb::validate_resource_type_config::Response>, Status> {
        reply(
            self.handle_validate_resource_type_config(request.into_inner())
                .await,
        )
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<pb::upgrade_resource_state::Request>,
    ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
        reply(self.handle_upgrade_resource_state(request.into_inner()))
    }

    async fn upgrade_resource_identity(
        &self,
        request: Request<pb::upgrade_resource_identity::Request>,
    ) -> Result<Response<pb::upgrade_resource_identity::Response>, Status> {
        reply(self.handle_upgrade_resource_identity(request.into_inner()))
    }

    async fn read_resource(
        &self,
        request: Request<pb::read_resource::Request>,
    ) -> Result<Response<pb::read_resource::Response>, Status> {
        reply(self.handle_read_resource(request.into_inner()).await)
    }

    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> Result<Response<pb::plan_resource_change::Response>, Status> {
        reply(self.handle_plan_resource_change(request.into_inner()).await)
    }

    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> Result<Response<pb::apply_resource_change::Response>, Status> {
        reply(
            self.handle_apply_resource_change(request.into_inner())
                .await,
        )
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> Result<Response<pb::import_resource_state::Response>, Status> {
        reply(
            self.handle_import_resource_state(request.into_inner())
                .await,
        )
    }

    async fn move_resource_state(
        &self,
        request: Request<pb::move_resource_state::Request>,
    ) -> Result<Response<pb::move_resource_state::Response>, Status> {
        reply(self.handle_move_resource_state(request.into_inner()).await)
    }

    async fn generate_resource_config(
        &self,
        request: Request<pb::generate_resource_config::Request>,
    ) -> Result<Response<pb::generate_resource_config::Response>, Status> {
        reply(self.handle_generate_resource_config(request.into_inner()))
    }

    type ListResourceStream = EventStream<pb::list_resource::Event>;

    async fn list_resource(
        &self,
        request: Request<pb::list_resource::Request>,
    ) -> Result<Response<Self::ListResourceStream>, Status> {
        reply(self.handle_list_resource(request.into_inner()))
    }

    async fn validate_list_resource_config(
        &self,
        request: Request<pb::validate_list_resource_config::Request>,
    ) -> Result<Response<pb::validate_list_resource_config::Response>, Status> {
        reply(
            self.handle_validate_list_resource_config(request.into_inner())
                .await,
        )
    }

    // ---- data sources (data_sources.rs) ----

    async fn validate_data_source_config(
        &self,
        request: Request<pb::validate_data_source_config::Request>,
    ) -> Result<Response<pb::validate_data_source_config::Response>, Status> {
        reply(
            self.handle_validate_data_source_config(request.into_inner())
                .await,
        )
    }

    async fn read_data_source(
        &self,
        request: Request<pb::read_data_source::Request>,
    ) -> Result<Response<pb::read_data_source::Response>, Status> {
        reply(self.handle_read_data_source(request.into_inner()).await)
    }

    // ---- ephemeral resources (ephemeral.rs) ----

    async fn validate_ephemeral_resource_config(
        &self,
        request: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> Result<Response<pb::validate_ephemeral_resource_config::Response>, Status> {
        reply(
            self.handle_validate_ephemeral_resource_config(request.into_inner())
                .await,
        )
    }

    async fn open_ephemeral_resource(
        &self,
        request: Request<pb::open_ephemeral_resource::Request>,
    ) -> Result<Response<pb::open_ephemeral_resource::Response>, Status> {
        reply(
            self.handle_open_ephemeral_resource(request.into_inner())
                .await,
        )
    }

    async fn renew_ephemeral_resource(
        &self,
        request: Request<pb::renew_ephemeral_resource::Request>,
    ) -> Result<Response<pb::renew_ephemeral_resource::Response>, Status> {
        reply(
            self.handle_renew_ephemeral_resource(request.into_inner())
                .await,
        )
    }

    async fn close_ephemeral_resource(
        &self,
        request: Request<pb::close_ephemeral_resource::Request>,
    ) -> Result<Response<pb::close_ephemeral_resource::Response>, Status> {
        reply(
            self.handle_close_ephemeral_resource(request.into_inner())
                .await,
        )
    }

    // ---- functions (functions.rs) ----

    async fn get_functions(
        &self,
        _request: Request<pb::get_functions::Request>,
    ) -> Result<Response<pb::get_functions::Response>, Status> {
        reply(self.handle_get_functions())
    }

    async fn call_function(
        &self,
        request: Request<pb::call_function::Request>,
    ) -> Result<Response<pb::call_function::Response>, Status> {
        reply(self.handle_call_function(request.into_inner()))
    }

    // ---- actions (actions.rs) ----

    async fn plan_action(
        &self,
        request: Request<pb::plan_action::Request>,
    ) -> Result<Response<pb::plan_action::Response>, Status> {
        reply(self.handle_plan_action(request.into_inner()).await)
    }

    type InvokeActionStream = EventStream<pb::invoke_action::Event>;

    async fn invoke_action(
        &self,
        request: Request<pb::invoke_action::Request>,
    ) -> Result<Response<Self::InvokeActionStream>, Status> {
        reply(self.handle_invoke_action(request.into_inner()))
    }

    async fn validate_action_config(
        &self,
        request: Request<pb::validate_action_config::Request>,
    ) -> Result<Response<pb::validate_action_config::Response>, Status> {
        reply(
            self.handle_validate_action_config(request.into_inner())
                .await,
        )
    }
}
