//! Terraform values as they travel between Terraform and the provider.
//!
//! Terraform sends every value as msgpack (`DynamicValue.msgpack`) and stores
//! state as JSON; both encodings need the schema type to be read back, because
//! msgpack does not tell a list from a set or a map from an object. This module
//! holds the value model ([`Value`], [`Type`], [`Number`]) and both codecs.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Write;

use rmp::Marker;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A Terraform type (cty type), as declared in schemas.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Type {
    Bool,
    Number,
    String,
    /// Any type; the value travels together with its concrete type.
    Dynamic,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Object(BTreeMap<String, Type>),
    Tuple(Vec<Type>),
}

impl Type {
    pub fn list(element: Type) -> Type {
        Type::List(Box::new(element))
    }
    pub fn set(element: Type) -> Type {
        Type::Set(Box::new(element))
    }
    pub fn map(element: Type) -> Type {
        Type::Map(Box::new(element))
    }
    pub fn object<'a>(attributes: impl IntoIterator<Item = (&'a str, Type)>) -> Type {
        Type::Object(
            attributes
                .into_iter()
                .map(|(k, t)| (k.to_string(), t))
                .collect(),
        )
    }

    /// The JSON type expression Terraform uses in schemas and for dynamic values.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            Type::Bool => json!("bool"),
            Type::Number => json!("number"),
            Type::String => json!("string"),
            Type::Dynamic => json!("dynamic"),
            Type::List(t) => json!(["list", t.to_json()]),
            Type::Set(t) => json!(["set", t.to_json()]),
            Type::Map(t) => json!(["map", t.to_json()]),
            Type::Object(attrs) => {
                let attrs: serde_json::Map<String, serde_json::Value> = attrs
                    .iter()
                    .map(|(k, t)| (k.clone(), t.to_json()))
                    .collect();
                json!(["object", attrs])
            }
            Type::Tuple(elems) => {
                json!(["tuple", elems.iter().map(Type::to_json).collect::<Vec<_>>()])
            }
        }
    }

    pub fn to_json_bytes(&self) -> Vec<u8> {
        self.to_json().to_string().into_bytes()
    }

    pub fn from_json(json: &serde_json::Value) -> Result<Type, ValueError> {
        let bad = || ValueError::new(format!("invalid type expression {json}"));
        match json {
            serde_json::Value::String(s) => match s.as_str() {
                "bool" => Ok(Type::Bool),
                "number" => Ok(Type::Number),
                "string" => Ok(Type::String),
                "dynamic" => Ok(Type::Dynamic),
                _ => Err(bad()),
            },
            serde_json::Value::Array(parts) => {
                let kind = parts.first().and_then(|k| k.as_str()).ok_or_else(bad)?;
                let arg = parts.get(1).ok_or_else(bad)?;
                match kind {
                    "list" => Ok(Type::list(Type::from_json(arg)?)),
                    "set" => Ok(Type::set(Type::from_json(arg)?)),
                    "map" => Ok(Type::map(Type::from_json(arg)?)),
                    "object" => {
                        // A third element lists optional attributes; irrelevant for values.
                        let attrs = arg.as_object().ok_or_else(bad)?;
                        let mut out = BTreeMap::new();
                        for (k, t) in attrs {
                            out.insert(k.clone(), Type::from_json(t)?);
                        }
                        Ok(Type::Object(out))
                    }
                    "tuple" => {
                        let elems = arg.as_array().ok_or_else(bad)?;
                        Ok(Type::Tuple(
                            elems
                                .iter()
                                .map(Type::from_json)
                                .collect::<Result<_, _>>()?,
                        ))
                    }
                    _ => Err(bad()),
                }
            }
            _ => Err(bad()),
        }
    }
}

/// A number with the precision Terraform gave it.
///
/// Stored as canonical decimal text so integers beyond 64 bits and long
/// decimals survive a round trip unchanged.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Number(String);

