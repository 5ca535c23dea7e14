//! The tfplugin5 `Provider` service: decodes each RPC, applies the lifecycle
//! rules Terraform enforces, calls the provider's handlers, and encodes the
//! answer. Failures a user can act on travel as diagnostics; gRPC status
//! errors are kept for malformed requests that Terraform never sends.

use std::collections::{BTreeMap, HashMap};
use std::pin::Pin;
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use tokio::sync::mpsc;
use tokio_stream::Stream;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

use super::diag::{AttributePath, Diagnostics, PathStep, Severity};
use super::framework::{
    Action, DataSource, EphemeralResource, Function, Plan, Progress, Provider, Resource,
};
use super::proto::tfplugin5 as pb;
use super::proto::tfplugin5::provider_server::Provider as ProviderRpc;
use super::schema::{Block, Nesting, PlanModifier, Schema, validate_block};
use super::value::{Type, Value};

type Client<P> = <P as Provider>::Client;
/// A registered handler with its schema, computed once.
type Registered<T> = (Arc<T>, Schema);

/// Everything the provider declares, resolved once at start.
pub struct ProviderService<P: Provider> {
    provider: P,
    provider_schema: Schema,
    resources: BTreeMap<&'static str, Registered<dyn Resource<Client<P>>>>,
    data_sources: BTreeMap<&'static str, Registered<dyn DataSource<Client<P>>>>,
    ephemeral_resources: BTreeMap<&'static str, Registered<dyn EphemeralResource<Client<P>>>>,
    actions: BTreeMap<&'static str, Registered<dyn Action<Client<P>>>>,
    functions: BTreeMap<&'static str, Arc<dyn Function>>,
    client: RwLock<Option<Arc<Client<P>>>>,
}

impl<P: Provider> ProviderService<P> {
    pub fn new(provider: P) -> Self {
        ProviderService {
            provider_schema: provider.schema(),
            resources: provider
                .resources()
                .into_iter()
                .map(|r| (r.type_name(), (r.clone(), r.schema())))
                .collect(),
            data_sources: provider
                .data_sources()
                .into_iter()
                .map(|d| (d.type_name(), (d.clone(), d.schema())))
                .collect(),
            ephemeral_resources: provider
                .ephemeral_resources()
                .into_iter()
                .map(|e| (e.type_name(), (e.clone(), e.schema())))
                .collect(),
            actions: provider
                .actions()
                .into_iter()
                .map(|a| (a.type_name(), (a.clone(), a.schema())))
                .collect(),
            functions: provider
                .functions()
                .into_iter()
                .map(|f| (f.name(), f))
                .collect(),
            client: RwLock::new(None),
            provider,
        }
    }

    fn client(&self) -> Option<Arc<Client<P>>> {
        self.client.read().ok().and_then(|c| c.clone())
    }

    fn require_client(&self, diags: &mut Diagnostics) -> Option<Arc<Client<P>>> {
        let client = self.client();
        if client.is_none() {
            // Terraform skips Configure while the provider block has unknown
            // values; a failed Configure would have stopped the run earlier.
            diags.error(
                "Provider configuration not known yet",
                "The provider block depends on values that are known only after apply, and this operation \
                 (reading a data source, importing, or opening an ephemeral resource) needs a configured provider \
                 during plan. Apply the resources the provider block refers to first (terraform apply \
                 -target=<address>), or set those provider arguments to known values.",
            );
        }
        client
    }

    fn server_capabilities() -> pb::ServerCapabilities {
        pb::ServerCapabilities {
            plan_destroy: true,
            get_provider_schema_optional: true,
            move_resource_state: true,
            generate_resource_config: false,
        }
    }
}

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

// ---- conversions between plugin-layer types and protocol messages ----

fn decode(
    dv: Option<&pb::DynamicValue>,
    ty: &Type,
    what: &str,
    diags: &mut Diagnostics,
) -> Option<Value> {
    let result = match dv {
        Some(dv) if !dv.msgpack.is_empty() => Value::from_msgpack(&dv.msgpack, ty),
        Some(dv) if !dv.json.is_empty() => serde_json::from_slice(&dv.json)
            .map_err(|e| super::value::ValueError::new(e.to_string()))
            .and_then(|j| Value::from_json(&j, ty)),
        _ => Ok(Value::Null),
    };
    match result {
        Ok(v) => Some(v),
        Err(e) => {
            diags.error(
                format!("Cannot read the {what}"),
                format!("Terraform sent a value that does not match the schema: {e}"),
            );
            None
        }
    }
}

fn encode(value: &Value, ty: &Type, diags: &mut Diagnostics) -> Option<pb::DynamicValue> {
    match value.to_msgpack(ty) {
        Ok(msgpack) => Some(pb::DynamicValue {
            msgpack,
            json: Vec::new(),
        }),
        Err(e) => {
            diags.error(
                "Provider produced an invalid value",
                format!("This is a bug in the provider: {e}"),
            );
            None
        }
    }
}

fn path_to_proto(path: &AttributePath) -> pb::AttributePath {
    use pb::attribute_path::step::Selector;
    pb::AttributePath {
        steps: path
            .0
            .iter()
            .map(|s| pb::attribute_path::Step {
                selector: Some(match s {
                    PathStep::Attribute(a) => Selector::AttributeName(a.clone()),
                    PathStep::Key(k) => Selector::ElementKeyString(k.clone()),
                    PathStep::Index(i) => Selector::ElementKeyInt(*i),
                }),
            })
            .collect(),
    }
}

fn diags_to_proto(diags: &Diagnostics) -> Vec<pb::Diagnostic> {
    diags
        .iter()
        .map(|d| pb::Diagnostic {
            severity: match d.severity {
                Severity::Error => pb::diagnostic::Severity::Error as i32,
                Severity::Warning => pb::diagnostic::Severity::Warning as i32,
            },
            summary: d.summary.clone(),
            detail: d.detail.clone(),
            attribute: d.attribute.as_ref().map(path_to_proto),
        })
        .collect()
}

