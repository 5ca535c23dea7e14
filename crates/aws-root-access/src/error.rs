//! AWS failures, classified so the user is told what to do about them.

use std::fmt;

use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};

/// What kind of problem an AWS error is, as far as the user is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The organization feature a root task needs is disabled.
    FeatureNotEnabled,
    /// IAM has no trusted access in AWS Organizations.
    TrustedAccessOff,
    /// The caller is neither the management account nor the IAM delegated administrator.
    NotManagementOrDelegatedAdmin,
    /// Only the management account may do this (a delegated admin tried).
    CallerIsNotManagementAccount,
    OrganizationNotFound,
    NotAllFeaturesMode,
    /// IAM policy or permission boundary said no.
    AccessDenied,
    /// A service control policy of the organization said no (AWS's message
    /// names "a service control policy", as its access-denied reference
    /// documents): explained with the SCPs on the account's path.
    ScpDenied,
    RegionDisabled,
    /// The caller's own credentials expired.
    ExpiredCredentials,
    /// The caller's own credentials are not valid (unknown key, bad token).
    InvalidCredentials,
    /// The request's time is too far from AWS's clock.
    ClockSkew,
    /// AWS refused a root session's credentials as expired or invalid, also
    /// after the provider replaced the session with a new one.
    RootSessionRejected,
    /// Still throttled after every retry.
    Throttled,
    /// AWS answered with a server error (5xx) after every retry.
    ServerError,
    /// The object does not exist (bucket, queue, login profile, ...).
    NotFound,
    /// No credentials anywhere in the chain (provider block, environment,
    /// shared files, web identity, container, instance metadata).
    NoCredentials,
    /// A credential source was found but could not give credentials (an
    /// expired SSO login, a failing credential_process, a refused AssumeRole).
    CredentialSourceFailed,
    /// No answer: network, DNS, TLS.
    Unreachable,
    /// No answer within `request_timeout`, or not done within `call_timeout`.
    TimedOut,
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwsError {
    pub operation: &'static str,
    pub kind: ErrorKind,
    /// AWS's error code, e.g. `AccessDenied`.
    pub code: String,
    /// AWS's own message (never contains credentials).
    pub message: String,
}

impl fmt::Display for AwsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.code.is_empty() {
            write!(f, "{} failed: {}", self.operation, self.message)
        } else {
            write!(
                f,
                "{} failed: {}: {}",
                self.operation, self.code, self.message
            )
        }
    }
}

impl std::error::Error for AwsError {}

impl AwsError {
    pub fn new(
        operation: &'static str,
        kind: ErrorKind,
        code: &str,
        message: impl Into<String>,
    ) -> Self {
        AwsError {
            operation,
            kind,
            code: code.to_string(),
            message: message.into(),
        }
    }

    /// Classifies any SDK error: AWS's answers by their error code, the
    /// rest (no answer, no credentials) by their cause, in one sentence and
    /// never as the SDK's debug text.
    pub fn from_sdk<E, R>(operation: &'static str, err: SdkError<E, R>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: fmt::Debug + 'static,
    {
        let transport = |kind, message| AwsError {
            operation,
            kind,
            code: String::new(),
            message,
        };
        if !matches!(err, SdkError::ServiceError(_))
            && let Some((kind, message)) = credentials_error(&err)
        {
            return transport(kind, message);
        }
        let (kind, message) = match &err {
            SdkError::ServiceError(_) => {
                let code = err.code().unwrap_or_default().to_string();
                let message = err.message().unwrap_or_default().to_string();
                let kind = classify(&code, &message);
                return AwsError {
                    operation,
                    kind,
                    code,
                    message,
                };
            }
            // The SDK's timeout says only that time ran out; what the
            // attempts saw is the cause a person needs.
            SdkError::TimeoutError(_) => out_of_time(crate::last_failure::last_failure()),
            SdkError::DispatchFailure(failure) => {
                let kind = if failure.is_timeout() {
                    ErrorKind::TimedOut
                } else if failure.is_io() {
                    ErrorKind::Unreachable
                } else {
                    ErrorKind::Other
                };
                (kind, root_cause(&err))
            }
            SdkError::ResponseError(_) => (
                ErrorKind::Other,
                format!("the answer could not be read ({})", root_cause(&err)),
            ),
            _ => (ErrorKind::Other, root_cause(&err)),
        };
        transport(kind, message)
    }

    pub fn is(&self, kind: ErrorKind) -> bool {
        self.kind == kind
    }

    /// The failure is the caller's or the network's (no answer, no or bad
    /// credentials of its own, clock, throttling): it tells nothing about
    /// the account or object the call was for.
    pub fn is_callers_problem(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::NoCredentials
                | ErrorKind::CredentialSourceFailed
                | ErrorKind::Unreachable
                | ErrorKind::TimedOut
                | ErrorKind::ExpiredCredentials
                | ErrorKind::InvalidCredentials
                | ErrorKind::ClockSkew
                | ErrorKind::Throttled
                | ErrorKind::ServerError
        )
    }

