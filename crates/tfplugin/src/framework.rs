//! What a provider implements: the provider itself and one object per
//! resource, data source, ephemeral resource, action and function.
//!
//! Handlers receive only what they need, already decoded into [`Value`]s, and
//! report problems through [`Diagnostics`]. The lifecycle rules Terraform
//! enforces (unknown computed values on create, null plans on destroy, wholly
//! known apply results, ...) are applied around them by the server, so a
//! resource cannot break them by accident.

use std::sync::Arc;
use std::time::SystemTime;

use async_trait::async_trait;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::diag::Diagnostics;
use super::identity::IdentitySchema;
use super::plan_memory::PlanMemory;
use super::schema::Schema;
use super::value::{Type, Value};

/// A Terraform provider. `Client` is what `configure` builds once and hands
/// to every resource and data source (for example an SDK client).
#[async_trait]
pub trait Provider: Send + Sync + 'static {
    type Client: Send + Sync + 'static;

    /// Provider type name, the prefix of every resource type (`rootaccess`).
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    /// Checks a configuration that may still contain unknown values.
    async fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}
    /// Builds the client. `None` with no error diagnostic means "not yet
    /// possible" (configuration unknown during plan): Terraform configures
    /// again at apply. Until then a refresh keeps the stored state with a
    /// warning, plan hooks get `client: None`, and operations that need the
    /// client (import, data sources, ephemeral resources, actions) fail with
    /// an error naming the operation. A provider with nothing to configure
    /// returns `Some` all the same.
    async fn configure(&self, config: &Value, diags: &mut Diagnostics) -> Option<Self::Client>;
    /// Terraform asks to stop: cancel work in flight (Ctrl-C, or a failed run).
    async fn stop(&self, _client: Option<&Self::Client>) {}

    fn resources(&self) -> Vec<Arc<dyn Resource<Self::Client>>> {
        Vec::new()
    }
    fn data_sources(&self) -> Vec<Arc<dyn DataSource<Self::Client>>> {
        Vec::new()
    }
    fn ephemeral_resources(&self) -> Vec<Arc<dyn EphemeralResource<Self::Client>>> {
        Vec::new()
    }
    fn actions(&self) -> Vec<Arc<dyn Action<Self::Client>>> {
        Vec::new()
    }
    /// List resources for `terraform query`; each lists objects of the
    /// managed resource type of the same name, which must declare an identity.
    fn list_resources(&self) -> Vec<Arc<dyn ListResource<Self::Client>>> {
        Vec::new()
    }
    fn functions(&self) -> Vec<Arc<dyn Function>> {
        Vec::new()
    }
}

/// What a resource's plan hook sees and may change.
pub struct Plan<'a, C> {
    /// Configured client; `None` while the provider configuration is unknown.
    pub client: Option<&'a C>,
    pub config: &'a Value,
    /// Null on create.
    pub prior: &'a Value,
    /// What Terraform will show and later pass to apply. Starts as the
    /// proposed value with computed attributes resolved by the framework.
    pub planned: Value,
    /// Extra attribute names whose change forces replacement.
    pub requires_replace: Vec<String>,
    /// What the last refresh recorded ([`ReadOutcome::PresentWithPrivate`]);
    /// empty on create.
    pub prior_private: &'a [u8],
    /// The schema's value type, for [`Plan::set`].
    pub(crate) ty: &'a Type,
    /// The resource type, and where a create's plan keeps what it read
    /// ([`Plan::remember`]).
    pub(crate) type_name: &'a str,
    pub(crate) memory: Option<&'a PlanMemory>,
}

