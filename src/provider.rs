//! The rootaccess provider: configuration and registration.
//!
//! Adding a resource, data source or function is one line in the matching
//! list below plus its own file.

use std::path::PathBuf;
use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;

use crate::errors::aws_diagnostic;
use crate::{actions, data_sources, ephemeral_resources, functions, list_resources, resources};
use aws_root_access::{AssumeRole, AwsClients, AwsSettings, Endpoints, StaticCredentials};
use tfplugin::{
    ActionType, Attribute, AttributePath, Block, DataSourceType, Diagnostics,
    EphemeralResourceType, FunctionType, IntBetween, ListResourceType, NestedBlock, Provider,
    ResourceType, Schema, StringCheck, Type,
};

/// The provider. Its AWS clients are built in `configure` and shared by every resource.
pub struct RootAccessProvider;

#[async_trait]
impl Provider for RootAccessProvider {
    type Client = AwsClients;
    type Config = ProviderConfig;

    fn type_name(&self) -> &'static str {
        "rootaccess"
    }

    fn schema(&self) -> Schema {
        let string_list = |name: &'static str, doc: &str| {
            Attribute::new(name, Type::list(Type::String))
                .optional()
                .describe(doc)
        };
        let endpoint = |name: &'static str, service: &str| {
            Attribute::string(name)
                .optional()
                .validator(URL)
                .describe(&format!("Endpoint URL for {service}, e.g. a VPC endpoint."))
        };
        Schema::new(
            "The rootaccess provider manages AWS Organizations centralized root access from the organization's \
             management account (or the IAM delegated administrator): organization features, member accounts' root \
             credentials, and resource policies that lock everyone out. Credentials and region are resolved like the \
             AWS provider's: arguments here, then environment variables (`AWS_ACCESS_KEY_ID`, `AWS_PROFILE`, \
             `AWS_REGION`, ...), then shared config and credentials files, then container or instance roles.",
        )
        .attribute(Attribute::string("region").optional().describe(
            "AWS region for STS root sessions (AssumeRoot is served only by regional STS endpoints). Required unless \
             `AWS_REGION`/`AWS_DEFAULT_REGION` or the profile sets it.",
        ))
        .attribute(Attribute::string("profile").optional().describe("Named profile of the shared config files (as `AWS_PROFILE`)."))
        .attribute(string_list("shared_config_files", "Shared config files to read instead of `~/.aws/config` (as `AWS_CONFIG_FILE`)."))
        .attribute(string_list(
            "shared_credentials_files",
            "Shared credentials files to read instead of `~/.aws/credentials` (as `AWS_SHARED_CREDENTIALS_FILE`).",
        ))
        .attribute(Attribute::string("access_key").optional().sensitive().describe("Access key id. Prefer a profile or the environment; set together with `secret_key`."))
        .attribute(Attribute::string("secret_key").optional().sensitive().describe("Secret access key; set together with `access_key`."))
        .attribute(Attribute::string("token").optional().sensitive().describe("Session token for temporary `access_key`/`secret_key`."))
        .attribute(
            Attribute::bool("s3_use_path_style")
                .optional()
                .describe("Address S3 buckets by path instead of by virtual host (needed by most S3-compatible test endpoints). Defaults to `false`."),
        )
        .attribute(
            Attribute::number("max_retries")
                .optional()
                .validator(IntBetween(0, 100))
                .describe("Retries of an AWS call after throttling, 5xx and network errors, with exponential backoff and jitter. Defaults to `25`."),
        )
        .attribute(
            Attribute::number("max_concurrent_requests")
                .optional()
                .validator(IntBetween(1, 256))
                .describe("Upper bound on AWS calls in flight at once, across all resources. Defaults to `16`."),
        )
        .attribute(
            Attribute::number("root_session_duration")
                .optional()
                .validator(IntBetween(1, 900))
                .describe(
                    "Seconds each `sts:AssumeRoot` session is requested for. Sessions are cached per member account and \
                     task policy and renewed when less than a quarter of their lifetime (at most 120 s) is left, so a short \
                     duration still serves many calls. A session AWS rejects early (`ExpiredToken`) is replaced once. \
                     Defaults to `900`, the AWS maximum.",
                ),
        )
        .attribute(
            Attribute::string("request_timeout")
                .optional()
                .validator(DURATION)
                .describe(
                    "The longest one attempt of an AWS call may take, from connecting to the last byte of the answer, \
                     e.g. `20s`. A hung connection is abandoned after it and the call retried. Defaults to `20s` (IAM, \
                     STS and Organizations answer in well under a second).",
                ),
        )
        .attribute(
            Attribute::string("call_timeout")
                .optional()
                .validator(DURATION)
                .describe(
                    "The longest one AWS call may take with all its retries and the waits between them, e.g. `30s`: the \
                     retry budget in time, on top of `max_retries`. When AWS cannot be reached, each call fails after it \
                     with an error that says so. Raise it when AWS throttles a large organization. Defaults to `30s`.",
                ),
        )
        .block(NestedBlock::single(
            "assume_role",
            Block::new("Assume this IAM role (in the management account or the IAM delegated administrator) before any other call.")
                .attribute(Attribute::string("role_arn").required().validator(ROLE_ARN).describe("ARN of the role to assume."))
                .attribute(Attribute::string("session_name").optional().describe("Session name. Defaults to `terraform-provider-rootaccess`."))
                .attribute(Attribute::string("external_id").optional().describe("External id the role's trust policy requires."))
                .attribute(
                    Attribute::string("duration")
                        .optional()
                        .validator(DURATION)
                        .describe("How long the role session lasts, e.g. `15m` or `1h`."),
                ),
        ))
        .block(NestedBlock::single(
            "endpoints",
            Block::new("Custom service endpoints.")
                .attribute(endpoint("sts", "STS (must serve AssumeRoot: a regional or VPC endpoint)"))
                .attribute(endpoint("iam", "IAM"))
                .attribute(endpoint("s3", "S3"))
                .attribute(endpoint("sqs", "SQS"))
                .attribute(endpoint("organizations", "AWS Organizations")),
        ))
    }

    async fn validate(&self, config: &ProviderConfig, diags: &mut Diagnostics) {
        let (access, secret) = (&config.access_key, &config.secret_key);
        if access.is_none() != secret.is_none() {
            let missing = if access.is_none() {
                "access_key"
            } else {
                "secret_key"
            };
            diags.attribute_error(
                AttributePath::root(missing),
                "Incomplete static credentials",
                "`access_key` and `secret_key` must be set together. Set both, or neither to use the profile or environment.",
            );
        }
    }

    async fn configure(
        &self,
        config: &ProviderConfig,
        diags: &mut Diagnostics,
    ) -> Option<AwsClients> {
        let settings = settings_from_config(config, diags)?;
        match AwsClients::new(settings).await {
            Ok(clients) => Some(clients),
            Err(e) => {
                diags.extend(aws_diagnostic(&e, "configure the provider"));
                None
            }
        }
    }

    async fn stop(&self, client: Option<&AwsClients>) {
        if let Some(c) = client {
            c.stop();
        }
    }

    fn resources(&self) -> Vec<ResourceType<AwsClients>> {
        vec![
            ResourceType::new(resources::org_features::OrgFeaturesResource),
            ResourceType::new(resources::bucket_policy_unlock::BucketPolicyUnlock),
            ResourceType::new(resources::queue_policy_unlock::QueuePolicyUnlock),
            ResourceType::new(resources::member_credentials_absent::MemberCredentialsAbsent),
            ResourceType::new(resources::member_password_recovery::MemberPasswordRecovery),
            ResourceType::new(resources::org_credentials_absent::OrgCredentialsAbsent),
        ]
    }

    fn data_sources(&self) -> Vec<DataSourceType<AwsClients>> {
        vec![
            DataSourceType::new(data_sources::caller_identity::CallerIdentity),
            DataSourceType::new(data_sources::member_root_credentials::MemberRootCredentials),
            DataSourceType::new(data_sources::org_features::OrgFeaturesData),
            DataSourceType::new(data_sources::org_root_credentials::OrgRootCredentials),
            DataSourceType::new(data_sources::organization::OrganizationData),
            DataSourceType::new(data_sources::root_guardrail_policy::RootGuardrailPolicy),
        ]
    }

    fn ephemeral_resources(&self) -> Vec<EphemeralResourceType<AwsClients>> {
        vec![EphemeralResourceType::new(
            ephemeral_resources::root_session::RootSession,
        )]
    }

    fn actions(&self) -> Vec<ActionType<AwsClients>> {
        vec![
            ActionType::new(actions::allow_password_recovery::AllowPasswordRecovery),
            ActionType::new(actions::delete_root_credentials::DeleteRootCredentials),
            ActionType::new(actions::unlock_bucket_policy::UnlockBucketPolicy),
            ActionType::new(actions::unlock_queue_policy::UnlockQueuePolicy),
        ]
    }

    fn list_resources(&self) -> Vec<ListResourceType<AwsClients>> {
        vec![
            ListResourceType::new(
                list_resources::member_credentials_absent::MemberCredentialsAbsentList,
            ),
            ListResourceType::new(
                list_resources::member_password_recovery::MemberPasswordRecoveryList,
            ),
        ]
    }

    fn functions(&self) -> Vec<FunctionType> {
        vec![
            FunctionType::new(functions::task_policy_arn::TaskPolicyArn),
            FunctionType::new(functions::root_user_arn::RootUserArn),
        ]
    }
}

