//! Resource identity and list resources through the gRPC service.

use super::*;

fn identity_ty() -> Type {
    Widget.identity_schema().unwrap().value_type()
}

fn identity(name: &str) -> Option<pb::ResourceIdentityData> {
    let v = Value::Object([("name".to_string(), Value::string(name))].into());
    Some(pb::ResourceIdentityData {
        identity_data: Some(pb::DynamicValue {
            msgpack: v.to_msgpack(&identity_ty()).unwrap(),
            json: Vec::new(),
        }),
    })
}

fn identity_value(data: &Option<pb::ResourceIdentityData>) -> Value {
    let d = data
        .as_ref()
        .and_then(|d| d.identity_data.as_ref())
        .unwrap();
    Value::from_msgpack(&d.msgpack, &identity_ty()).unwrap()
}

#[tokio::test]
async fn identity_comes_with_every_state_and_a_refresh_may_not_change_it() {
    let s = service().await;
    let schemas = s
        .get_resource_identity_schemas(Request::new(Default::default()))
        .await
        .unwrap()
        .into_inner();
    let widget = &schemas.identity_schemas["test_widget"];
    assert_eq!(widget.identity_attributes[0].name, "name");
    assert!(widget.identity_attributes[0].required_for_import);

    let config = obj(&[("name", Value::string("a"))]);
    let planned = plan(&s, &Value::Null, &config, &config).await;
    assert_eq!(
        identity_value(&planned.planned_identity).attr("name"),
        &Value::string("a")
    );

    let state = obj(&[
        ("name", Value::string("a")),
        ("id", Value::string("w-1")),
        ("etag", Value::string("e")),
        ("mode", Value::string("fast")),
    ]);
    let read = |current: Option<pb::ResourceIdentityData>| pb::read_resource::Request {
        type_name: "test_widget".into(),
        current_state: dv(&state),
        current_identity: current,
        ..Default::default()
    };
    let ok = s
        .read_resource(Request::new(read(identity("a"))))
        .await
        .unwrap()
        .into_inner();
    assert!(ok.diagnostics.is_empty());
    assert_eq!(
        identity_value(&ok.new_identity).attr("name"),
        &Value::string("a")
    );
    // A state written before identity existed gets one.
    let fresh = s
        .read_resource(Request::new(read(None)))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        identity_value(&fresh.new_identity).attr("name"),
        &Value::string("a")
    );
    // Stored identity "b", object now named "a": an error; state and identity stay.
    let changed = s
        .read_resource(Request::new(read(identity("b"))))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(changed.diagnostics[0].summary, "Resource identity changed");
    assert_eq!(
        identity_value(&changed.new_identity).attr("name"),
        &Value::string("b")
    );
    assert_eq!(val(&changed.new_state), state);
}

#[tokio::test]
async fn import_by_identity_and_identity_upgrades() {
    let s = service().await;
    let imported = s
        .import_resource_state(Request::new(pb::import_resource_state::Request {
            type_name: "test_widget".into(),
            id: String::new(),
            identity: identity("w-9"),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(
        imported.diagnostics.is_empty(),
        "{:?}",
        imported.diagnostics
    );
    let first = &imported.imported_resources[0];
    assert_eq!(val(&first.state).attr("id"), &Value::string("w-9"));
    assert_eq!(
        identity_value(&first.identity).attr("name"),
        &Value::string("w-9")
    );

    let upgrade = |version| pb::upgrade_resource_identity::Request {
        type_name: "test_widget".into(),
        version,
        raw_identity: Some(pb::RawState {
            json: br#"{"name":"w"}"#.to_vec(),
            ..Default::default()
        }),
    };
    let same = s
        .upgrade_resource_identity(Request::new(upgrade(0)))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        identity_value(&same.upgraded_identity).attr("name"),
        &Value::string("w")
    );
    let newer = s
        .upgrade_resource_identity(Request::new(upgrade(3)))
        .await
        .unwrap()
        .into_inner();
    assert!(newer.diagnostics[0].detail.contains("newer version"));
}

#[tokio::test]
async fn lists_stream_identities_up_to_the_limit_then_the_warnings() {
    use tokio_stream::StreamExt;
    let s = service().await;
    let request = |limit, include_resource_object| pb::list_resource::Request {
        type_name: "test_widget".into(),
        config: Some(pb::DynamicValue {
            msgpack: Value::Object([("prefix".to_string(), Value::Null)].into())
                .to_msgpack(&Type::object([("prefix", Type::String)]))
                .unwrap(),
            json: Vec::new(),
        }),
        include_resource_object,
        limit,
    };
    let events: Vec<_> = s
        .list_resource(Request::new(request(2, false)))
        .await
        .unwrap()
        .into_inner()
        .collect()
        .await;
    assert_eq!(events.len(), 2, "the limit ends the stream");
    let first = events[0].as_ref().unwrap();
    assert_eq!(first.display_name, "widget 0");
    assert_eq!(
        identity_value(&first.identity).attr("name"),
        &Value::string("w0")
    );
    assert!(first.resource_object.is_none(), "only when asked for");
    assert!(
        LISTED.with(|l| l.load(std::sync::atomic::Ordering::SeqCst)) <= 3,
        "listing stopped early"
    );

    let all: Vec<_> = s
        .list_resource(Request::new(request(100, true)))
        .await
        .unwrap()
        .into_inner()
        .collect()
        .await;
    assert_eq!(all.len(), 6, "five results, then the warning");
    assert_eq!(
        val(&all[4].as_ref().unwrap().resource_object).attr("name"),
        &Value::string("w4")
    );
    let last = all[5].as_ref().unwrap();
    assert!(last.identity.is_none());
    assert_eq!(last.diagnostic[0].summary, "One widget skipped");

    let generated = s
        .generate_resource_config(Request::new(pb::generate_resource_config::Request {
            type_name: "test_widget".into(),
            state: all[0].as_ref().unwrap().resource_object.clone(),
        }))
        .await
        .unwrap()
        .into_inner();
    let config = val(&generated.config);
    assert_eq!(config.attr("name"), &Value::string("w0"));
    assert_eq!(config.attr("mode"), &Value::Null, "the default is left out");
}
