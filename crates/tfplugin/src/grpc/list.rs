//! `terraform query`: list resources stream what they find, each result with
//! the identity (and, when asked, the state) of its managed resource; and
//! GenerateResourceConfig turns such a state into configuration.

use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::Status;

use super::identity::identity_to_proto;
use super::wire::{decode, diags_to_proto, encode};
use super::{EventStream, ProviderService, checked_config, lookup, pb};
use crate::diag::Diagnostics;
use crate::framework::{ListSink, Provider};
use crate::identity::IdentitySchema;
use crate::lifecycle::generated_config;
use crate::value::{Type, Value};

const KIND: &str = "list resource";

type Events = mpsc::Sender<Result<pb::list_resource::Event, Status>>;

impl<P: Provider> ProviderService<P> {
    pub(super) fn handle_list_resource(
        &self,
        request: pb::list_resource::Request,
    ) -> EventStream<pb::list_resource::Event> {
        let (tx, rx) = mpsc::channel(64);
        let mut diags = Diagnostics::new();
        let found = lookup(
            &self.registry().list_resources,
            KIND,
            &request.type_name,
            &mut diags,
        )
        .cloned();
        // Registration guarantees both for a registered list resource.
        let managed = self
            .registry()
            .resources
            .get(request.type_name.as_str())
            .map(|(_, schema)| schema.clone());
        let identity = self
            .registry()
            .identities
            .get(request.type_name.as_str())
            .cloned();
        let client = self.require_client(&format!("listing {}", request.type_name), &mut diags);
        tokio::spawn(async move {
            if let (Some((list, schema)), Some(managed), Some(identity), Some(client)) =
                (found, managed, identity, client)
                && let Some(config) = decode(
                    request.config.as_ref(),
                    &schema.value_type(),
                    "configuration",
                    &mut diags,
                )
            {
                let results = ResultChannel {
                    events: tx.clone(),
                    state_type: managed.value_type(),
                    identity,
                    include_resource: request.include_resource_object,
                    // Terraform always sends a limit (100 by default); 0 or
                    // less would mean "nothing", which it never asks for.
                    limit: usize::try_from(request.limit).unwrap_or(0),
                    sent: AtomicUsize::new(0),
                    failed: std::sync::Mutex::new(Diagnostics::new()),
                };
                if results.limit > 0 {
                    list.list(&client, &config, &results, &mut diags).await;
                }
                if let Ok(mut failed) = results.failed.lock() {
                    diags.extend(std::mem::take(&mut *failed));
                }
            }
            if !diags.is_empty() {
                // Diagnostics alone: Terraform shows them on the list block
                // (warnings) or ends the query (errors).
                let _ = tx.send(Ok(diagnostics_event(&diags))).await;
            }
        });
        Box::pin(ReceiverStream::new(rx))
    }

    pub(super) async fn handle_validate_list_resource_config(
        &self,
        request: pb::validate_list_resource_config::Request,
    ) -> pb::validate_list_resource_config::Response {
        let mut diags = Diagnostics::new();
        if let Some((list, config)) = checked_config(
            &self.registry().list_resources,
            KIND,
            &request.type_name,
            request.config.as_ref(),
            &mut diags,
        ) {
            list.validate(&config, &mut diags).await;
        }
        pb::validate_list_resource_config::Response {
            diagnostics: diags_to_proto(&diags),
        }
    }

    pub(super) fn handle_generate_resource_config(
        &self,
        request: pb::generate_resource_config::Request,
    ) -> pb::generate_resource_config::Response {
        let mut diags = Diagnostics::new();
        let mut config = None;
        if let Some((_, schema)) = lookup(
            &self.registry().resources,
            "resource type",
            &request.type_name,
            &mut diags,
        ) {
            let ty = schema.value_type();
            if let Some(state) = decode(request.state.as_ref(), &ty, "state", &mut diags) {
                config = encode(&generated_config(schema, &state), &ty, &mut diags);
            }
        }
        pb::generate_resource_config::Response {
            config,
            diagnostics: diags_to_proto(&diags),
        }
    }
}

fn diagnostics_event(diags: &Diagnostics) -> pb::list_resource::Event {
    pb::list_resource::Event {
        identity: None,
        display_name: String::new(),
        resource_object: None,
        diagnostic: diags_to_proto(diags),
    }
}

/// Streams results to Terraform, up to the limit it asked for.
struct ResultChannel {
    events: Events,
    state_type: Type,
    identity: IdentitySchema,
    include_resource: bool,
    limit: usize,
    sent: AtomicUsize,
    /// A result the framework could not encode (the provider's bug).
    failed: std::sync::Mutex<Diagnostics>,
}

#[async_trait]
impl ListSink for ResultChannel {
    fn state_type(&self) -> &Type {
        &self.state_type
    }

    fn fail(&self, diags: Diagnostics) {
        if let Ok(mut failed) = self.failed.lock() {
            failed.extend(diags);
        }
    }

    async fn send(&self, display_name: String, state: Value) -> bool {
        if self.sent.load(Ordering::SeqCst) >= self.limit {
            return false;
        }
        let mut diags = Diagnostics::new();
        let identity =
            identity_to_proto(&self.identity, &self.identity.of_state(&state), &mut diags);
        let resource_object = if self.include_resource {
            encode(&state, &self.state_type, &mut diags)
        } else {
            None
        };
        if diags.has_errors() || identity.is_none() {
            self.fail(diags);
            return false;
        }
        let event = pb::list_resource::Event {
            identity,
            display_name,
            resource_object,
            diagnostic: Vec::new(),
        };
        if self.events.send(Ok(event)).await.is_err() {
            return false; // Terraform stopped reading
        }
        self.sent.fetch_add(1, Ordering::SeqCst) + 1 < self.limit
    }
}
