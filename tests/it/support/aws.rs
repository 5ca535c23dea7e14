//! The local AWS endpoint (tests/aws_endpoint: moto plus rootsim) for
//! acceptance tests: one per test, on a free loopback port, seeded with a
//! scenario, inspected through its control API, and stopped on drop.
//!
//! Each endpoint is its own process, forked from one warm fork server per
//! test process (`python -m rootsim.forkserver`: moto imported and its
//! first calls served once, instead of about a second of CPU per test).
//! ROOTSIM_FORK_SERVER=0 starts every endpoint as `python -m rootsim`
//! instead (the same endpoint, only slower to start).

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::{Value, json};

pub struct AwsEndpoint {
    process: EndpointProcess,
    pid: u32,
    pub url: String,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    pub management_account_id: String,
}

/// How the endpoint's process is held: closing the connection (forked) or
/// stdin (spawned) stops it, also when the test process dies.
enum EndpointProcess {
    Forked(UnixStream),
    Spawned(Child, ChildStdin),
}

impl Drop for AwsEndpoint {
    fn drop(&mut self) {
        match &mut self.process {
            EndpointProcess::Forked(conn) => {
                // The endpoint exits on end of file; its end of the socket
                // closes when it has, which read_to_end waits for.
                let _ = conn.shutdown(std::net::Shutdown::Write);
                let _ = conn.set_read_timeout(Some(Duration::from_secs(5)));
                let _ = conn.read_to_end(&mut Vec::new());
            }
            EndpointProcess::Spawned(child, _) => {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
}

/// The fork server of this test process, started on first use; it exits
/// when this process does (its stdin closes).
struct ForkServer {
    socket: PathBuf,
    _child: Child,
    _stdin: ChildStdin,
}

fn python_command(module: &str) -> Command {
    // Tools are provisioned once per test process (see terraform_path); the
    // endpoint then starts straight from the venv.
    let _ = super::terraform_path();
    let root = super::repo_root();
    let mut cmd = Command::new(root.join(".tools/venv/bin/python"));
    cmd.args(["-m", module, "--exit-on-stdin-close"])
        .env("PYTHONPATH", root.join("tests/aws_endpoint"))
        .env_remove("MOTO_ACCOUNT_ID")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    cmd
}

/// Starts `cmd` and parses the one JSON line it prints when ready.
fn spawn_ready(mut cmd: Command, what: &str) -> (Child, ChildStdin, Value) {
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("start {what}: {e}"));
    let stdin = child.stdin.take().expect("stdin");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .unwrap_or_else(|e| panic!("{what}: no ready line: {e}"));
    let info: Value =
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{what} said {line:?}: {e}"));
    (child, stdin, info)
}

fn fork_server() -> &'static ForkServer {
    static SERVER: OnceLock<ForkServer> = OnceLock::new();
    SERVER.get_or_init(|| {
        let (child, stdin, info) = spawn_ready(
            python_command("rootsim.forkserver"),
            "the local AWS endpoint's fork server",
        );
        ForkServer {
            socket: PathBuf::from(info["socket"].as_str().unwrap_or_default()),
            _child: child,
            _stdin: stdin,
        }
    })
}

fn fork_endpoint() -> (EndpointProcess, Value) {
    let server = fork_server();
    let mut conn = UnixStream::connect(&server.socket).unwrap_or_else(|e| {
        panic!(
            "connect to the endpoint fork server at {}: {e}",
            server.socket.display()
        )
    });
    conn.write_all(b"{\"env\": {}}\n")
        .expect("ask the fork server for an endpoint");
    let mut line = Vec::new();
    // One byte at a time: nothing past the line may be consumed from the
    // connection, which stays open for the endpoint's lifetime.
    let mut byte = [0u8; 1];
    while conn.read(&mut byte).expect("ready line") == 1 && byte[0] != b'\n' {
        line.push(byte[0]);
    }
    let info: Value = serde_json::from_slice(&line).unwrap_or_else(|e| {
        panic!(
            "the fork server said {:?}: {e}",
            String::from_utf8_lossy(&line)
        )
    });
    assert!(info.get("error").is_none(), "no endpoint: {info}");
    (EndpointProcess::Forked(conn), info)
}

impl AwsEndpoint {
    pub fn start() -> AwsEndpoint {
        let (process, info) = if std::env::var("ROOTSIM_FORK_SERVER").is_ok_and(|v| v == "0") {
            let (child, stdin, info) =
                spawn_ready(python_command("rootsim"), "the local AWS endpoint");
            (EndpointProcess::Spawned(child, stdin), info)
        } else {
            fork_endpoint()
        };
        let s = |k: &str| info[k].as_str().unwrap_or_default().to_string();
        AwsEndpoint {
            pid: info["pid"]
                .as_u64()
                .and_then(|p| u32::try_from(p).ok())
                .unwrap_or_default(),
            url: s("endpoint"),
            region: s("region"),
            access_key_id: s("access_key_id"),
            secret_access_key: s("secret_access_key"),
            management_account_id: s("management_account_id"),
            process,
        }
    }

    fn control(&self, path: &str) -> String {
        format!("{}/_rootsim{path}", self.url)
    }

