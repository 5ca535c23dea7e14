//! The framework's side of the typed traits: each registered handler behind
//! one object-safe trait of wire values, which the gRPC service calls. The
//! adapters here decode every request value into the handler's models and
//! encode what it returns; nothing else in the framework knows the models.

use std::marker::PhantomData;
use std::time::SystemTime;

use async_trait::async_trait;

use super::kinds::{
    Action, DataSource, EphemeralResource, Function, FunctionError, ListResource, ListResults,
    ListSink, Opened, Progress, Signature,
};
use super::model;
use super::resource::{Plan, ReadOutcome, Resource};
use crate::diag::Diagnostics;
use crate::identity::IdentitySchema;
use crate::plan_memory::CreateMemory;
use crate::schema::Schema;
use crate::value::{Type, Value};

/// A plan request in wire values.
pub(crate) struct PlanRequest<'a, C> {
    pub client: Option<&'a C>,
    pub config: &'a Value,
    /// Null on create.
    pub prior: &'a Value,
    pub prior_private: &'a [u8],
    /// The framework's plan, which the hook adjusts.
    pub planned: Value,
    pub requires_replace: Vec<String>,
    pub memory: Option<CreateMemory<'a>>,
}

/// A refresh's answer in wire values.
pub(crate) enum ReadAnswer {
    /// The state now, and new private bytes if the read has some.
    Present(Value, Option<Vec<u8>>),
    Unchanged,
    Gone(String),
}

#[async_trait]
pub(crate) trait DynResource<C>: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    async fn validate(&self, config: &Value, diags: &mut Diagnostics);
    async fn plan(&self, plan: &mut PlanRequest<'_, C>, diags: &mut Diagnostics);
    fn plan_destroy(&self, prior: &Value, diags: &mut Diagnostics);
    async fn create(&self, client: &C, planned: &Value, diags: &mut Diagnostics) -> Value;
    async fn read(&self, client: &C, state: &Value, diags: &mut Diagnostics) -> ReadAnswer;
    async fn update(
        &self,
        client: &C,
        prior: &Value,
        planned: &Value,
        diags: &mut Diagnostics,
    ) -> Value;
    async fn delete(&self, client: &C, prior: &Value, diags: &mut Diagnostics);
    async fn import(&self, client: &C, id: &str, diags: &mut Diagnostics) -> Value;
    async fn move_state(
        &self,
        source_provider: &str,
        source_type: &str,
        source_state: &serde_json::Value,
        diags: &mut Diagnostics,
    ) -> Option<Value>;
    fn upgrade_state(
        &self,
        version: i64,
        state: serde_json::Value,
    ) -> Result<serde_json::Value, String>;
    fn identity_schema(&self) -> Option<IdentitySchema>;
    fn upgrade_identity(
        &self,
        version: i64,
        identity: serde_json::Value,
    ) -> Result<serde_json::Value, String>;
}

/// A typed handler with its schema's value type, computed once.
pub(crate) struct Typed<H> {
    handler: H,
    ty: Type,
}

impl<H> Typed<H> {
    /// `ty`: the value type of the handler's schema (or a function's result).
    pub(crate) fn new(handler: H, ty: Type) -> Self {
        Typed { handler, ty }
    }
}

