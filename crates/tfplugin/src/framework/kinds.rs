//! The other things a provider declares, each in its own model types: data
//! sources, ephemeral resources, actions, list resources and functions.

use std::marker::PhantomData;
use std::time::SystemTime;

use async_trait::async_trait;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::diag::Diagnostics;
use crate::schema::Schema;
use crate::value::{Type, Value};

/// A data source.
#[async_trait]
pub trait DataSource<C: Send + Sync + 'static>: Send + Sync + 'static {
    /// The arguments, as `read` sees them (wholly known).
    type Config: DeserializeOwned + Send + Sync;
    /// The whole object `read` answers with.
    type Model: Serialize + Send + Sync;

    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    /// Checks beyond the attribute validators, once the values `Config`
    /// needs are known.
    async fn validate(&self, _config: &Self::Config, _diags: &mut Diagnostics) {}
    /// Reads the object; `None` after an error.
    async fn read(
        &self,
        client: &C,
        config: &Self::Config,
        diags: &mut Diagnostics,
    ) -> Option<Self::Model>;
}

/// The result of opening an ephemeral resource.
pub struct Opened<R, P> {
    pub result: R,
    /// When Terraform should call `renew`, if ever.
    pub renew_at: Option<SystemTime>,
    /// Handed back to `renew` and `close`; never shown to users.
    pub private: P,
}

/// An ephemeral resource: a value that exists only during one Terraform run.
#[async_trait]
pub trait EphemeralResource<C: Send + Sync + 'static>: Send + Sync + 'static {
    type Config: DeserializeOwned + Send + Sync;
    type Result: Serialize + Send + Sync;
    type Private: Serialize + DeserializeOwned + Send + Sync;

    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    async fn validate(&self, _config: &Self::Config, _diags: &mut Diagnostics) {}
    async fn open(
        &self,
        client: &C,
        config: &Self::Config,
        diags: &mut Diagnostics,
    ) -> Option<Opened<Self::Result, Self::Private>>;
    /// Renews; the new renewal time and private data, or `None` to keep them.
    async fn renew(
        &self,
        _client: &C,
        _private: &Self::Private,
        _diags: &mut Diagnostics,
    ) -> Option<(Option<SystemTime>, Self::Private)> {
        None
    }
    async fn close(&self, _client: &C, _private: &Self::Private, _diags: &mut Diagnostics) {}
}

/// Streams progress messages of a running action back to the Terraform CLI.
#[async_trait]
pub trait Progress: Send + Sync {
    async fn message(&self, text: String);
}

/// An action: a one-shot operation invoked by `terraform apply -invoke` or an
/// `action_trigger`.
#[async_trait]
pub trait Action<C: Send + Sync + 'static>: Send + Sync + 'static {
    type Config: DeserializeOwned + Send + Sync;

    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    async fn validate(&self, _config: &Self::Config, _diags: &mut Diagnostics) {}
    async fn invoke(
        &self,
        client: &C,
        config: &Self::Config,
        progress: &dyn Progress,
        diags: &mut Diagnostics,
    );
}

/// One object a list resource found: the state its managed resource holds
/// after an import and a refresh (its identity is derived from it).
pub struct Listed<S> {
    /// How `terraform query` shows it, e.g. `dev (111122223333): password`.
    pub display_name: String,
    pub state: S,
}

/// Where the framework's result stream takes encoded results.
#[async_trait]
pub(crate) trait ListSink: Send + Sync {
    /// The managed resource's state type.
    fn state_type(&self) -> &Type;
    async fn send(&self, display_name: String, state: Value) -> bool;
    /// A result that could not be encoded (the provider's bug).
    fn fail(&self, diags: Diagnostics);
}

/// Where a list resource sends what it finds, as soon as it is found.
pub struct ListResults<'a, S> {
    pub(crate) sink: &'a dyn ListSink,
    pub(crate) state: PhantomData<fn(S)>,
}

impl<S: Serialize + Sync> ListResults<'_, S> {
    /// Sends one result; `false` when no more are wanted (the limit is
    /// reached, or Terraform stopped reading): stop listing then.
    pub async fn send(&self, listed: Listed<S>) -> bool {
        let mut diags = Diagnostics::new();
        let state = super::model::encode(
            &listed.state,
            self.sink.state_type(),
            "listed state",
            &mut diags,
        );
        if diags.has_errors() {
            self.sink.fail(diags);
            return false;
        }
        self.sink.send(listed.display_name, state).await
    }
}

/// A list resource (Terraform 1.14+, `list` blocks of `terraform query`):
/// finds existing objects of its managed resource type, to import them.
#[async_trait]
pub trait ListResource<C: Send + Sync + 'static>: Send + Sync + 'static {
    /// The list block's `config`.
    type Config: DeserializeOwned + Send + Sync;
    /// The managed resource's state: use that resource's `State` type (the
    /// framework encodes results against its schema).
    type State: Serialize + Send + Sync;

    /// The managed resource type whose objects it lists (the same name).
    fn type_name(&self) -> &'static str;
    /// The schema of the list block's `config`.
    fn schema(&self) -> Schema;
    async fn validate(&self, _config: &Self::Config, _diags: &mut Diagnostics) {}
    /// Lists what `config` selects, sending each object when it is ready.
    /// Warnings (objects that could not be examined) go to `diags`, which
    /// Terraform shows on the list block; an error ends the query.
    async fn list(
        &self,
        client: &C,
        config: &Self::Config,
        results: &ListResults<'_, Self::State>,
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

/// A provider-defined function (`provider::<provider>::<name>(...)`). Pure:
/// it sees only its arguments, which are known and not null.
pub trait Function: Send + Sync + 'static {
    /// The arguments as a tuple, one element per parameter, then (with a
    /// variadic parameter) a `Vec` of the trailing arguments: `(String,
    /// Vec<String>)` for `f(account_id, partition...)`, `(String,)` for a
    /// function of one string.
    type Args: DeserializeOwned;
    type Output: Serialize;

    fn name(&self) -> &'static str;
    fn signature(&self) -> Signature;
    fn call(&self, args: Self::Args) -> Result<Self::Output, FunctionError>;
}
