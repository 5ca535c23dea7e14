//! The service end to end: requests in, protocol answers out, through a
//! resource whose behaviour the tests steer.

use std::sync::Arc;

use async_trait::async_trait;
use tonic::Request;

use super::ProviderService;
use super::wire::path_to_proto;
use crate::diag::{AttributePath, Diagnostics};
use serde::{Deserialize, Serialize};

use crate::framework::{
    ListResource, ListResourceType, ListResults, Listed, Nothing, Provider, ReadOutcome, Resource,
    ResourceType,
};
use crate::identity::{IdentityAttribute, IdentitySchema};
use crate::proto::tfplugin5 as pb;
use crate::proto::tfplugin5::provider_server::Provider as ProviderRpc;
use crate::schema::{Attribute, Schema};
use crate::value::Known;
use crate::value::{Type, Value};

/// Every attribute of a widget; `Known` everywhere, so one model serves the
/// configuration, the plan and the state (and a state can be left unknown).
#[derive(Serialize, Deserialize, Clone, Default)]
struct WidgetModel {
    name: Known<String>,
    note: Known<Option<String>>,
    id: Known<Option<String>>,
    etag: Known<Option<String>>,
    mode: Known<Option<String>>,
    secret: Known<Option<String>>,
}

impl WidgetModel {
    fn note(&self) -> Option<&str> {
        self.note.get().and_then(|n| n.as_deref())
    }
}

fn known(text: impl Into<String>) -> Known<Option<String>> {
    Known::Value(Some(text.into()))
}

/// A resource whose behaviour the tests steer through its own attributes.
struct Widget;

#[async_trait]
impl Resource<()> for Widget {
    type Config = WidgetModel;
    type Planned = WidgetModel;
    type State = WidgetModel;
    type Private = Nothing;

    fn type_name(&self) -> &'static str {
        "test_widget"
    }
    fn schema(&self) -> Schema {
        Schema::new("widget")
            .attribute(Attribute::string("name").required().requires_replace())
            .attribute(Attribute::string("note").optional())
            .attribute(Attribute::string("id").computed().use_state_for_unknown())
            .attribute(Attribute::string("etag").computed())
            .attribute(Attribute::string("mode").default(Value::string("fast")))
            .attribute(Attribute::string("secret").optional().write_only())
    }
    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(IdentitySchema::new().attribute(IdentityAttribute::string("name", "The name.")))
    }
    async fn create(
        &self,
        _: &(),
        planned: &WidgetModel,
        _: &mut Diagnostics,
    ) -> Option<WidgetModel> {
        let mut state = planned.clone();
        state.id = known("w-1");
        if planned.note() != Some("leave-unknown") {
            state.etag = known("e1");
        }
        Some(state)
    }
    async fn read(
        &self,
        _: &(),
        state: &WidgetModel,
        _: &mut Diagnostics,
    ) -> ReadOutcome<WidgetModel> {
        if state.note() == Some("gone") {
            ReadOutcome::gone("the test object is gone")
        } else {
            ReadOutcome::Present(state.clone())
        }
    }
    async fn update(
        &self,
        _: &(),
        _: &WidgetModel,
        planned: &WidgetModel,
        _: &mut Diagnostics,
    ) -> Option<WidgetModel> {
        let mut state = planned.clone();
        state.etag = known("e2");
        Some(state)
    }
    async fn delete(&self, _: &(), _: &WidgetModel, _: &mut Diagnostics) {}
    fn plan_destroy(&self, _: &WidgetModel, diags: &mut Diagnostics) {
        diags.warning("Widget deleted", "Destroy deletes the widget.");
    }
    async fn import(&self, _: &(), id: &str, _: &mut Diagnostics) -> Option<WidgetModel> {
        Some(WidgetModel {
            id: known(id),
            name: Known::Value(id.to_string()),
            note: Known::Value(None),
            etag: Known::Value(None),
            mode: Known::Value(None),
            secret: Known::Value(None),
        })
    }
}

/// Lists five widgets, `w0` to `w4`, counting how many it produced.
struct WidgetList(Arc<std::sync::atomic::AtomicUsize>);

#[async_trait]
impl ListResource<()> for WidgetList {
    type Config = Nothing;
    type State = WidgetModel;

    fn type_name(&self) -> &'static str {
        "test_widget"
    }
    fn schema(&self) -> Schema {
        Schema::new("widgets").attribute(Attribute::string("prefix").optional())
    }
    async fn list(
        &self,
        _: &(),
        _: &Nothing,
        results: &ListResults<'_, WidgetModel>,
        diags: &mut Diagnostics,
    ) {
        for i in 0..5 {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let state = WidgetModel {
                name: Known::Value(format!("w{i}")),
                mode: known("fast"),
                note: Known::Value(None),
                id: Known::Value(None),
                etag: Known::Value(None),
                secret: Known::Value(None),
            };
            if !results
                .send(Listed {
                    display_name: format!("widget {i}"),
                    state,
                })
                .await
            {
                return;
            }
        }
        diags.warning("One widget skipped", "w5 could not be read.");
    }
}