const URL: StringCheck = StringCheck {
    description: "Must be an `http://` or `https://` URL.",
    check: |s| {
        if (s.starts_with("https://") || s.starts_with("http://")) && s.len() > "http://".len() + 1
        {
            Ok(())
        } else {
            Err(format!(
                "{s:?} is not an endpoint URL: write it as https://host[:port]"
            ))
        }
    },
};

const ROLE_ARN: StringCheck = StringCheck {
    description: "Must be an IAM role ARN.",
    check: |s| {
        let parts: Vec<&str> = s.splitn(6, ':').collect();
        let ok = parts.len() == 6
            && parts[0] == "arn"
            && parts[2] == "iam"
            && parts[5].starts_with("role/");
        if ok {
            Ok(())
        } else {
            Err(format!(
                "{s:?} is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)"
            ))
        }
    },
};

const DURATION: StringCheck = StringCheck {
    description: "A duration such as `900s`, `15m` or `1h`.",
    check: |s| parse_duration(s).map(|_| ()),
};

/// Parses `90s`, `15m`, `1h`, `1h30m`.
fn parse_duration(s: &str) -> Result<Duration, String> {
    let bad = || format!("{s:?} is not a duration: write it like 900s, 15m or 1h");
    let mut total = 0u64;
    let mut digits = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let n: u64 = digits.parse().map_err(|_| bad())?;
        digits.clear();
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            _ => return Err(bad()),
        };
        // A long number of hours must be an error, not an overflow.
        total = n
            .checked_mul(unit)
            .and_then(|seconds| total.checked_add(seconds))
            .ok_or_else(|| format!("{s:?} is too long a duration"))?;
    }
    if !digits.is_empty() {
        return Err(bad());
    }
    if total == 0 {
        return Err(format!(
            "{s:?} is no time at all: a duration must be longer than zero"
        ));
    }
    Ok(Duration::from_secs(total))
}

