//! AWS clients, built once per provider configuration and shared by every
//! resource, with a bound on calls in flight and cancellation on Stop.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use tokio::sync::{Semaphore, watch};

use super::accounts::Organization;
use super::attempts::{AttemptLog, ConflictsAreTransient};
use super::error::{AwsError, ErrorKind};
use super::partition::Partition;
use super::root_session::RootSessions;
use super::settings::AwsSettings;
use super::task_policy::TaskPolicy;

/// Everything the provider's resources use to talk to AWS.
pub struct AwsClients {
    /// Distinct for every set of clients this process builds (see `id`).
    id: u64,
    base: SdkConfig,
    settings: AwsSettings,
    // Private to this crate: every call goes through `call` (bound, Stop)
    // and is classified into an `AwsError` here.
    pub(crate) sts: aws_sdk_sts::Client,
    pub(crate) iam: aws_sdk_iam::Client,
    pub(crate) organizations: aws_sdk_organizations::Client,
    root_sessions: RootSessions,
    /// The organization, read on first use (see `organization.rs`).
    pub(super) organization: tokio::sync::OnceCell<Result<Arc<Organization>, AwsError>>,
    /// Recent root credential audits by account (see `root_credentials::audit`).
    pub(crate) audits: crate::root_credentials::AuditCache,
    /// The features, for the root-session gate (see `org_features::gate`).
    pub(crate) features: crate::org_features::FeatureCache,
    limit: Arc<Semaphore>,
    cancel: watch::Sender<bool>,
}

fn config_error(message: String) -> AwsError {
    AwsError::new("configure", ErrorKind::Other, "", message)
}

impl AwsClients {
    /// Resolves credentials and region through the standard AWS chain, with
    /// the provider block's settings taking precedence.
    pub async fn new(settings: AwsSettings) -> Result<AwsClients, AwsError> {
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .retry_config(
                RetryConfig::standard()
                    .with_max_attempts(settings.max_retries.saturating_add(1))
                    .with_initial_backoff(Duration::from_millis(200))
                    .with_max_backoff(Duration::from_secs(20)),
            )
            .timeout_config(
                TimeoutConfig::builder()
                    // The SDK's own default for current behavior versions; set
                    // here because a TimeoutConfig replaces the default whole.
                    .connect_timeout(Duration::from_millis(3100))
                    .operation_attempt_timeout(settings.request_timeout)
                    .operation_timeout(settings.call_timeout)
                    .build(),
            );
        if let Some(region) = &settings.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if let Some(profile) = &settings.profile {
            loader = loader.profile_name(profile);
        }
        if !settings.shared_config_files.is_empty() || !settings.shared_credentials_files.is_empty()
        {
            use aws_runtime::env_config::file::{
                EnvConfigFileKind as ProfileFileKind, EnvConfigFiles as ProfileFiles,
            };
            let mut files = ProfileFiles::builder();
            for f in &settings.shared_config_files {
                files = files.with_file(ProfileFileKind::Config, f);
            }
            for f in &settings.shared_credentials_files {
                files = files.with_file(ProfileFileKind::Credentials, f);
            }
            // Without a file of a kind, keep that kind's default location.
            if settings.shared_config_files.is_empty() {
                files = files.include_default_config_file(true);
            }
            if settings.shared_credentials_files.is_empty() {
                files = files.include_default_credentials_file(true);
            }
            loader = loader.profile_files(files.build());
        }
        if let Some(keys) = &settings.static_credentials {
            loader = loader.credentials_provider(Credentials::new(
                keys.access_key_id.clone(),
                keys.secret_access_key.clone(),
                keys.session_token.clone(),
                None,
                "rootaccess-provider-block",
            ));
        }
        let mut base = loader.load().await;
        if base.region().is_none() {
            return Err(config_error(
                "no AWS region is configured: set `region` in the provider block, or AWS_REGION in the environment, \
                 or a region in the selected profile"
                    .into(),
            ));
        }
        if base.credentials_provider().is_none() {
            return Err(config_error("no AWS credentials could be resolved".into()));
        }
        if let Some(role) = &settings.assume_role {
            let mut sts_config = base.to_builder();
            if let Some(url) = &settings.endpoints.sts {
                sts_config = sts_config.endpoint_url(url);
            }
            let mut builder = aws_config::sts::AssumeRoleProvider::builder(role.role_arn.clone())
                .session_name(
                    role.session_name
                        .clone()
                        .unwrap_or_else(|| "terraform-provider-rootaccess".into()),
                )
                .configure(&sts_config.build());
            if let Some(id) = &role.external_id {
                builder = builder.external_id(id);
            }
            if let Some(d) = role.duration {
                builder = builder.session_length(d);
            }
            let provider = builder.build().await;
            base = base
                .into_builder()
                .credentials_provider(SharedCredentialsProvider::new(provider))
                .build();
        }
        let (cancel, _) = watch::channel(false);
        let sts = sts_client(&base, &settings, None);
        let partition = Partition::of_region(base.region().map(|r| r.as_ref()).unwrap_or_default());
        static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        Ok(AwsClients {
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            iam: iam_client(&base, &settings, None),
            organizations: organizations_client(&base, &settings),
            root_sessions: RootSessions::new(
                sts.clone(),
                partition,
                settings.root_session_duration,
            ),
            sts,
            organization: tokio::sync::OnceCell::new(),
            audits: Default::default(),
            features: Default::default(),
            limit: Arc::new(Semaphore::new(settings.max_concurrent_requests.max(1))),
            cancel,
            base,
            settings,
        })
    }