impl<C> Plan<'_, C> {
    /// On a create whose plan shows something it read (what apply will
    /// delete, say): keeps `seen` under `key` (the object's name) for the
    /// re-plan Terraform makes just before applying this create, which
    /// must plan the same values and can get them back with
    /// [`Plan::recall`]. Updates have [`Plan::prior_private`] instead.
    pub fn remember(&self, key: &str, seen: &[u8]) {
        if let (true, Some(memory)) = (self.prior.is_null(), self.memory) {
            memory.remember(self.type_name, key, seen);
        }
    }

    /// On a create: what its first plan kept under `key` with
    /// [`Plan::remember`], when this is the re-plan before applying it (in
    /// the same `terraform apply`, or the apply of the plan file that plan
    /// wrote). `None` in a first plan, or where the framework cannot tell
    /// the run (see `plan_memory`): read again then. The apply must still
    /// check that what it acts on is what the plan showed.
    pub fn recall(&self, key: &str) -> Option<Vec<u8>> {
        match (self.prior.is_null(), self.memory) {
            (true, Some(memory)) => memory.recall(self.type_name, key),
            _ => None,
        }
    }

    /// Plans the attributes `part` has: a model (usually with
    /// [`Known`](crate::Known) fields) of the attributes the hook decides,
    /// merged into `planned` by [`Value::overlay`]. A model that does not fit
    /// the schema is the provider's bug, reported as an error.
    pub fn set<T: Serialize>(&mut self, part: &T, diags: &mut Diagnostics) {
        match self.planned.merge(part, self.ty) {
            Ok(()) => {}
            Err(e) => diags.error(
                "Provider model does not fit its schema",
                format!("The plan could not be recorded: {e}. This is a bug in the provider."),
            ),
        }
    }
}

/// Decodes a configuration, plan or state into a resource's model. A value
/// that does not fit the model is the provider's bug, reported as an error.
pub fn decode_or_report<T: DeserializeOwned>(value: &Value, diags: &mut Diagnostics) -> Option<T> {
    match value.decode() {
        Ok(model) => Some(model),
        Err(e) => {
            diags.error(
                "Provider model does not fit its schema",
                format!("A value could not be read: {e}. This is a bug in the provider."),
            );
            None
        }
    }
}

/// Sets the attributes a model of some attributes has in `value` (a state
/// being built, for example); a model that does not fit is reported.
pub fn merge_or_report<T: Serialize>(
    value: &mut Value,
    part: &T,
    ty: &Type,
    diags: &mut Diagnostics,
) {
    if let Err(e) = value.merge(part, ty) {
        diags.error(
            "Provider model does not fit its schema",
            format!("A value could not be written: {e}. This is a bug in the provider."),
        );
    }
}

/// Encodes a resource's model as a value of its schema's type; `Null` (with
/// an error) when the model does not fit, which is the provider's bug.
pub fn encode_or_report<T: Serialize>(model: &T, ty: &Type, diags: &mut Diagnostics) -> Value {
    match Value::encode(model, ty) {
        Ok(v) => v,
        Err(e) => {
            diags.error(
                "Provider model does not fit its schema",
                format!("A value could not be written: {e}. This is a bug in the provider."),
            );
            Value::Null
        }
    }
}

