//! Terraform's plan rules as a property of every resource: for generated
//! configurations (known, unknown, null and empty values) and prior states
//! (none, or an earlier object with attributes changed), PlanResourceChange
//! must return a plan Terraform accepts. The rules are Terraform's own
//! (objchange.AssertPlanValid): a configured value is planned as configured
//! (or as the prior value, when equal in meaning), an unknown configured
//! value stays unknown, a null non-computed value stays null. Plans run in
//! process without a configured provider (no AWS), as Terraform plans when
//! the provider configuration is not known yet.
//!
//! The second property runs against the local endpoint, through the service
//! in process: for generated valid configurations of every resource, apply
//! keeps every known planned value, a refresh after apply changes nothing,
//! the plan after apply is empty, and read after import equals read after
//! create in every attribute an import can know.

use std::collections::BTreeMap;

use terraform_provider_rootaccess::provider::RootAccessProvider;
use tfplugin::proto::tfplugin5 as pb;
use tfplugin::proto::tfplugin5::provider_server::Provider as ProviderRpc;
use tfplugin::{Attribute, Provider, ProviderService, Type, Value};
use tonic::Request;

use crate::support::rng::Rng;

/// Plausible known values, so plans get past validation most of the time.
const STRINGS: &[&str] = &[
    "111111111111",
    "222222222222",
    "dev-locked-bucket",
    "us-east-1",
    "eu-west-1",
    "o-abcdefghij",
    "https://sqs.us-east-1.amazonaws.com/111111111111/locked-queue",
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*"}]}"#,
    r#"{ "Statement" : [ { "Action" : "s3:*", "Principal" : "*", "Effect" : "Deny" } ], "Version" : "2012-10-17" }"#,
    r#"{"Version":"2012-10-17","Statement":[]}"#,
    "",
];
const NAMES: &[&str] = &[
    "password",
    "access_keys",
    "signing_certificates",
    "mfa_devices",
    "RootCredentialsManagement",
    "RootSessions",
];

fn known(rng: &mut Rng, ty: &Type) -> Value {
    match ty {
        Type::Bool => Value::Bool(rng.next().is_multiple_of(2)),
        Type::String => Value::string(*rng.pick(STRINGS)),
        Type::Set(t) | Type::List(t) if **t == Type::String => {
            let n = (rng.next() % 3) as usize;
            let mut items: Vec<Value> = (0..n).map(|_| Value::string(*rng.pick(NAMES))).collect();
            items.sort_by_key(|v| v.as_str().map(str::to_string));
            items.dedup();
            if matches!(ty, Type::Set(_)) {
                Value::Set(items)
            } else {
                Value::List(items)
            }
        }
        Type::Map(t) if **t == Type::String => Value::Map(BTreeMap::from([(
            "run".to_string(),
            Value::string(format!("{}", rng.next() % 3)),
        )])),
        Type::Map(t) => Value::Map(BTreeMap::from([(
            "111111111111".to_string(),
            known(rng, t),
        )])),
        Type::Object(attributes) => Value::Object(
            attributes
                .iter()
                .map(|(name, t)| (name.clone(), known(rng, t)))
                .collect(),
        ),
        _ => Value::Null,
    }
}

/// A configuration value for `attr`: known, unknown, null or empty.
fn config_value(rng: &mut Rng, attr: &Attribute) -> Value {
    if attr.computed && !attr.optional && !attr.required {
        return Value::Null; // not settable
    }
    match rng.next() % 6 {
        0 => Value::Unknown,
        1 if !attr.required => Value::Null,
        _ => known(rng, &attr.ty),
    }
}

/// Terraform's proposed new state: configured values, and for computed
/// attributes left null the prior value.
fn proposed(attrs: &[Attribute], config: &Value, prior: &Value) -> Value {
    let mut out = Value::Object(BTreeMap::new());
    for a in attrs {
        let c = config.attr(a.name).clone();
        let v = if c.is_null() && a.computed {
            prior.attr(a.name).clone()
        } else {
            c
        };
        out.set_attr(a.name, v);
    }
    out
}

