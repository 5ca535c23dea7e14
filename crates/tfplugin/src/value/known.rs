//! [`Known`]: a value that may not be known until apply, for typed models of
//! plans and configurations.
//!
//! The serde bridge ([`Value::decode`], [`Value::encode`]) carries unknown
//! values as a marker object that only `Known` reads and writes, so a model
//! field that is not `Known<T>` fails to decode an unknown value instead of
//! silently reading it as something else.

use serde::de::{self, Deserialize, Deserializer};
use serde::ser::{Serialize, SerializeMap, Serializer};

#[cfg(doc)]
use super::Value;

/// The one key of the marker object. Terraform attribute names cannot hold a
/// NUL character, so no real object is mistaken for it.
pub(super) const UNKNOWN_MARKER: &str = "\u{0}tfplugin:unknown";

/// Whether a JSON value from the serde bridge stands for an unknown value.
pub(super) fn is_marker(json: &serde_json::Value) -> bool {
    json.as_object()
        .is_some_and(|m| m.len() == 1 && m.contains_key(UNKNOWN_MARKER))
}

fn contains_marker(json: &serde_json::Value) -> bool {
    match json {
        serde_json::Value::Array(items) => items.iter().any(contains_marker),
        serde_json::Value::Object(m) => is_marker(json) || m.values().any(contains_marker),
        _ => false,
    }
}

/// A value known now, or only after apply. Decoding reads a value with any
/// unknown part as [`Known::Unknown`]: a partly known set is not known.
/// `Known<Option<T>>` tells null (`Known::Value(None)`) from unknown.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Known<T> {
    #[default]
    Unknown,
    Value(T),
}

impl<T> Known<T> {
    pub fn is_known(&self) -> bool {
        matches!(self, Known::Value(_))
    }
    pub fn as_ref(&self) -> Known<&T> {
        match self {
            Known::Value(v) => Known::Value(v),
            Known::Unknown => Known::Unknown,
        }
    }
    /// The value, if known.
    pub fn get(&self) -> Option<&T> {
        match self {
            Known::Value(v) => Some(v),
            Known::Unknown => None,
        }
    }
    pub fn into_option(self) -> Option<T> {
        match self {
            Known::Value(v) => Some(v),
            Known::Unknown => None,
        }
    }
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Known<U> {
        match self {
            Known::Value(v) => Known::Value(f(v)),
            Known::Unknown => Known::Unknown,
        }
    }
}

impl<T> From<T> for Known<T> {
    fn from(value: T) -> Self {
        Known::Value(value)
    }
}

impl<T: Serialize> Serialize for Known<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Known::Value(v) => v.serialize(serializer),
            Known::Unknown => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry(UNKNOWN_MARKER, &true)?;
                map.end()
            }
        }
    }
}

impl<'de, T: de::DeserializeOwned> Deserialize<'de> for Known<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let json = serde_json::Value::deserialize(deserializer)?;
        if is_marker(&json) {
            return Ok(Known::Unknown);
        }
        match T::deserialize(&json) {
            Ok(v) => Ok(Known::Value(v)),
            Err(_) if contains_marker(&json) => Ok(Known::Unknown),
            Err(e) => Err(de::Error::custom(e)),
        }
    }
}
