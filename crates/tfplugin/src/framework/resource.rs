//! Managed resources: the [`Resource`] trait, what its plan hook sees
//! ([`Plan`]) and what a refresh answers ([`ReadOutcome`]).

use async_trait::async_trait;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::diag::Diagnostics;
use crate::identity::IdentitySchema;
use crate::plan_memory::CreateMemory;
use crate::schema::Schema;

/// A managed resource, in its own model types. The framework decodes what
/// Terraform sends into them and encodes what the hooks return; a hook never
/// sees a wire value.
///
/// **The models.** `State` is the whole object as the state stores it
/// (wholly known). `Config` is what validation and the plan hook read of the
/// configuration. `Planned` is what the plan hook decides and apply carries
/// out: the attributes of the planned object that both need (the plan hook
/// gets it to adjust; create and update get the plan as approved). Both may
/// meet values not known until apply, which only [`Known`](crate::Known)
/// fields can hold: apply tells "the plan could not know" from null that way. `Private` is what a refresh
/// hands the next plan without showing it ([`ReadOutcome::PresentWithPrivate`]).
/// [`Nothing`](crate::Nothing) stands for a model a resource does not use.
/// `validate` is skipped while the configuration does not decode into
/// `Config` (a value still unknown where `Config` has no `Known` field, or
/// one the schema's validators refused); in `plan` the same failure is the
/// provider's bug, so give `Config` `Known` fields wherever a plan can meet
/// an unknown. Under `#[serde(flatten)]`, numbers must be `Known<T>` or
/// strings: serde buffers flattened fields, which loses `serde_json`'s
/// arbitrary-precision numbers.
///
/// **The computed-value contract.** Before [`Resource::plan`] runs, the
/// framework resolves every computed attribute the configuration leaves
/// null: its default if it has one; otherwise unknown on create; on an
/// update that changes anything, unknown again unless the attribute is
/// declared stable (`use_state_for_unknown`), else the prior value. Configured
/// values are planned exactly as configured. A plan hook that knows a
/// computed value (for example from a plan-time read) sets it in
/// [`Plan::planned`]; one that knows a computed value will not change
/// restores it from [`Plan::prior`], or the plan shows a change (and, for a
/// requires-replace attribute, a replacement) that will not happen. Apply
/// must return every value the plan knew, unchanged.
#[async_trait]
pub trait Resource<C: Send + Sync + 'static>: Send + Sync + 'static {
    type Config: DeserializeOwned + Send + Sync;
    type Planned: Serialize + DeserializeOwned + Send + Sync;
    type State: Serialize + DeserializeOwned + Send + Sync;
    type Private: Serialize + DeserializeOwned + Send + Sync;

    /// Full type name, e.g. `rootaccess_org_features`.
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;

    /// Cross-attribute checks beyond per-attribute validators. Skipped while
    /// a value `Config` cannot hold as unknown is still unknown (Terraform
    /// validates again once it is known).
    async fn validate(&self, _config: &Self::Config, _diags: &mut Diagnostics) {}

