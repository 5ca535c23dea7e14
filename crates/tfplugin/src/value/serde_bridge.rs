//! Typed access through serde: Terraform values to and from Rust types.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Type, Value, ValueError};

impl Value {
    /// Decodes a wholly known value into a Rust type (objects map to structs,
    /// null to `Option::None`). Unknown values are an error.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, ValueError> {
        let json = self.to_untyped_json()?;
        serde_json::from_value(json).map_err(|e| ValueError::new(e.to_string()))
    }

    /// Encodes a Rust value as a Terraform value of type `ty`; struct fields
    /// missing from the type are rejected, attributes missing from the struct are null.
    pub fn encode<T: Serialize>(data: &T, ty: &Type) -> Result<Value, ValueError> {
        let json = serde_json::to_value(data).map_err(|e| ValueError::new(e.to_string()))?;
        Value::from_json(&json, ty)
    }

    fn to_untyped_json(&self) -> Result<serde_json::Value, ValueError> {
        use serde_json::Value as J;
        Ok(match self {
            Value::Null => J::Null,
            Value::Unknown => return Err(ValueError::new("value is not known yet")),
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
