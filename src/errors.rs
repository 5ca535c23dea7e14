//! The edge between the AWS layer and Terraform: AWS errors become
//! diagnostics that say what happened and what to do about it.

use aws_root_access::{AwsError, ErrorKind};
use tfplugin::Diagnostics;

/// What the user can do about each kind of AWS error.
pub(crate) fn advice(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::FeatureNotEnabled => {
            "The organization feature this task needs is not enabled. Enable it with the rootaccess_org_features \
             resource (RootCredentialsManagement for credential tasks, RootSessions for bucket and queue unlocks), \
             or run `aws iam enable-organizations-root-credentials-management` / `aws iam enable-organizations-root-sessions`."
        }
        ErrorKind::TrustedAccessOff => {
            "IAM has no trusted access in AWS Organizations. Set manage_trusted_access = true on rootaccess_org_features, \
             or run `aws organizations enable-aws-service-access --service-principal iam.amazonaws.com` in the management account."
        }
        ErrorKind::NotManagementOrDelegatedAdmin => {
            "These credentials belong to neither the organization's management account nor its IAM delegated \
             administrator. Configure the provider with credentials of one of those accounts (see the \
             rootaccess_caller_identity data source to check where it runs)."
        }
        ErrorKind::CallerIsNotManagementAccount => {
            "Only the management account can enable organization features; the IAM delegated administrator can list \
             and disable them. Run this with management-account credentials."
        }
        ErrorKind::OrganizationNotFound => {
            "The account is not in an AWS organization. Create one (`aws organizations create-organization \
             --feature-set ALL`) or use credentials of an organization's management account."
        }
        ErrorKind::NotAllFeaturesMode => {
            "The organization runs with consolidated billing only. Enable all features in AWS Organizations first."
        }
        ErrorKind::AccessDenied => {
            "AWS denied the call. Check that the caller's IAM policy allows it (sts:AssumeRoot on \
             arn:aws:iam::<member>:root with the sts:TaskPolicyArn condition, iam:*OrganizationsRoot*, organizations:Describe*), \
             that no SCP or permission boundary denies it, that the target is a member account and not the \
             management account, and that the organization feature the task needs is enabled."
        }
        ErrorKind::ScpDenied => {
            "A service control policy (SCP) of the organization denies this call in the member account, and SCPs \
             apply to root sessions too. In the SCP whose Deny statement names the root user (listed above), add the \
             condition \"Null\": {\"aws:AssumedRoot\": \"true\"} to that statement, so that it applies only \
             outside root sessions, or replace it with the guardrail of the rootaccess_root_guardrail_policy data \
             source. Then run Terraform again."
        }
        ErrorKind::RegionDisabled => {
            "STS is not activated in the configured region. Use a region enabled for the account, or activate STS \
             for it in the IAM console (Account settings)."
        }
        ErrorKind::ExpiredCredentials => {
            "The provider's own AWS credentials expired. Refresh them (for example `aws sso login` for an SSO \
             profile) and run Terraform again."
        }
        ErrorKind::InvalidCredentials => {
            "AWS does not accept the provider's own credentials (an unknown access key, a wrong secret key, or a \
             session token that does not match). Check access_key/secret_key/token, the profile, or the AWS_* \
             environment variables."
        }
        ErrorKind::ClockSkew => {
            "AWS refused the request because this machine's clock is more than 15 minutes off. Synchronise the \
             clock (for example with NTP) and run Terraform again."
        }
        ErrorKind::RootSessionRejected => {
            "AWS rejected a root session (sts:AssumeRoot credentials) as expired or invalid, also after the provider \
             replaced it with a new one. Your own credentials are not the problem. Check that this machine's clock \
             is correct (root sessions last root_session_duration seconds, at most 900), that \
             root_session_duration leaves time for the calls, and run Terraform again."
        }
        ErrorKind::Throttled => {
            "AWS kept throttling after all retries. Lower max_concurrent_requests, or raise max_retries and \
             call_timeout in the provider block, or run again later."
        }
        ErrorKind::ServerError => {
            "AWS had an internal error (HTTP 5xx) and the provider's retries did not get past it. Run Terraform \
             again; if it persists, check the AWS Health Dashboard. Retries are bounded by max_retries and \
             call_timeout in the provider block."
        }
        ErrorKind::NotFound => "The object does not exist.",
        ErrorKind::NoCredentials => {
            "The provider found no AWS credentials. It looked, in this order, at: access_key/secret_key in the \
             provider block; the environment (AWS_ACCESS_KEY_ID with AWS_SECRET_ACCESS_KEY, or AWS_PROFILE); the \
             shared files (~/.aws/credentials and ~/.aws/config, or shared_credentials_files/shared_config_files) \
             for the selected profile; web identity (AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN); the container \
             credentials endpoint (ECS, EKS Pod Identity); the EC2 instance metadata service. Configure one of them \
             (for example `aws sso login --profile <name>` and profile = \"<name>\") and run Terraform again."
        }
        ErrorKind::CredentialSourceFailed => {
            "A source of AWS credentials was found but could not give them. Check the profile's settings (an SSO \
             login may have expired: run `aws sso login`), its credential_process or role, then run Terraform again."
        }
        ErrorKind::Unreachable => {
            "AWS could not be reached: no connection answered. Check network access, proxies (HTTPS_PROXY), DNS, and \
             any custom endpoints in the provider block. The provider retries for at most call_timeout before it \
             reports this."
        }
        ErrorKind::TimedOut => {
            "AWS did not answer in time. Check network access and custom endpoints; if AWS is only slow, raise \
             request_timeout (one attempt) or call_timeout (all retries) in the provider block."
        }
        ErrorKind::Other => "",
    }
}

/// A diagnostic for an AWS failure while trying to `doing` (e.g. "delete the root password of 111122223333").
pub fn aws_diagnostic(err: &AwsError, doing: &str) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let advice = advice(err.kind);
    let detail = if advice.is_empty() {
        err.to_string()
    } else {
        format!("{err}\n\n{advice}")
    };
    diags.error(format!("Could not {doing}"), detail);
    diags
}
