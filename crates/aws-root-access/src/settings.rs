//! How to reach AWS: everything the provider block can say, in plain Rust.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// Longest root session AWS issues.
pub const MAX_ROOT_SESSION: Duration = Duration::from_secs(900);

/// Default bound on one attempt of an AWS call.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

/// Default bound on one AWS call with all its retries.
pub const DEFAULT_CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// Static keys. Debug output never shows the secret parts.
#[derive(Clone, PartialEq, Eq)]
pub struct StaticCredentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
}

impl fmt::Debug for StaticCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaticCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"** redacted **")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "** redacted **"),
            )
            .finish()
    }
}

/// A role to assume before anything else (for example from a CI account).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AssumeRole {
    pub role_arn: String,
    pub session_name: Option<String>,
    pub external_id: Option<String>,
    pub duration: Option<Duration>,
}

/// Endpoint overrides per service (VPC endpoints, or a local test endpoint).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Endpoints {
    pub sts: Option<String>,
    pub iam: Option<String>,
    pub s3: Option<String>,
    pub sqs: Option<String>,
    pub organizations: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwsSettings {
    /// None: from AWS_REGION / AWS_DEFAULT_REGION or the profile.
    pub region: Option<String>,
    pub profile: Option<String>,
    pub shared_config_files: Vec<PathBuf>,
    pub shared_credentials_files: Vec<PathBuf>,
    pub static_credentials: Option<StaticCredentials>,
    pub assume_role: Option<AssumeRole>,
    pub endpoints: Endpoints,
    /// Path-style S3 addressing (needed by most S3-compatible test endpoints).
    pub s3_use_path_style: bool,
    /// Retries after the first attempt, for throttling, 5xx and transport errors.
    pub max_retries: u32,
    /// Upper bound on AWS calls in flight at once across all resources.
    pub max_concurrent_requests: usize,
    /// How long each AssumeRoot session is requested for.
    pub root_session_duration: Duration,
    /// The longest one attempt of an AWS call may take (connect, send, answer).
    pub request_timeout: Duration,
    /// The longest one AWS call may take, retries and their waits included:
    /// the retry budget in time, so an unreachable AWS fails in seconds.
    pub call_timeout: Duration,
}

impl Default for AwsSettings {
    fn default() -> Self {
        AwsSettings {
            region: None,
            profile: None,
            shared_config_files: Vec::new(),
            shared_credentials_files: Vec::new(),
            static_credentials: None,
            assume_role: None,
            endpoints: Endpoints::default(),
            s3_use_path_style: false,
            // As the AWS provider: AssumeRoot throttles under bulk use.
            max_retries: 25,
            max_concurrent_requests: 16,
            root_session_duration: MAX_ROOT_SESSION,
            // IAM, STS and Organizations answer in well under a second; a
            // hung connection must not hold a plan for minutes.
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            call_timeout: DEFAULT_CALL_TIMEOUT,
        }
    }
}
