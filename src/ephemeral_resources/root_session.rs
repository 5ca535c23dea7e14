//! Ephemeral resource `rootaccess_root_session`: short-lived credentials that
//! act as a member account's root user for one task, for example to configure
//! an aliased `provider "aws"` for a root task no resource here covers. The
//! values exist only during the Terraform run: never in state or plan files.

use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use serde::Serialize;

use crate::checks::{ACCOUNT_ID, TASK_POLICY};
use crate::errors::aws_diagnostic;
use aws_root_access::AwsClients;
use aws_root_access::task_policy::TaskPolicy;
use tfplugin::{Attribute, Diagnostics, EphemeralResource, IntBetween, Nothing, Opened, Schema};

pub struct RootSession;

/// The ephemeral resource's configuration (known when it is opened).
#[derive(Clone, serde::Deserialize)]
pub struct SessionConfig {
    account_id: String,
    task_policy: String,
    /// Validated to 1..=900.
    duration_seconds: Option<u64>,
}

#[derive(Serialize)]
pub struct SessionValues {
    account_id: String,
    task_policy: String,
    duration_seconds: Option<u64>,
    task_policy_arn: String,
    access_key_id: String,
    secret_access_key: String,
    session_token: String,
    expiration: String,
}

#[async_trait]
impl EphemeralResource<AwsClients> for RootSession {
    type Config = SessionConfig;
    type Result = SessionValues;
    /// Root sessions cannot be renewed, and closing them is not possible.
    type Private = Nothing;

    fn type_name(&self) -> &'static str {
        "rootaccess_root_session"
    }

    fn schema(&self) -> Schema {
        let secret = |name: &'static str, doc: &str| {
            Attribute::string(name).computed().sensitive().describe(doc)
        };
        Schema::new(
            "Opens an `sts:AssumeRoot` session: credentials acting as a member account's root user, limited to one \
             AWS managed root-task policy, valid at most 900 seconds. Use them to configure another provider for a \
             root task the resources of this provider do not cover. Requires Terraform 1.10+ (OpenTofu 1.11+); the \
             credentials never reach state or plan files. AWS cannot revoke them early, so closing does nothing; \
             keep `duration_seconds` short.",
        )
        .attribute(
            Attribute::string("account_id")
                .required()
                .validator(ACCOUNT_ID)
                .describe("The member account to act in (not the management account)."),
        )
        .attribute(
            Attribute::string("task_policy")
                .required()
                .validator(TASK_POLICY)
                .describe("The task the session is limited to."),
        )
        .attribute(
            Attribute::number("duration_seconds")
                .optional()
                .validator(IntBetween(1, 900))
                .describe("Lifetime of the session in seconds. Defaults to `900`."),
        )
        .attribute(Attribute::string("task_policy_arn").computed().describe("ARN of the task policy."))
        .attribute(secret("access_key_id", "Access key id of the session."))
        .attribute(secret("secret_access_key", "Secret access key of the session."))
        .attribute(secret("session_token", "Session token of the session."))
        .attribute(Attribute::string("expiration").computed().describe("When the credentials expire (RFC 3339)."))
    }

    async fn open(
        &self,
        aws: &AwsClients,
        config: &SessionConfig,
        diags: &mut Diagnostics,
    ) -> Option<Opened<SessionValues, Nothing>> {
        let SessionConfig {
            account_id: account,
            task_policy: task_text,
            duration_seconds,
        } = config.clone();
        let Ok(task) = task_text.parse::<TaskPolicy>() else {
            diags.error(
                "Invalid task_policy",
                format!("{task_text:?} is not a root-task policy"),
            );
            return None;
        };
        let duration = Duration::from_secs(duration_seconds.unwrap_or(900).clamp(1, 900));
        let creds = match aws.open_root_session(&account, task, duration).await {
            Ok(c) => c,
            Err(e) => {
                diags.extend(aws_diagnostic(
                    &e,
                    &format!("open a {task} root session in {account}"),
                ));
                return None;
            }
        };
        let expires = creds
            .expiry()
            .unwrap_or_else(|| SystemTime::now() + duration);
        let expiration = time::OffsetDateTime::from(expires)
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let result = SessionValues {
            account_id: account,
            task_policy: task_text,
            duration_seconds,
            task_policy_arn: task.arn(aws.partition()),
            access_key_id: creds.access_key_id().to_string(),
            secret_access_key: creds.secret_access_key().to_string(),
            session_token: creds.session_token().unwrap_or_default().to_string(),
            expiration,
        };
        // Root sessions cannot be renewed: no renew_at.
        Some(Opened {
            result,
            renew_at: None,
            private: Nothing,
        })
    }
}
