//! Hostile input against the provider, in process: random and mutated
//! msgpack and JSON for the value decoders, and for every RPC that takes a
//! value (random bytes, truncations, lengths that lie, deep nesting, 1 MB
//! strings). Run with `cargo bench --bench fuzz` (a million inputs, reports
//! inputs per second and panics); under `cargo test` a short smoke run. Any
//! panic fails the run. No AWS call is made: the provider is never
//! configured, so every RPC that needs AWS stops at its diagnostics.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

use terraform_provider_rootaccess::provider::RootAccessProvider;
use tfplugin::proto::tfplugin5 as pb;
use tfplugin::proto::tfplugin5::provider_server::Provider as ProviderRpc;
use tfplugin::{Provider, ProviderService, Type, Value};
use tonic::Request;

// Shared with the property test; this benchmark uses part of it.
#[allow(dead_code)]
#[path = "../tests/it/support/rng.rs"]
mod rng;
use rng::Rng;

/// A random value of `ty`: known, unknown or null at every level.
fn value_of(rng: &mut Rng, ty: &Type, depth: usize) -> Value {
    match rng.below(10) {
        0 => return Value::Null,
        1 => return Value::Unknown,
        _ => {}
    }
    match ty {
        Type::Bool => Value::Bool(rng.below(2) == 0),
        Type::Number => Value::Number(tfplugin::Number::from_i64(rng.next() as i64)),
        Type::String => match rng.below(20) {
            0 => Value::String("x".repeat(1 << 20)),
            1 => Value::String(String::from_utf8_lossy(&rng.bytes(16)).into_owned()),
            _ => Value::string(format!("{}", rng.next() % 1_000_000_000_000)),
        },
        Type::Dynamic => Value::string("dynamic"),
        Type::List(t) | Type::Set(t) if depth < 4 => {
            let items = (0..rng.below(4))
                .map(|_| value_of(rng, t, depth + 1))
                .collect();
            if matches!(ty, Type::List(_)) {
                Value::List(items)
            } else {
                Value::Set(items)
            }
        }
        Type::Map(t) if depth < 4 => Value::Map(
            (0..rng.below(4))
                .map(|i| (format!("k{i}"), value_of(rng, t, depth + 1)))
                .collect(),
        ),
        Type::Object(attrs) => Value::Object(
            attrs
                .iter()
                .map(|(k, t)| (k.clone(), value_of(rng, t, depth + 1)))
                .collect(),
        ),
        Type::Tuple(ts) => Value::Tuple(ts.iter().map(|t| value_of(rng, t, depth + 1)).collect()),
        _ => Value::Null,
    }
}

/// Hostile bytes meant for `ty`: random, a valid encoding mutated (bytes
/// flipped, cut short, lengths that lie), or deep nesting.
fn hostile_msgpack(rng: &mut Rng, ty: &Type) -> Vec<u8> {
    match rng.below(8) {
        0 => {
            let n = rng.below(64);
            rng.bytes(n)
        }
        1 => {
            // Nested arrays far deeper than any schema.
            let depth = 1 + rng.below(100_000);
            let mut b = vec![0x91; depth];
            b.push(0xc0);
            b
        }
        2 => {
            // A 32-bit length that promises far more than follows.
            let mut b = vec![0xdd, 0xff, 0xff, 0xff, 0xf0];
            let n = rng.below(8);
            b.extend(rng.bytes(n));
            b
        }
        _ => {
            let mut bytes = value_of(rng, ty, 0).to_msgpack(ty).unwrap_or_default();
            match rng.below(3) {
                0 if !bytes.is_empty() => {
                    let cut = rng.below(bytes.len());
                    bytes.truncate(cut);
                }
                1 if !bytes.is_empty() => {
                    for _ in 0..1 + rng.below(4) {
                        let at = rng.below(bytes.len());
                        bytes[at] = rng.next() as u8;
                    }
                }
                _ => {}
            }
            bytes
        }
    }
}