fn block_to_proto(block: &Block, version: i64) -> pb::schema::Block {
    use pb::schema::nested_block::NestingMode;
    pb::schema::Block {
        version,
        attributes: block
            .attributes
            .iter()
            .map(|a| pb::schema::Attribute {
                name: a.name.to_string(),
                r#type: a.ty.to_json_bytes(),
                description: a.full_description(),
                required: a.required,
                optional: a.optional,
                computed: a.computed,
                sensitive: a.sensitive,
                description_kind: pb::StringKind::Markdown as i32,
                deprecated: a.deprecation.is_some(),
                write_only: a.write_only,
                deprecation_message: a.deprecation.clone().unwrap_or_default(),
            })
            .collect(),
        block_types: block
            .blocks
            .iter()
            .map(|b| pb::schema::NestedBlock {
                type_name: b.name.to_string(),
                block: Some(block_to_proto(&b.block, 0)),
                nesting: match b.nesting {
                    Nesting::Single => NestingMode::Single,
                    Nesting::List => NestingMode::List,
                    Nesting::Set => NestingMode::Set,
                } as i32,
                min_items: b.min_items,
                max_items: b.max_items,
            })
            .collect(),
        description: block.description.clone(),
        description_kind: pb::StringKind::Markdown as i32,
        deprecated: block.deprecation.is_some(),
        deprecation_message: block.deprecation.clone().unwrap_or_default(),
    }
}

/// The protocol form of a schema (also used to generate docs).
pub fn schema_to_proto(schema: &Schema) -> pb::Schema {
    pb::Schema {
        version: schema.version,
        block: Some(block_to_proto(&schema.block, schema.version)),
    }
}

fn function_to_proto(f: &dyn Function) -> pb::Function {
    let sig = f.signature();
    pb::Function {
        parameters: sig
            .parameters
            .iter()
            .map(|p| pb::function::Parameter {
                name: p.name.to_string(),
                r#type: p.ty.to_json_bytes(),
                allow_null_value: false,
                allow_unknown_values: false,
                description: p.description.to_string(),
                description_kind: pb::StringKind::Markdown as i32,
            })
            .collect(),
        variadic_parameter: None,
        r#return: Some(pb::function::Return {
            r#type: sig.return_type.to_json_bytes(),
        }),
        summary: sig.summary.to_string(),
        description: sig.description.to_string(),
        description_kind: pb::StringKind::Markdown as i32,
        deprecation_message: String::new(),
    }
}

fn timestamp(t: SystemTime) -> prost_types::Timestamp {
    let d = t.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default();
    prost_types::Timestamp {
        seconds: d.as_secs() as i64,
        nanos: d.subsec_nanos() as i32,
    }
}

fn validate_config(schema: &Schema, config: &Value, diags: &mut Diagnostics) {
    validate_block(&schema.block, config, &AttributePath::default(), diags);
}

/// Framework part of planning: defaults, unknown computed values, write-only
/// nulls. Runs before the resource's own plan hook.
fn plan_attributes(schema: &Schema, prior: &Value, config: &Value, planned: &mut Value) {
    for attr in &schema.block.attributes {
        if attr.write_only {
            planned.set_attr(attr.name, Value::Null);
            continue;
        }
        if attr.computed && config.attr(attr.name).is_null() {
            if let Some(default) = &attr.default {
                planned.set_attr(attr.name, default.clone());
            } else if prior.is_null() {
                planned.set_attr(attr.name, Value::Unknown);
            }
        }
    }
    // On update, a computed value may change with the rest, unless it is
    // declared stable.
    if !prior.is_null() && planned != prior {
        for attr in &schema.block.attributes {
            let stable = attr.has_modifier(PlanModifier::UseStateForUnknown);
            if attr.computed
                && attr.default.is_none()
                && !stable
                && config.attr(attr.name).is_null()
            {
                planned.set_attr(attr.name, Value::Unknown);
            }
        }
    }
}

fn replacement_paths(
    schema: &Schema,
    prior: &Value,
    planned: &Value,
    extra: &[String],
) -> Vec<pb::AttributePath> {
    if prior.is_null() {
        return Vec::new();
    }
    schema
        .block
        .attributes
        .iter()
        .filter(|a| {
            a.has_modifier(PlanModifier::RequiresReplace) || extra.iter().any(|e| e == a.name)
        })
        .filter(|a| planned.attr(a.name) != prior.attr(a.name))
        .map(|a| path_to_proto(&AttributePath::root(a.name)))
        .collect()
}

/// Apply results must be wholly known; write-only values are never stored.
fn finish_state(schema: &Schema, mut state: Value, diags: &mut Diagnostics) -> Value {
    for attr in schema.block.attributes.iter().filter(|a| a.write_only) {
        state.set_attr(attr.name, Value::Null);
    }
    if !state.is_wholly_known() {
        diags.error(
            "Provider returned an incomplete object",
            "This is a bug in the provider: some attributes are still unknown after the operation.",
        );
    }
    state
}

struct ProgressChannel(mpsc::Sender<Result<pb::invoke_action::Event, Status>>);

#[tonic::async_trait]
impl Progress for ProgressChannel {
    async fn message(&self, text: String) {
        use pb::invoke_action::event::{Progress as P, Type as T};
        let _ = self
            .0
            .send(Ok(pb::invoke_action::Event {
                r#type: Some(T::Progress(P { message: text })),
            }))
            .await;
    }
}

type EventStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send + 'static>>;

