//! RPCs about the provider as a whole: metadata, schemas, provider
//! configuration, stopping, and the (empty) resource identity schemas.

use std::collections::HashMap;
use std::sync::Arc;

use super::wire::{decode, diags_to_proto, function_to_proto, schema_to_proto};
use super::{ProviderService, pb};
use crate::diag::Diagnostics;
use crate::framework::Provider;
use crate::framework::model;
use crate::lifecycle::validate_config;
use crate::schema::Schema;
use crate::value::Value;

impl<P: Provider> ProviderService<P> {
    pub(super) fn handle_get_metadata(&self) -> pb::get_metadata::Response {
        use pb::get_metadata as m;
        m::Response {
            server_capabilities: Some(Self::server_capabilities()),
            diagnostics: Vec::new(),
            data_sources: self
                .registry()
                .data_sources
                .keys()
                .map(|n| m::DataSourceMetadata {
                    type_name: n.to_string(),
                })
                .collect(),
            resources: self
                .registry()
                .resources
                .keys()
                .map(|n| m::ResourceMetadata {
                    type_name: n.to_string(),
                })
                .collect(),
            functions: self
                .registry()
                .functions
                .keys()
                .map(|n| m::FunctionMetadata {
                    name: n.to_string(),
                })
                .collect(),
            ephemeral_resources: self
                .registry()
                .ephemeral_resources
                .keys()
                .map(|n| m::EphemeralMetadata {
                    type_name: n.to_string(),
                })
                .collect(),
            list_resources: self
                .registry()
                .list_resources
                .keys()
                .map(|n| pb::get_metadata::ListResourceMetadata {
                    type_name: n.to_string(),
                })
                .collect(),
            actions: self
                .registry()
                .actions
                .keys()
                .map(|n| m::ActionMetadata {
                    type_name: n.to_string(),
                })
                .collect(),
        }
    }

    pub(super) fn handle_get_schema(&self) -> pb::get_provider_schema::Response {
        let named = |m: Vec<(&str, &Schema)>| -> HashMap<String, pb::Schema> {
            m.into_iter()
                .map(|(n, s)| (n.to_string(), schema_to_proto(s)))
                .collect()
        };
        pb::get_provider_schema::Response {
            provider: Some(schema_to_proto(&self.registry().provider_schema)),
            resource_schemas: named(
                self.registry()
                    .resources
                    .iter()
                    .map(|(n, (_, s))| (*n, s))
                    .collect(),
            ),
            data_source_schemas: named(
                self.registry()
                    .data_sources
                    .iter()
                    .map(|(n, (_, s))| (*n, s))
                    .collect(),
            ),
            diagnostics: {
                let mut diags = Diagnostics::new();
                for problem in &self.registry().registration_problems {
                    diags.error("Provider registration error", problem.clone());
                }
                diags_to_proto(&diags)
            },
            provider_meta: None,
            server_capabilities: Some(Self::server_capabilities()),
            functions: self
                .registry()
                .functions
                .iter()
                .map(|(n, f)| (n.to_string(), function_to_proto(f.as_ref())))
                .collect(),
            ephemeral_resource_schemas: named(
                self.registry()
                    .ephemeral_resources
                    .iter()
                    .map(|(n, (_, s))| (*n, s))
                    .collect(),
            ),
            list_resource_schemas: named(
                self.registry()
                    .list_resources
                    .iter()
                    .map(|(n, (_, s))| (*n, s))
                    .collect(),
            ),
            action_schemas: self
                .registry()
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
        }
    }

    /// Decodes the provider block and runs the schema's validators.
    fn checked_provider_config(
        &self,
        config: Option<&pb::DynamicValue>,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        let ty = self.registry().provider_schema.value_type();
        let config = decode(config, &ty, "provider configuration", diags)?;
        validate_config(&self.registry().provider_schema, &config, diags);
        Some(config)
    }

    pub(super) async fn handle_prepare_provider_config(
        &self,
        request: pb::prepare_provider_config::Request,
    ) -> pb::prepare_provider_config::Response {
        let mut diags = Diagnostics::new();
        if let Some(config) = self.checked_provider_config(request.config.as_ref(), &mut diags)
            && let Some(config) = model::decode_for_validate(&config, &mut diags)
        {
            self.provider.validate(&config, &mut diags).await;
        }
        pb::prepare_provider_config::Response {
            prepared_config: request.config,
            diagnostics: diags_to_proto(&diags),
        }
    }

    pub(super) async fn handle_configure(
        &self,
        request: pb::configure::Request,
    ) -> pb::configure::Response {
        let mut diags = Diagnostics::new();
        // A configuration with values known only after apply builds no
        // client yet: Terraform configures again at apply.
        if let Some(config) = self.checked_provider_config(request.config.as_ref(), &mut diags)
            && !diags.has_errors()
            && config.is_wholly_known()
            && let Some(config) = model::decode(&config, "provider configuration", &mut diags)
            && let Some(client) = self.provider.configure(&config, &mut diags).await
            && let Ok(mut slot) = self.client.write()
        {
            *slot = Some(Arc::new(client));
        }
        if let Some(memory) = self.plan_memory() {
            memory.begin_plan();
        }
        pb::configure::Response {
            diagnostics: diags_to_proto(&diags),
        }
    }

    pub(super) async fn handle_stop(&self) -> pb::stop::Response {
        let client = self.client();
        self.provider.stop(client.as_deref()).await;
        pb::stop::Response {
            error: String::new(),
        }
    }
}
