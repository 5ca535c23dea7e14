//! The local AWS endpoint (tests/aws_endpoint: moto plus rootsim) for
//! acceptance tests: one per test, started on a free loopback port, seeded
//! with a scenario, inspected through its control API, and stopped on drop.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdin, Command, Stdio};

use serde_json::{Value, json};

pub struct AwsEndpoint {
    child: Child,
    // Closing stdin stops the endpoint even if this process dies.
    _stdin: ChildStdin,
    pub url: String,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    pub management_account_id: String,
}

impl Drop for AwsEndpoint {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl AwsEndpoint {
    pub fn start() -> AwsEndpoint {
        // Tools are provisioned once per test process (see terraform_path);
        // the endpoint then starts straight from the venv.
        let _ = super::terraform_path();
        let root = super::repo_root();
        let mut child = Command::new(root.join(".tools/venv/bin/python"))
            .args(["-m", "rootsim", "--exit-on-stdin-close"])
            .env("PYTHONPATH", root.join("tests/aws_endpoint"))
            .env_remove("MOTO_ACCOUNT_ID")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the local AWS endpoint");
        let stdin = child.stdin.take().expect("stdin");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("ready line");
        let info: Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("endpoint said {line:?}: {e}"));
        let s = |k: &str| info[k].as_str().unwrap_or_default().to_string();
        AwsEndpoint {
            url: s("endpoint"),
            region: s("region"),
            access_key_id: s("access_key_id"),
            secret_access_key: s("secret_access_key"),
            management_account_id: s("management_account_id"),
            _stdin: stdin,
            child,
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
        super::cpu_seconds_of(&format!("/proc/{}/stat", self.child.id()), 14)
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