    /// Tells this set of clients from every other one the process built:
    /// what callers keep per configuration is keyed by it.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The partition of the configured region: every ARN built names it.
    pub fn partition(&self) -> Partition {
        Partition::of_region(&self.region())
    }

    pub fn region(&self) -> String {
        self.base
            .region()
            .map(|r| r.to_string())
            .unwrap_or_default()
    }

    /// The bound on AWS calls in flight (`max_concurrent_requests`).
    pub fn max_concurrent_requests(&self) -> usize {
        self.settings.max_concurrent_requests.max(1)
    }

    /// Runs one AWS operation within the concurrency bound; Stop cancels it.
    pub async fn call<T>(
        &self,
        operation: impl Future<Output = Result<T, AwsError>>,
    ) -> Result<T, AwsError> {
        let mut cancelled = self.cancel.subscribe();
        let cancel_error = || {
            AwsError::new(
                "request",
                ErrorKind::Other,
                "Cancelled",
                "Terraform asked the provider to stop (Ctrl-C, or an error elsewhere in the run); the call was \
                 cancelled before AWS answered",
            )
        };
        if *cancelled.borrow() {
            return Err(cancel_error());
        }
        tokio::select! {
            result = async {
                let _permit = self.limit.acquire().await.map_err(|_| cancel_error())?;
                operation.await
            } => result,
            _ = cancelled.wait_for(|c| *c) => Err(cancel_error()),
        }
    }

    /// Cancels every operation in flight and every later one.
    pub fn stop(&self) {
        self.cancel.send_replace(true);
    }

    /// Credentials of a root session in `account` limited to `task` (cached).
    pub async fn root_session(
        &self,
        account: &str,
        task: TaskPolicy,
    ) -> Result<Credentials, AwsError> {
        crate::org_features::gate(self, task).await?;
        self.call(self.root_sessions.get(account, task)).await
    }

    /// A fresh, uncached root session of `duration` (at most 900 s).
    pub async fn open_root_session(
        &self,
        account: &str,
        task: TaskPolicy,
        duration: Duration,
    ) -> Result<Credentials, AwsError> {
        crate::org_features::gate(self, task).await?;
        self.call(self.root_sessions.open(account, task, duration))
            .await
    }

    /// IAM acting as `account`'s root user for `task`.
    pub async fn root_iam(
        &self,
        account: &str,
        task: TaskPolicy,
    ) -> Result<RootClient<'_, aws_sdk_iam::Client>, AwsError> {
        RootClient::open(self, account, task, None).await
    }

    /// S3 acting as `account`'s root user, in `region` (buckets live in any region).
    pub async fn root_s3(
        &self,
        account: &str,
        region: Option<&str>,
    ) -> Result<RootClient<'_, aws_sdk_s3::Client>, AwsError> {
        RootClient::open(self, account, TaskPolicy::S3UnlockBucketPolicy, region).await
    }

    /// SQS acting as `account`'s root user, in `region`.
    pub async fn root_sqs(
        &self,
        account: &str,
        region: Option<&str>,
    ) -> Result<RootClient<'_, aws_sdk_sqs::Client>, AwsError> {
        RootClient::open(self, account, TaskPolicy::SqsUnlockQueuePolicy, region).await
    }
}

/// An SDK client that a root session's credentials can drive.
pub trait RootService: Clone + Send + Sync {
    /// A client acting in `account` with `creds` (its attempts are logged
    /// under that account).
    fn build(aws: &AwsClients, creds: Credentials, account: &str, region: Option<&str>) -> Self;
}

impl RootService for aws_sdk_iam::Client {
    fn build(aws: &AwsClients, creds: Credentials, account: &str, _region: Option<&str>) -> Self {
        // IAM is global: the region only picks the signing region.
        iam_client(&aws.base, &aws.settings, Some((creds, account)))
    }
}

impl RootService for aws_sdk_s3::Client {
    fn build(aws: &AwsClients, creds: Credentials, account: &str, region: Option<&str>) -> Self {
        let mut b = aws_sdk_s3::config::Builder::from(&aws.base)
            .credentials_provider(creds)
            .interceptor(AttemptLog::new(&aws.settings, Some(account)))
            .force_path_style(aws.settings.s3_use_path_style);
        if let Some(r) = region {
            b = b.region(Region::new(r.to_string()));
        }
        if let Some(url) = &aws.settings.endpoints.s3 {
            b = b.endpoint_url(url);
        }
        aws_sdk_s3::Client::from_conf(b.build())
    }
}

