//! AutoMTLS: only the client holding the certificate announced in
//! PLUGIN_CLIENT_CERT may talk to the provider.

use crate::support;

use support::plugin_client::{ClientIdentity, connect, provider_client, start};
use tfplugin::proto::tfplugin5::get_provider_schema;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_client::HealthClient;

async fn schema_call(channel: tonic::transport::Channel) -> Result<usize, tonic::Status> {
    let schema = provider_client(channel)
        .get_schema(get_provider_schema::Request {})
        .await?;
    let schema = schema.into_inner();
    Ok(schema.functions.len())
}

#[tokio::test]
async fn the_announced_client_is_served() {
    let terraform = ClientIdentity::generate();
    let plugin = start(&support::provider_binary(), &terraform.pem);
    assert!(plugin.line.starts_with("1|5|unix|"), "{}", plugin.line);
    let channel = connect(&plugin, Some(&terraform))
        .await
        .expect("connect with the right certificate");
    assert_eq!(schema_call(channel.clone()).await.expect("GetSchema"), 2);
    let health = HealthClient::new(channel)
        .check(HealthCheckRequest {
            service: "plugin".into(),
        })
        .await
        .expect("health check");
    assert_eq!(
        health.into_inner().status,
        tonic_health::pb::health_check_response::ServingStatus::Serving as i32
    );
}

#[tokio::test]
async fn a_client_without_certificate_is_refused() {
    let terraform = ClientIdentity::generate();
    let plugin = start(&support::provider_binary(), &terraform.pem);
    // TLS 1.3 may let the client finish its side before the server's alert
    // arrives, so the refusal can show at connect or at the first call.
    let refused = match connect(&plugin, None).await {
        Err(_) => true,
        Ok(channel) => schema_call(channel).await.is_err(),
    };
    assert!(refused, "a client with no certificate was served");
}

#[tokio::test]
async fn a_client_with_another_certificate_is_refused() {
    let terraform = ClientIdentity::generate();
    let intruder = ClientIdentity::generate();
    let plugin = start(&support::provider_binary(), &terraform.pem);
    let refused = match connect(&plugin, Some(&intruder)).await {
        Err(_) => true,
        Ok(channel) => schema_call(channel).await.is_err(),
    };
    assert!(refused, "a client with a different certificate was served");
}

#[tokio::test]
async fn shutdown_exits_promptly() {
    use tfplugin::proto::plugin::Empty;
    use tfplugin::proto::plugin::grpc_controller_client::GrpcControllerClient;
    let terraform = ClientIdentity::generate();
    let mut plugin = start(&support::provider_binary(), &terraform.pem);
    let channel = connect(&plugin, Some(&terraform)).await.expect("connect");
    GrpcControllerClient::new(channel)
        .shutdown(Empty {})
        .await
        .expect("Shutdown");
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = plugin.child.try_wait().expect("wait") {
            assert!(status.success(), "exit status {status}");
            break;
        }
        // go-plugin kills the plugin 2 s after Shutdown; we must be gone well before.
        assert!(
            started.elapsed() < std::time::Duration::from_secs(2),
            "provider still running after Shutdown"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[test]
fn run_by_hand_explains_itself() {
    let out = std::process::Command::new(support::provider_binary())
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .output()
        .expect("run");
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("plugin for Terraform") && text.contains("--debug"),
        "{text}"
    );
    assert!(out.stdout.is_empty(), "nothing may go to stdout");
}

#[test]
fn protocol_6_only_is_refused_clearly() {
    let out = std::process::Command::new(support::provider_binary())
        .env("TF_PLUGIN_MAGIC_COOKIE", tfplugin::MAGIC_COOKIE_VALUE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .env("TF_DISABLE_PLUGIN_TLS", "1")
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("only protocol 5"));
}
