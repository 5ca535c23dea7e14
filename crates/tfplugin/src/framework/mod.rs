//! What a provider implements: the provider itself and one object per
//! resource, data source, ephemeral resource, action, list resource and
//! function, each in its own model types (plain serde structs, with
//! [`Known`](crate::Known) where a value may be unknown).
//!
//! Handlers never see a wire value: the framework decodes what Terraform
//! sends into their models and encodes what they return (`erased`, `model`).
//! The lifecycle rules Terraform enforces (unknown computed values on
//! create, null plans on destroy, wholly known apply results, ...) are
//! applied around them by the server, so a handler cannot break them by
//! accident.

pub(crate) mod erased;
mod kinds;
pub(crate) mod model;
mod resource;

use std::sync::Arc;

use async_trait::async_trait;
use serde::de::DeserializeOwned;

use crate::diag::Diagnostics;
use crate::schema::Schema;
use erased::{
    DynAction, DynDataSource, DynEphemeralResource, DynFunction, DynListResource, DynResource,
    Typed,
};

pub(crate) use kinds::ListSink;
pub use kinds::{
    Action, DataSource, EphemeralResource, Function, FunctionError, ListResource, ListResults,
    Listed, Opened, Parameter, Progress, Signature,
};
pub use model::{Nothing, null_as_default};
pub use resource::{Plan, ReadOutcome, Resource};

/// A Terraform provider. `Client` is what `configure` builds once and hands
/// to every resource and data source (for example an SDK client).
#[async_trait]
pub trait Provider: Send + Sync + 'static {
    type Client: Send + Sync + 'static;
    /// The provider block's model.
    type Config: DeserializeOwned + Send + Sync;

    /// Provider type name, the prefix of every resource type (`rootaccess`).
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    /// Checks a configuration (skipped while a value `Config` cannot hold as
    /// unknown is still unknown).
    async fn validate(&self, _config: &Self::Config, _diags: &mut Diagnostics) {}
    /// Builds the client from a wholly known configuration. While the
    /// configuration holds values known only after apply, the framework
    /// does not call this (Terraform configures again at apply): a refresh
    /// keeps the stored state with a warning, plan hooks get `client: None`,
    /// and operations that need the client (import, data sources, ephemeral
    /// resources, actions) fail with an error naming the operation. `None`
    /// after an error diagnostic.
    async fn configure(
        &self,
        config: &Self::Config,
        diags: &mut Diagnostics,
    ) -> Option<Self::Client>;
    /// Terraform asks to stop: cancel work in flight (Ctrl-C, or a failed run).
    async fn stop(&self, _client: Option<&Self::Client>) {}

    fn resources(&self) -> Vec<ResourceType<Self::Client>> {
        Vec::new()
    }
    fn data_sources(&self) -> Vec<DataSourceType<Self::Client>> {
        Vec::new()
    }
    fn ephemeral_resources(&self) -> Vec<EphemeralResourceType<Self::Client>> {
        Vec::new()
    }
    fn actions(&self) -> Vec<ActionType<Self::Client>> {
        Vec::new()
    }
    /// List resources for `terraform query`; each lists objects of the
    /// managed resource type of the same name, which must declare an identity.
    fn list_resources(&self) -> Vec<ListResourceType<Self::Client>> {
        Vec::new()
    }
    fn functions(&self) -> Vec<FunctionType> {
        Vec::new()
    }
}

/// Declares registration handles: `ResourceType::new(MyResource)` registers
/// a resource.
macro_rules! registration {
    ($(#[$doc:meta])* $name:ident<C> wraps $dyn:ident for $trait:ident) => {
        $(#[$doc])*
        pub struct $name<C>(pub(crate) Arc<dyn $dyn<C>>);

        impl<C: Send + Sync + 'static> $name<C> {
            pub fn new<H: $trait<C>>(handler: H) -> Self {
                let ty = handler.schema().value_type();
                $name(Arc::new(Typed::new(handler, ty)))
            }
            pub fn type_name(&self) -> &'static str {
                self.0.type_name()
            }
            pub fn schema(&self) -> Schema {
                self.0.schema()
            }
        }
    };
}

registration!(
    /// A registered managed resource: `ResourceType::new(MyResource)`.
    ResourceType<C> wraps DynResource for Resource
);
registration!(
    /// A registered data source: `DataSourceType::new(MyDataSource)`.
    DataSourceType<C> wraps DynDataSource for DataSource
);
registration!(
    /// A registered ephemeral resource: `EphemeralResourceType::new(MyEphemeral)`.
    EphemeralResourceType<C> wraps DynEphemeralResource for EphemeralResource
);
registration!(
    /// A registered action: `ActionType::new(MyAction)`.
    ActionType<C> wraps DynAction for Action
);
registration!(
    /// A registered list resource: `ListResourceType::new(MyList)`.
    ListResourceType<C> wraps DynListResource for ListResource
);

/// A registered function: `FunctionType::new(MyFunction)`.
pub struct FunctionType(pub(crate) Arc<dyn DynFunction>);

impl FunctionType {
    pub fn new<F: Function>(function: F) -> Self {
        let ty = function.signature().return_type;
        FunctionType(Arc::new(Typed::new(function, ty)))
    }
    pub fn name(&self) -> &'static str {
        self.0.name()
    }
    pub fn signature(&self) -> Signature {
        self.0.signature()
    }
}
