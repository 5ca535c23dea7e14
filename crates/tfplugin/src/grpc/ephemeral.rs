//! RPCs of ephemeral resources: validate, open, renew and close.

use super::wire::{diags_to_proto, encode, timestamp};
use super::{ProviderService, checked_config, lookup, pb};
use crate::diag::Diagnostics;
use crate::framework::Provider;
use crate::lifecycle::finish_state;

const KIND: &str = "ephemeral resource";

impl<P: Provider> ProviderService<P> {
    pub(super) async fn handle_validate_ephemeral_resource_config(
        &self,
        request: pb::validate_ephemeral_resource_config::Request,
    ) -> pb::validate_ephemeral_resource_config::Response {
        let mut diags = Diagnostics::new();
        if let Some((eph, config)) = checked_config(
            &self.registry().ephemeral_resources,
            KIND,
            &request.type_name,
            request.config.as_ref(),
            &mut diags,
        ) {
            eph.validate(&config, &mut diags).await;
        }
        pb::validate_ephemeral_resource_config::Response {
            diagnostics: diags_to_proto(&diags),
        }
    }

    pub(super) async fn handle_open_ephemeral_resource(
        &self,
        request: pb::open_ephemeral_resource::Request,
    ) -> pb::open_ephemeral_resource::Response {
        let mut diags = Diagnostics::new();
        let mut response = pb::open_ephemeral_resource::Response {
            diagnostics: Vec::new(),
            renew_at: None,
            result: None,
            private: None,
            deferred: None,
        };
        if let Some((eph, schema)) = lookup(
            &self.registry().ephemeral_resources,
            KIND,
            &request.type_name,
            &mut diags,
        ) {
            let ty = schema.value_type();
            if let Some((config, client)) = self.decode_with_client(
                request.config.as_ref(),
                &ty,
                "configuration",
                &format!("opening ephemeral resource {}", request.type_name),
                &mut diags,
            ) && let Some(opened) = eph.open(&client, &config, &mut diags).await
            {
                let result = finish_state(schema, opened.result, &mut diags);
                response.result = encode(&result, &ty, &mut diags);
                response.renew_at = opened.renew_at.map(timestamp);
                response.private = Some(opened.private);
            }
        }
        response.diagnostics = diags_to_proto(&diags);
        response
    }

    pub(super) async fn handle_renew_ephemeral_resource(
        &self,
        request: pb::renew_ephemeral_resource::Request,
    ) -> pb::renew_ephemeral_resource::Response {
        let mut diags = Diagnostics::new();
        let mut response = pb::renew_ephemeral_resource::Response {
            diagnostics: Vec::new(),
            renew_at: None,
            private: request.private.clone(),
        };
        if let Some((eph, _)) = lookup(
            &self.registry().ephemeral_resources,
            KIND,
            &request.type_name,
            &mut diags,
        ) && let Some(client) = self.require_client(
            &format!("renewing ephemeral resource {}", request.type_name),
            &mut diags,
        ) {
            let private = request.private.unwrap_or_default();
            if let Some((renew_at, private)) = eph.renew(&client, &private, &mut diags).await {
                response.renew_at = renew_at.map(timestamp);
                response.private = Some(private);
            }
        }
        response.diagnostics = diags_to_proto(&diags);
        response
    }

    pub(super) async fn handle_close_ephemeral_resource(
        &self,
        request: pb::close_ephemeral_resource::Request,
    ) -> pb::close_ephemeral_resource::Response {
        let mut diags = Diagnostics::new();
        if let Some((eph, _)) = lookup(
            &self.registry().ephemeral_resources,
            KIND,
            &request.type_name,
            &mut diags,
        ) && let Some(client) = self.require_client(
            &format!("closing ephemeral resource {}", request.type_name),
            &mut diags,
        ) {
            eph.close(&client, &request.private.unwrap_or_default(), &mut diags)
                .await;
        }
        pb::close_ephemeral_resource::Response {
            diagnostics: diags_to_proto(&diags),
        }
    }
}
