//! Between wire values and the model types a handler declares: the decoding
//! and encoding every typed trait relies on, done once, here.
//!
//! A model that does not fit its schema is the provider's bug, and is
//! reported as one; a value the user has not made known yet is not.

use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::diag::Diagnostics;
use crate::value::{Type, Value};

/// The model of something a handler does not use: decodes from any value
/// and encodes as an object with no attributes (a plan hook that plans
/// nothing itself, a resource without private state, a data source without
/// arguments).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Nothing;

impl Serialize for Nothing {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        serializer.serialize_map(Some(0))?.end()
    }
}

impl<'de> Deserialize<'de> for Nothing {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        IgnoredAny::deserialize(deserializer).map(|_| Nothing)
    }
}

/// For model fields that Terraform may hold as null where the model wants
/// a plain value (`#[serde(deserialize_with = "tfplugin::null_as_default")]`):
/// an imported state before its first refresh, for example.
pub fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

fn provider_bug(diags: &mut Diagnostics, what: &str, doing: &str, e: impl std::fmt::Display) {
    diags.error(
        "Provider model does not fit its schema",
        format!("The {what} could not be {doing}: {e}. This is a bug in the provider."),
    );
}

/// Decodes `value` (unknown parts only into `Known` fields).
pub(crate) fn decode<T: DeserializeOwned>(
    value: &Value,
    what: &str,
    diags: &mut Diagnostics,
) -> Option<T> {
    value
        .decode()
        .map_err(|e| provider_bug(diags, what, "read", e))
        .ok()
}

/// Decodes a value that is null when there is no object (the prior state
/// of a create, say) into `None`.
pub(crate) fn decode_object<T: DeserializeOwned>(
    value: &Value,
    what: &str,
    diags: &mut Diagnostics,
) -> Option<Option<T>> {
    if value.is_null() {
        return Some(None);
    }
    decode(value, what, diags).map(Some)
}

/// Decodes a configuration for a validate hook. A configuration that still
/// holds unknown values where the model has no `Known` field is not the
/// hook's to see yet: Terraform validates again once they are known (in
/// the plan), so this is `None` without a diagnostic. Neither is one that
/// the schema's validators refused (already in `diags`): the hook checks
/// across valid attributes.
pub(crate) fn decode_for_validate<T: DeserializeOwned>(
    config: &Value,
    diags: &mut Diagnostics,
) -> Option<T> {
    match config.decode() {
        Ok(model) => Some(model),
        Err(_) if !config.is_wholly_known() || diags.has_errors() => None,
        Err(e) => {
            provider_bug(diags, "configuration", "read", e);
            None
        }
    }
}

/// Encodes a model as a value of type `ty`; `Null` (with the error) when
/// it does not fit.
pub(crate) fn encode<T: Serialize>(
    model: &T,
    ty: &Type,
    what: &str,
    diags: &mut Diagnostics,
) -> Value {
    Value::encode(model, ty).unwrap_or_else(|e| {
        provider_bug(diags, what, "written", e);
        Value::Null
    })
}

/// Encodes an optional object: `None` is null.
pub(crate) fn encode_object<T: Serialize>(
    model: Option<&T>,
    ty: &Type,
    what: &str,
    diags: &mut Diagnostics,
) -> Value {
    model.map_or(Value::Null, |m| encode(m, ty, what, diags))
}

/// Encodes a model of some of an object's attributes (a plan hook's).
pub(crate) fn encode_part<T: Serialize>(part: &T, ty: &Type, diags: &mut Diagnostics) -> Value {
    Value::encode_part(part, ty).unwrap_or_else(|e| {
        provider_bug(diags, "plan", "written", e);
        Value::Null
    })
}

/// Sets in `value` the attributes whose encoding differs from `before` to
/// their value in `after` (`Value::overlay`'s rules).
pub(crate) fn overlay_changed(value: &mut Value, before: Value, after: Value) {
    let (Value::Object(before), Value::Object(after)) = (before, after) else {
        return;
    };
    let changed = after
        .into_iter()
        .filter(|(name, now)| before.get(name) != Some(now))
        .collect();
    value.overlay(Value::Object(changed));
}

/// Private bytes (of a refresh, or an ephemeral resource) as a model;
/// unreadable bytes (written by another version) are `None`, and so are
/// empty ones unless the model reads null (`Nothing`, an `Option`).
pub(crate) fn from_private<T: DeserializeOwned>(bytes: &[u8]) -> Option<T> {
    let bytes = if bytes.is_empty() { b"null" } else { bytes };
    serde_json::from_slice(bytes)
        .inspect_err(|e| tracing::debug!(error = %e, "private data from another version ignored"))
        .ok()
}

/// A model as private bytes.
pub(crate) fn to_private<T: Serialize>(model: &T, diags: &mut Diagnostics) -> Vec<u8> {
    serde_json::to_vec(model).unwrap_or_else(|e| {
        provider_bug(diags, "private data", "written", e);
        Vec::new()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Debug, PartialEq)]
    struct Seen {
        policy: Option<String>,
    }

    #[test]
    fn private_bytes_of_another_version_or_none_are_not_read() {
        assert_eq!(
            from_private::<Seen>(br#"{"policy":"p"}"#),
            Some(Seen {
                policy: Some("p".into())
            })
        );
        assert_eq!(from_private::<Seen>(b"not json"), None);
        assert_eq!(from_private::<Seen>(b""), None);
        // A model without private data reads empty bytes.
        assert_eq!(from_private::<Nothing>(b""), Some(Nothing));
    }

    #[test]
    fn only_what_a_plan_hook_changed_goes_back() {
        let ty = Type::object([("a", Type::String), ("b", Type::set(Type::String))]);
        let mut planned = Value::Object(
            [
                ("a".to_string(), Value::string("x")),
                (
                    "b".to_string(),
                    Value::Set(vec![Value::string("z"), Value::string("y")]),
                ),
            ]
            .into(),
        );
        let before =
            Value::encode_part(&serde_json::json!({"a": "x", "b": ["y", "z"]}), &ty).expect("fits");
        let after =
            Value::encode_part(&serde_json::json!({"a": "w", "b": ["y", "z"]}), &ty).expect("fits");
        overlay_changed(&mut planned, before, after);
        assert_eq!(planned.attr("a"), &Value::string("w"));
        // Untouched: Terraform's element order stays.
        assert_eq!(
            planned.attr("b"),
            &Value::Set(vec![Value::string("z"), Value::string("y")])
        );
    }
}
