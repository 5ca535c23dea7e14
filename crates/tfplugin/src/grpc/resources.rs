//! RPCs of managed resources: validate, upgrade, read, plan, apply, import,
//! move; each state returned goes with its identity (`identity.rs`).

use super::wire::{decode, diags_to_proto, encode, path_to_proto};
use super::{ProviderService, checked_config, lookup, pb};
use crate::diag::Diagnostics;
use crate::framework::Provider;
use crate::framework::erased::{PlanRequest, ReadAnswer};
use crate::lifecycle::{
    Change, check_apply_against_plan, finish_state, plan_attributes, replacement_paths,
    state_after_delete, upgrade_stored_state,
};
use crate::plan_memory::CreateMemory;
use crate::value::Value;

const KIND: &str = "resource type";

impl<P: Provider> ProviderService<P> {
    pub(super) async fn handle_validate_resource_type_config(
        &self,
        request: pb::validate_resource_type_config::Request,
    ) -> pb::validate_resource_type_config::Response {
        let mut diags = Diagnostics::new();
        if let Some((resource, config)) = checked_config(
            &self.registry().resources,
            KIND,
            &request.type_name,
            request.config.as_ref(),
            &mut diags,
        ) {
            resource.validate(&config, &mut diags).await;
        }
        pb::validate_resource_type_config::Response {
            diagnostics: diags_to_proto(&diags),
        }
    }

    pub(super) fn handle_upgrade_resource_state(
        &self,
        request: pb::upgrade_resource_state::Request,
    ) -> pb::upgrade_resource_state::Response {
        let mut diags = Diagnostics::new();
        let mut upgraded = None;
        if let Some((resource, schema)) = lookup(
            &self.registry().resources,
            KIND,
            &request.type_name,
            &mut diags,
        ) {
            let ty = schema.value_type();
            let raw = request.raw_state.map(|r| r.json).unwrap_or_default();
            let state = if raw.is_empty() {
                Ok(Value::Null)
            } else {
                serde_json::from_slice(&raw)
                    .map_err(|e| e.to_string())
                    .and_then(|json| {
                        upgrade_stored_state(request.version, schema, json, |version, state| {
                            resource.upgrade_state(version, state)
                        })
                    })
                    .and_then(|json| Value::from_json(&json, &ty).map_err(|e| e.to_string()))
            };
            match state {
                Ok(state) => upgraded = encode(&state, &ty, &mut diags),
                Err(e) => diags.error(
                    "Cannot read the stored state",
                    format!(
                        "The state of this {} does not match its schema (version {}): {e}",
                        request.type_name, schema.version
                    ),
                ),
            }
        }
        pb::upgrade_resource_state::Response {
            upgraded_state: upgraded,
            diagnostics: diags_to_proto(&diags),
        }
    }

    pub(super) async fn handle_read_resource(
        &self,
        request: pb::read_resource::Request,
    ) -> pb::read_resource::Response {
        let mut diags = Diagnostics::new();
        let mut new_state = request.current_state.clone();
        // Whatever is not refreshed keeps its identity (a null one would erase it).
        let mut new_identity = request.current_identity.clone();
        let mut private = request.private.clone();
        if let Some((resource, schema)) = lookup(
            &self.registry().resources,
            KIND,
            &request.type_name,
            &mut diags,
        ) {
            let ty = schema.value_type();
            let state = decode(request.current_state.as_ref(), &ty, "state", &mut diags);
            let client = self.client();
            if client.is_none() {
                // Terraform configured the provider with unknown values (the
                // provider block depends on values known only after apply).
                // The plan goes on with the stored state, saying so.
                diags.warning(
                    format!("{} not refreshed", request.type_name),
                    "The provider block depends on values that are known only after apply, so the provider cannot \
                     reach the remote system during this plan: the plan uses the state stored by the last refresh, \
                     and changes made outside Terraform since then are not shown. Run terraform plan again once the \
                     provider configuration is known.",
                );
            }
            if let (Some(state), Some(client)) = (state, client) {
                let mut noted = None;
                let read = match resource.read(&client, &state, &mut diags).await {
                    ReadAnswer::Present(state, bytes) => {
                        noted = bytes;
                        Some(state)
                    }
                    ReadAnswer::Unchanged => {
                        // A state stored before identities existed gets one.
                        if new_identity.is_none() && !diags.has_errors() {
                            new_identity = self.identity_of(&request.type_name, &state, &mut diags);
                        }
                        None
                    }
                    ReadAnswer::Gone(reason) => {
                        tracing::info!(resource = %request.type_name, %reason, "the object is gone");
                        Some(Value::Null)
                    }
                };
                // On error keep what was stored: dropping it would hide a real object.
                if let Some(read) = read
                    && !diags.has_errors()
                {
                    let read = finish_state(schema, read, &mut diags);
                    self.check_identity_kept(&request, &read, &mut diags);
                    if !diags.has_errors() {
                        new_state = encode(&read, &ty, &mut diags);
                        new_identity = self.identity_of(&request.type_name, &read, &mut diags);
                        if let Some(bytes) = noted {
                            private = bytes;
                        }
                    }
                }
            }
        }
        pb::read_resource::Response {
            new_state,
            diagnostics: diags_to_proto(&diags),
            private,
            deferred: None,
            new_identity,
        }
    }