#[async_trait]
impl<C: Send + Sync + 'static, R: Resource<C>> DynResource<C> for Typed<R> {
    fn type_name(&self) -> &'static str {
        self.handler.type_name()
    }
    fn schema(&self) -> Schema {
        self.handler.schema()
    }

    async fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        if let Some(config) = model::decode_for_validate::<R::Config>(config, diags) {
            self.handler.validate(&config, diags).await;
        }
    }

    async fn plan(&self, request: &mut PlanRequest<'_, C>, diags: &mut Diagnostics) {
        let (Some(config), Some(prior), Some(planned)) = (
            model::decode::<R::Config>(request.config, "configuration", diags),
            model::decode_object::<R::State>(request.prior, "prior state", diags),
            model::decode::<R::Planned>(&request.planned, "planned state", diags),
        ) else {
            return;
        };
        // What the hook changes is what goes back into the plan: a model's
        // round trip may not be exact (a set's order, say), and values the
        // hook left alone stay as the framework planned them.
        let before = model::encode_part(&planned, &self.ty, diags);
        let mut plan = Plan::<C, R> {
            client: request.client,
            config,
            prior_private: prior
                .as_ref()
                .and_then(|_| model::from_private(request.prior_private)),
            prior,
            planned,
            requires_replace: Vec::new(),
            memory: request.memory.take(),
        };
        self.handler.plan(&mut plan, diags).await;
        let after = model::encode_part(&plan.planned, &self.ty, diags);
        model::overlay_changed(&mut request.planned, before, after);
        request.requires_replace = plan.requires_replace;
    }

    fn plan_destroy(&self, prior: &Value, diags: &mut Diagnostics) {
        if let Some(prior) = model::decode::<R::State>(prior, "prior state", diags) {
            self.handler.plan_destroy(&prior, diags);
        }
    }

    async fn create(&self, client: &C, planned: &Value, diags: &mut Diagnostics) -> Value {
        let Some(planned) = model::decode::<R::Planned>(planned, "planned state", diags) else {
            return Value::Null;
        };
        let created = self.handler.create(client, &planned, diags).await;
        model::encode_object(created.as_ref(), &self.ty, "new state", diags)
    }

    async fn read(&self, client: &C, state: &Value, diags: &mut Diagnostics) -> ReadAnswer {
        let Some(state) = model::decode::<R::State>(state, "state", diags) else {
            return ReadAnswer::Unchanged;
        };
        match self.handler.read(client, &state, diags).await {
            ReadOutcome::Present(now) => {
                ReadAnswer::Present(model::encode(&now, &self.ty, "state", diags), None)
            }
            ReadOutcome::PresentWithPrivate(now, private) => ReadAnswer::Present(
                model::encode(&now, &self.ty, "state", diags),
                Some(model::to_private(&private, diags)),
            ),
            ReadOutcome::Unchanged => ReadAnswer::Unchanged,
            ReadOutcome::Gone { reason } => ReadAnswer::Gone(reason),
        }
    }

    async fn update(
        &self,
        client: &C,
        prior: &Value,
        planned: &Value,
        diags: &mut Diagnostics,
    ) -> Value {
        let (Some(prior_model), Some(planned)) = (
            model::decode::<R::State>(prior, "prior state", diags),
            model::decode::<R::Planned>(planned, "planned state", diags),
        ) else {
            return prior.clone();
        };
        match self
            .handler
            .update(client, &prior_model, &planned, diags)
            .await
        {
            Some(state) => model::encode(&state, &self.ty, "new state", diags),
            None => prior.clone(),
        }
    }

    async fn delete(&self, client: &C, prior: &Value, diags: &mut Diagnostics) {
        if let Some(prior) = model::decode::<R::State>(prior, "prior state", diags) {
            self.handler.delete(client, &prior, diags).await;
        }
    }

    async fn import(&self, client: &C, id: &str, diags: &mut Diagnostics) -> Value {
        let imported = self.handler.import(client, id, diags).await;
        model::encode_object(imported.as_ref(), &self.ty, "imported state", diags)
    }

    async fn move_state(
        &self,
        source_provider: &str,
        source_type: &str,
        source_state: &serde_json::Value,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        let moved = self
            .handler
            .move_state(source_provider, source_type, source_state, diags)
            .await?;
        Some(model::encode(&moved, &self.ty, "moved state", diags))
    }

    fn upgrade_state(
        &self,
        version: i64,
        state: serde_json::Value,
    ) -> Result<serde_json::Value, String> {
        self.handler.upgrade_state(version, state)
    }
    fn identity_schema(&self) -> Option<IdentitySchema> {
        self.handler.identity_schema()
    }
    fn upgrade_identity(
        &self,
        version: i64,
        identity: serde_json::Value,
    ) -> Result<serde_json::Value, String> {
        self.handler.upgrade_identity(version, identity)
    }
}

#[async_trait]
pub(crate) trait DynDataSource<C>: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    async fn validate(&self, config: &Value, diags: &mut Diagnostics);
    async fn read(&self, client: &C, config: &Value, diags: &mut Diagnostics) -> Value;
}

#[async_trait]
impl<C: Send + Sync + 'static, D: DataSource<C>> DynDataSource<C> for Typed<D> {
    fn type_name(&self) -> &'static str {
        self.handler.type_name()
    }
    fn schema(&self) -> Schema {
        self.handler.schema()
    }
    async fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        if let Some(config) = model::decode_for_validate::<D::Config>(config, diags) {
            self.handler.validate(&config, diags).await;
        }
    }
    async fn read(&self, client: &C, config: &Value, diags: &mut Diagnostics) -> Value {
        let Some(config) = model::decode::<D::Config>(config, "configuration", diags) else {
            return Value::Null;
        };
        let read = self.handler.read(client, &config, diags).await;
        model::encode_object(read.as_ref(), &self.ty, "data source's answer", diags)
    }
}

/// An opened ephemeral resource in wire values.
pub(crate) struct OpenedValue {
    pub result: Value,
    pub renew_at: Option<SystemTime>,
    pub private: Vec<u8>,
}

#[async_trait]
pub(crate) trait DynEphemeralResource<C>: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    async fn validate(&self, config: &Value, diags: &mut Diagnostics);
    async fn open(
        &self,
        client: &C,
        config: &Value,
        diags: &mut Diagnostics,
    ) -> Option<OpenedValue>;
    async fn renew(
        &self,
        client: &C,
        private: &[u8],
        diags: &mut Diagnostics,
    ) -> Option<(Option<SystemTime>, Vec<u8>)>;
    async fn close(&self, client: &C, private: &[u8], diags: &mut Diagnostics);
}