fn dynamic(bytes: Vec<u8>) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: bytes,
        json: Vec::new(),
    })
}

fn main() {
    let benchmarking = std::env::args().any(|a| a == "--bench");
    // The smoke run proves the benchmark runs and finds no panic in a few
    // thousand inputs; the value decoders' property tests
    // (crates/tfplugin/src/value/tests.rs) run under `cargo test` as well.
    let inputs: usize = if benchmarking { 1_000_000 } else { 5_000 };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let provider = RootAccessProvider;
    let resources: Vec<(String, Type)> = provider
        .resources()
        .iter()
        .map(|r| (r.type_name().to_string(), r.schema().value_type()))
        .collect();
    let data_sources: Vec<(String, Type)> = provider
        .data_sources()
        .iter()
        .map(|d| (d.type_name().to_string(), d.schema().value_type()))
        .collect();
    let provider_type = provider.schema().value_type();
    let service = ProviderService::new(RootAccessProvider);
    // Panics are caught and counted; keep their messages off stderr.
    std::panic::set_hook(Box::new(|_| {}));

    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let mut panics = 0usize;
    let started = Instant::now();
    for i in 0..inputs {
        let (name, ty) = &resources[i % resources.len()];
        let (source, source_ty) = &data_sources[i % data_sources.len()];
        let bytes = hostile_msgpack(&mut rng, ty);
        let outcome = catch_unwind(AssertUnwindSafe(|| match i % 8 {
            0 => drop(Value::from_msgpack(&bytes, ty)),
            1 => {
                let text = String::from_utf8_lossy(&bytes);
                if let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) {
                    drop(Value::from_json(&json, ty));
                    drop(Type::from_json(&json));
                }
            }
            2 => drop(
                runtime.block_on(service.validate_resource_type_config(Request::new(
                    pb::validate_resource_type_config::Request {
                        type_name: name.clone(),
                        config: dynamic(bytes.clone()),
                        ..Default::default()
                    },
                ))),
            ),
            3 => drop(runtime.block_on(service.plan_resource_change(Request::new(
                pb::plan_resource_change::Request {
                    type_name: name.clone(),
                    prior_state: dynamic(hostile_msgpack(&mut Rng(i as u64 + 1), ty)),
                    proposed_new_state: dynamic(bytes.clone()),
                    config: dynamic(bytes.clone()),
                    ..Default::default()
                },
            )))),
            4 => drop(
                runtime.block_on(service.upgrade_resource_state(Request::new(
                    pb::upgrade_resource_state::Request {
                        type_name: name.clone(),
                        version: (i % 3) as i64 - 1,
                        raw_state: Some(pb::RawState {
                            json: bytes.clone(),
                            flatmap: Default::default(),
                        }),
                    },
                ))),
            ),
            5 => drop(runtime.block_on(service.read_data_source(Request::new(
                pb::read_data_source::Request {
                    type_name: source.clone(),
                    config: dynamic(hostile_msgpack(&mut Rng(i as u64 + 7), source_ty)),
                    ..Default::default()
                },
            )))),
            6 => drop(
                runtime.block_on(service.prepare_provider_config(Request::new(
                    pb::prepare_provider_config::Request {
                        config: dynamic(hostile_msgpack(&mut Rng(i as u64 + 3), &provider_type)),
                    },
                ))),
            ),
            _ => drop(runtime.block_on(service.import_resource_state(Request::new(
                pb::import_resource_state::Request {
                    type_name: name.clone(),
                    id: String::from_utf8_lossy(&bytes).into_owned(),
                    ..Default::default()
                },
            )))),
        }));
        if outcome.is_err() {
            panics += 1;
        }
    }
    let elapsed = started.elapsed();
    let _ = std::panic::take_hook();
    println!(
        "fuzz: {inputs} hostile inputs over the value decoders and 6 RPCs in {elapsed:.2?} ({:.0} inputs/s), {panics} panics",
        inputs as f64 / elapsed.as_secs_f64()
    );
    assert_eq!(panics, 0, "the provider panicked on hostile input");
}