/// The provider block (`configure` sees it wholly known).
#[derive(Clone, Deserialize)]
pub struct ProviderConfig {
    region: Option<String>,
    profile: Option<String>,
    shared_config_files: Option<Vec<PathBuf>>,
    shared_credentials_files: Option<Vec<PathBuf>>,
    s3_use_path_style: Option<bool>,
    access_key: Option<String>,
    secret_key: Option<String>,
    token: Option<String>,
    // Signed, as Terraform's numbers are: a value the validators refuse
    // still decodes, so `validate` reports every problem of a block at once.
    max_retries: Option<i64>,
    max_concurrent_requests: Option<i64>,
    root_session_duration: Option<i64>,
    request_timeout: Option<String>,
    call_timeout: Option<String>,
    assume_role: Option<AssumeRoleConfig>,
    endpoints: Option<EndpointsConfig>,
}

#[derive(Clone, Deserialize)]
struct AssumeRoleConfig {
    role_arn: Option<String>,
    session_name: Option<String>,
    external_id: Option<String>,
    duration: Option<String>,
}

#[derive(Clone, Deserialize)]
struct EndpointsConfig {
    sts: Option<String>,
    iam: Option<String>,
    s3: Option<String>,
    sqs: Option<String>,
    organizations: Option<String>,
}