#[async_trait]
impl<C: Send + Sync + 'static, E: EphemeralResource<C>> DynEphemeralResource<C> for Typed<E> {
    fn type_name(&self) -> &'static str {
        self.handler.type_name()
    }
    fn schema(&self) -> Schema {
        self.handler.schema()
    }
    async fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        if let Some(config) = model::decode_for_validate::<E::Config>(config, diags) {
            self.handler.validate(&config, diags).await;
        }
    }
    async fn open(
        &self,
        client: &C,
        config: &Value,
        diags: &mut Diagnostics,
    ) -> Option<OpenedValue> {
        let config = model::decode::<E::Config>(config, "configuration", diags)?;
        let Opened {
            result,
            renew_at,
            private,
        } = self.handler.open(client, &config, diags).await?;
        Some(OpenedValue {
            result: model::encode(&result, &self.ty, "result", diags),
            renew_at,
            private: model::to_private(&private, diags),
        })
    }
    async fn renew(
        &self,
        client: &C,
        private: &[u8],
        diags: &mut Diagnostics,
    ) -> Option<(Option<SystemTime>, Vec<u8>)> {
        let private = self.private(private, diags)?;
        let (renew_at, private) = self.handler.renew(client, &private, diags).await?;
        Some((renew_at, model::to_private(&private, diags)))
    }
    async fn close(&self, client: &C, private: &[u8], diags: &mut Diagnostics) {
        if let Some(private) = self.private(private, diags) {
            self.handler.close(client, &private, diags).await;
        }
    }
}

impl<E> Typed<E> {
    /// An ephemeral resource's private data, which this process wrote.
    fn private<P: serde::de::DeserializeOwned>(
        &self,
        bytes: &[u8],
        diags: &mut Diagnostics,
    ) -> Option<P> {
        let private = model::from_private(bytes);
        if private.is_none() {
            diags.error(
                "Provider model does not fit its schema",
                "The ephemeral resource's private data could not be read. This is a bug in the provider.",
            );
        }
        private
    }
}

#[async_trait]
pub(crate) trait DynAction<C>: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    async fn validate(&self, config: &Value, diags: &mut Diagnostics);
    async fn invoke(
        &self,
        client: &C,
        config: &Value,
        progress: &dyn Progress,
        diags: &mut Diagnostics,
    );
}

#[async_trait]
impl<C: Send + Sync + 'static, A: Action<C>> DynAction<C> for Typed<A> {
    fn type_name(&self) -> &'static str {
        self.handler.type_name()
    }
    fn schema(&self) -> Schema {
        self.handler.schema()
    }
    async fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        if let Some(config) = model::decode_for_validate::<A::Config>(config, diags) {
            self.handler.validate(&config, diags).await;
        }
    }
    async fn invoke(
        &self,
        client: &C,
        config: &Value,
        progress: &dyn Progress,
        diags: &mut Diagnostics,
    ) {
        if let Some(config) = model::decode::<A::Config>(config, "configuration", diags) {
            self.handler.invoke(client, &config, progress, diags).await;
        }
    }
}

#[async_trait]
pub(crate) trait DynListResource<C>: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    async fn validate(&self, config: &Value, diags: &mut Diagnostics);
    async fn list(&self, client: &C, config: &Value, sink: &dyn ListSink, diags: &mut Diagnostics);
}

#[async_trait]
impl<C: Send + Sync + 'static, L: ListResource<C>> DynListResource<C> for Typed<L> {
    fn type_name(&self) -> &'static str {
        self.handler.type_name()
    }
    fn schema(&self) -> Schema {
        self.handler.schema()
    }
    async fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        if let Some(config) = model::decode_for_validate::<L::Config>(config, diags) {
            self.handler.validate(&config, diags).await;
        }
    }
    async fn list(&self, client: &C, config: &Value, sink: &dyn ListSink, diags: &mut Diagnostics) {
        if let Some(config) = model::decode::<L::Config>(config, "configuration", diags) {
            let results = ListResults {
                sink,
                state: PhantomData,
            };
            self.handler.list(client, &config, &results, diags).await;
        }
    }
}

pub(crate) trait DynFunction: Send + Sync {
    fn name(&self) -> &'static str;
    fn signature(&self) -> Signature;
    /// `args`: one value per fixed parameter, then one list of the variadic
    /// arguments when the signature has a variadic parameter.
    fn call(&self, args: Vec<Value>) -> Result<Value, FunctionError>;
}

impl<F: Function> DynFunction for Typed<F> {
    fn name(&self) -> &'static str {
        self.handler.name()
    }
    fn signature(&self) -> Signature {
        self.handler.signature()
    }
    fn call(&self, args: Vec<Value>) -> Result<Value, FunctionError> {
        let bug = |what: &str, e: &dyn std::fmt::Display| FunctionError {
            message: format!(
                "The function's {what} does not fit its signature: {e}. This is a bug in the provider."
            ),
            argument: None,
        };
        let args = Value::Tuple(args)
            .decode::<F::Args>()
            .map_err(|e| bug("arguments", &e))?;
        let output = self.handler.call(args)?;
        Value::encode(&output, &self.ty).map_err(|e| bug("result", &e))
    }
}
