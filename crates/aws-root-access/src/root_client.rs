//! Reaching AWS as a member account's root user: root sessions (gated by
//! the organization's features), and the service clients that act with them
//! ([`RootClient`]), which renew a session AWS rejects early and explain a
//! denial by a service control policy.

use std::future::Future;

use aws_config::Region;
use aws_credential_types::Credentials;
use std::time::Duration;

use crate::attempts::AttemptLog;
use crate::clients::{AwsClients, iam_client};
use crate::error::{AwsError, ErrorKind};
use crate::task_policy::TaskPolicy;

impl AwsClients {
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