impl Number {
    /// Parses decimal text (`-12`, `3.25`, `1e400`); `None` if it is not a number.
    pub fn parse(text: &str) -> Option<Number> {
        let t = text.trim();
        let body = t.strip_prefix('-').unwrap_or(t);
        let (mantissa, exponent) = match body.find(['e', 'E']) {
            Some(i) => (&body[..i], Some(&body[i + 1..])),
            None => (body, None),
        };
        let (int, frac) = match mantissa.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (mantissa, None),
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let ok_int = digits(int);
        let ok_frac = frac.is_none_or(digits);
        let ok_exp = exponent.is_none_or(|e| digits(e.strip_prefix(['+', '-']).unwrap_or(e)));
        let infinite = t == "Infinity" || t == "-Infinity";
        ((ok_int && ok_frac && ok_exp) || infinite).then(|| Number(t.to_string()))
    }
    pub fn from_i64(n: i64) -> Number {
        Number(n.to_string())
    }
    pub fn from_u64(n: u64) -> Number {
        Number(n.to_string())
    }
    pub fn from_f64(n: f64) -> Number {
        if n.is_infinite() {
            Number(if n > 0.0 { "Infinity" } else { "-Infinity" }.to_string())
        } else if n == 0.0 {
            Number("0".to_string()) // no negative zero: it would not survive as an integer
        } else {
            Number(format!("{n}"))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn as_i64(&self) -> Option<i64> {
        self.0.parse().ok()
    }
    pub fn as_f64(&self) -> Option<f64> {
        match self.0.as_str() {
            "Infinity" => Some(f64::INFINITY),
            "-Infinity" => Some(f64::NEG_INFINITY),
            s => s.parse().ok(),
        }
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A Terraform value. Collections keep their kind so they re-encode as received.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    /// Not known until apply. Refinements (e.g. "not null") are read as plain unknown.
    Unknown,
    Bool(bool),
    Number(Number),
    String(String),
    List(Vec<Value>),
    Set(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Object(BTreeMap<String, Value>),
    Tuple(Vec<Value>),
}

/// A value that cannot be decoded or encoded against its type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ValueError {
    pub message: String,
}

impl ValueError {
    pub fn new(message: impl Into<String>) -> Self {
        ValueError {
            message: message.into(),
        }
    }
}

impl Value {
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }
    /// True when neither the value nor anything inside it is unknown.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => {
                v.iter().all(Value::is_wholly_known)
            }
            Value::Map(m) | Value::Object(m) => m.values().all(Value::is_wholly_known),
            _ => true,
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Number(n) => n.as_i64(),
            _ => None,
        }
    }
    /// Elements of a list, set or tuple.
    pub fn elements(&self) -> Option<&[Value]> {
        match self {
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => Some(v),
            _ => None,
        }
    }
    /// An object's attribute; `Null` when absent or when self is not an object.
    pub fn attr(&self, name: &str) -> &Value {
        match self {
            Value::Object(m) => m.get(name).unwrap_or(&Value::Null),
            _ => &Value::Null,
        }
    }
    /// Mutable access to an object's attribute (None unless self is an object).
    pub fn attr_mut(&mut self, name: &str) -> Option<&mut Value> {
        match self {
            Value::Object(m) => m.get_mut(name),
            _ => None,
        }
    }
    /// Sets an object attribute; does nothing on non-objects.
    pub fn set_attr(&mut self, name: &str, value: Value) {
        if let Value::Object(m) = self {
            m.insert(name.to_string(), value);
        }
    }

    // ---- msgpack ----

    /// Decodes Terraform's msgpack encoding of a value of type `ty`.
    /// An empty buffer is the null value.
    pub fn from_msgpack(bytes: &[u8], ty: &Type) -> Result<Value, ValueError> {
        if bytes.is_empty() {
            return Ok(Value::Null);
        }
        let mut reader = bytes;
        let value = decode_msgpack(&mut reader, ty)?;
        if !reader.is_empty() {
            return Err(ValueError::new("trailing bytes after msgpack value"));
        }
        Ok(value)
    }

    pub fn to_msgpack(&self, ty: &Type) -> Result<Vec<u8>, ValueError> {
        let mut out = Vec::new();
        encode_msgpack(&mut out, self, ty)?;
        Ok(out)
    }

    // ---- JSON (stored state) ----

    /// Reads the JSON form Terraform keeps in state files. Object attributes
    /// missing from the JSON read as null (they were added by a newer schema).
    pub fn from_json(json: &serde_json::Value, ty: &Type) -> Result<Value, ValueError> {
        use serde_json::Value as J;
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
                    .map(|i| Value::from_json(i, t))
                    .collect::<Result<_, _>>()?,
            ),
            (J::Array(items), Type::Set(t)) => Value::Set(
                items
                    .iter()
                    .map(|i| Value::from_json(i, t))
                    .collect::<Result<_, _>>()?,
            ),
            (J::Array(items), Type::Tuple(ts)) if items.len() == ts.len() => Value::Tuple(
                items
                    .iter()
                    .zip(ts)
                    .map(|(i, t)| Value::from_json(i, t))
                    .collect::<Result<_, _>>()?,
            ),
            (J::Object(m), Type::Map(t)) => Value::Map(
                m.iter()
                    .map(|(k, v)| Ok((k.clone(), Value::from_json(v, t)?)))
                    .collect::<Result<_, ValueError>>()?,
            ),
            (J::Object(m), Type::Object(attrs)) => {
                if let Some(extra) = m.keys().find(|k| !attrs.contains_key(*k)) {
                    return Err(ValueError::new(format!("unsupported attribute {extra:?}")));
                }
                let mut out = BTreeMap::new();
                for (name, t) in attrs {
                    let v = match m.get(name) {
                        Some(j) => Value::from_json(j, t)?,
                        None => Value::Null,
                    };
                    out.insert(name.clone(), v);
                }
                Value::Object(out)
            }
            (J::Object(m), Type::Dynamic) => {
                let ty = Type::from_json(m.get("type").unwrap_or(&J::Null))?;
                Value::from_json(m.get("value").unwrap_or(&J::Null), &ty)?
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

    /// The most specific type describing this value (used for dynamic values).
    pub fn infer_type(&self) -> Type {
        match self {
            Value::Null | Value::Unknown => Type::Dynamic,
            Value::Bool(_) => Type::Bool,
            Value::Number(_) => Type::Number,
            Value::String(_) => Type::String,
            Value::List(v) => Type::list(v.first().map_or(Type::Dynamic, Value::infer_type)),
            Value::Set(v) => Type::set(v.first().map_or(Type::Dynamic, Value::infer_type)),
            Value::Map(m) => Type::map(m.values().next().map_or(Type::Dynamic, Value::infer_type)),
            Value::Object(m) => {
                Type::Object(m.iter().map(|(k, v)| (k.clone(), v.infer_type())).collect())
            }
            Value::Tuple(v) => Type::Tuple(v.iter().map(Value::infer_type).collect()),
        }
    }

    /// A copy with every unknown part replaced by null: what a planned value
    /// decodes to before apply fills in the computed attributes.
    pub fn unknown_as_null(&self) -> Value {
        match self {
            Value::Unknown => Value::Null,
            Value::List(v) => Value::List(v.iter().map(Value::unknown_as_null).collect()),
            Value::Set(v) => Value::Set(v.iter().map(Value::unknown_as_null).collect()),
            Value::Tuple(v) => Value::Tuple(v.iter().map(Value::unknown_as_null).collect()),
            Value::Map(m) => Value::Map(
                m.iter()
                    .map(|(k, v)| (k.clone(), v.unknown_as_null()))
                    .collect(),
            ),
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), v.unknown_as_null()))
                    .collect(),
            ),
            v => v.clone(),
        }
    }

    // ---- typed access through serde ----

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

