//! Resource identity on the wire: the identity schemas, upgrades of stored
//! identities, and the identity that goes with every state the framework
//! returns (derived from that state, see [`crate::IdentitySchema`]).

use std::collections::HashMap;

use super::wire::{diags_to_proto, encode};
use super::{ProviderService, lookup, pb};
use crate::diag::Diagnostics;
use crate::framework::Provider;
use crate::identity::IdentitySchema;
use crate::value::Value;

impl<P: Provider> ProviderService<P> {
    pub(super) fn handle_get_resource_identity_schemas(
        &self,
    ) -> pb::get_resource_identity_schemas::Response {
        pb::get_resource_identity_schemas::Response {
            identity_schemas: self
                .registry()
                .identities
                .iter()
                .map(|(name, schema)| (name.to_string(), identity_schema_to_proto(schema)))
                .collect::<HashMap<_, _>>(),
            diagnostics: Vec::new(),
        }
    }

    pub(super) fn handle_upgrade_resource_identity(
        &self,
        request: pb::upgrade_resource_identity::Request,
    ) -> pb::upgrade_resource_identity::Response {
        const KIND: &str = "resource type";
        let mut diags = Diagnostics::new();
        let mut upgraded_identity = None;
        let found = lookup(
            &self.registry().resources,
            KIND,
            &request.type_name,
            &mut diags,
        );
        let schema = self.registry().identities.get(request.type_name.as_str());
        match (found, schema) {
            (Some((resource, _)), Some(schema)) => {
                let raw = request.raw_identity.map(|r| r.json).unwrap_or_default();
                let upgraded = upgrade_stored_identity(request.version, schema, &raw, |v, j| {
                    resource.upgrade_identity(v, j)
                });
                match upgraded {
                    Ok(identity) => {
                        upgraded_identity =
                            encode(&identity, &schema.value_type(), &mut diags).map(|data| {
                                pb::ResourceIdentityData {
                                    identity_data: Some(data),
                                }
                            })
                    }
                    Err(e) => diags.error("Cannot read the stored resource identity", e),
                }
            }
            (Some(_), None) => diags.error(
                "Resource identity not supported",
                format!(
                    "{} does not declare a resource identity.",
                    request.type_name
                ),
            ),
            (None, _) => {}
        }
        pb::upgrade_resource_identity::Response {
            upgraded_identity,
            diagnostics: diags_to_proto(&diags),
        }
    }

    /// The identity of `state` for the wire, when the type declares one and
    /// the state exists.
    pub(super) fn identity_of(
        &self,
        type_name: &str,
        state: &Value,
        diags: &mut Diagnostics,
    ) -> Option<pb::ResourceIdentityData> {
        let schema = self.registry().identities.get(type_name)?;
        let identity = schema.of_state(state);
        if identity.is_null() {
            return None;
        }
        identity_to_proto(schema, &identity, diags)
    }

    /// The stored identity of a request, decoded (`Null` when absent).
    pub(super) fn decode_identity(
        &self,
        type_name: &str,
        data: Option<&pb::ResourceIdentityData>,
        diags: &mut Diagnostics,
    ) -> Value {
        let (Some(schema), Some(data)) = (self.registry().identities.get(type_name), data) else {
            return Value::Null;
        };
        super::wire::decode(
            data.identity_data.as_ref(),
            &schema.value_type(),
            "resource identity",
            diags,
        )
        .unwrap_or(Value::Null)
    }
}

pub(super) fn identity_to_proto(
    schema: &IdentitySchema,
    identity: &Value,
    diags: &mut Diagnostics,
) -> Option<pb::ResourceIdentityData> {
    encode(identity, &schema.value_type(), diags).map(|data| pb::ResourceIdentityData {
        identity_data: Some(data),
    })
}

fn identity_schema_to_proto(schema: &IdentitySchema) -> pb::ResourceIdentitySchema {
    pb::ResourceIdentitySchema {
        version: schema.version,
        identity_attributes: schema
            .attributes
            .iter()
            .map(|a| pb::resource_identity_schema::IdentityAttribute {
                name: a.name.to_string(),
                r#type: a.ty.to_json_bytes(),
                required_for_import: a.required_for_import,
                optional_for_import: !a.required_for_import,
                description: a.description.clone(),
            })
            .collect(),
    }
}

/// A stored identity (JSON) brought to the current identity version, as a
/// value: refused when written by a newer version, upgraded step by step.
fn upgrade_stored_identity(
    stored_version: i64,
    schema: &IdentitySchema,
    raw: &[u8],
    step: impl Fn(i64, serde_json::Value) -> Result<serde_json::Value, String>,
) -> Result<Value, String> {
    if stored_version > schema.version {
        return Err(format!(
            "The stored identity was written with identity version {stored_version}, by a newer version of this \
             provider; this version knows version {} at most. Use the provider version that wrote it (or a newer \
             one).",
            schema.version
        ));
    }
    let mut json: serde_json::Value = serde_json::from_slice(raw).map_err(|e| e.to_string())?;
    for version in stored_version.max(0)..schema.version {
        json = step(version, json)?;
    }
    Value::from_json(&json, &schema.value_type()).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::IdentityAttribute;

    fn schema(version: i64) -> IdentitySchema {
        IdentitySchema::new()
            .version(version)
            .attribute(IdentityAttribute::string("account_id", "The account."))
    }

    #[test]
    fn stored_identities_are_read_upgraded_or_refused() {
        let raw = br#"{"account_id":"111122223333"}"#;
        let same = upgrade_stored_identity(0, &schema(0), raw, |_, j| Ok(j)).unwrap();
        assert_eq!(same.attr("account_id"), &Value::string("111122223333"));
        let renamed = upgrade_stored_identity(0, &schema(1), br#"{"account":"1"}"#, |_, _| {
            Ok(serde_json::json!({"account_id": "1"}))
        })
        .unwrap();
        assert_eq!(renamed.attr("account_id"), &Value::string("1"));
        let newer = upgrade_stored_identity(2, &schema(1), raw, |_, j| Ok(j)).unwrap_err();
        assert!(newer.contains("newer version"), "{newer}");
    }
}
