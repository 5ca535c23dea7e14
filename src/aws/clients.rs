//! AWS clients, built once per provider configuration and shared by every
//! resource, with a bound on calls in flight and cancellation on Stop.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use tokio::sync::{Semaphore, watch};

use super::error::{AwsError, ErrorKind};
use super::organization::Organization;
use super::root_session::RootSessions;
use super::settings::AwsSettings;
use super::task_policy::TaskPolicy;

/// Everything the provider's resources use to talk to AWS.
pub struct AwsClients {
    base: SdkConfig,
    settings: AwsSettings,
    pub sts: aws_sdk_sts::Client,
    pub iam: aws_sdk_iam::Client,
    pub organizations: aws_sdk_organizations::Client,
    root_sessions: RootSessions,
    /// The organization, read on first use (see `organization.rs`).
    pub(super) organization: tokio::sync::OnceCell<Result<Arc<Organization>, AwsError>>,
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
        let mut loader = aws_config::defaults(BehaviorVersion::latest()).retry_config(
            RetryConfig::standard()
                .with_max_attempts(settings.max_retries.saturating_add(1))
                .with_initial_backoff(Duration::from_millis(200))
                .with_max_backoff(Duration::from_secs(20)),
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
        Ok(AwsClients {
            iam: iam_client(&base, &settings, None),
            organizations: organizations_client(&base, &settings),
            root_sessions: RootSessions::new(sts.clone(), settings.root_session_duration),
            sts,
            organization: tokio::sync::OnceCell::new(),
            limit: Arc::new(Semaphore::new(settings.max_concurrent_requests.max(1))),
            cancel,
            base,
            settings,
        })
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
                "Terraform asked the provider to stop",
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
        self.call(self.root_sessions.get(account, task)).await
    }

    /// A fresh, uncached root session of `duration` (at most 900 s).
    pub async fn open_root_session(
        &self,
        account: &str,
        task: TaskPolicy,
        duration: Duration,
    ) -> Result<Credentials, AwsError> {
        self.call(self.root_sessions.open(account, task, duration))
            .await
    }

    /// IAM acting as `account`'s root user for `task`.
    pub async fn root_iam(
        &self,
        account: &str,
        task: TaskPolicy,
    ) -> Result<aws_sdk_iam::Client, AwsError> {
        let creds = self.root_session(account, task).await?;
        Ok(iam_client(&self.base, &self.settings, Some(creds)))
    }

    /// S3 acting as `account`'s root user, in `region` (buckets live in any region).
    pub async fn root_s3(
        &self,
        account: &str,
        region: Option<&str>,
    ) -> Result<aws_sdk_s3::Client, AwsError> {
        let creds = self
            .root_session(account, TaskPolicy::S3UnlockBucketPolicy)
            .await?;
        let mut b = aws_sdk_s3::config::Builder::from(&self.base)
            .credentials_provider(creds)
            .force_path_style(self.settings.s3_use_path_style);
        if let Some(r) = region {
            b = b.region(Region::new(r.to_string()));
        }
        if let Some(url) = &self.settings.endpoints.s3 {
            b = b.endpoint_url(url);
        }
        Ok(aws_sdk_s3::Client::from_conf(b.build()))
    }

    /// SQS acting as `account`'s root user, in `region`.
    pub async fn root_sqs(
        &self,
        account: &str,
        region: Option<&str>,
    ) -> Result<aws_sdk_sqs::Client, AwsError> {
        let creds = self
            .root_session(account, TaskPolicy::SqsUnlockQueuePolicy)
            .await?;
        let mut b = aws_sdk_sqs::config::Builder::from(&self.base).credentials_provider(creds);
        if let Some(r) = region {
            b = b.region(Region::new(r.to_string()));
        }
        if let Some(url) = &self.settings.endpoints.sqs {
            b = b.endpoint_url(url);
        }
        Ok(aws_sdk_sqs::Client::from_conf(b.build()))
    }
}

/// STS always goes to the configured region's endpoint: AssumeRoot is not
/// served by the global one. The Rust SDK resolves regional endpoints by default.
fn sts_client(
    base: &SdkConfig,
    settings: &AwsSettings,
    creds: Option<Credentials>,
) -> aws_sdk_sts::Client {
    let mut b = aws_sdk_sts::config::Builder::from(base);
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
    creds: Option<Credentials>,
) -> aws_sdk_iam::Client {
    let mut b = aws_sdk_iam::config::Builder::from(base);
    if let Some(url) = &settings.endpoints.iam {
        b = b.endpoint_url(url);
    }
    if let Some(c) = creds {
        b = b.credentials_provider(c);
    }
    aws_sdk_iam::Client::from_conf(b.build())
}

fn organizations_client(base: &SdkConfig, settings: &AwsSettings) -> aws_sdk_organizations::Client {
    let mut b = aws_sdk_organizations::config::Builder::from(base);
    if let Some(url) = &settings.endpoints.organizations {
        b = b.endpoint_url(url);
    }
    aws_sdk_organizations::Client::from_conf(b.build())
}
