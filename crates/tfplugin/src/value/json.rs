//! The JSON form of values, as Terraform stores them in state.

use std::collections::BTreeMap;

use super::known::is_marker;
use super::{Number, Type, Value, ValueError, mismatch};

impl Value {
    /// Reads the JSON form Terraform keeps in state files. Object attributes
    /// missing from the JSON read as null (they were added by a newer schema).
    pub fn from_json(json: &serde_json::Value, ty: &Type) -> Result<Value, ValueError> {
        Value::from_json_as(json, ty, Unknowns::Refused)
    }

    /// [`Value::from_json`] that also reads the serde bridge's unknown marker.
    pub(super) fn from_json_with_unknowns(
        json: &serde_json::Value,
        ty: &Type,
    ) -> Result<Value, ValueError> {
        Value::from_json_as(json, ty, Unknowns::Marked)
    }

    fn from_json_as(
        json: &serde_json::Value,
        ty: &Type,
        unknowns: Unknowns,
    ) -> Result<Value, ValueError> {
        use serde_json::Value as J;
        let from_json = |j: &J, t: &Type| Value::from_json_as(j, t, unknowns);
        if unknowns == Unknowns::Marked && is_marker(json) {
            return Ok(Value::Unknown);
        }
        Ok(match (json, ty) {
            (J::Null, _) => Value::Null,
            (J::Bool(b), Type::Bool) => Value::Bool(*b),
            (J::Number(n), Type::Number) => Value::Number(
                Number::parse(&n.to_string())
                    .ok_or_else(|| ValueError::new(format!("bad number {n}")))?,
            ),
            // Terraform writes numbers too big for JSON as strings in some paths.
            (J::String(s), Type::Number) => Value::Number(
                Number::parse(s).ok_or_else(|| ValueError::new(format!("bad number {s:?}")))?,
            ),
            (J::String(s), Type::String) => Value::String(s.clone()),
            (J::Bool(b), Type::String) => Value::String(b.to_string()),
            (J::Number(n), Type::String) => Value::String(n.to_string()),
            (J::Array(items), Type::List(t)) => Value::List(
                items
                    .iter()
                    .map(|i| from_json(i, t))
                    .collect::<Result<_, _>>()?,
            ),
            (J::Array(items), Type::Set(t)) => Value::Set(
                items
                    .iter()
                    .map(|i| from_json(i, t))
                    .collect::<Result<_, _>>()?,
            ),
            (J::Array(items), Type::Tuple(ts)) if items.len() == ts.len() => Value::Tuple(
                items
                    .iter()
                    .zip(ts)
                    .map(|(i, t)| from_json(i, t))
                    .collect::<Result<_, _>>()?,
            ),
            (J::Object(m), Type::Map(t)) => Value::Map(
                m.iter()
                    .map(|(k, v)| Ok((k.clone(), from_json(v, t)?)))
                    .collect::<Result<_, ValueError>>()?,
            ),
            (J::Object(m), Type::Object(attrs)) => {
                if let Some(extra) = m.keys().find(|k| !attrs.contains_key(*k)) {
                    return Err(ValueError::new(format!("unsupported attribute {extra:?}")));
                }
                let mut out = BTreeMap::new();
                for (name, t) in attrs {
                    let v = match m.get(name) {
                        Some(j) => from_json(j, t)?,
                        None => Value::Null,
                    };
                    out.insert(name.clone(), v);
                }
                Value::Object(out)
            }
            (J::Object(m), Type::Dynamic) => {
                let ty = Type::from_json(m.get("type").unwrap_or(&J::Null))?;
                from_json(m.get("value").unwrap_or(&J::Null), &ty)?
            }
            (j, t) => {
                return Err(ValueError::new(format!(
                    "JSON {j} is not a valid {}",
                    t.to_json()
                )));
            }
        })
    }

    pub fn to_json(&self, ty: &Type) -> Result<serde_json::Value, ValueError> {
        use serde_json::Value as J;
        Ok(match (self, ty) {
            (Value::Null, _) => J::Null,
            (Value::Unknown, _) => return Err(ValueError::new("unknown values cannot be stored")),
            (v, Type::Dynamic) => {
                let concrete = v.infer_type();
                serde_json::json!({"value": v.to_json(&concrete)?, "type": concrete.to_json()})
            }
            (Value::Bool(b), Type::Bool) => J::Bool(*b),
            (Value::Number(n), Type::Number) => J::Number(
                serde_json::from_str(n.as_str())
                    .map_err(|_| ValueError::new(format!("{n} is not representable in JSON")))?,
            ),
            (Value::String(s), Type::String) => J::String(s.clone()),
            (Value::List(v), Type::List(t)) | (Value::Set(v), Type::Set(t)) => {
                J::Array(v.iter().map(|i| i.to_json(t)).collect::<Result<_, _>>()?)
            }
            (Value::Tuple(v), Type::Tuple(ts)) if v.len() == ts.len() => J::Array(
                v.iter()
                    .zip(ts)
                    .map(|(i, t)| i.to_json(t))
                    .collect::<Result<_, _>>()?,
            ),
            (Value::Map(m), Type::Map(t)) => J::Object(
                m.iter()
                    .map(|(k, v)| Ok((k.clone(), v.to_json(t)?)))
                    .collect::<Result<_, ValueError>>()?,
            ),
            (Value::Object(m), Type::Object(attrs)) => {
                let mut out = serde_json::Map::new();
                for (name, t) in attrs {
                    out.insert(
                        name.clone(),
                        m.get(name).unwrap_or(&Value::Null).to_json(t)?,
                    );
                }
                J::Object(out)
            }
            (v, t) => return Err(mismatch(v, t)),
        })
    }
}

/// Whether JSON may carry unknown values: only from the serde bridge, never
/// from stored state.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Unknowns {
    Refused,
    Marked,
}