#[tonic::async_trait]
impl<P: Provider> ProviderRpc for ProviderService<P> {
    async fn get_metadata(
        &self,
        _request: Request<pb::get_metadata::Request>,
    ) -> Result<Response<pb::get_metadata::Response>, Status> {
        use pb::get_metadata as m;
        Ok(Response::new(m::Response {
            server_capabilities: Some(Self::server_capabilities()),
            diagnostics: Vec::new(),
            data_sources: self
                .data_sources
                .keys()
                .map(|n| m::DataSourceMetadata {
                    type_name: n.to_string(),
                })
                .collect(),
            resources: self
                .resources
                .keys()
                .map(|n| m::ResourceMetadata {
                    type_name: n.to_string(),
                })
                .collect(),
            functions: self
                .functions
                .keys()
                .map(|n| m::FunctionMetadata {
                    name: n.to_string(),
                })
                .collect(),
            ephemeral_resources: self
                .ephemeral_resources
                .keys()
                .map(|n| m::EphemeralMetadata {
                    type_name: n.to_string(),
                })
                .collect(),
            list_resources: Vec::new(),
            actions: self
                .actions
                .keys()
                .map(|n| m::ActionMetadata {
                    type_name: n.to_string(),
                })
                .collect(),
        }))
    }

    async fn get_schema(
        &self,
        _request: Request<pb::get_provider_schema::Request>,
    ) -> Result<Response<pb::get_provider_schema::Response>, Status> {
        let named = |m: Vec<(&str, &Schema)>| -> HashMap<String, pb::Schema> {
            m.into_iter()
                .map(|(n, s)| (n.to_string(), schema_to_proto(s)))
                .collect()
        };
        Ok(Response::new(pb::get_provider_schema::Response {
            provider: Some(schema_to_proto(&self.provider_schema)),
            resource_schemas: named(self.resources.iter().map(|(n, (_, s))| (*n, s)).collect()),
            data_source_schemas: named(
                self.data_sources
                    .iter()
                    .map(|(n, (_, s))| (*n, s))
                    .collect(),
            ),
            diagnostics: Vec::new(),
            provider_meta: None,
            server_capabilities: Some(Self::server_capabilities()),
            functions: self
                .functions
                .iter()
                .map(|(n, f)| (n.to_string(), function_to_proto(f.as_ref())))
                .collect(),
            ephemeral_resource_schemas: named(
                self.ephemeral_resources
                    .iter()
                    .map(|(n, (_, s))| (*n, s))
                    .collect(),
            ),
            list_resource_schemas: HashMap::new(),
            action_schemas: self
                .actions
                .iter()
                .map(|(n, (_, s))| {
                    (
                        n.to_string(),
                        pb::ActionSchema {
                            schema: Some(schema_to_proto(s)),
                        },
                    )
                })
                .collect(),
        }))
    }

    async fn prepare_provider_config(
        &self,
        request: Request<pb::prepare_provider_config::Request>,
    ) -> Result<Response<pb::prepare_provider_config::Response>, Status> {
        let req = request.into_inner();
        let mut diags = Diagnostics::new();
        let ty = self.provider_schema.value_type();
        if let Some(config) = decode(
            req.config.as_ref(),
            &ty,
            "provider configuration",
            &mut diags,
        ) {
            validate_config(&self.provider_schema, &config, &mut diags);
            self.provider.validate(&config, &mut diags).await;
        }
        Ok(Response::new(pb::prepare_provider_config::Response {
            prepared_config: req.config,
            diagnostics: diags_to_proto(&diags),
        }))
    }

    async fn validate_resource_type_config(
        &self,
        request: Request<pb::validate_resource_type_config::Request>,
    ) -> Result<Response<pb::validate_resource_type_config::Response>, Status> {
        let req = request.into_inner();
        let mut diags = Diagnostics::new();
        if let Some((resource, config)) = checked_config(
            &self.resources,
            "resource type",
            &req.type_name,
            req.config.as_ref(),
            &mut diags,
        ) {
            resource.validate(&config, &mut diags).await;
        }
        Ok(Response::new(pb::validate_resource_type_config::Response {
            diagnostics: diags_to_proto(&diags),
        }))
    }

    async fn validate_data_source_config(
        &self,
        request: Request<pb::validate_data_source_config::Request>,
    ) -> Result<Response<pb::validate_data_source_config::Response>, Status> {
        let req = request.into_inner();
        let mut diags = Diagnostics::new();
        if let Some((source, config)) = checked_config(
            &self.data_sources,
            "data source",
            &req.type_name,
            req.config.as_ref(),
            &mut diags,
        ) {
            source.validate(&config, &mut diags).await;
        }
        Ok(Response::new(pb::validate_data_source_config::Response {
            diagnostics: diags_to_proto(&diags),
        }))
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<pb::upgrade_resource_state::Request>,
    ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
        let req = request.into_inner();
        let mut diags = Diagnostics::new();
        let mut upgraded = None;
        if let Some((_, schema)) =
            lookup(&self.resources, "resource type", &req.type_name, &mut diags)
        {
            let ty = schema.value_type();
            let raw = req.raw_state.map(|r| r.json).unwrap_or_default();
            // Same schema version: the stored JSON is already in the current shape.
            let state = if raw.is_empty() {
                Ok(Value::Null)
            } else {
                serde_json::from_slice(&raw)
                    .map_err(|e| e.to_string())
                    .and_then(|j| Value::from_json(&j, &ty).map_err(|e| e.to_string()))
            };
            match state {
                Ok(state) => upgraded = encode(&state, &ty, &mut diags),
                Err(e) => diags.error(
                    "Cannot read the stored state",
                    format!(
                        "The state of this {} does not match its schema (version {}): {e}",
                        req.type_name, schema.version
                    ),
                ),
            }
        }
        Ok(Response::new(pb::upgrade_resource_state::Response {
            upgraded_state: upgraded,
            diagnostics: diags_to_proto(&diags),
        }))
    }

