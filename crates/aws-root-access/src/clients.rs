//! AWS clients, built once per provider configuration and shared by every
//! resource, with a bound on calls in flight and cancellation on Stop.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use tokio::sync::{Semaphore, watch};

use crate::attempts::{AttemptLog, ConflictsAreTransient};
use crate::error::{AwsError, ErrorKind};
use crate::partition::Partition;
use crate::root_session::RootSessions;
use crate::settings::AwsSettings;

/// Everything the provider's resources use to talk to AWS.
pub struct AwsClients {
    /// Distinct for every set of clients this process builds (see `id`).
    id: u64,
    pub(crate) base: SdkConfig,
    pub(crate) settings: AwsSettings,
    // Private to this crate: every call goes through `call` (bound, Stop)
    // and is classified into an `AwsError` here.
    pub(crate) sts: aws_sdk_sts::Client,
    pub(crate) iam: aws_sdk_iam::Client,
    pub(crate) organizations: aws_sdk_organizations::Client,
    pub(crate) root_sessions: RootSessions,
    /// What the domain modules keep for this configuration (the
    /// organization, recent audits, the features), each under its own type
    /// ([`AwsClients::slot`]): the clients hold it without knowing it.
    slots: std::sync::Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>,
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
            slots: Default::default(),
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
                crate::last_failure::scoped(operation).await
            } => result,
            _ = cancelled.wait_for(|c| *c) => Err(cancel_error()),
        }
    }

    /// Cancels every operation in flight and every later one.
    pub fn stop(&self) {
        self.cancel.send_replace(true);
    }

    /// The state of type `T` a domain module keeps for this configuration
    /// (its cache, say), made on first use.
    pub(crate) fn slot<T: Default + Send + Sync + 'static>(&self) -> Arc<T> {
        let mut slots = self
            .slots
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let held = slots
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Arc::new(T::default()))
            .clone();
        // Keyed by the type itself: the downcast cannot fail.
        held.downcast::<T>().unwrap_or_default()
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

pub(crate) fn iam_client(
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