impl RootService for aws_sdk_sqs::Client {
    fn build(aws: &AwsClients, creds: Credentials, account: &str, region: Option<&str>) -> Self {
        let mut b = aws_sdk_sqs::config::Builder::from(&aws.base)
            .credentials_provider(creds)
            .interceptor(AttemptLog::new(&aws.settings, Some(account)));
        if let Some(r) = region {
            b = b.region(Region::new(r.to_string()));
        }
        if let Some(url) = &aws.settings.endpoints.sqs {
            b = b.endpoint_url(url);
        }
        aws_sdk_sqs::Client::from_conf(b.build())
    }
}

/// A service client acting as a member account's root user for one task.
///
/// Every call goes through [`AwsClients::call`] (bound, cancellation). When
/// AWS rejects the session's credentials before their expiry (ExpiredToken,
/// InvalidClientTokenId: clock skew, revocation), the session is dropped from
/// the cache and the call is made once more with a new session; a second
/// rejection is reported as [`ErrorKind::RootSessionRejected`].
pub struct RootClient<'a, C> {
    aws: &'a AwsClients,
    account: String,
    task: TaskPolicy,
    region: Option<String>,
    current: std::sync::Mutex<(Credentials, C)>,
}

impl<'a, C: RootService> RootClient<'a, C> {
    async fn open(
        aws: &'a AwsClients,
        account: &str,
        task: TaskPolicy,
        region: Option<&str>,
    ) -> Result<Self, AwsError> {
        let creds = aws.root_session(account, task).await?;
        let client = C::build(aws, creds.clone(), account, region);
        Ok(RootClient {
            aws,
            account: account.to_string(),
            task,
            region: region.map(str::to_string),
            current: std::sync::Mutex::new((creds, client)),
        })
    }

    fn current(&self) -> (Credentials, C) {
        self.current
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Runs `operation` with the session's client (see the type's docs).
    pub async fn call<T, F, Fut>(&self, operation: F) -> Result<T, AwsError>
    where
        F: Fn(C) -> Fut,
        Fut: Future<Output = Result<T, AwsError>>,
    {
        let result = self.call_renewing(&operation).await;
        match result {
            Err(e) if e.is(ErrorKind::ScpDenied) => {
                Err(crate::scp::explain(self.aws, &self.account, e).await)
            }
            other => other,
        }
    }

    /// `call`, with the renewal of a session AWS rejected early.
    async fn call_renewing<T, F, Fut>(&self, operation: &F) -> Result<T, AwsError>
    where
        F: Fn(C) -> Fut,
        Fut: Future<Output = Result<T, AwsError>>,
    {
        let (creds, client) = self.current();
        match self.aws.call(operation(client)).await {
            Err(e) if e.is_credential_rejection() => {
                tracing::debug!(
                    account = %self.account,
                    task = self.task.name(),
                    code = %e.code,
                    "AWS rejected the root session before its expiry; opening a new one"
                );
                self.aws
                    .root_sessions
                    .forget(&self.account, self.task, &creds)
                    .await;
                let creds = self.aws.root_session(&self.account, self.task).await?;
                let client = C::build(
                    self.aws,
                    creds.clone(),
                    &self.account,
                    self.region.as_deref(),
                );
                *self
                    .current
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner()) = (creds, client.clone());
                self.aws
                    .call(operation(client))
                    .await
                    .map_err(AwsError::from_root_session)
            }
            other => other,
        }
    }
}

/// STS always goes to the configured region's endpoint: AssumeRoot is not
/// served by the global one. The Rust SDK resolves regional endpoints by default.
fn sts_client(
    base: &SdkConfig,
    settings: &AwsSettings,
    creds: Option<Credentials>,
) -> aws_sdk_sts::Client {
    let mut b =
        aws_sdk_sts::config::Builder::from(base).interceptor(AttemptLog::new(settings, None));
    if let Some(url) = &settings.endpoints.sts {
        b = b.endpoint_url(url);
    }
    if let Some(c) = creds {
        b = b.credentials_provider(c);
    }
    aws_sdk_sts::Client::from_conf(b.build())
}

fn iam_client(
    base: &SdkConfig,
    settings: &AwsSettings,
    root: Option<(Credentials, &str)>,
) -> aws_sdk_iam::Client {
    let mut b = aws_sdk_iam::config::Builder::from(base);
    if let Some(url) = &settings.endpoints.iam {
        b = b.endpoint_url(url);
    }
    let account = root.as_ref().map(|(_, account)| *account);
    b = b
        .interceptor(AttemptLog::new(settings, account))
        .retry_classifier(ConflictsAreTransient);
    if let Some((creds, _)) = root {
        b = b.credentials_provider(creds);
    }
    aws_sdk_iam::Client::from_conf(b.build())
}

fn organizations_client(base: &SdkConfig, settings: &AwsSettings) -> aws_sdk_organizations::Client {
    let mut b = aws_sdk_organizations::config::Builder::from(base)
        .interceptor(AttemptLog::new(settings, None));
    if let Some(url) = &settings.endpoints.organizations {
        b = b.endpoint_url(url);
    }
    aws_sdk_organizations::Client::from_conf(b.build())
}