    async fn get_resource_identity_schemas(
        &self,
        _request: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Result<Response<pb::get_resource_identity_schemas::Response>, Status> {
        // No resource declares an identity (yet): an empty answer, not an error.
        Ok(Response::new(pb::get_resource_identity_schemas::Response {
            identity_schemas: HashMap::new(),
            diagnostics: Vec::new(),
        }))
    }

    async fn upgrade_resource_identity(
        &self,
        request: Request<pb::upgrade_resource_identity::Request>,
    ) -> Result<Response<pb::upgrade_resource_identity::Response>, Status> {
        let mut diags = Diagnostics::new();
        diags.error(
            "Resource identity not supported",
            format!(
                "{} does not declare a resource identity.",
                request.into_inner().type_name
            ),
        );
        Ok(Response::new(pb::upgrade_resource_identity::Response {
            upgraded_identity: None,
            diagnostics: diags_to_proto(&diags),
        }))
    }

    async fn configure(
        &self,
        request: Request<pb::configure::Request>,
    ) -> Result<Response<pb::configure::Response>, Status> {
        let req = request.into_inner();
        let mut diags = Diagnostics::new();
        let ty = self.provider_schema.value_type();
        if let Some(config) = decode(
            req.config.as_ref(),
            &ty,
            "provider configuration",
            &mut diags,
        ) {
            validate_config(&self.provider_schema, &config, &mut diags);
            if !diags.has_errors()
                && let Some(client) = self.provider.configure(&config, &mut diags).await
                && let Ok(mut slot) = self.client.write()
            {
                *slot = Some(Arc::new(client));
            }
        }
        Ok(Response::new(pb::configure::Response {
            diagnostics: diags_to_proto(&diags),
        }))
    }

    async fn read_resource(
        &self,
        request: Request<pb::read_resource::Request>,
    ) -> Result<Response<pb::read_resource::Response>, Status> {
        let req = request.into_inner();
        let mut diags = Diagnostics::new();
        let mut new_state = req.current_state.clone();
        if let Some((resource, schema)) =
            lookup(&self.resources, "resource type", &req.type_name, &mut diags)
        {
            let ty = schema.value_type();
            if let (Some(state), Some(client)) = (
                decode(req.current_state.as_ref(), &ty, "state", &mut diags),
                self.require_client(&mut diags),
            ) {
                let read = resource.read(&client, &state, &mut diags).await;
                // On error keep what was stored: dropping it would hide a real object.
                if !diags.has_errors() {
                    let read = finish_state(schema, read, &mut diags);
                    new_state = encode(&read, &ty, &mut diags);
                }
            }
        }
        Ok(Response::new(pb::read_resource::Response {
            new_state,
            diagnostics: diags_to_proto(&diags),
            private: req.private,
            deferred: None,
            new_identity: None,
        }))
    }

    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> Result<Response<pb::plan_resource_change::Response>, Status> {
        let req = request.into_inner();
        let mut diags = Diagnostics::new();
        let mut response = pb::plan_resource_change::Response {
            planned_state: None,
            requires_replace: Vec::new(),
            planned_private: req.prior_private.clone(),
            diagnostics: Vec::new(),
            legacy_type_system: false,
            deferred: None,
            planned_identity: None,
        };
        let Some((resource, schema)) =
            lookup(&self.resources, "resource type", &req.type_name, &mut diags)
        else {
            response.diagnostics = diags_to_proto(&diags);
            return Ok(Response::new(response));
        };
        let ty = schema.value_type();
        let prior = decode(req.prior_state.as_ref(), &ty, "prior state", &mut diags);
        let proposed = decode(
            req.proposed_new_state.as_ref(),
            &ty,
            "proposed state",
            &mut diags,
        );
        let config = decode(req.config.as_ref(), &ty, "configuration", &mut diags);
        if let (Some(prior), Some(proposed), Some(config)) = (prior, proposed, config) {
            if proposed.is_null() {
                // Destroy: the plan is null; nothing else to decide.
                response.planned_state = encode(&Value::Null, &ty, &mut diags);
            } else {
                let mut planned = proposed;
                plan_attributes(schema, &prior, &config, &mut planned);
                let client = self.client();
                let mut plan = Plan {
                    client: client.as_deref(),
                    config: &config,
                    prior: &prior,
                    planned,
                    requires_replace: Vec::new(),
                    diags: Diagnostics::new(),
                };
                resource.plan(&mut plan).await;
                diags.extend(std::mem::take(&mut plan.diags));
                response.requires_replace =
                    replacement_paths(schema, &prior, &plan.planned, &plan.requires_replace);
                response.planned_state = encode(&plan.planned, &ty, &mut diags);
            }
        }
        response.diagnostics = diags_to_proto(&diags);
        Ok(Response::new(response))
    }

    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> Result<Response<pb::apply_resource_change::Response>, Status> {
        let req = request.into_inner();
        let mut diags = Diagnostics::new();
        let mut new_state = req.prior_state.clone();
        if let Some((resource, schema)) =
            lookup(&self.resources, "resource type", &req.type_name, &mut diags)
        {
            let ty = schema.value_type();
            let prior = decode(req.prior_state.as_ref(), &ty, "prior state", &mut diags);
            let planned = decode(req.planned_state.as_ref(), &ty, "planned state", &mut diags);
            let client = self.require_client(&mut diags);
            if let (Some(prior), Some(planned), Some(client)) = (prior, planned, client) {
                let state = if planned.is_null() {
                    resource.delete(&client, &prior, &mut diags).await;
                    // A failed delete leaves the object in state, so nothing is lost.
                    if diags.has_errors() {
                        prior
                    } else {
                        Value::Null
                    }
                } else if prior.is_null() {
                    resource.create(&client, &planned, &mut diags).await
                } else {
                    resource.update(&client, &prior, &planned, &mut diags).await
                };
                let state = finish_state(schema, state, &mut diags);
                if state.is_wholly_known() {
                    new_state = encode(&state, &ty, &mut diags);
                }
            }
        }
        Ok(Response::new(pb::apply_resource_change::Response {
            new_state,
            private: req.planned_private,
            diagnostics: diags_to_proto(&diags),
            legacy_type_system: false,
            new_identity: None,
        }))
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> Result<Response<pb::import_resource_state::Response>, Status> {
        let req = request.into_inner();
        let mut diags = Diagnostics::new();
        let mut imported = Vec::new();
        if let Some((resource, schema)) =
            lookup(&self.resources, "resource type", &req.type_name, &mut diags)
            && let Some(client) = self.require_client(&mut diags)
        {
            let state = resource.import(&client, &req.id, &mut diags).await;
            if !diags.has_errors()
                && let Some(state) = encode(&state, &schema.value_type(), &mut diags)
            {
                imported.push(pb::import_resource_state::ImportedResource {
                    type_name: req.type_name.clone(),
                    state: Some(state),
                    private: Vec::new(),
                    identity: None,
                });
            }
        }
        Ok(Response::new(pb::import_resource_state::Response {
            imported_resources: imported,
            diagnostics: diags_to_proto(&diags),
            deferred: None,
        }))
    }

    async fn move_resource_state(
        &self,
        request: Request<pb::move_resource_state::Request>,
    ) -> Result<Response<pb::move_resource_state::Response>, Status> {
        let req = request.into_inner();
        let mut diags = Diagnostics::new();
        let mut target_state = None;
        if let Some((resource, schema)) = lookup(
            &self.resources,
            "resource type",
            &req.target_type_name,
            &mut diags,
        ) {
            let raw = req.source_state.map(|r| r.json).unwrap_or_default();
            match serde_json::from_slice::<serde_json::Value>(&raw) {
                Ok(source) => {
                    let moved = resource
                        .move_state(
                            &req.source_provider_address,
                            &req.source_type_name,
                            &source,
                            &mut diags,
                        )
                        .await;
                    match moved {
                        Some(state) => {
                            target_state = encode(&state, &schema.value_type(), &mut diags)
                        }
                        None if !diags.has_errors() => diags.error(
                            "Move not supported",
                            format!(
                                "{} cannot take over state from {} ({}).",
                                req.target_type_name,
                                req.source_type_name,
                                req.source_provider_address
                            ),
                        ),
                        None => {}
                    }
                }
                Err(e) => diags.error("Cannot read the source state", e.to_string()),
            }
        }
        Ok(Response::new(pb::move_resource_state::Response {
            target_state,
            diagnostics: diags_to_proto(&diags),
            target_private: Vec::new(),
            target_identity: None,
        }))
    }

    async fn read_data_source(
        &self,
        request: Request<pb::read_data_source::Request>,
    ) -> Result<Response<pb::read_data_source::Response>, Status> {
        let req = request.into_inner();
        let mut diags = Diagnostics::new();
        let mut state = None;
        if let Some((source, schema)) = lookup(
            &self.data_sources,
            "data source",
            &req.type_name,
            &mut diags,
        ) {
            let ty = schema.value_type();
            if let (Some(config), Some(client)) = (
                decode(req.config.as_ref(), &ty, "configuration", &mut diags),
                self.require_client(&mut diags),
            ) {
                let read = source.read(&client, &config, &mut diags).await;
                if !diags.has_errors() {
                    let read = finish_state(schema, read, &mut diags);
                    state = encode(&read, &ty, &mut diags);
                }
            }
        }
        Ok(Response::new(pb::read_data_source::Response {
            state,
            diagnostics: diags_to_proto(&diags),
            deferred: None,
        }))
    }

    async fn generate_resource_config(
        &self,
        request: Request<pb::generate_resource_config::Request>,
    ) -> Result<Response<pb::generate_resource_config::Response>, Status> {
        let mut diags = Diagnostics::new();
        diags.error(
            "Configuration generation not supported",
            format!(
                "Write the configuration of {} by hand; see the resource's documentation.",
                request.into_inner().type_name
            ),
        );
        Ok(Response::new(pb::generate_resource_config::Response {
            config: None,
            diagnostics: diags_to_proto(&diags),
        }))
    }

    async fn validate_ephemeral_resource_config(
        &self,
        request: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> Result<Response<pb::validate_ephemeral_resource_config::Response>, Status> {
        let req = request.into_inner();
        let mut diags = Diagnostics::new();
        if let Some((eph, config)) = checked_config(
            &self.ephemeral_resources,
            "ephemeral resource",
            &req.type_name,
            req.config.as_ref(),
            &mut diags,
        ) {
            eph.validate(&config, &mut diags).await;
        }
        Ok(Response::new(
            pb::validate_ephemeral_resource_config::Response {
                diagnostics: diags_to_proto(&diags),
            },
        ))
    }

    async fn open_ephemeral_resource(
        &self,
        request: Request<pb::open_ephemeral_resource::Request>,
    ) -> Result<Response<pb::open_ephemeral_resource::Response>, Status> {
        let req = request.into_inner();
        let mut diags = Diagnostics::new();
        let mut response = pb::open_ephemeral_resource::Response {
            diagnostics: Vec::new(),
            renew_at: None,
            result: None,
            private: None,
            deferred: None,
        };
        if let Some((eph, schema)) = lookup(
            &self.ephemeral_resources,
            "ephemeral resource",
            &req.type_name,
            &mut diags,
        ) {
            let ty = schema.value_type();
            if let (Some(config), Some(client)) = (
                decode(req.config.as_ref(), &ty, "configuration", &mut diags),
                self.require_client(&mut diags),
            ) && let Some(opened) = eph.open(&client, &config, &mut diags).await
            {
                let result = finish_state(schema, opened.result, &mut diags);
                response.result = encode(&result, &ty, &mut diags);
                response.renew_at = opened.renew_at.map(timestamp);
                response.private = Some(opened.private);
            }
        }
        response.diagnostics = diags_to_proto(&diags);
        Ok(Response::new(response))
    }

    async fn renew_ephemeral_resource(
        &self,
        request: Request<pb::renew_ephemeral_resource::Request>,
    ) -> Result<Response<pb::renew_ephemeral_resource::Response>, Status> {
        let req = request.into_inner();
        let mut diags = Diagnostics::new();
        let mut response = pb::renew_ephemeral_resource::Response {
            diagnostics: Vec::new(),
            renew_at: None,
            private: req.private.clone(),
        };
        if let Some((eph, _)) = lookup(
            &self.ephemeral_resources,
            "ephemeral resource",
            &req.type_name,
            &mut diags,
        ) && let Some(client) = self.require_client(&mut diags)
        {
            let private = req.private.unwrap_or_default();
            if let Some((renew_at, private)) = eph.renew(&client, &private, &mut diags).await {
                response.renew_at = renew_at.map(timestamp);
                response.private = Some(private);
            }
        }
        response.diagnostics = diags_to_proto(&diags);
        Ok(Response::new(response))
    }

    async fn close_ephemeral_resource(
        &self,
        request: Request<pb::close_ephemeral_resource::Request>,
    ) -> Result<Response<pb::close_ephemeral_resource::Response>, Status> {
        let req = request.into_inner();
        let mut diags = Diagnostics::new();
        if let Some((eph, _)) = lookup(
            &self.ephemeral_resources,
            "ephemeral resource",
            &req.type_name,
            &mut diags,
        ) && let Some(client) = self.require_client(&mut diags)
        {
            eph.close(&client, &req.private.unwrap_or_default(), &mut diags)
                .await;
        }
        Ok(Response::new(pb::close_ephemeral_resource::Response {
            diagnostics: diags_to_proto(&diags),
        }))
    }

    type ListResourceStream = EventStream<pb::list_resource::Event>;

    async fn list_resource(
        &self,
        request: Request<pb::list_resource::Request>,
    ) -> Result<Response<Self::ListResourceStream>, Status> {
        let mut diags = Diagnostics::new();
        diags.error(
            "List not supported",
            format!("{} cannot be listed.", request.into_inner().type_name),
        );
        let event = pb::list_resource::Event {
            identity: None,
            display_name: String::new(),
            resource_object: None,
            diagnostic: diags_to_proto(&diags),
        };
        Ok(Response::new(Box::pin(tokio_stream::iter([Ok(event)]))))
    }

    async fn validate_list_resource_config(
        &self,
        request: Request<pb::validate_list_resource_config::Request>,
    ) -> Result<Response<pb::validate_list_resource_config::Response>, Status> {
        let mut diags = Diagnostics::new();
        diags.error(
            "List not supported",
            format!("{} cannot be listed.", request.into_inner().type_name),
        );
        Ok(Response::new(pb::validate_list_resource_config::Response {
            diagnostics: diags_to_proto(&diags),
        }))
    }

    async fn get_functions(
        &self,
        _request: Request<pb::get_functions::Request>,
    ) -> Result<Response<pb::get_functions::Response>, Status> {
        Ok(Response::new(pb::get_functions::Response {
            functions: self
                .functions
                .iter()
                .map(|(n, f)| (n.to_string(), function_to_proto(f.as_ref())))
                .collect(),
            diagnostics: Vec::new(),
        }))
    }

    async fn call_function(
        &self,
        request: Request<pb::call_function::Request>,
    ) -> Result<Response<pb::call_function::Response>, Status> {
        let req = request.into_inner();
        let fail = |text: String, argument: Option<usize>| pb::call_function::Response {
            result: None,
            error: Some(pb::FunctionError {
                text,
                function_argument: argument.map(|a| a as i64),
            }),
        };
        let Some(function) = self.functions.get(req.name.as_str()) else {
            return Ok(Response::new(fail(
                format!("This provider has no function named {:?}.", req.name),
                None,
            )));
        };
        let sig = function.signature();
        if req.arguments.len() != sig.parameters.len() {
            let text = format!(
                "{} takes {} argument(s), got {}.",
                req.name,
                sig.parameters.len(),
                req.arguments.len()
            );
            return Ok(Response::new(fail(text, None)));
        }
        let mut args = Vec::with_capacity(req.arguments.len());
        for (i, (arg, param)) in req.arguments.iter().zip(&sig.parameters).enumerate() {
            let mut diags = Diagnostics::new();
            match decode(Some(arg), &param.ty, "function argument", &mut diags) {
                Some(v) => args.push(v),
                None => {
                    return Ok(Response::new(fail(
                        format!("Argument {:?} has the wrong type.", param.name),
                        Some(i),
                    )));
                }
            }
        }
        Ok(Response::new(match function.call(&args) {
            Ok(value) => {
                let mut diags = Diagnostics::new();
                match encode(&value, &sig.return_type, &mut diags) {
                    Some(result) => pb::call_function::Response {
                        result: Some(result),
                        error: None,
                    },
                    None => fail(
                        "The function produced a value of the wrong type (provider bug).".into(),
                        None,
                    ),
                }
            }
            Err(e) => fail(e.message, e.argument),
        }))
    }

    async fn plan_action(
        &self,
        request: Request<pb::plan_action::Request>,
    ) -> Result<Response<pb::plan_action::Response>, Status> {
        let req = request.into_inner();
        let mut diags = Diagnostics::new();
        if let Some((action, config)) = checked_config(
            &self.actions,
            "action",
            &req.action_type,
            req.config.as_ref(),
            &mut diags,
        ) {
            action.validate(&config, &mut diags).await;
        }
        Ok(Response::new(pb::plan_action::Response {
            diagnostics: diags_to_proto(&diags),
            deferred: None,
        }))
    }

    type InvokeActionStream = EventStream<pb::invoke_action::Event>;

    async fn invoke_action(
        &self,
        request: Request<pb::invoke_action::Request>,
    ) -> Result<Response<Self::InvokeActionStream>, Status> {
        use pb::invoke_action::event::{Completed, Type as T};
        let req = request.into_inner();
        let (tx, rx) = mpsc::channel(32);
        let mut diags = Diagnostics::new();
        let found = lookup(&self.actions, "action", &req.action_type, &mut diags).cloned();
        let client = self.require_client(&mut diags);
        tokio::spawn(async move {
            if let (Some((action, schema)), Some(client)) = (found, client)
                && let Some(config) = decode(
                    req.config.as_ref(),
                    &schema.value_type(),
                    "configuration",
                    &mut diags,
                )
            {
                action
                    .invoke(&client, &config, &ProgressChannel(tx.clone()), &mut diags)
                    .await;
            }
            let done = pb::invoke_action::Event {
                r#type: Some(T::Completed(Completed {
                    diagnostics: diags_to_proto(&diags),
                })),
            };
            let _ = tx.send(Ok(done)).await;
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }

    async fn validate_action_config(
        &self,
        request: Request<pb::validate_action_config::Request>,
    ) -> Result<Response<pb::validate_action_config::Response>, Status> {
        let req = request.into_inner();
        let mut diags = Diagnostics::new();
        if let Some((action, config)) = checked_config(
            &self.actions,
            "action",
            &req.type_name,
            req.config.as_ref(),
            &mut diags,
        ) {
            action.validate(&config, &mut diags).await;
        }
        Ok(Response::new(pb::validate_action_config::Response {
            diagnostics: diags_to_proto(&diags),
        }))
    }

    async fn stop(
        &self,
        _request: Request<pb::stop::Request>,
    ) -> Result<Response<pb::stop::Response>, Status> {
        let client = self.client();
        self.provider.stop(client.as_deref()).await;
        Ok(Response::new(pb::stop::Response {
            error: String::new(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Attribute;
    use async_trait::async_trait;

    /// A resource whose behaviour the tests steer through its own attributes.
    struct Widget;

    #[async_trait]
    impl Resource<()> for Widget {
        fn type_name(&self) -> &'static str {
            "test_widget"
        }
        fn schema(&self) -> Schema {
            Schema::new("widget")
                .attribute(Attribute::string("name").required().requires_replace())
                .attribute(Attribute::string("note").optional())
                .attribute(Attribute::string("id").computed().use_state_for_unknown())
                .attribute(Attribute::string("etag").computed())
                .attribute(Attribute::string("mode").default(Value::string("fast")))
                .attribute(Attribute::string("secret").optional().write_only())
        }
        async fn create(&self, _: &(), planned: &Value, _: &mut Diagnostics) -> Value {
            let mut state = planned.clone();
            state.set_attr("id", Value::string("w-1"));
            if planned.attr("note").as_str() != Some("leave-unknown") {
                state.set_attr("etag", Value::string("e1"));
            }
            state
        }
        async fn read(&self, _: &(), state: &Value, _: &mut Diagnostics) -> Value {
            if state.attr("note").as_str() == Some("gone") {
                Value::Null
            } else {
                state.clone()
            }
        }
        async fn update(&self, _: &(), _: &Value, planned: &Value, _: &mut Diagnostics) -> Value {
            let mut state = planned.clone();
            state.set_attr("etag", Value::string("e2"));
            state
        }
        async fn delete(&self, _: &(), _: &Value, _: &mut Diagnostics) {}
        async fn import(&self, _: &(), id: &str, _: &mut Diagnostics) -> Value {
            let mut v = Value::Object(Default::default());
            v.set_attr("id", Value::string(id));
            v
        }
    }

    struct TestProvider;

    #[async_trait]
    impl Provider for TestProvider {
        type Client = ();
        fn type_name(&self) -> &'static str {
            "test"
        }
        fn schema(&self) -> Schema {
            Schema::new("test")
        }
        async fn configure(&self, _: &Value, _: &mut Diagnostics) -> Option<()> {
            Some(())
        }
        fn resources(&self) -> Vec<Arc<dyn Resource<()>>> {
            vec![Arc::new(Widget)]
        }
    }

    async fn service() -> ProviderService<TestProvider> {
        let s = ProviderService::new(TestProvider);
        s.configure(Request::new(pb::configure::Request::default()))
            .await
            .unwrap();
        s
    }

    fn ty() -> Type {
        Widget.schema().value_type()
    }

    fn obj(pairs: &[(&str, Value)]) -> Value {
        let mut v = Value::Object(ty_keys().into_iter().map(|k| (k, Value::Null)).collect());
        for (k, x) in pairs {
            v.set_attr(k, x.clone());
        }
        v
    }

    fn ty_keys() -> Vec<String> {
        match ty() {
            Type::Object(m) => m.keys().cloned().collect(),
            _ => Vec::new(),
        }
    }

    fn dv(v: &Value) -> Option<pb::DynamicValue> {
        Some(pb::DynamicValue {
            msgpack: v.to_msgpack(&ty()).unwrap(),
            json: Vec::new(),
        })
    }

    fn val(d: &Option<pb::DynamicValue>) -> Value {
        Value::from_msgpack(&d.as_ref().unwrap().msgpack, &ty()).unwrap()
    }

    async fn plan(
        s: &ProviderService<TestProvider>,
        prior: &Value,
        config: &Value,
        proposed: &Value,
    ) -> pb::plan_resource_change::Response {
        let req = pb::plan_resource_change::Request {
            type_name: "test_widget".into(),
            prior_state: dv(prior),
            proposed_new_state: dv(proposed),
            config: dv(config),
            ..Default::default()
        };
        s.plan_resource_change(Request::new(req))
            .await
            .unwrap()
            .into_inner()
    }

    #[tokio::test]
    async fn create_plan_marks_computed_unknown_applies_defaults_and_drops_write_only() {
        let s = service().await;
        let config = obj(&[
            ("name", Value::string("a")),
            ("secret", Value::string("s3cr3t")),
        ]);
        let resp = plan(&s, &Value::Null, &config, &config).await;
        assert!(resp.diagnostics.is_empty());
        let planned = val(&resp.planned_state);
        assert_eq!(planned.attr("id"), &Value::Unknown);
        assert_eq!(planned.attr("etag"), &Value::Unknown);
        assert_eq!(planned.attr("mode"), &Value::string("fast"));
        assert_eq!(planned.attr("secret"), &Value::Null);
        assert!(resp.requires_replace.is_empty());
    }

    #[tokio::test]
    async fn update_plan_keeps_stable_computed_values_and_replaces_only_on_real_change() {
        let s = service().await;
        let prior = obj(&[
            ("name", Value::string("a")),
            ("id", Value::string("w-1")),
            ("etag", Value::string("e1")),
            ("mode", Value::string("fast")),
        ]);
        // No change: the plan equals the prior state.
        let config = obj(&[("name", Value::string("a"))]);
        let mut proposed = prior.clone();
        let resp = plan(&s, &prior, &config, &proposed).await;
        assert_eq!(val(&resp.planned_state), prior);
        assert!(resp.requires_replace.is_empty());
        // In-place change of `note`: id stays, etag becomes unknown, no replacement.
        proposed.set_attr("note", Value::string("n"));
        let config = obj(&[("name", Value::string("a")), ("note", Value::string("n"))]);
        let resp = plan(&s, &prior, &config, &proposed).await;
        let planned = val(&resp.planned_state);
        assert_eq!(planned.attr("id"), &Value::string("w-1"));
        assert_eq!(planned.attr("etag"), &Value::Unknown);
        assert!(resp.requires_replace.is_empty());
        // Changing `name` forces replacement, pointing at that attribute.
        proposed.set_attr("name", Value::string("b"));
        let config = obj(&[("name", Value::string("b")), ("note", Value::string("n"))]);
        let resp = plan(&s, &prior, &config, &proposed).await;
        assert_eq!(
            resp.requires_replace,
            vec![path_to_proto(&AttributePath::root("name"))]
        );
    }

    #[tokio::test]
    async fn destroy_plans_null() {
        let s = service().await;
        let prior = obj(&[("name", Value::string("a")), ("id", Value::string("w-1"))]);
        let resp = plan(&s, &prior, &Value::Null, &Value::Null).await;
        assert_eq!(val(&resp.planned_state), Value::Null);
    }

    #[tokio::test]
    async fn apply_must_return_a_wholly_known_object() {
        let s = service().await;
        let mut planned = obj(&[
            ("name", Value::string("a")),
            ("mode", Value::string("fast")),
        ]);
        planned.set_attr("id", Value::Unknown);
        planned.set_attr("etag", Value::Unknown);
        let apply = |planned: Value| pb::apply_resource_change::Request {
            type_name: "test_widget".into(),
            prior_state: dv(&Value::Null),
            planned_state: dv(&planned),
            config: dv(&planned),
            ..Default::default()
        };
        let ok = s
            .apply_resource_change(Request::new(apply(planned.clone())))
            .await
            .unwrap()
            .into_inner();
        assert!(ok.diagnostics.is_empty());
        assert_eq!(val(&ok.new_state).attr("etag"), &Value::string("e1"));
        planned.set_attr("note", Value::string("leave-unknown"));
        let bad = s
            .apply_resource_change(Request::new(apply(planned)))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(bad.diagnostics.len(), 1);
        assert!(bad.diagnostics[0].summary.contains("incomplete"));
    }

    #[tokio::test]
    async fn read_of_a_vanished_object_returns_null() {
        let s = service().await;
        let state = obj(&[
            ("name", Value::string("a")),
            ("note", Value::string("gone")),
            ("id", Value::string("x")),
        ]);
        let req = pb::read_resource::Request {
            type_name: "test_widget".into(),
            current_state: dv(&state),
            ..Default::default()
        };
        let resp = s
            .read_resource(Request::new(req))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(val(&resp.new_state), Value::Null);
    }

    #[tokio::test]
    async fn import_names_the_type_and_upgrade_passes_state_through() {
        let s = service().await;
        let req = pb::import_resource_state::Request {
            type_name: "test_widget".into(),
            id: "w-9".into(),
            ..Default::default()
        };
        let resp = s
            .import_resource_state(Request::new(req))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(resp.imported_resources.len(), 1);
        assert_eq!(resp.imported_resources[0].type_name, "test_widget");
        assert_eq!(
            val(&resp.imported_resources[0].state).attr("id"),
            &Value::string("w-9")
        );

        let stored =
            br#"{"name":"a","note":null,"id":"w-1","etag":"e1","mode":"fast","secret":null}"#
                .to_vec();
        let req = pb::upgrade_resource_state::Request {
            type_name: "test_widget".into(),
            version: 0,
            raw_state: Some(pb::RawState {
                json: stored,
                flatmap: Default::default(),
            }),
        };
        let resp = s
            .upgrade_resource_state(Request::new(req))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(val(&resp.upgraded_state).attr("etag"), &Value::string("e1"));
    }

    #[tokio::test]
    async fn unknown_types_are_diagnostics_not_grpc_errors() {
        let s = service().await;
        let req = pb::read_resource::Request {
            type_name: "test_nothing".into(),
            ..Default::default()
        };
        let resp = s
            .read_resource(Request::new(req))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            resp.diagnostics[0].severity,
            pb::diagnostic::Severity::Error as i32
        );
        assert!(resp.diagnostics[0].detail.contains("test_nothing"));
    }
}