    /// A refresh may not change what names the object: an error names the
    /// attributes (the stored state stays).
    fn check_identity_kept(
        &self,
        request: &pb::read_resource::Request,
        read: &Value,
        diags: &mut Diagnostics,
    ) {
        let Some(schema) = self.registry().identities.get(request.type_name.as_str()) else {
            return;
        };
        let known =
            self.decode_identity(&request.type_name, request.current_identity.as_ref(), diags);
        if read.is_null() || known.is_null() {
            return;
        }
        let changed = schema.changed(&known, &schema.of_state(read));
        if !changed.is_empty() {
            diags.error(
                "Resource identity changed",
                format!(
                    "Refreshing this {} found it named differently ({}) from the identity Terraform stored. An \
                     object's identity never changes: this usually means the provider's credentials now reach \
                     another account or organization. The state is kept unchanged; check the provider \
                     configuration.",
                    request.type_name,
                    changed.join(", ")
                ),
            );
        }
    }

    pub(super) async fn handle_plan_resource_change(
        &self,
        request: pb::plan_resource_change::Request,
    ) -> pb::plan_resource_change::Response {
        let mut diags = Diagnostics::new();
        let mut response = pb::plan_resource_change::Response {
            planned_state: None,
            requires_replace: Vec::new(),
            planned_private: request.prior_private.clone(),
            diagnostics: Vec::new(),
            legacy_type_system: false,
            deferred: None,
            planned_identity: None,
        };
        let Some((resource, schema)) = lookup(
            &self.registry().resources,
            KIND,
            &request.type_name,
            &mut diags,
        ) else {
            response.diagnostics = diags_to_proto(&diags);
            return response;
        };
        let ty = schema.value_type();
        let prior = decode(request.prior_state.as_ref(), &ty, "prior state", &mut diags);
        let proposed = decode(
            request.proposed_new_state.as_ref(),
            &ty,
            "proposed state",
            &mut diags,
        );
        let config = decode(request.config.as_ref(), &ty, "configuration", &mut diags);
        if let (Some(prior), Some(proposed), Some(config)) = (prior, proposed, config) {
            if Change::between(&prior, &proposed) == Change::Delete {
                // Destroy: the plan is null; the resource says what it does.
                resource.plan_destroy(&prior, &mut diags);
                response.planned_state = encode(&Value::Null, &ty, &mut diags);
            } else {
                let mut planned = proposed;
                plan_attributes(schema, &prior, &config, &mut planned);
                let client = self.client();
                let mut plan = PlanRequest {
                    client: client.as_deref(),
                    config: &config,
                    prior: &prior,
                    prior_private: &request.prior_private,
                    planned,
                    requires_replace: Vec::new(),
                    memory: CreateMemory::for_plan(
                        self.plan_memory(),
                        &request.type_name,
                        prior.is_null(),
                    ),
                };
                resource.plan(&mut plan, &mut diags).await;
                response.requires_replace =
                    replacement_paths(schema, &prior, &plan.planned, &plan.requires_replace)
                        .iter()
                        .map(path_to_proto)
                        .collect();
                response.planned_state = encode(&plan.planned, &ty, &mut diags);
                response.planned_identity =
                    self.planned_identity(&request, &prior, &plan.planned, &response, &mut diags);
            }
        }
        response.diagnostics = diags_to_proto(&diags);
        response
    }

    /// The identity a plan shows: known from the planned state, else (an
    /// update in place, which never renames the object) the prior one; none
    /// when it is known only after apply (a create or replacement).
    fn planned_identity(
        &self,
        request: &pb::plan_resource_change::Request,
        prior: &Value,
        planned: &Value,
        response: &pb::plan_resource_change::Response,
        diags: &mut Diagnostics,
    ) -> Option<pb::ResourceIdentityData> {
        let schema = self.registry().identities.get(request.type_name.as_str())?;
        let identity = schema.of_state(planned);
        let identity = if identity.is_wholly_known() {
            identity
        } else if !prior.is_null() && response.requires_replace.is_empty() {
            schema.of_state(prior)
        } else {
            // Known only after apply: no planned identity. (Terraform accepts
            // an unknown one on a create, but then cannot render the saved
            // plan: "Failed to marshal plan to json: value is not known".)
            return None;
        };
        super::identity::identity_to_proto(schema, &identity, diags)
    }