    pub fn get(&self, path: &str) -> Value {
        ureq::get(&self.control(path))
            .call()
            .and_then(|mut r| r.body_mut().read_json())
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    pub fn post(&self, path: &str, body: Value) -> Value {
        ureq::post(&self.control(path))
            .send_json(body)
            .and_then(|mut r| r.body_mut().read_json())
            .unwrap_or_else(|e| panic!("POST {path}: {e}"))
    }

    pub fn put_json(&self, path: &str, body: Value) -> Value {
        ureq::put(&self.control(path))
            .send_json(body)
            .and_then(|mut r| r.body_mut().read_json())
            .unwrap_or_else(|e| panic!("PUT {path}: {e}"))
    }

    pub fn delete(&self, path: &str) {
        ureq::delete(&self.control(path))
            .call()
            .unwrap_or_else(|e| panic!("DELETE {path}: {e}"));
    }

    /// Seeds a scenario (after a reset) and returns the endpoint's answer.
    pub fn seed(&self, scenario: Value) -> Value {
        self.post("/seed", scenario)
    }

    /// The standard organization: management 123456789012 with features and
    /// IAM trusted access, members 111111111111 (with root credentials) and
    /// 222222222222 (IAM delegated administrator), 444444444444 suspended.
    pub fn seed_standard(&self) -> Value {
        self.seed(self.standard_scenario())
    }

    /// The standard scenario in today's answer shape (State only), whatever
    /// ROOTSIM_ACCOUNT_SHAPE says: for tests of states that have no
    /// pre-2026 Status (PENDING_ACTIVATION, CLOSED, values AWS may add).
    pub fn seed_standard_today(&self) -> Value {
        let mut scenario = self.standard_scenario();
        scenario["account_shape"] = json!("2026");
        self.seed(scenario)
    }

    fn standard_scenario(&self) -> Value {
        json!({
            "organization": {"feature_set": "ALL"},
            "trusted_access": ["iam.amazonaws.com"],
            "delegated_administrators": ["222222222222"],
            "features": ["RootCredentialsManagement", "RootSessions"],
            "accounts": [
                {"id": "111111111111", "name": "dev",
                 "root_credentials": {"password": true, "access_keys": 2, "mfa_devices": 1, "signing_certificates": 1}},
                {"id": "222222222222", "name": "security"},
                {"id": "444444444444", "name": "old", "status": "SUSPENDED"}
            ]
        })
    }

    pub fn account(&self, id: &str) -> Value {
        self.get(&format!("/accounts/{id}"))
    }

    /// CPU seconds the endpoint process has used so far (benchmarks: is it
    /// the bottleneck?).
    pub fn cpu_seconds(&self) -> f64 {
        super::cpu_seconds_of(&format!("/proc/{}/stat", self.pid), 14)
    }

    pub fn calls(&self) -> Value {
        self.get("/calls")
    }

    /// How many AssumeRoot sessions were issued in all.
    pub fn assume_root_total(&self) -> u64 {
        self.calls()["assume_root_total"].as_u64().unwrap_or(0)
    }

    /// Endpoint overrides and region, without credentials.
    pub fn endpoints_hcl(&self) -> String {
        let u = &self.url;
        format!(
            "  region            = \"{}\"\n  s3_use_path_style = true\n  endpoints {{\n    sts           = \"{u}\"\n    iam           = \"{u}\"\n    s3            = \"{u}\"\n    sqs           = \"{u}\"\n    organizations = \"{u}\"\n  }}\n",
            self.region
        )
    }

    /// A provider block acting as the management account.
    pub fn provider_hcl(&self) -> String {
        self.provider_hcl_with_keys(&self.access_key_id, &self.secret_access_key)
    }

    pub fn provider_hcl_with_keys(&self, access_key: &str, secret_key: &str) -> String {
        format!(
            "provider \"rootaccess\" {{\n  access_key = \"{access_key}\"\n  secret_key = \"{secret_key}\"\n{}}}\n",
            self.endpoints_hcl()
        )
    }
}

impl AwsEndpoint {
    /// AWS-layer settings acting as the management account through this
    /// endpoint (every service overridden, path-style S3).
    pub fn aws_settings(&self) -> aws_root_access::AwsSettings {
        use aws_root_access::{AwsSettings, Endpoints, StaticCredentials};
        let u = Some(self.url.clone());
        AwsSettings {
            region: Some(self.region.clone()),
            static_credentials: Some(StaticCredentials {
                access_key_id: self.access_key_id.clone(),
                secret_access_key: self.secret_access_key.clone(),
                session_token: None,
            }),
            endpoints: Endpoints {
                sts: u.clone(),
                iam: u.clone(),
                s3: u.clone(),
                sqs: u.clone(),
                organizations: u,
            },
            s3_use_path_style: true,
            ..AwsSettings::default()
        }
    }

    /// The organization as the endpoint holds it (features, trusted access, ...).
    pub fn organization(&self) -> Value {
        self.get("/state")["organizations"][0].clone()
    }

    /// SDK configuration acting with `keys` (the management account's when None).
    pub fn sdk_config(&self, keys: Option<(&str, &str)>) -> aws_config::SdkConfig {
        let (access, secret) = keys.unwrap_or((&self.access_key_id, &self.secret_access_key));
        aws_config::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new(self.region.clone()))
            .endpoint_url(&self.url)
            .credentials_provider(
                aws_credential_types::provider::SharedCredentialsProvider::new(
                    aws_credential_types::Credentials::new(
                        access,
                        secret,
                        None,
                        None,
                        "acceptance-test",
                    ),
                ),
            )
            .build()
    }

    pub fn iam(&self, keys: Option<(&str, &str)>) -> aws_sdk_iam::Client {
        aws_sdk_iam::Client::new(&self.sdk_config(keys))
    }

    pub fn organizations(&self, keys: Option<(&str, &str)>) -> aws_sdk_organizations::Client {
        aws_sdk_organizations::Client::new(&self.sdk_config(keys))
    }
}

/// Runs an SDK call from a synchronous test.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(future)
}