    /// AWS refused the credentials themselves (expired or not valid), not
    /// the request: for a root session, a new session may succeed.
    pub fn is_credential_rejection(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::ExpiredCredentials | ErrorKind::InvalidCredentials
        )
    }

    /// The same error, seen through a root session that was already renewed
    /// once: the caller's own credentials are not what expired.
    pub fn from_root_session(mut self) -> Self {
        if self.is_credential_rejection() {
            self.kind = ErrorKind::RootSessionRejected;
        }
        self
    }
}

/// Classifies the failure of an SDK call as an [`AwsError`] naming its
/// operation: `request.send().await.classify("iam:ListAccessKeys")`.
pub(crate) trait Classify<T> {
    fn classify(self, operation: &'static str) -> Result<T, AwsError>;
}

impl<T, E, R> Classify<T> for Result<T, SdkError<E, R>>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: fmt::Debug + 'static,
{
    fn classify(self, operation: &'static str) -> Result<T, AwsError> {
        self.map_err(|e| AwsError::from_sdk(operation, e))
    }
}

/// A call that ran out of `call_timeout` (or of `request_timeout` on its
/// only attempt), told by what its last failed attempt saw.
fn out_of_time(last: Option<crate::last_failure::LastAttempt>) -> (ErrorKind, String) {
    use crate::last_failure::Failure;
    let Some(last) = last else {
        return (
            ErrorKind::TimedOut,
            "no answer within the time allowed (request_timeout for one attempt, call_timeout with retries)"
                .to_string(),
        );
    };
    let budget = format!("call_timeout ({}s)", last.call_timeout.as_secs());
    match last.failure {
        Failure::NoAnswer(cause) => (
            ErrorKind::Unreachable,
            format!("no answer from AWS within {budget}; the last attempt: {cause}"),
        ),
        Failure::Slow(request_timeout) => (
            ErrorKind::TimedOut,
            format!(
                "AWS did not answer any attempt within request_timeout ({}s) before {budget} ran out",
                request_timeout.as_secs()
            ),
        ),
        Failure::Answered { status, code } => {
            let code = code.unwrap_or_default();
            let kind = if is_throttling(&code) {
                ErrorKind::Throttled
            } else {
                ErrorKind::ServerError
            };
            (
                kind,
                format!("AWS still answered HTTP {status} {code} when {budget} ran out")
                    .replace("  ", " "),
            )
        }
    }
}

/// A throttling error code of any of the five services.
pub(crate) fn is_throttling(code: &str) -> bool {
    matches!(
        code.trim_end_matches("Exception"),
        "Throttling" | "TooManyRequests" | "RequestThrottled" | "SlowDown"
    )
}

/// The innermost error's own words (`Connection refused (os error 111)`),
/// without the SDK's layers of wrappers around it.
pub(crate) fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = err;
    while let Some(next) = cause.source() {
        cause = next;
    }
    let text = cause.to_string();
    if text.is_empty() {
        err.to_string()
    } else {
        text
    }
}