fn mismatch(v: &Value, t: &Type) -> ValueError {
    let kind = match v {
        Value::Null => "null",
        Value::Unknown => "unknown",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::List(_) => "list",
        Value::Set(_) => "set",
        Value::Map(_) => "map",
        Value::Object(_) => "object",
        Value::Tuple(_) => "tuple",
    };
    ValueError::new(format!("a {kind} value does not fit type {}", t.to_json()))
}

// ---- msgpack details ----

/// Extension type 0 marks an unknown value; Terraform also sends type 12
/// (unknown with refinements), which is read as plain unknown.
const UNKNOWN_EXT: i8 = 0;

fn take<'a>(r: &mut &'a [u8], n: usize) -> Result<&'a [u8], ValueError> {
    if r.len() < n {
        return Err(ValueError::new("truncated msgpack value"));
    }
    let (head, tail) = r.split_at(n);
    *r = tail;
    Ok(head)
}

fn be_uint(r: &mut &[u8], n: usize) -> Result<u64, ValueError> {
    Ok(take(r, n)?
        .iter()
        .fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
}

fn read_len(r: &mut &[u8], marker: Marker) -> Result<Option<usize>, ValueError> {
    let n = match marker {
        Marker::FixStr(n) | Marker::FixArray(n) | Marker::FixMap(n) => usize::from(n),
        Marker::Str8 | Marker::Bin8 => be_uint(r, 1)? as usize,
        Marker::Str16 | Marker::Bin16 | Marker::Array16 | Marker::Map16 => be_uint(r, 2)? as usize,
        Marker::Str32 | Marker::Bin32 | Marker::Array32 | Marker::Map32 => be_uint(r, 4)? as usize,
        _ => return Ok(None),
    };
    Ok(Some(n))
}

fn is_ext(marker: Marker) -> bool {
    matches!(
        marker,
        Marker::FixExt1
            | Marker::FixExt2
            | Marker::FixExt4
            | Marker::FixExt8
            | Marker::FixExt16
            | Marker::Ext8
            | Marker::Ext16
            | Marker::Ext32
    )
}

fn skip_ext(r: &mut &[u8], marker: Marker) -> Result<(), ValueError> {
    let len = match marker {
        Marker::FixExt1 => 1,
        Marker::FixExt2 => 2,
        Marker::FixExt4 => 4,
        Marker::FixExt8 => 8,
        Marker::FixExt16 => 16,
        Marker::Ext8 => be_uint(r, 1)? as usize,
        Marker::Ext16 => be_uint(r, 2)? as usize,
        _ => be_uint(r, 4)? as usize,
    };
    take(r, 1 + len)?; // type byte + payload
    Ok(())
}

fn read_marker(r: &mut &[u8]) -> Result<Marker, ValueError> {
    Ok(Marker::from_u8(take(r, 1)?[0]))
}

fn read_text(r: &mut &[u8], marker: Marker) -> Result<String, ValueError> {
    let len = match marker {
        Marker::FixStr(_) | Marker::Str8 | Marker::Str16 | Marker::Str32 => read_len(r, marker)?,
        Marker::Bin8 | Marker::Bin16 | Marker::Bin32 => read_len(r, marker)?,
        _ => None,
    }
    .ok_or_else(|| ValueError::new("expected a msgpack string"))?;
    String::from_utf8(take(r, len)?.to_vec()).map_err(|_| ValueError::new("string is not UTF-8"))
}

fn read_number(r: &mut &[u8], marker: Marker) -> Result<Number, ValueError> {
    let n = match marker {
        Marker::FixPos(n) => Number::from_u64(u64::from(n)),
        Marker::FixNeg(n) => Number::from_i64(i64::from(n)),
        Marker::U8 => Number::from_u64(be_uint(r, 1)?),
        Marker::U16 => Number::from_u64(be_uint(r, 2)?),
        Marker::U32 => Number::from_u64(be_uint(r, 4)?),
        Marker::U64 => Number::from_u64(be_uint(r, 8)?),
        Marker::I8 => Number::from_i64(i64::from(be_uint(r, 1)? as u8 as i8)),
        Marker::I16 => Number::from_i64(i64::from(be_uint(r, 2)? as u16 as i16)),
        Marker::I32 => Number::from_i64(i64::from(be_uint(r, 4)? as u32 as i32)),
        Marker::I64 => Number::from_i64(be_uint(r, 8)? as i64),
        Marker::F32 => Number::from_f64(f64::from(f32::from_bits(be_uint(r, 4)? as u32))),
        Marker::F64 => Number::from_f64(f64::from_bits(be_uint(r, 8)?)),
        // Numbers that do not fit a float travel as decimal strings.
        m => {
            let text = read_text(r, m)?;
            Number::parse(&text)
                .ok_or_else(|| ValueError::new(format!("{text:?} is not a number")))?
        }
    };
    Ok(n)
}

fn decode_msgpack(r: &mut &[u8], ty: &Type) -> Result<Value, ValueError> {
    let marker = read_marker(r)?;
    if is_ext(marker) {
        skip_ext(r, marker)?;
        return Ok(Value::Unknown);
    }
    if marker == Marker::Null {
        return Ok(Value::Null);
    }
    match ty {
        Type::Bool => match marker {
            Marker::True => Ok(Value::Bool(true)),
            Marker::False => Ok(Value::Bool(false)),
            _ => Err(ValueError::new("expected a bool")),
        },
        Type::Number => Ok(Value::Number(read_number(r, marker)?)),
        Type::String => Ok(Value::String(read_text(r, marker)?)),
        Type::Dynamic => {
            // [type JSON, value]
            if read_len(r, marker)? != Some(2)
                || !matches!(
                    marker,
                    Marker::FixArray(_) | Marker::Array16 | Marker::Array32
                )
            {
                return Err(ValueError::new("dynamic value must be [type, value]"));
            }
            let type_marker = read_marker(r)?;
            let type_json = read_text(r, type_marker)?;
            let json: serde_json::Value = serde_json::from_str(&type_json)
                .map_err(|_| ValueError::new("bad dynamic type JSON"))?;
            let concrete = Type::from_json(&json)?;
            // A dynamic value names a concrete type; "dynamic" again would
            // let a crafted message recurse without bound.
            if concrete == Type::Dynamic {
                return Err(ValueError::new("a dynamic value must name a concrete type"));
            }
            decode_msgpack(r, &concrete)
        }
        Type::List(t) | Type::Set(t) => {
            let n = array_len(r, marker)?;
            let items = (0..n)
                .map(|_| decode_msgpack(r, t))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(if matches!(ty, Type::List(_)) {
                Value::List(items)
            } else {
                Value::Set(items)
            })
        }
        Type::Tuple(ts) => {
            let n = array_len(r, marker)?;
            if n != ts.len() {
                return Err(ValueError::new("tuple length does not match its type"));
            }
            Ok(Value::Tuple(
                ts.iter()
                    .map(|t| decode_msgpack(r, t))
                    .collect::<Result<_, _>>()?,
            ))
        }
        Type::Map(t) => {
            let n = map_len(r, marker)?;
            let mut out = BTreeMap::new();
            for _ in 0..n {
                let km = read_marker(r)?;
                let k = read_text(r, km)?;
                out.insert(k, decode_msgpack(r, t)?);
            }
            Ok(Value::Map(out))
        }
        Type::Object(attrs) => {
            let n = map_len(r, marker)?;
            let mut out: BTreeMap<String, Value> =
                attrs.keys().map(|k| (k.clone(), Value::Null)).collect();
            for _ in 0..n {
                let km = read_marker(r)?;
                let k = read_text(r, km)?;
                let t = attrs
                    .get(&k)
                    .ok_or_else(|| ValueError::new(format!("unsupported attribute {k:?}")))?;
                out.insert(k, decode_msgpack(r, t)?);
            }
            Ok(Value::Object(out))
        }
    }
}

fn array_len(r: &mut &[u8], marker: Marker) -> Result<usize, ValueError> {
    match marker {
        Marker::FixArray(_) | Marker::Array16 | Marker::Array32 => {
            read_len(r, marker)?.ok_or_else(|| ValueError::new("bad array"))
        }
        _ => Err(ValueError::new("expected a msgpack array")),
    }
}

fn map_len(r: &mut &[u8], marker: Marker) -> Result<usize, ValueError> {
    match marker {
        Marker::FixMap(_) | Marker::Map16 | Marker::Map32 => {
            read_len(r, marker)?.ok_or_else(|| ValueError::new("bad map"))
        }
        _ => Err(ValueError::new("expected a msgpack map")),
    }
}

fn io_err(e: impl fmt::Display) -> ValueError {
    ValueError::new(format!("msgpack encoding failed: {e}"))
}

fn encode_len_u32(n: usize) -> Result<u32, ValueError> {
    u32::try_from(n).map_err(|_| ValueError::new("collection too large for msgpack"))
}

fn encode_msgpack(out: &mut Vec<u8>, value: &Value, ty: &Type) -> Result<(), ValueError> {
    match (value, ty) {
        (Value::Null, _) => rmp::encode::write_nil(out).map_err(io_err),
        (Value::Unknown, _) => {
            rmp::encode::write_ext_meta(out, 1, UNKNOWN_EXT).map_err(io_err)?;
            out.write_all(&[0]).map_err(io_err)
        }
        (v, Type::Dynamic) => {
            let concrete = v.infer_type();
            rmp::encode::write_array_len(out, 2).map_err(io_err)?;
            rmp::encode::write_bin(out, &concrete.to_json_bytes()).map_err(io_err)?;
            encode_msgpack(out, v, &concrete)
        }
        (Value::Bool(b), Type::Bool) => rmp::encode::write_bool(out, *b).map_err(io_err),
        (Value::Number(n), Type::Number) => encode_number(out, n),
        (Value::String(s), Type::String) => rmp::encode::write_str(out, s).map_err(io_err),
        (Value::List(items), Type::List(t)) | (Value::Set(items), Type::Set(t)) => {
            rmp::encode::write_array_len(out, encode_len_u32(items.len())?).map_err(io_err)?;
            items.iter().try_for_each(|i| encode_msgpack(out, i, t))
        }
        (Value::Tuple(items), Type::Tuple(ts)) if items.len() == ts.len() => {
            rmp::encode::write_array_len(out, encode_len_u32(items.len())?).map_err(io_err)?;
            items
                .iter()
                .zip(ts)
                .try_for_each(|(i, t)| encode_msgpack(out, i, t))
        }
        (Value::Map(m), Type::Map(t)) => {
            rmp::encode::write_map_len(out, encode_len_u32(m.len())?).map_err(io_err)?;
            for (k, v) in m {
                rmp::encode::write_str(out, k).map_err(io_err)?;
                encode_msgpack(out, v, t)?;
            }
            Ok(())
        }
        (Value::Object(m), Type::Object(attrs)) => {
            // Terraform requires every attribute of the type, nulls included.
            rmp::encode::write_map_len(out, encode_len_u32(attrs.len())?).map_err(io_err)?;
            for (name, t) in attrs {
                rmp::encode::write_str(out, name).map_err(io_err)?;
                encode_msgpack(out, m.get(name).unwrap_or(&Value::Null), t)?;
            }
            if let Some(extra) = m.keys().find(|k| !attrs.contains_key(*k)) {
                return Err(ValueError::new(format!(
                    "attribute {extra:?} is not in the schema"
                )));
            }
            Ok(())
        }
        (v, t) => Err(mismatch(v, t)),
    }
}

fn encode_number(out: &mut Vec<u8>, n: &Number) -> Result<(), ValueError> {
    if let Some(i) = n.as_i64() {
        return rmp::encode::write_sint(out, i).map(|_| ()).map_err(io_err);
    }
    if let Ok(u) = n.as_str().parse::<u64>() {
        return rmp::encode::write_uint(out, u).map(|_| ()).map_err(io_err);
    }
    if let Some(f) = n.as_f64() {
        // Only use a float when it reproduces the exact text; otherwise the
        // decimal string keeps the precision.
        if Number::from_f64(f) == *n {
            return rmp::encode::write_f64(out, f).map_err(io_err);
        }
    }
    rmp::encode::write_str(out, n.as_str()).map_err(io_err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn arb_type() -> impl Strategy<Value = Type> {
        let leaf = prop_oneof![Just(Type::Bool), Just(Type::Number), Just(Type::String)];
        leaf.prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                inner.clone().prop_map(Type::list),
                inner.clone().prop_map(Type::set),
                inner.clone().prop_map(Type::map),
                prop::collection::btree_map("[a-z_]{1,6}", inner.clone(), 0..4)
                    .prop_map(Type::Object),
                prop::collection::vec(inner, 0..3).prop_map(Type::Tuple),
            ]
        })
    }

    fn arb_number() -> impl Strategy<Value = Number> {
        prop_oneof![
            any::<i64>().prop_map(Number::from_i64),
            any::<u64>().prop_map(Number::from_u64),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Number::from_f64),
            "-?[1-9][0-9]{20,40}(\\.[0-9]{1,30})?"
                .prop_map(|s| Number::parse(&s).unwrap_or(Number::from_i64(0))),
        ]
    }

    fn arb_value(ty: Type, allow_unknown: bool) -> BoxedStrategy<Value> {
        let special = if allow_unknown {
            prop_oneof![Just(Value::Null), Just(Value::Unknown)].boxed()
        } else {
            Just(Value::Null).boxed()
        };
        let known: BoxedStrategy<Value> = match ty {
            Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
            Type::Number => arb_number().prop_map(Value::Number).boxed(),
            Type::String => ".{0,12}".prop_map(Value::String).boxed(),
            Type::Dynamic => Just(Value::Null).boxed(),
            Type::List(t) => prop::collection::vec(arb_value(*t, allow_unknown), 0..4)
                .prop_map(Value::List)
                .boxed(),
            Type::Set(t) => prop::collection::vec(arb_value(*t, allow_unknown), 0..4)
                .prop_map(Value::Set)
                .boxed(),
            Type::Map(t) => {
                prop::collection::btree_map(".{0,5}", arb_value(*t, allow_unknown), 0..4)
                    .prop_map(Value::Map)
                    .boxed()
            }
            Type::Object(attrs) => {
                let strategies: Vec<_> = attrs
                    .into_iter()
                    .map(|(k, t)| arb_value(t, allow_unknown).prop_map(move |v| (k.clone(), v)))
                    .collect();
                strategies
                    .prop_map(|kv| Value::Object(kv.into_iter().collect()))
                    .boxed()
            }
            Type::Tuple(ts) => {
                let strategies: Vec<_> = ts
                    .into_iter()
                    .map(|t| arb_value(t, allow_unknown))
                    .collect();
                strategies.prop_map(Value::Tuple).boxed()
            }
        };
        prop_oneof![1 => special, 6 => known].boxed()
    }

    fn typed_value(allow_unknown: bool) -> impl Strategy<Value = (Type, Value)> {
        arb_type().prop_flat_map(move |t| {
            arb_value(t.clone(), allow_unknown).prop_map(move |v| (t.clone(), v))
        })
    }

    proptest! {
        #[test]
        fn msgpack_round_trips((ty, value) in typed_value(true)) {
            let bytes = value.to_msgpack(&ty).unwrap();
            prop_assert_eq!(Value::from_msgpack(&bytes, &ty).unwrap(), value);
        }

        #[test]
        fn json_round_trips((ty, value) in typed_value(false)) {
            let json = value.to_json(&ty).unwrap();
            let text = json.to_string();
            let reparsed: serde_json::Value = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(Value::from_json(&reparsed, &ty).unwrap(), value);
        }

        #[test]
        fn dynamic_round_trips((ty, value) in typed_value(false)) {
            // A dynamic attribute carries its concrete type; empty collections
            // lose their element type, so compare after one round trip.
            let bytes = value.to_msgpack(&Type::Dynamic).unwrap();
            let once = Value::from_msgpack(&bytes, &Type::Dynamic).unwrap();
            let again = Value::from_msgpack(&once.to_msgpack(&Type::Dynamic).unwrap(), &Type::Dynamic).unwrap();
            prop_assert_eq!(&once, &again);
            let _ = ty;
        }

        #[test]
        fn type_json_round_trips(ty in arb_type()) {
            prop_assert_eq!(Type::from_json(&ty.to_json()).unwrap(), ty);
        }

        #[test]
        fn decoding_garbage_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..64), ty in arb_type()) {
            let _ = Value::from_msgpack(&bytes, &ty);
        }
    }

    #[test]
    fn reads_every_number_encoding() {
        let ty = Type::Number;
        // fixint, int8, uint16, float32, float64 and a decimal string
        let cases: &[(&[u8], &str)] = &[
            (&[0x07], "7"),
            (&[0xd0, 0x80], "-128"),
            (&[0xcd, 0x01, 0x00], "256"),
            (&[0xca, 0x3f, 0xc0, 0x00, 0x00], "1.5"),
            (
                &[0xcb, 0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a],
                "0.1",
            ),
            (b"\xb512345678901234567890", "12345678901234567890"),
        ];
        for (bytes, want) in cases {
            let mut buf = bytes.to_vec();
            if bytes[0] == 0xb5 {
                buf = [&[0xb4u8][..], b"12345678901234567890"].concat();
            }
            assert_eq!(
                Value::from_msgpack(&buf, &ty).unwrap(),
                Value::Number(Number(want.to_string())),
                "{bytes:?}"
            );
        }
        let big = Number::parse("123456789012345678901234567890.000000000000000001").unwrap();
        let bytes = Value::Number(big.clone()).to_msgpack(&ty).unwrap();
        assert_eq!(
            Value::from_msgpack(&bytes, &ty).unwrap(),
            Value::Number(big)
        );
    }

    #[test]
    fn a_dynamic_value_must_name_a_concrete_type() {
        // [ "\"dynamic\"" as bin, ... ] nested: refused instead of recursing.
        let mut bytes = Vec::new();
        for _ in 0..3 {
            bytes.extend_from_slice(&[0x92, 0xc4, 0x09]);
            bytes.extend_from_slice(b"\"dynamic\"");
        }
        bytes.push(0xc0);
        let err = Value::from_msgpack(&bytes, &Type::Dynamic).unwrap_err();
        assert!(err.message.contains("concrete type"), "{err}");
    }

    #[test]
    fn refined_unknown_reads_as_unknown() {
        // ext type 12 with a payload of refinements
        let bytes = [0xd4, 0x0c, 0x01];
        assert_eq!(
            Value::from_msgpack(&bytes, &Type::String).unwrap(),
            Value::Unknown
        );
        let bytes = [0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc3];
        assert_eq!(
            Value::from_msgpack(&bytes, &Type::list(Type::String)).unwrap(),
            Value::Unknown
        );
    }

    #[test]
    fn objects_always_carry_every_attribute() {
        let ty = Type::object([("a", Type::String), ("b", Type::Number)]);
        let v = Value::Object(BTreeMap::from([("a".to_string(), Value::string("x"))]));
        let back = Value::from_msgpack(&v.to_msgpack(&ty).unwrap(), &ty).unwrap();
        assert_eq!(back.attr("b"), &Value::Null);
        assert_eq!(back.attr("a"), &Value::string("x"));
    }

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