/// For model fields that Terraform may hold as null where the model wants
/// a plain value (`#[serde(deserialize_with = "tfplugin::null_as_default")]`):
/// an imported state before its first refresh, for example.
pub fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de> + Default,
{
    use serde::Deserialize;
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// What a refresh found.
#[derive(Clone, Debug, PartialEq)]
pub enum ReadOutcome {
    /// The object exists; this is its state now. After a failed read (an
    /// error diagnostic), return the stored state here: the framework keeps
    /// it either way, so a real object is never hidden.
    Present(Value),
    /// The object exists, and the read saw something the next plan needs
    /// but the state does not hold: Terraform keeps these bytes next to the
    /// state (never shown) and hands them to that plan as
    /// [`Plan::prior_private`]. The apply-time re-plan gets the same bytes,
    /// so a plan made from them plans the same twice, where a second read
    /// of the remote object could not (it may have changed since).
    PresentWithPrivate(Value, Vec<u8>),
    /// The object no longer exists: Terraform drops it from state and plans
    /// to create it again. The reason goes to the provider's log; a warning
    /// for the person running Terraform, if any, is the resource's to add.
    Gone { reason: String },
}

impl ReadOutcome {
    pub fn gone(reason: impl Into<String>) -> ReadOutcome {
        ReadOutcome::Gone {
            reason: reason.into(),
        }
    }
}

/// A managed resource.
///
/// **The computed-value contract.** Before [`Resource::plan`] runs, the
/// framework resolves every computed attribute the configuration leaves
/// null: its default if it has one; otherwise unknown on create; on an
/// update that changes anything, unknown again unless the attribute is
/// declared stable (`use_state_for_unknown`), else the prior value. Configured
/// values are planned exactly as configured. A plan hook that knows a
/// computed value (for example from a plan-time read) sets it; one that knows
/// a computed value will not change restores it from `prior`, or the plan
/// shows a change (and, for a requires-replace attribute, a replacement) that
/// will not happen. Apply must return every value the plan knew, unchanged.
#[async_trait]
pub trait Resource<C>: Send + Sync {
    /// Full type name, e.g. `rootaccess_org_features`.
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;

    /// Cross-attribute checks beyond per-attribute validators. Values may be unknown.
    async fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}

    /// Adjusts a plan (not called on destroy: see [`Resource::plan_destroy`]).
    /// The default keeps the framework's plan.
    async fn plan(&self, _plan: &mut Plan<'_, C>, _diags: &mut Diagnostics) {}

    /// Creates the object. `planned` still holds unknown values for the
    /// computed attributes the plan could not know (`planned.unknown_as_null()`
    /// before [`Value::decode`] reads them as `None`); the returned state must
    /// know every one. On error, return whatever now exists (or Null).
    async fn create(&self, client: &C, planned: &Value, diags: &mut Diagnostics) -> Value;

    /// Refreshes the object.
    async fn read(&self, client: &C, state: &Value, diags: &mut Diagnostics) -> ReadOutcome;

    /// Updates in place. On error, return the state that now holds.
    async fn update(
        &self,
        client: &C,
        prior: &Value,
        planned: &Value,
        diags: &mut Diagnostics,
    ) -> Value;

    /// Deletes the object.
    async fn delete(&self, client: &C, prior: &Value, diags: &mut Diagnostics);

    /// Says, in the destroy plan, what destroying `prior` will do: change or
    /// delete the remote object, or only remove it from the state (usually a
    /// warning). Required, so that no destroy plan is silent about it.
    fn plan_destroy(&self, prior: &Value, diags: &mut Diagnostics);

    /// Takes over the state of another resource type (a `moved` block across
    /// types or providers). `source_state` is the stored JSON; `None` means
    /// the move is not supported from that source.
    async fn move_state(
        &self,
        _source_provider: &str,
        _source_type: &str,
        _source_state: &serde_json::Value,
        _diags: &mut Diagnostics,
    ) -> Option<Value> {
        None
    }

    /// Upgrades stored state written at schema `version` (lower than the
    /// schema's current version) by one step, to `version + 1`, as stored
    /// JSON. Called once per step until the state is current; attributes the
    /// current schema no longer has are dropped afterwards by the framework.
    /// The default knows no earlier version.
    fn upgrade_state(
        &self,
        version: i64,
        _state: serde_json::Value,
    ) -> Result<serde_json::Value, String> {
        Err(format!(
            "{} has no upgrade from schema version {version}",
            self.type_name()
        ))
    }

    /// The resource's identity (Terraform 1.12+), if it has one: attributes
    /// of its schema that name the remote object. The framework returns the
    /// identity of every state (create, read, update, import, move), derived
    /// from the state, and refuses a refresh that changes it.
    fn identity_schema(&self) -> Option<IdentitySchema> {
        None
    }

    /// Upgrades a stored identity written at `version` (lower than the
    /// identity schema's) by one step, as stored JSON. The default knows no
    /// earlier version.
    fn upgrade_identity(
        &self,
        version: i64,
        _identity: serde_json::Value,
    ) -> Result<serde_json::Value, String> {
        Err(format!(
            "{} has no identity upgrade from version {version}",
            self.type_name()
        ))
    }

    /// Turns an import ID into a state skeleton that `read` completes. An
    /// import by identity arrives here with the ID
    /// [`IdentitySchema::import_id`] makes of it.
    async fn import(&self, _client: &C, _id: &str, diags: &mut Diagnostics) -> Value {
        diags.error(
            "Import not supported",
            format!("{} cannot be imported.", self.type_name()),
        );
        Value::Null
    }
}

/// One object a list resource found: the state its managed resource holds
/// after an import and a refresh (its identity is derived from it).
pub struct Listed {
    /// How `terraform query` shows it, e.g. `dev (111122223333): password`.
    pub display_name: String,
    pub state: Value,
}

/// Where a list resource sends what it finds, as soon as it is found.
#[async_trait]
pub trait ListResults: Send + Sync {
    /// Sends one result; `false` when no more are wanted (the limit is
    /// reached, or Terraform stopped reading): stop listing then.
    async fn send(&self, listed: Listed) -> bool;
}

/// A list resource (Terraform 1.14+, `list` blocks of `terraform query`):
/// finds existing objects of its managed resource type, to import them.
#[async_trait]
pub trait ListResource<C>: Send + Sync {
    /// The managed resource type whose objects it lists (the same name).
    fn type_name(&self) -> &'static str;
    /// The schema of the list block's `config`.
    fn schema(&self) -> Schema;
    async fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}
    /// Lists what `config` selects, sending each object when it is ready.
    /// Warnings (objects that could not be examined) go to `diags`, which
    /// Terraform shows on the list block; an error ends the query.
    async fn list(
        &self,
        client: &C,
        config: &Value,
        results: &dyn ListResults,
        diags: &mut Diagnostics,
    );
}

