//! Conversions between the framework's types and tfplugin5 messages: values,
//! attribute paths, diagnostics, schemas, function signatures, timestamps.

use std::time::SystemTime;

use crate::diag::{AttributePath, Diagnostics, PathStep, Severity};
use crate::framework::erased::DynFunction;
use crate::proto::tfplugin5 as pb;
use crate::schema::{Block, Nesting, Schema};
use crate::value::{Type, Value, ValueError};

/// Reads a value of type `ty` from its msgpack or JSON form; an absent or
/// empty value is null. `what` names the value in the error diagnostic.
pub(super) fn decode(
    dv: Option<&pb::DynamicValue>,
    ty: &Type,
    what: &str,
    diags: &mut Diagnostics,
) -> Option<Value> {
    let result = match dv {
        Some(dv) if !dv.msgpack.is_empty() => Value::from_msgpack(&dv.msgpack, ty),
        Some(dv) if !dv.json.is_empty() => serde_json::from_slice(&dv.json)
            .map_err(|e| ValueError::new(e.to_string()))
            .and_then(|j| Value::from_json(&j, ty)),
        _ => Ok(Value::Null),
    };
    match result {
        Ok(v) => Some(v),
        Err(e) => {
            diags.error(
                format!("Cannot read the {what}"),
                format!("Terraform sent a value that does not match the schema: {e}"),
            );
            None
        }
    }
}

/// Writes a value of type `ty` as msgpack, the form Terraform expects back.
pub(super) fn encode(
    value: &Value,
    ty: &Type,
    diags: &mut Diagnostics,
) -> Option<pb::DynamicValue> {
    match value.to_msgpack(ty) {
        Ok(msgpack) => Some(pb::DynamicValue {
            msgpack,
            json: Vec::new(),
        }),
        Err(e) => {
            diags.error(
                "Provider produced an invalid value",
                format!("This is a bug in the provider: {e}"),
            );
            None
        }
    }
}

pub(super) fn path_to_proto(path: &AttributePath) -> pb::AttributePath {
    use pb::attribute_path::step::Selector;
    pb::AttributePath {
        steps: path
            .0
            .iter()
            .map(|s| pb::attribute_path::Step {
                selector: Some(match s {
                    PathStep::Attribute(a) => Selector::AttributeName(a.clone()),
                    PathStep::Key(k) => Selector::ElementKeyString(k.clone()),
                    PathStep::Index(i) => Selector::ElementKeyInt(*i),
                }),
            })
            .collect(),
    }
}

pub(super) fn diags_to_proto(diags: &Diagnostics) -> Vec<pb::Diagnostic> {
    diags
        .iter()
        .map(|d| pb::Diagnostic {
            severity: match d.severity {
                Severity::Error => pb::diagnostic::Severity::Error as i32,
                Severity::Warning => pb::diagnostic::Severity::Warning as i32,
            },
            summary: d.summary.clone(),
            detail: d.detail.clone(),
            attribute: d.attribute.as_ref().map(path_to_proto),
        })
        .collect()
}

fn block_to_proto(block: &Block, version: i64) -> pb::schema::Block {
    use pb::schema::nested_block::NestingMode;
    pb::schema::Block {
        version,
        attributes: block
            .attributes
            .iter()
            .map(|a| pb::schema::Attribute {
                name: a.name.to_string(),
                r#type: a.ty.to_json_bytes(),
                description: a.full_description(),
                required: a.required,
                optional: a.optional,
                computed: a.computed,
                sensitive: a.sensitive,
                description_kind: pb::StringKind::Markdown as i32,
                deprecated: a.deprecation.is_some(),
                write_only: a.write_only,
                deprecation_message: a.deprecation.clone().unwrap_or_default(),
            })
            .collect(),
        block_types: block
            .blocks
            .iter()
            .map(|b| pb::schema::NestedBlock {
                type_name: b.name.to_string(),
                block: Some(block_to_proto(&b.block, 0)),
                nesting: match b.nesting {
                    Nesting::Single => NestingMode::Single,
                    Nesting::List => NestingMode::List,
                    Nesting::Set => NestingMode::Set,
                } as i32,
                min_items: b.min_items,
                max_items: b.max_items,
            })
            .collect(),
        description: block.description.clone(),
        description_kind: pb::StringKind::Markdown as i32,
        deprecated: block.deprecation.is_some(),
        deprecation_message: block.deprecation.clone().unwrap_or_default(),
    }
}

/// The protocol form of a schema (also used to generate docs).
pub fn schema_to_proto(schema: &Schema) -> pb::Schema {
    pb::Schema {
        version: schema.version,
        block: Some(block_to_proto(&schema.block, schema.version)),
    }
}

pub(super) fn function_to_proto(f: &dyn DynFunction) -> pb::Function {
    let sig = f.signature();
    let parameter = |p: &crate::Parameter| pb::function::Parameter {
        name: p.name.to_string(),
        r#type: p.ty.to_json_bytes(),
        allow_null_value: false,
        allow_unknown_values: false,
        description: p.description.to_string(),
        description_kind: pb::StringKind::Markdown as i32,
    };
    pb::Function {
        parameters: sig.parameters.iter().map(parameter).collect(),
        variadic_parameter: sig.variadic.as_ref().map(parameter),
        r#return: Some(pb::function::Return {
            r#type: sig.return_type.to_json_bytes(),
        }),
        summary: sig.summary.to_string(),
        description: sig.description.to_string(),
        description_kind: pb::StringKind::Markdown as i32,
        deprecation_message: String::new(),
    }
}

pub(super) fn timestamp(t: SystemTime) -> prost_types::Timestamp {
    let d = t.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default();
    prost_types::Timestamp {
        seconds: d.as_secs() as i64,
        nanos: d.subsec_nanos() as i32,
    }
}