/// Terraform's rule for one attribute's planned value (objchange.AssertPlanValid).
fn check(attr: &Attribute, config: &Value, prior: &Value, planned: &Value) -> Result<(), String> {
    let (c, p, pl) = (
        config.attr(attr.name),
        prior.attr(attr.name),
        planned.attr(attr.name),
    );
    if c.is_unknown() && !pl.is_unknown() {
        return Err(format!("{}: config unknown, planned {pl:?}", attr.name));
    }
    // A configured value is planned as configured, or as the prior value
    // when the provider kept an equal-in-meaning prior form.
    let kept_prior = !p.is_null() && pl == p;
    if !c.is_null() && c.is_wholly_known() && pl != c && !kept_prior {
        return Err(format!(
            "{}: config {c:?}, planned {pl:?}, prior {p:?}",
            attr.name
        ));
    }
    if c.is_null() && !attr.computed && !pl.is_null() {
        return Err(format!(
            "{}: null and not computed, planned {pl:?}",
            attr.name
        ));
    }
    Ok(())
}

#[test]
fn every_resource_plans_what_terraform_accepts() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let service = ProviderService::new(RootAccessProvider);
    let mut rng = Rng(0x0bad_cafe_f00d_1234);
    let mut checked = 0;
    for resource in RootAccessProvider.resources() {
        let schema = resource.schema();
        let attrs = &schema.block.attributes;
        let ty = schema.value_type();
        for round in 0..300 {
            let mut config = Value::Object(BTreeMap::new());
            for a in attrs {
                config.set_attr(a.name, config_value(&mut rng, a));
            }
            // Half the rounds update an earlier, wholly known object.
            let prior = if round % 2 == 0 {
                Value::Null
            } else {
                let mut prior = Value::Object(BTreeMap::new());
                for a in attrs {
                    let v = if a.computed || a.required || rng.next().is_multiple_of(2) {
                        known(&mut rng, &a.ty)
                    } else {
                        Value::Null
                    };
                    prior.set_attr(a.name, v);
                }
                prior
            };
            let encode = |v: &Value| {
                Some(pb::DynamicValue {
                    msgpack: v.to_msgpack(&ty).expect("encode"),
                    json: Vec::new(),
                })
            };
            let response = runtime
                .block_on(service.plan_resource_change(Request::new(
                    pb::plan_resource_change::Request {
                        type_name: resource.type_name().to_string(),
                        prior_state: encode(&prior),
                        proposed_new_state: encode(&proposed(attrs, &config, &prior)),
                        config: encode(&config),
                        ..Default::default()
                    },
                )))
                .expect("a diagnostic, never a gRPC error")
                .into_inner();
            let failed = response
                .diagnostics
                .iter()
                .any(|d| d.severity == pb::diagnostic::Severity::Error as i32);
            if failed {
                continue; // refused with a diagnostic: Terraform shows it
            }
            let planned = response
                .planned_state
                .as_ref()
                .map(|d| Value::from_msgpack(&d.msgpack, &ty).expect("decodable plan"))
                .unwrap_or(Value::Null);
            for a in attrs {
                if let Err(e) = check(a, &config, &prior, &planned) {
                    panic!(
                        "{} plans what Terraform rejects ({e})\nconfig {config:?}\nprior {prior:?}\nplanned {planned:?}",
                        resource.type_name()
                    );
                }
            }
            checked += 1;
        }
    }
    assert!(
        checked > 500,
        "too few plans got past validation: {checked}"
    );
}

/// The valid values of an attribute in the apply property below: the
/// seeded organization's objects, and every shape an optional argument takes.
fn valid_values(resource: &str, attr: &Attribute, queue_url: &str) -> Vec<Value> {
    let set = |items: &[&str]| Value::Set(items.iter().map(|s| Value::string(*s)).collect());
    if attr.computed && !attr.optional && !attr.required {
        return vec![Value::Null];
    }
    match attr.name {
        "account_id" if resource == "rootaccess_member_password_recovery" => {
            vec![Value::string("111111111111"), Value::string("222222222222")]
        }
        "account_id" => vec![Value::string("111111111111")],
        "credential_types" => vec![
            Value::Null,
            set(&["password"]),
            set(&["access_keys", "mfa_devices"]),
            set(&[
                "access_keys",
                "mfa_devices",
                "password",
                "signing_certificates",
            ]),
        ],
        "enabled_features" => vec![
            set(&["RootCredentialsManagement"]),
            set(&["RootCredentialsManagement", "RootSessions"]),
        ],
        "manage_trusted_access" => vec![Value::Null, Value::Bool(true), Value::Bool(false)],
        "bucket" => vec![Value::string("dev-locked-bucket")],
        "region" => vec![Value::Null, Value::string("us-east-1")],
        "queue_url" => vec![Value::string(queue_url)],
        // A realistic replacement: the owning account's own access. (A
        // policy without statements is refused at validation: the local SQS
        // stored it as no policy, so a refresh reported the lock back.)
        "replacement_policy" => vec![
            Value::Null,
            Value::string(
                r#"{"Version":"2012-10-17","Statement":[{"Sid":"Owner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"*","Resource":"*"}]}"#,
            ),
        ],
        "triggers" => vec![
            Value::Null,
            Value::Map(BTreeMap::from([("run".to_string(), Value::string("1"))])),
        ],
        _ => vec![Value::Null],
    }
}