    pub(super) async fn handle_apply_resource_change(
        &self,
        request: pb::apply_resource_change::Request,
    ) -> pb::apply_resource_change::Response {
        let mut diags = Diagnostics::new();
        let mut new_state = request.prior_state.clone();
        let mut new_identity = None;
        if let Some((resource, schema)) = lookup(
            &self.registry().resources,
            KIND,
            &request.type_name,
            &mut diags,
        ) {
            let ty = schema.value_type();
            let prior = decode(request.prior_state.as_ref(), &ty, "prior state", &mut diags);
            let planned = decode(
                request.planned_state.as_ref(),
                &ty,
                "planned state",
                &mut diags,
            );
            let client = self.require_client(
                &format!("applying changes to {}", request.type_name),
                &mut diags,
            );
            if let (Some(prior), Some(planned), Some(client)) = (prior, planned, client) {
                let planned_for_check = planned.clone();
                let state = match Change::between(&prior, &planned) {
                    Change::Delete => {
                        resource.delete(&client, &prior, &mut diags).await;
                        state_after_delete(prior, &diags)
                    }
                    Change::Create => resource.create(&client, &planned, &mut diags).await,
                    Change::Update => resource.update(&client, &prior, &planned, &mut diags).await,
                };
                let state = finish_state(schema, state, &mut diags);
                check_apply_against_plan(
                    schema,
                    &request.type_name,
                    &planned_for_check,
                    &state,
                    &mut diags,
                );
                if state.is_wholly_known() {
                    new_state = encode(&state, &ty, &mut diags);
                    new_identity = self.identity_of(&request.type_name, &state, &mut diags);
                }
            }
        }
        pb::apply_resource_change::Response {
            new_state,
            private: request.planned_private,
            diagnostics: diags_to_proto(&diags),
            legacy_type_system: false,
            new_identity,
        }
    }

    pub(super) async fn handle_import_resource_state(
        &self,
        request: pb::import_resource_state::Request,
    ) -> pb::import_resource_state::Response {
        let mut diags = Diagnostics::new();
        let mut imported = Vec::new();
        if let Some((resource, schema)) = lookup(
            &self.registry().resources,
            KIND,
            &request.type_name,
            &mut diags,
        ) && let Some(client) =
            self.require_client(&format!("importing {}", request.type_name), &mut diags)
        {
            let id = self.import_id(&request, &mut diags);
            if let Some(id) = id {
                let state = resource.import(&client, &id, &mut diags).await;
                let identity = self.identity_of(&request.type_name, &state, &mut diags);
                if !diags.has_errors()
                    && let Some(state) = encode(&state, &schema.value_type(), &mut diags)
                {
                    imported.push(pb::import_resource_state::ImportedResource {
                        type_name: request.type_name.clone(),
                        state: Some(state),
                        private: Vec::new(),
                        identity,
                    });
                }
            }
        }
        pb::import_resource_state::Response {
            imported_resources: imported,
            diagnostics: diags_to_proto(&diags),
            deferred: None,
        }
    }

    /// The import ID: as given, or made of the identity of an `import` block
    /// with `identity` (Terraform then sends no ID).
    fn import_id(
        &self,
        request: &pb::import_resource_state::Request,
        diags: &mut Diagnostics,
    ) -> Option<String> {
        if !request.id.is_empty() || request.identity.is_none() {
            return Some(request.id.clone());
        }
        let Some(schema) = self.registry().identities.get(request.type_name.as_str()) else {
            diags.error(
                "Import by identity not supported",
                format!(
                    "{} has no resource identity: import it by ID.",
                    request.type_name
                ),
            );
            return None;
        };
        let identity = self.decode_identity(&request.type_name, request.identity.as_ref(), diags);
        match schema.import_id(&identity) {
            Ok(id) => Some(id),
            Err(e) => {
                diags.error(
                    "Invalid import identity",
                    format!("Cannot import {} by this identity: {e}.", request.type_name),
                );
                None
            }
        }
    }

    pub(super) async fn handle_move_resource_state(
        &self,
        request: pb::move_resource_state::Request,
    ) -> pb::move_resource_state::Response {
        let mut diags = Diagnostics::new();
        let mut target_state = None;
        let mut target_identity = None;
        if let Some((resource, schema)) = lookup(
            &self.registry().resources,
            KIND,
            &request.target_type_name,
            &mut diags,
        ) {
            let raw = request.source_state.map(|r| r.json).unwrap_or_default();
            match serde_json::from_slice::<serde_json::Value>(&raw) {
                Ok(source) => {
                    let moved = resource
                        .move_state(
                            &request.source_provider_address,
                            &request.source_type_name,
                            &source,
                            &mut diags,
                        )
                        .await;
                    match moved {
                        Some(state) => {
                            target_state = encode(&state, &schema.value_type(), &mut diags);
                            target_identity =
                                self.identity_of(&request.target_type_name, &state, &mut diags);
                        }
                        None if !diags.has_errors() => diags.error(
                            "Move not supported",
                            format!(
                                "{} cannot take over state from {} ({}).",
                                request.target_type_name,
                                request.source_type_name,
                                request.source_provider_address
                            ),
                        ),
                        None => {}
                    }
                }
                Err(e) => diags.error("Cannot read the source state", e.to_string()),
            }
        }
        pb::move_resource_state::Response {
            target_state,
            diagnostics: diags_to_proto(&diags),
            target_private: Vec::new(),
            target_identity,
        }
    }
}
