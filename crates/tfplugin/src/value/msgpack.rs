//! Terraform's msgpack encoding of values, the form every request and
//! answer carries (`DynamicValue.msgpack`).

use std::collections::BTreeMap;
use std::fmt;
use std::io::Write;

use rmp::Marker;

use super::{Number, Type, Value, ValueError, mismatch};

impl Value {
    /// Decodes Terraform's msgpack encoding of a value of type `ty`.
    /// An empty buffer is the null value.
    pub fn from_msgpack(bytes: &[u8], ty: &Type) -> Result<Value, ValueError> {
        if bytes.is_empty() {
            return Ok(Value::Null);
        }
        let mut reader = bytes;
        let value = decode_msgpack(&mut reader, ty, 0)?;
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
}

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

/// How deeply values may nest. Schemas nest a few levels; only a crafted
/// message (dynamic values naming `["list","dynamic"]` again and again)
/// goes deeper, and must not exhaust the stack.
pub(crate) const MAX_DEPTH: usize = 64;

fn decode_msgpack(r: &mut &[u8], ty: &Type, depth: usize) -> Result<Value, ValueError> {
    if depth > MAX_DEPTH {
        return Err(ValueError::new(format!(
            "value nested more than {MAX_DEPTH} levels deep"
        )));
    }
    let depth = depth + 1;
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
            decode_msgpack(r, &concrete, depth)
        }
        Type::List(t) | Type::Set(t) => {
            let n = array_len(r, marker)?;
            let items = (0..n)
                .map(|_| decode_msgpack(r, t, depth))
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
                    .map(|t| decode_msgpack(r, t, depth))
                    .collect::<Result<_, _>>()?,
            ))
        }
        Type::Map(t) => {
            let n = map_len(r, marker)?;
            let mut out = BTreeMap::new();
            for _ in 0..n {
                let km = read_marker(r)?;
                let k = read_text(r, km)?;
                out.insert(k, decode_msgpack(r, t, depth)?);
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
                out.insert(k, decode_msgpack(r, t, depth)?);
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
    fn nested_dynamic_values_are_refused_past_the_depth_limit() {
        // [ "[\"list\",\"dynamic\"]" , [ [ "[\"list\",\"dynamic\"]", [ ... ] ] ] ]:
        // each level names a list of dynamic values again.
        fn nested(levels: usize) -> Vec<u8> {
            let ty = br#"["list","dynamic"]"#;
            let mut bytes = Vec::new();
            for _ in 0..levels {
                bytes.push(0x92); // [type, value]
                bytes.push(0xc4); // bin8
                bytes.push(ty.len() as u8);
                bytes.extend_from_slice(ty);
                bytes.push(0x91); // a list of one element
            }
            bytes.push(0x92);
            bytes.push(0xc4);
            bytes.push(8);
            bytes.extend_from_slice(br#""string""#);
            bytes.push(0xa1);
            bytes.push(b'x');
            bytes
        }
        assert!(Value::from_msgpack(&nested(10), &Type::Dynamic).is_ok());
        let err = Value::from_msgpack(&nested(100_000), &Type::Dynamic).unwrap_err();
        assert!(err.to_string().contains("nested more than"), "{err}");
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
}