/// An empty string is the same as not set.
fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.is_empty())
}

/// A duration argument: `Some(None)` when not set, `None` after an error.
fn duration_setting(
    text: Option<String>,
    path: AttributePath,
    diags: &mut Diagnostics,
) -> Option<Option<Duration>> {
    match non_empty(text).map(|d| parse_duration(&d)) {
        Some(Err(e)) => {
            diags.attribute_error(path, "Invalid duration", e);
            None
        }
        Some(Ok(d)) => Some(Some(d)),
        None => Some(None),
    }
}

/// Reads the provider block into AWS settings (validators already ran).
fn settings_from_config(c: &ProviderConfig, diags: &mut Diagnostics) -> Option<AwsSettings> {
    let c = c.clone();
    let mut s = AwsSettings {
        region: non_empty(c.region),
        profile: non_empty(c.profile),
        shared_config_files: c.shared_config_files.unwrap_or_default(),
        shared_credentials_files: c.shared_credentials_files.unwrap_or_default(),
        s3_use_path_style: c.s3_use_path_style.unwrap_or(false),
        ..AwsSettings::default()
    };
    if let (Some(access_key_id), Some(secret_access_key)) =
        (non_empty(c.access_key), non_empty(c.secret_key))
    {
        s.static_credentials = Some(StaticCredentials {
            access_key_id,
            secret_access_key,
            session_token: non_empty(c.token),
        });
    }
    // The validators have kept each number in its range.
    if let Some(n) = c.max_retries.and_then(|n| u32::try_from(n).ok()) {
        s.max_retries = n;
    }
    if let Some(n) = c
        .max_concurrent_requests
        .and_then(|n| usize::try_from(n).ok())
    {
        s.max_concurrent_requests = n;
    }
    if let Some(n) = c.root_session_duration.and_then(|n| u64::try_from(n).ok()) {
        s.root_session_duration = Duration::from_secs(n);
    }
    if let Some(d) = duration_setting(
        c.request_timeout,
        AttributePath::root("request_timeout"),
        diags,
    )? {
        s.request_timeout = d;
    }
    if let Some(d) = duration_setting(c.call_timeout, AttributePath::root("call_timeout"), diags)? {
        s.call_timeout = d;
    }
    if let Some(role) = c.assume_role
        && let Some(role_arn) = non_empty(role.role_arn)
    {
        let duration = duration_setting(
            role.duration,
            AttributePath::root("assume_role").attribute("duration"),
            diags,
        )?;
        s.assume_role = Some(AssumeRole {
            role_arn,
            session_name: non_empty(role.session_name),
            external_id: non_empty(role.external_id),
            duration,
        });
    }
    if let Some(e) = c.endpoints {
        s.endpoints = Endpoints {
            sts: non_empty(e.sts),
            iam: non_empty(e.iam),
            s3: non_empty(e.s3),
            sqs: non_empty(e.sqs),
            organizations: non_empty(e.organizations),
        };
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert!(parse_duration("15").is_err());
        assert!(parse_duration("1d").is_err());
        assert!(parse_duration("").is_err());
        // Overflow is an error, never a panic (debug builds check arithmetic).
        let huge = format!("{}h", u64::MAX / 1000);
        assert!(parse_duration(&huge).unwrap_err().contains("too long"));
        assert!(parse_duration("99999999999999999999999h").is_err());
        assert!(parse_duration(&format!("{}s{}s", u64::MAX, 1)).is_err());
    }

    #[test]
    fn settings_never_show_secrets_in_debug_output() {
        let config: ProviderConfig = serde_json::from_value(
            serde_json::json!({"access_key": "AKIAEXAMPLE", "secret_key": "very-secret", "token": "tok-secret", "region": "eu-west-1"}),
        )
        .unwrap();
        let mut diags = Diagnostics::new();
        let s = settings_from_config(&config, &mut diags).unwrap();
        let shown = format!("{s:?}");
        assert!(shown.contains("AKIAEXAMPLE"));
        assert!(
            !shown.contains("very-secret") && !shown.contains("tok-secret"),
            "{shown}"
        );
    }
}