/// Attributes an import cannot know, so "read after import" may differ from
/// "read after create" in them: configuration-only arguments and what this
/// resource itself did (its history).
fn unknowable_by_import(resource: &str) -> &'static [&'static str] {
    match resource {
        "rootaccess_member_credentials_absent" => &[
            "credential_types",
            "removed_password",
            "removed_access_key_ids",
            "removed_signing_certificate_ids",
            "removed_mfa_serials",
        ],
        "rootaccess_member_password_recovery" => &["adopted"],
        "rootaccess_org_features" => &["manage_trusted_access", "enabled_features"],
        // The import id names the scope; the arguments that narrow it, and
        // what an apply deleted, are the configuration's and history.
        "rootaccess_org_credentials_absent" => &[
            "credential_types",
            "exclude_account_ids",
            "accounts_with_credentials",
            "skipped_account_ids",
            "removed",
        ],
        _ => &[
            "replacement_policy",
            "triggers",
            "removed_policy",
            "unlocked",
        ],
    }
}

/// Through the service in process, configured against the local endpoint:
/// for generated valid configurations of every resource, apply returns
/// every value its plan knew, the plan after apply is empty, a refresh after
/// apply changes nothing, and read after import equals read after create in
/// every attribute an import can know.
#[test]
fn every_resource_applies_what_it_planned_and_plans_nothing_after() {
    use crate::support::aws::AwsEndpoint;
    use serde_json::json;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let aws = AwsEndpoint::start();
    let scenario = json!({
        "organization": {"feature_set": "ALL"},
        "trusted_access": ["iam.amazonaws.com"],
        "features": ["RootCredentialsManagement", "RootSessions"],
        "accounts": [
            {"id": "111111111111", "name": "dev",
             "root_credentials": {"password": true, "access_keys": 2, "mfa_devices": 1, "signing_certificates": 1},
             "buckets": [{"name": "dev-locked-bucket", "policy": "deny-all"}],
             "queues": [{"name": "locked-queue", "policy": "deny-all"}]},
            {"id": "222222222222", "name": "security", "root_credentials": {"password": true}}
        ]
    });
    let provider_ty = RootAccessProvider.schema().value_type();
    let u = &aws.url;
    let provider_config = Value::from_json(
        &json!({"access_key": aws.access_key_id, "secret_key": aws.secret_access_key, "region": aws.region,
                "s3_use_path_style": true,
                "endpoints": {"sts": u, "iam": u, "s3": u, "sqs": u, "organizations": u}}),
        &provider_ty,
    )
    .expect("provider configuration");
    let mut rng = Rng(0x05ee_d0fa_9917_u64);
    let mut applied = 0;
    for resource in RootAccessProvider.resources() {
        let name = resource.type_name();
        let schema = resource.schema();
        let attrs = &schema.block.attributes;
        let ty = schema.value_type();
        let dv = |v: &Value| {
            Some(pb::DynamicValue {
                msgpack: v.to_msgpack(&ty).expect("encode"),
                json: Vec::new(),
            })
        };
        let val = |d: &Option<pb::DynamicValue>| {
            d.as_ref()
                .map(|d| Value::from_msgpack(&d.msgpack, &ty).expect("decode"))
                .unwrap_or(Value::Null)
        };
        let errors = |diags: &[pb::Diagnostic]| -> Vec<String> {
            diags
                .iter()
                .filter(|d| d.severity == pb::diagnostic::Severity::Error as i32)
                .map(|d| format!("{}: {}", d.summary, d.detail))
                .collect()
        };
        for _ in 0..10 {
            let seeded = aws.seed(scenario.clone());
            let queue_url = seeded["accounts"]["111111111111"]["queues"]["locked-queue"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            // A fresh process per round: nothing cached from the last one.
            let service = ProviderService::new(RootAccessProvider);
            runtime
                .block_on(service.configure(Request::new(pb::configure::Request {
                    config: Some(pb::DynamicValue {
                        msgpack: provider_config.to_msgpack(&provider_ty).expect("encode"),
                        json: Vec::new(),
                    }),
                    ..Default::default()
                })))
                .expect("configure");
            let mut config = Value::Object(BTreeMap::new());
            for a in attrs {
                let choices = valid_values(name, a, &queue_url);
                config.set_attr(a.name, rng.pick(&choices).clone());
            }
            let plan = |prior: &Value| {
                runtime
                    .block_on(service.plan_resource_change(Request::new(
                        pb::plan_resource_change::Request {
                            type_name: name.to_string(),
                            prior_state: dv(prior),
                            proposed_new_state: dv(&proposed(attrs, &config, prior)),
                            config: dv(&config),
                            ..Default::default()
                        },
                    )))
                    .expect("plan")
                    .into_inner()
            };
            let read = |state: &Value| {
                runtime
                    .block_on(
                        service.read_resource(Request::new(pb::read_resource::Request {
                            type_name: name.to_string(),
                            current_state: dv(state),
                            ..Default::default()
                        })),
                    )
                    .expect("read")
                    .into_inner()
            };
            let first = plan(&Value::Null);
            assert_eq!(
                errors(&first.diagnostics),
                Vec::<String>::new(),
                "{name} plan of {config:?}"
            );
            let planned = val(&first.planned_state);
            let applied_response = runtime
                .block_on(service.apply_resource_change(Request::new(
                    pb::apply_resource_change::Request {
                        type_name: name.to_string(),
                        prior_state: dv(&Value::Null),
                        planned_state: first.planned_state.clone(),
                        config: dv(&config),
                        ..Default::default()
                    },
                )))
                .expect("apply")
                .into_inner();
            assert_eq!(
                errors(&applied_response.diagnostics),
                Vec::<String>::new(),
                "{name} apply of {config:?}"
            );
            let state = val(&applied_response.new_state);
            for a in attrs {
                let (p, s) = (planned.attr(a.name), state.attr(a.name));
                assert!(
                    !p.is_wholly_known() || p.same_as(s),
                    "{name}.{}: planned {p:?}, applied {s:?}",
                    a.name
                );
            }
            // A refresh right after the apply finds what the apply said.
            let refreshed = read(&state);
            assert_eq!(
                errors(&refreshed.diagnostics),
                Vec::<String>::new(),
                "{name} read"
            );
            let refreshed_state = val(&refreshed.new_state);
            assert!(
                refreshed_state.same_as(&state),
                "{name}: read {refreshed_state:?} after apply {state:?}; the endpoint holds {}",
                aws.account("111111111111")
            );
            // The next plan changes nothing.
            let again = plan(&refreshed_state);
            assert_eq!(
                errors(&again.diagnostics),
                Vec::<String>::new(),
                "{name} second plan"
            );
            assert!(
                val(&again.planned_state).same_as(&refreshed_state)
                    && again.requires_replace.is_empty(),
                "{name}: plan after apply is not empty: {:?} vs {refreshed_state:?}",
                val(&again.planned_state)
            );
            // Import by the resource's id, then read: the same object.
            let id = state.attr("id").as_str().unwrap_or_default().to_string();
            let imported = runtime
                .block_on(service.import_resource_state(Request::new(
                    pb::import_resource_state::Request {
                        type_name: name.to_string(),
                        id,
                        ..Default::default()
                    },
                )))
                .expect("import")
                .into_inner();
            assert_eq!(
                errors(&imported.diagnostics),
                Vec::<String>::new(),
                "{name} import"
            );
            let skeleton = val(&imported.imported_resources[0].state);
            let after_import = val(&read(&skeleton).new_state);
            for a in attrs {
                if unknowable_by_import(name).contains(&a.name) {
                    continue;
                }
                assert!(
                    after_import
                        .attr(a.name)
                        .same_as(refreshed_state.attr(a.name)),
                    "{name}.{}: read after import {:?}, read after create {:?}",
                    a.name,
                    after_import.attr(a.name),
                    refreshed_state.attr(a.name)
                );
            }
            applied += 1;
        }
    }
    assert_eq!(applied, 10 * RootAccessProvider.resources().len());
}