/// A failure to get the caller's own credentials, found anywhere in the
/// error's chain of causes.
fn credentials_error(err: &(dyn std::error::Error + 'static)) -> Option<(ErrorKind, String)> {
    use aws_credential_types::provider::error::CredentialsError;
    let mut cause = Some(err);
    while let Some(e) = cause {
        if let Some(found) = e.downcast_ref::<CredentialsError>() {
            return Some(match found {
                CredentialsError::CredentialsNotLoaded(_) => (
                    ErrorKind::NoCredentials,
                    "no AWS credentials were found".to_string(),
                ),
                CredentialsError::ProviderTimedOut(_) => (
                    ErrorKind::CredentialSourceFailed,
                    "the credential source did not answer in time".to_string(),
                ),
                other => (
                    ErrorKind::CredentialSourceFailed,
                    format!("the credential source failed: {}", root_cause(other)),
                ),
            });
        }
        cause = e.source();
    }
    None
}

fn classify(code: &str, message: &str) -> ErrorKind {
    let code = code.trim_end_matches("Exception");
    match code {
        "ServiceAccessNotEnabled" => ErrorKind::TrustedAccessOff,
        "AccountNotManagementOrDelegatedAdministrator" => ErrorKind::NotManagementOrDelegatedAdmin,
        "CallerIsNotManagementAccount" => ErrorKind::CallerIsNotManagementAccount,
        "OrganizationNotFound" | "AWSOrganizationsNotInUse" => ErrorKind::OrganizationNotFound,
        "OrganizationNotInAllFeaturesMode" => ErrorKind::NotAllFeaturesMode,
        "RegionDisabled" => ErrorKind::RegionDisabled,
        "ExpiredToken" => ErrorKind::ExpiredCredentials,
        // S3 says InvalidAccessKeyId / InvalidToken; the query and JSON
        // services InvalidClientTokenId, some JSON services
        // UnrecognizedClientException.
        // A wrong secret: SignatureDoesNotMatch (query services, S3),
        // InvalidSignature(Exception) (JSON services such as Organizations).
        "InvalidClientTokenId"
        | "InvalidToken"
        | "InvalidAccessKeyId"
        | "UnrecognizedClient"
        | "SignatureDoesNotMatch"
        | "InvalidSignature" => ErrorKind::InvalidCredentials,
        // The request's signature time is more than 15 minutes off AWS's
        // clock: no credential is at fault, and a new one would not help.
        "RequestExpired" | "RequestTimeTooSkewed" => ErrorKind::ClockSkew,
        // `Exception` suffixes are already stripped above.
        _ if is_throttling(code) => ErrorKind::Throttled,
        // Server errors the SDK's retries did not get past.
        "InternalFailure" | "InternalError" | "ServiceUnavailable" | "Service"
        | "ServiceFailure" => ErrorKind::ServerError,
        "NoSuchEntity"
        | "NoSuchBucket"
        | "NoSuchBucketPolicy"
        | "AWS.SimpleQueueService.NonExistentQueue"
        | "QueueDoesNotExist"
        | "AccountNotFound"
        | "ParentNotFound" => ErrorKind::NotFound,
        "AccessDenied" => {
            // AWS answers AccessDenied when a root session needs a disabled feature.
            let m = message.to_ascii_lowercase();
            if m.contains("service control policy") {
                ErrorKind::ScpDenied
            } else if m.contains("trusted access") && m.contains("not enabled") {
                ErrorKind::TrustedAccessOff
            } else if m.contains("not enabled") && (m.contains("root") || m.contains("feature")) {
                ErrorKind::FeatureNotEnabled
            } else {
                ErrorKind::AccessDenied
            }
        }
        _ => ErrorKind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_the_documented_codes() {
        assert_eq!(
            classify("ServiceAccessNotEnabledException", ""),
            ErrorKind::TrustedAccessOff
        );
        assert_eq!(
            classify("OrganizationNotFoundException", ""),
            ErrorKind::OrganizationNotFound
        );
        assert_eq!(
            classify("CallerIsNotManagementAccountException", ""),
            ErrorKind::CallerIsNotManagementAccount
        );
        assert_eq!(
            classify("AccessDenied", "User is not authorized"),
            ErrorKind::AccessDenied
        );
        assert_eq!(
            classify(
                "AccessDenied",
                "Root sessions are not enabled for the organization"
            ),
            ErrorKind::FeatureNotEnabled
        );
        assert_eq!(classify("Throttling", ""), ErrorKind::Throttled);
        assert_eq!(classify("NoSuchBucketPolicy", ""), ErrorKind::NotFound);
        assert_eq!(classify("ExpiredToken", ""), ErrorKind::ExpiredCredentials);
        assert_eq!(
            classify("InvalidClientTokenId", ""),
            ErrorKind::InvalidCredentials
        );
        for wrong_secret in ["SignatureDoesNotMatch", "InvalidSignatureException"] {
            assert_eq!(classify(wrong_secret, ""), ErrorKind::InvalidCredentials);
        }
        let rejected = AwsError::new(
            "iam:ListAccessKeys",
            ErrorKind::ExpiredCredentials,
            "ExpiredToken",
            "",
        );
        assert!(rejected.is_credential_rejection());
        assert_eq!(
            rejected.from_root_session().kind,
            ErrorKind::RootSessionRejected
        );
        let denied = AwsError::new(
            "iam:ListAccessKeys",
            ErrorKind::AccessDenied,
            "AccessDenied",
            "",
        );
        assert_eq!(denied.from_root_session().kind, ErrorKind::AccessDenied);
    }
}