/// A data source.
#[async_trait]
pub trait DataSource<C>: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    async fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}
    async fn read(&self, client: &C, config: &Value, diags: &mut Diagnostics) -> Value;
}

/// The result of opening an ephemeral resource.
pub struct Opened {
    pub result: Value,
    /// When Terraform should call `renew`, if ever.
    pub renew_at: Option<SystemTime>,
    /// Opaque data handed back to `renew` and `close`; never shown to users.
    pub private: Vec<u8>,
}

/// An ephemeral resource: a value that exists only during one Terraform run.
#[async_trait]
pub trait EphemeralResource<C>: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    async fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}
    async fn open(&self, client: &C, config: &Value, diags: &mut Diagnostics) -> Option<Opened>;
    async fn renew(
        &self,
        _client: &C,
        _private: &[u8],
        _diags: &mut Diagnostics,
    ) -> Option<(Option<SystemTime>, Vec<u8>)> {
        None
    }
    async fn close(&self, _client: &C, _private: &[u8], _diags: &mut Diagnostics) {}
}

/// Streams progress messages of a running action back to the Terraform CLI.
#[async_trait]
pub trait Progress: Send + Sync {
    async fn message(&self, text: String);
}

/// An action: a one-shot operation invoked by `terraform apply -invoke` or an
/// `action_trigger`.
#[async_trait]
pub trait Action<C>: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    async fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}
    async fn invoke(
        &self,
        client: &C,
        config: &Value,
        progress: &dyn Progress,
        diags: &mut Diagnostics,
    );
}

/// One parameter of a provider function.
pub struct Parameter {
    pub name: &'static str,
    pub ty: Type,
    pub description: &'static str,
}

/// A provider function's signature and documentation.
pub struct Signature {
    pub parameters: Vec<Parameter>,
    /// Optional trailing arguments, any number of them, of this parameter's
    /// type (a function checks how many it accepts).
    pub variadic: Option<Parameter>,
    pub return_type: Type,
    pub summary: &'static str,
    /// Markdown.
    pub description: &'static str,
}

/// Why a function call failed; `argument` points at the offending argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionError {
    pub message: String,
    pub argument: Option<usize>,
}

/// A provider-defined function (`provider::rootaccess::<name>(...)`). Pure:
/// it sees only its arguments, which are known and not null.
pub trait Function: Send + Sync {
    fn name(&self) -> &'static str;
    fn signature(&self) -> Signature;
    fn call(&self, args: &[Value]) -> Result<Value, FunctionError>;
}
