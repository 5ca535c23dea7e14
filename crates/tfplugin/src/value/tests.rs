//! Property tests of the codecs: every value survives a round trip, and
//! no input makes decoding panic.

use proptest::prelude::*;

use super::{Number, Type, Value};

fn arb_type() -> impl Strategy<Value = Type> {
    let leaf = prop_oneof![Just(Type::Bool), Just(Type::Number), Just(Type::String)];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(Type::list),
            inner.clone().prop_map(Type::set),
            inner.clone().prop_map(Type::map),
            prop::collection::btree_map("[a-z_]{1,6}", inner.clone(), 0..4).prop_map(Type::Object),
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
        Type::Map(t) => prop::collection::btree_map(".{0,5}", arb_value(*t, allow_unknown), 0..4)
            .prop_map(Value::Map)
            .boxed(),
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