    /// Adjusts a plan (not called on destroy: see [`Resource::plan_destroy`]).
    /// The default keeps the framework's plan.
    async fn plan(&self, _plan: &mut Plan<'_, C, Self>, _diags: &mut Diagnostics) {}

    /// Creates the object as planned; the returned state must know every
    /// value the plan could not. On error, return whatever now exists, or
    /// `None` when nothing does.
    async fn create(
        &self,
        client: &C,
        planned: &Self::Planned,
        diags: &mut Diagnostics,
    ) -> Option<Self::State>;

    /// Refreshes the object.
    async fn read(
        &self,
        client: &C,
        state: &Self::State,
        diags: &mut Diagnostics,
    ) -> ReadOutcome<Self::State, Self::Private>;

    /// Updates in place and returns the new state; `None` when the prior
    /// state still holds (after an error that changed nothing, say).
    async fn update(
        &self,
        client: &C,
        prior: &Self::State,
        planned: &Self::Planned,
        diags: &mut Diagnostics,
    ) -> Option<Self::State>;

    /// Deletes the object.
    async fn delete(&self, client: &C, prior: &Self::State, diags: &mut Diagnostics);

    /// Says, in the destroy plan, what destroying `prior` will do: change or
    /// delete the remote object, or only remove it from the state (usually a
    /// warning). Required, so that no destroy plan is silent about it.
    fn plan_destroy(&self, prior: &Self::State, diags: &mut Diagnostics);

    /// Takes over the state of another resource type (a `moved` block across
    /// types or providers). `source_state` is the stored JSON; `None` means
    /// the move is not supported from that source.
    async fn move_state(
        &self,
        _source_provider: &str,
        _source_type: &str,
        _source_state: &serde_json::Value,
        _diags: &mut Diagnostics,
    ) -> Option<Self::State> {
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
    async fn import(&self, _client: &C, _id: &str, diags: &mut Diagnostics) -> Option<Self::State> {
        diags.error(
            "Import not supported",
            format!("{} cannot be imported.", self.type_name()),
        );
        None
    }
}

/// What a resource's plan hook sees and may change.
pub struct Plan<'a, C, R: Resource<C> + ?Sized>
where
    C: Send + Sync + 'static,
{
    /// Configured client; `None` while the provider configuration is unknown.
    pub client: Option<&'a C>,
    pub config: R::Config,
    /// `None` on create.
    pub prior: Option<R::State>,
    /// What the last refresh handed on ([`ReadOutcome::PresentWithPrivate`]);
    /// `None` on create.
    pub prior_private: Option<R::Private>,
    /// What the hook plans: starts as the framework's plan of these
    /// attributes, and what it holds when the hook returns is what Terraform
    /// shows and later passes to apply.
    pub planned: R::Planned,
    /// Extra attribute names whose change forces replacement.
    pub requires_replace: Vec<String>,
    /// Where a create's plan keeps what it read; `None` on update.
    pub(crate) memory: Option<CreateMemory<'a>>,
}

impl<C: Send + Sync + 'static, R: Resource<C> + ?Sized> Plan<'_, C, R> {
    pub fn is_create(&self) -> bool {
        self.prior.is_none()
    }

    /// On a create whose plan shows something it read (what apply will
    /// delete, say): keeps `seen` under `key` (the object's name) for the
    /// re-plan Terraform makes just before applying this create, which
    /// must plan the same values and can get them back with
    /// [`Plan::recall`]. Updates have [`Plan::prior_private`] instead.
    pub fn remember<T: Serialize>(&self, key: &str, seen: &T) {
        if let Some(memory) = &self.memory {
            memory.remember(key, seen);
        }
    }

    /// On a create: what its first plan kept under `key` with
    /// [`Plan::remember`], when this is the re-plan before applying it (in
    /// the same `terraform apply`, or the apply of the plan file that plan
    /// wrote). `None` in a first plan, on an update, or where the framework
    /// cannot tell the run: read again then. The apply must still check that
    /// what it acts on is what the plan showed.
    pub fn recall<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        self.memory.as_ref()?.recall(key)
    }
}

/// What a refresh found.
#[derive(Clone, Debug, PartialEq)]
pub enum ReadOutcome<S, P = crate::Nothing> {
    /// The object exists; this is its state now.
    Present(S),
    /// The object exists, and the read saw something the next plan needs
    /// but the state does not hold: Terraform keeps it next to the state
    /// (never shown) and hands it to that plan as [`Plan::prior_private`].
    /// The apply-time re-plan gets the same, so a plan made from it plans
    /// the same twice, where a second read of the remote object could not
    /// (it may have changed since).
    PresentWithPrivate(S, P),
    /// The stored state stays as it is: after a failed read (an error
    /// diagnostic), so that a real object is never hidden.
    Unchanged,
    /// The object no longer exists: Terraform drops it from state and plans
    /// to create it again. The reason goes to the provider's log; a warning
    /// for the person running Terraform, if any, is the resource's to add.
    Gone { reason: String },
}

impl<S, P> ReadOutcome<S, P> {
    pub fn gone(reason: impl Into<String>) -> Self {
        ReadOutcome::Gone {
            reason: reason.into(),
        }
    }
}