struct TestProvider;

#[async_trait]
impl Provider for TestProvider {
    type Client = ();
    type Config = Nothing;
    fn type_name(&self) -> &'static str {
        "test"
    }
    fn schema(&self) -> Schema {
        Schema::new("test")
    }
    async fn configure(&self, _: &Nothing, _: &mut Diagnostics) -> Option<()> {
        Some(())
    }
    fn resources(&self) -> Vec<ResourceType<()>> {
        vec![ResourceType::new(Widget)]
    }
    fn list_resources(&self) -> Vec<ListResourceType<()>> {
        vec![ListResourceType::new(WidgetList(
            LISTED.with(|l| l.clone()),
        ))]
    }
}

thread_local! {
    /// How many widgets the list resource of this test thread produced.
    static LISTED: Arc<std::sync::atomic::AtomicUsize> = Arc::default();
}

async fn service() -> ProviderService<TestProvider> {
    let s = ProviderService::new(TestProvider);
    s.configure(Request::new(pb::configure::Request::default()))
        .await
        .unwrap();
    s
}

fn ty() -> Type {
    Widget.schema().value_type()
}

fn obj(pairs: &[(&str, Value)]) -> Value {
    let mut v = Value::Object(ty_keys().into_iter().map(|k| (k, Value::Null)).collect());
    for (k, x) in pairs {
        v.set_attr(k, x.clone());
    }
    v
}

fn ty_keys() -> Vec<String> {
    match ty() {
        Type::Object(m) => m.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

fn dv(v: &Value) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: v.to_msgpack(&ty()).unwrap(),
        json: Vec::new(),
    })
}

fn val(d: &Option<pb::DynamicValue>) -> Value {
    Value::from_msgpack(&d.as_ref().unwrap().msgpack, &ty()).unwrap()
}

async fn plan(
    s: &ProviderService<TestProvider>,
    prior: &Value,
    config: &Value,
    proposed: &Value,
) -> pb::plan_resource_change::Response {
    let req = pb::plan_resource_change::Request {
        type_name: "test_widget".into(),
        prior_state: dv(prior),
        proposed_new_state: dv(proposed),
        config: dv(config),
        ..Default::default()
    };
    s.plan_resource_change(Request::new(req))
        .await
        .unwrap()
        .into_inner()
}

#[tokio::test]
async fn create_plan_marks_computed_unknown_applies_defaults_and_drops_write_only() {
    let s = service().await;
    let config = obj(&[
        ("name", Value::string("a")),
        ("secret", Value::string("s3cr3t")),
    ]);
    let resp = plan(&s, &Value::Null, &config, &config).await;
    assert!(resp.diagnostics.is_empty());
    let planned = val(&resp.planned_state);
    assert_eq!(planned.attr("id"), &Value::Unknown);
    assert_eq!(planned.attr("etag"), &Value::Unknown);
    assert_eq!(planned.attr("mode"), &Value::string("fast"));
    assert_eq!(planned.attr("secret"), &Value::Null);
    assert!(resp.requires_replace.is_empty());
}

#[tokio::test]
async fn update_plan_keeps_stable_computed_values_and_replaces_only_on_real_change() {
    let s = service().await;
    let prior = obj(&[
        ("name", Value::string("a")),
        ("id", Value::string("w-1")),
        ("etag", Value::string("e1")),
        ("mode", Value::string("fast")),
    ]);
    // No change: the plan equals the prior state.
    let config = obj(&[("name", Value::string("a"))]);
    let mut proposed = prior.clone();
    let resp = plan(&s, &prior, &config, &proposed).await;
    assert_eq!(val(&resp.planned_state), prior);
    assert!(resp.requires_replace.is_empty());
    // In-place change of `note`: id stays, etag becomes unknown, no replacement.
    proposed.set_attr("note", Value::string("n"));
    let config = obj(&[("name", Value::string("a")), ("note", Value::string("n"))]);
    let resp = plan(&s, &prior, &config, &proposed).await;
    let planned = val(&resp.planned_state);
    assert_eq!(planned.attr("id"), &Value::string("w-1"));
    assert_eq!(planned.attr("etag"), &Value::Unknown);
    assert!(resp.requires_replace.is_empty());
    // Changing `name` forces replacement, pointing at that attribute.
    proposed.set_attr("name", Value::string("b"));
    let config = obj(&[("name", Value::string("b")), ("note", Value::string("n"))]);
    let resp = plan(&s, &prior, &config, &proposed).await;
    assert_eq!(
        resp.requires_replace,
        vec![path_to_proto(&AttributePath::root("name"))]
    );
}

