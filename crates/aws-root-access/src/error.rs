//! AWS failures, classified so the user is told what to do about them.

use std::fmt;

use aws_sdk_sts::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

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
    /// IAM policy, SCP or permission boundary said no.
    AccessDenied,
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
    /// The object does not exist (bucket, queue, login profile, ...).
    NotFound,
    /// No answer: network, DNS, TLS, timeout.
    Unreachable,
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

    /// Classifies any SDK error by its AWS error code.
    pub fn from_sdk<E, R>(operation: &'static str, err: SdkError<E, R>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: fmt::Debug,
    {
        match &err {
            SdkError::ServiceError(_) => {
                let code = err.code().unwrap_or_default().to_string();
                let message = err.message().unwrap_or_default().to_string();
                let kind = classify(&code, &message);
                AwsError {
                    operation,
                    kind,
                    code,
                    message,
                }
            }
            SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => AwsError {
                operation,
                kind: ErrorKind::Unreachable,
                code: String::new(),
                message: DisplayErrorContext(&err).to_string(),
            },
            _ => AwsError {
                operation,
                kind: ErrorKind::Other,
                code: err.code().unwrap_or_default().to_string(),
                message: DisplayErrorContext(&err).to_string(),
            },
        }
    }

    pub fn is(&self, kind: ErrorKind) -> bool {
        self.kind == kind
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
    R: fmt::Debug,
{
    fn classify(self, operation: &'static str) -> Result<T, AwsError> {
        self.map_err(|e| AwsError::from_sdk(operation, e))
    }
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
        "InvalidClientTokenId" | "InvalidToken" | "InvalidAccessKeyId" | "UnrecognizedClient" => {
            ErrorKind::InvalidCredentials
        }
        // The request's signature time is more than 15 minutes off AWS's
        // clock: no credential is at fault, and a new one would not help.
        "RequestExpired" | "RequestTimeTooSkewed" => ErrorKind::ClockSkew,
        // `Exception` suffixes are already stripped above.
        "Throttling" | "TooManyRequests" | "RequestThrottled" | "SlowDown" => ErrorKind::Throttled,
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
            if m.contains("trusted access") && m.contains("not enabled") {
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
