//! RPCs of data sources: validate and read.

use super::wire::{diags_to_proto, encode};
use super::{ProviderService, checked_config, lookup, pb};
use crate::diag::Diagnostics;
use crate::framework::Provider;
use crate::lifecycle::finish_state;

const KIND: &str = "data source";

impl<P: Provider> ProviderService<P> {
    pub(super) async fn handle_validate_data_source_config(
        &self,
        request: pb::validate_data_source_config::Request,
    ) -> pb::validate_data_source_config::Response {
        let mut diags = Diagnostics::new();
        if let Some((source, config)) = checked_config(
            &self.registry().data_sources,
            KIND,
            &request.type_name,
            request.config.as_ref(),
            &mut diags,
        ) {
            source.validate(&config, &mut diags).await;
        }
        pb::validate_data_source_config::Response {
            diagnostics: diags_to_proto(&diags),
        }
    }

    pub(super) async fn handle_read_data_source(
        &self,
        request: pb::read_data_source::Request,
    ) -> pb::read_data_source::Response {
        let mut diags = Diagnostics::new();
        let mut state = None;
        if let Some((source, schema)) = lookup(
            &self.registry().data_sources,
            KIND,
            &request.type_name,
            &mut diags,
        ) {
            let ty = schema.value_type();
            if let Some((config, client)) = self.decode_with_client(
                request.config.as_ref(),
                &ty,
                "configuration",
                &format!("reading data source {}", request.type_name),
                &mut diags,
            ) {
                let read = source.read(&client, &config, &mut diags).await;
                if !diags.has_errors() {
                    let read = finish_state(schema, read, &mut diags);
                    state = encode(&read, &ty, &mut diags);
                }
            }
        }
        pb::read_data_source::Response {
            state,
            diagnostics: diags_to_proto(&diags),
            deferred: None,
        }
    }
}
