//! Typed access through serde: Terraform values to and from Rust types.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::known::UNKNOWN_MARKER;
use super::{Type, Value, ValueError};

impl Value {
    /// Decodes a value into a Rust type (objects map to structs, null to
    /// `Option::None`). Unknown parts decode only into
    /// [`Known`](super::Known) fields; anywhere else they are an error.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, ValueError> {
        let json = self.to_untyped_json()?;
        serde_json::from_value(json).map_err(|e| {
            if self.is_wholly_known() {
                ValueError::new(e.to_string())
            } else {
                ValueError::new(format!(
                    "{e} (a value not known yet reached a field that is not Known)"
                ))
            }
        })
    }

    /// Encodes a Rust value as a Terraform value of type `ty`
    /// ([`Known::Unknown`](super::Known) fields become unknown); struct
    /// fields missing from the type are rejected, attributes missing from
    /// the struct are null.
    pub fn encode<T: Serialize>(data: &T, ty: &Type) -> Result<Value, ValueError> {
        let json = serde_json::to_value(data).map_err(|e| ValueError::new(e.to_string()))?;
        Value::from_json_with_unknowns(&json, ty)
    }

    /// Encodes a model of some of an object's attributes: the object with
    /// only the attributes the model has, each of its type in `ty`.
    pub fn encode_part<T: Serialize>(data: &T, ty: &Type) -> Result<Value, ValueError> {
        let json = serde_json::to_value(data).map_err(|e| ValueError::new(e.to_string()))?;
        let (serde_json::Value::Object(fields), Type::Object(types)) = (&json, ty) else {
            return Err(ValueError::new(
                "a partial model must be a struct of attributes",
            ));
        };
        let mut out = std::collections::BTreeMap::new();
        for (name, field) in fields {
            let t = types
                .get(name)
                .ok_or_else(|| ValueError::new(format!("unsupported attribute {name:?}")))?;
            out.insert(name.clone(), Value::from_json_with_unknowns(field, t)?);
        }
        Ok(Value::Object(out))
    }

    /// Sets the attributes a model of some of this object's attributes has
    /// ([`Value::encode_part`], then [`Value::overlay`]).
    pub fn merge<T: Serialize>(&mut self, part: &T, ty: &Type) -> Result<(), ValueError> {
        self.overlay(Value::encode_part(part, ty)?);
        Ok(())
    }

    /// Sets the attributes `part` has (an object from [`Value::encode`] of a
    /// model of some attributes) on this object. A set equal as a set keeps
    /// its element order. An unknown never replaces
    /// a partly known value: that value is already as known as it can be, and
    /// re-planning it wholly unknown would change a configured value.
    pub fn overlay(&mut self, part: Value) {
        let (Value::Object(target), Value::Object(part)) = (self, part) else {
            return;
        };
        for (name, value) in part {
            let partly_known = target
                .get(&name)
                .is_some_and(|old| !old.is_unknown() && !old.is_wholly_known());
            if value.is_unknown() && partly_known {
                continue;
            }
            // Equal as Terraform sees it: keep the element order it sent.
            if target.get(&name).is_some_and(|old| old.same_as(&value)) {
                continue;
            }
            target.insert(name, value);
        }
    }

    fn to_untyped_json(&self) -> Result<serde_json::Value, ValueError> {
        use serde_json::Value as J;
        Ok(match self {
            Value::Null => J::Null,
            Value::Unknown => serde_json::json!({ UNKNOWN_MARKER: true }),
            Value::Bool(b) => J::Bool(*b),
            Value::Number(n) => J::Number(
                serde_json::from_str(n.as_str())
                    .map_err(|_| ValueError::new(format!("{n} is not representable")))?,
            ),
            Value::String(s) => J::String(s.clone()),
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => J::Array(
                v.iter()
                    .map(Value::to_untyped_json)
                    .collect::<Result<_, _>>()?,
            ),
            Value::Map(m) | Value::Object(m) => J::Object(
                m.iter()
                    .map(|(k, v)| Ok((k.clone(), v.to_untyped_json()?)))
                    .collect::<Result<_, ValueError>>()?,
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_decode_and_encode() {
        #[derive(serde::Deserialize, serde::Serialize, Debug, PartialEq)]
        struct S {
            name: String,
            count: Option<i64>,
            tags: Vec<String>,
        }
        let ty = Type::object([
            ("name", Type::String),
            ("count", Type::Number),
            ("tags", Type::set(Type::String)),
        ]);
        let s = S {
            name: "n".into(),
            count: None,
            tags: vec!["a".into()],
        };
        let v = Value::encode(&s, &ty).unwrap();
        assert_eq!(v.attr("tags"), &Value::Set(vec![Value::string("a")]));
        assert_eq!(v.decode::<S>().unwrap(), s);
        let mut unknown = v.clone();
        unknown.set_attr("name", Value::Unknown);
        assert!(unknown.decode::<S>().is_err());
    }
}

#[cfg(test)]
mod known_tests {
    use super::super::Known;
    use super::*;
    use std::collections::BTreeSet;

    #[derive(serde::Deserialize, serde::Serialize, Debug, PartialEq)]
    struct Planned {
        name: Known<String>,
        note: Known<Option<String>>,
        tags: Known<BTreeSet<String>>,
    }

    fn ty() -> Type {
        Type::object([
            ("name", Type::String),
            ("note", Type::String),
            ("tags", Type::set(Type::String)),
        ])
    }

    #[test]
    fn unknown_null_and_partly_known_values_decode_into_known() {
        let mut v = Value::encode(
            &Planned {
                name: Known::Value("n".into()),
                note: Known::Value(None),
                tags: Known::Value(BTreeSet::from(["a".to_string()])),
            },
            &ty(),
        )
        .unwrap();
        assert_eq!(v.attr("note"), &Value::Null);
        v.set_attr("name", Value::Unknown);
        v.set_attr("tags", Value::Set(vec![Value::string("a"), Value::Unknown]));
        let p: Planned = v.decode().unwrap();
        assert_eq!(p.name, Known::Unknown);
        assert_eq!(p.note, Known::Value(None));
        assert_eq!(p.tags, Known::Unknown, "a partly known set is not known");
        // Back: Unknown encodes as unknown.
        let back = Value::encode(&p, &ty()).unwrap();
        assert_eq!(back.attr("name"), &Value::Unknown);
    }

    #[test]
    fn an_unknown_reaching_a_plain_field_is_an_error_not_a_value() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Plain {
            name: Option<String>,
        }
        let v = Value::Object([("name".to_string(), Value::Unknown)].into());
        let e = v.decode::<Plain>().unwrap_err();
        assert!(e.message.contains("not known"), "{e}");
    }

    #[test]
    fn the_marker_is_not_accepted_from_stored_state() {
        let json = serde_json::json!({ "name": { UNKNOWN_MARKER: true } });
        assert!(Value::from_json(&json, &ty()).is_err());
    }

    #[test]
    fn overlay_keeps_partly_known_values() {
        let mut planned = Value::Object(
            [
                ("name".to_string(), Value::string("old")),
                ("tags".to_string(), Value::Set(vec![Value::Unknown])),
            ]
            .into(),
        );
        let part = Value::Object(
            [
                ("name".to_string(), Value::Unknown),
                ("tags".to_string(), Value::Unknown),
            ]
            .into(),
        );
        planned.overlay(part);
        assert_eq!(planned.attr("name"), &Value::Unknown);
        assert_eq!(planned.attr("tags"), &Value::Set(vec![Value::Unknown]));
    }
}
