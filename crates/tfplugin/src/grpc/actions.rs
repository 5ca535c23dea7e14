//! RPCs of actions: validate, plan, and invoke with streamed progress.

use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::Status;

use super::wire::{decode, diags_to_proto};
use super::{EventStream, ProviderService, checked_config, lookup, pb};
use crate::diag::Diagnostics;
use crate::framework::{Progress, Provider};

const KIND: &str = "action";

impl<P: Provider> ProviderService<P> {
    pub(super) async fn handle_validate_action_config(
        &self,
        request: pb::validate_action_config::Request,
    ) -> pb::validate_action_config::Response {
        let mut diags = Diagnostics::new();
        if let Some((action, config)) = checked_config(
            &self.registry().actions,
            KIND,
            &request.type_name,
            request.config.as_ref(),
            &mut diags,
        ) {
            action.validate(&config, &mut diags).await;
        }
        pb::validate_action_config::Response {
            diagnostics: diags_to_proto(&diags),
        }
    }

    pub(super) async fn handle_plan_action(
        &self,
        request: pb::plan_action::Request,
    ) -> pb::plan_action::Response {
        let mut diags = Diagnostics::new();
        if let Some((action, config)) = checked_config(
            &self.registry().actions,
            KIND,
            &request.action_type,
            request.config.as_ref(),
            &mut diags,
        ) {
            action.validate(&config, &mut diags).await;
        }
        pb::plan_action::Response {
            diagnostics: diags_to_proto(&diags),
            deferred: None,
        }
    }

    /// Runs the action in a task of its own; its progress messages stream
    /// back as they come, and a final `Completed` event carries the diagnostics.
    pub(super) fn handle_invoke_action(
        &self,
        request: pb::invoke_action::Request,
    ) -> EventStream<pb::invoke_action::Event> {
        use pb::invoke_action::event::{Completed, Type as T};
        let (tx, rx) = mpsc::channel(32);
        let mut diags = Diagnostics::new();
        let found = lookup(
            &self.registry().actions,
            KIND,
            &request.action_type,
            &mut diags,
        )
        .cloned();
        let client = self.require_client(
            &format!("invoking action {}", request.action_type),
            &mut diags,
        );
        tokio::spawn(async move {
            if let (Some((action, schema)), Some(client)) = (found, client)
                && let Some(config) = decode(
                    request.config.as_ref(),
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
        Box::pin(ReceiverStream::new(rx))
    }
}

/// Sends an action's progress messages into the `InvokeAction` stream.
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