#[tokio::test]
async fn destroy_plans_null() {
    let s = service().await;
    let prior = obj(&[("name", Value::string("a")), ("id", Value::string("w-1"))]);
    let resp = plan(&s, &prior, &Value::Null, &Value::Null).await;
    assert_eq!(val(&resp.planned_state), Value::Null);
}

#[tokio::test]
async fn apply_must_return_a_wholly_known_object() {
    let s = service().await;
    let mut planned = obj(&[
        ("name", Value::string("a")),
        ("mode", Value::string("fast")),
    ]);
    planned.set_attr("id", Value::Unknown);
    planned.set_attr("etag", Value::Unknown);
    let apply = |planned: Value| pb::apply_resource_change::Request {
        type_name: "test_widget".into(),
        prior_state: dv(&Value::Null),
        planned_state: dv(&planned),
        config: dv(&planned),
        ..Default::default()
    };
    let ok = s
        .apply_resource_change(Request::new(apply(planned.clone())))
        .await
        .unwrap()
        .into_inner();
    assert!(ok.diagnostics.is_empty());
    assert_eq!(val(&ok.new_state).attr("etag"), &Value::string("e1"));
    planned.set_attr("note", Value::string("leave-unknown"));
    let bad = s
        .apply_resource_change(Request::new(apply(planned)))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(bad.diagnostics.len(), 1);
    assert!(bad.diagnostics[0].summary.contains("incomplete"));
}

#[tokio::test]
async fn read_of_a_vanished_object_returns_null() {
    let s = service().await;
    let state = obj(&[
        ("name", Value::string("a")),
        ("note", Value::string("gone")),
        ("id", Value::string("x")),
    ]);
    let req = pb::read_resource::Request {
        type_name: "test_widget".into(),
        current_state: dv(&state),
        ..Default::default()
    };
    let resp = s
        .read_resource(Request::new(req))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(val(&resp.new_state), Value::Null);
}

#[tokio::test]
async fn import_names_the_type_and_upgrade_passes_state_through() {
    let s = service().await;
    let req = pb::import_resource_state::Request {
        type_name: "test_widget".into(),
        id: "w-9".into(),
        ..Default::default()
    };
    let resp = s
        .import_resource_state(Request::new(req))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(resp.imported_resources.len(), 1);
    assert_eq!(resp.imported_resources[0].type_name, "test_widget");
    assert_eq!(
        val(&resp.imported_resources[0].state).attr("id"),
        &Value::string("w-9")
    );

    let stored =
        br#"{"name":"a","note":null,"id":"w-1","etag":"e1","mode":"fast","secret":null}"#.to_vec();
    let req = pb::upgrade_resource_state::Request {
        type_name: "test_widget".into(),
        version: 0,
        raw_state: Some(pb::RawState {
            json: stored,
            flatmap: Default::default(),
        }),
    };
    let resp = s
        .upgrade_resource_state(Request::new(req))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(val(&resp.upgraded_state).attr("etag"), &Value::string("e1"));
}

#[tokio::test]
async fn unknown_types_are_diagnostics_not_grpc_errors() {
    let s = service().await;
    let req = pb::read_resource::Request {
        type_name: "test_nothing".into(),
        ..Default::default()
    };
    let resp = s
        .read_resource(Request::new(req))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        resp.diagnostics[0].severity,
        pb::diagnostic::Severity::Error as i32
    );
    assert!(resp.diagnostics[0].detail.contains("test_nothing"));
}

#[test]
fn registration_mistakes_are_reported() {
    let problems = super::registration_problems(
        "test",
        &[(
            "resource",
            vec!["test_widget", "test_widget", "other_thing"],
        )],
    );
    assert_eq!(
        problems,
        [
            "resource test_widget is registered more than once",
            "resource other_thing does not start with test_",
        ]
    );
}

/// Counts how often its declarations are asked for.
struct CountingProvider;

static DECLARED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

#[async_trait]
impl Provider for CountingProvider {
    type Client = ();
    type Config = Nothing;
    fn type_name(&self) -> &'static str {
        "test"
    }
    fn schema(&self) -> Schema {
        DECLARED.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Schema::new("test")
    }
    async fn configure(&self, _: &Nothing, _: &mut Diagnostics) -> Option<()> {
        Some(())
    }
    fn resources(&self) -> Vec<ResourceType<()>> {
        vec![ResourceType::new(Widget)]
    }
}

#[tokio::test]
async fn schemas_are_built_on_the_first_call_that_needs_them_and_once() {
    use std::sync::atomic::Ordering::SeqCst;
    let s = ProviderService::new(CountingProvider);
    assert_eq!(DECLARED.load(SeqCst), 0, "nothing built on the start path");
    for _ in 0..2 {
        let schema = s
            .get_schema(Request::new(pb::get_provider_schema::Request::default()))
            .await
            .unwrap()
            .into_inner();
        assert!(schema.resource_schemas.contains_key("test_widget"));
    }
    assert_eq!(DECLARED.load(SeqCst), 1);
}

mod identity_and_lists;
