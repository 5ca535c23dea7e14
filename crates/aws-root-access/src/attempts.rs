//! What each attempt of an AWS call saw, for people: the debug log of every
//! attempt AWS did not answer, or answered with a throttle or a server
//! error (which call, which account, why), the trace log of every call with
//! its duration, and the cause behind a call that ran out of `call_timeout`
//! (the SDK's timeout error says only that time ran out).

use std::time::{Duration, Instant};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpResponse, Metadata};
use aws_smithy_runtime_api::client::retries::RequestAttempts;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};

use crate::error::root_cause;
use crate::last_failure::{self, Failure};
use crate::settings::AwsSettings;

/// Logs the attempts of every call of one client. `account` is the member
/// account a root session acts in (`None`: the provider's own credentials).
#[derive(Debug, Clone)]
pub(crate) struct AttemptLog {
    account: Option<String>,
    request_timeout: Duration,
    call_timeout: Duration,
}

impl AttemptLog {
    pub(crate) fn new(settings: &AwsSettings, account: Option<&str>) -> AttemptLog {
        AttemptLog {
            account: account.map(str::to_string),
            request_timeout: settings.request_timeout,
            call_timeout: settings.call_timeout,
        }
    }
}

#[derive(Debug, Clone)]
struct CallStarted(Instant);

impl Storable for CallStarted {
    type Storer = StoreReplace<Self>;
}

fn call_name(cfg: &ConfigBag) -> String {
    cfg.load::<Metadata>().map_or_else(
        || "AWS call".to_string(),
        |m| format!("{}:{}", m.service(), m.name()),
    )
}

/// The error code of an answer, from the headers the JSON and query-JSON
/// protocols set or from the body (`<Code>` in XML, `__type` in JSON).
fn error_code(response: &HttpResponse) -> Option<String> {
    let headers = response.headers();
    if let Some(code) = headers
        .get("x-amzn-query-error")
        .or_else(|| headers.get("x-amzn-errortype"))
    {
        return code.split([';', ':']).next().map(str::to_string);
    }
    let body = std::str::from_utf8(response.body().bytes()?).ok()?;
    if let Some((_, rest)) = body.split_once("<Code>") {
        return rest.split_once("</Code>").map(|(code, _)| code.to_string());
    }
    let (_, rest) = body.split_once("\"__type\"")?;
    let value = rest.split('"').nth(1)?;
    Some(value.rsplit('#').next().unwrap_or(value).to_string())
}

impl Intercept for AttemptLog {
    fn name(&self) -> &'static str {
        "rootaccess-attempt-log"
    }

    fn read_before_execution(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        cfg.interceptor_state()
            .store_put(CallStarted(Instant::now()));
        Ok(())
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(Err(error)) = context.output_or_error() else {
            return Ok(());
        };
        let failure = if let Some(connector) = error.as_connector_error() {
            if connector.is_timeout() {
                Failure::Slow(self.request_timeout)
            } else {
                Failure::NoAnswer(root_cause(connector))
            }
        } else if error.is_timeout_error() {
            Failure::Slow(self.request_timeout)
        } else if let Some(response) = context.response() {
            Failure::Answered {
                status: response.status().as_u16(),
                code: error_code(response),
            }
        } else {
            Failure::NoAnswer(error.to_string())
        };
        // An ordinary refusal (404, 403, 400 other than throttling) is an
        // answer, not a retry: traced, not reported as a failed attempt.
        let retried_kind = match &failure {
            Failure::Answered { status, code } => {
                *status >= 500
                    || code
                        .as_deref()
                        .is_some_and(|c| crate::error::is_throttling(c) || is_conflict(c))
            }
            Failure::NoAnswer(_) | Failure::Slow(_) => true,
        };
        let elapsed = cfg
            .load::<CallStarted>()
            .map_or(Duration::ZERO, |started| started.0.elapsed());
        let call = call_name(cfg);
        let account = self.account.as_deref().unwrap_or("(provider credentials)");
        let attempt = cfg
            .load::<RequestAttempts>()
            .map_or(0, RequestAttempts::attempts);
        if !retried_kind {
            tracing::trace!(%call, account, attempt, ?failure, "AWS answered with an error");
            return Ok(());
        }
        tracing::debug!(
            %call,
            account,
            attempt,
            elapsed_ms = elapsed.as_millis() as u64,
            ?failure,
            call_timeout_s = self.call_timeout.as_secs(),
            "AWS call attempt failed; the SDK retries it with backoff while max_retries and call_timeout allow"
        );
        last_failure::record(failure, self.call_timeout);
        Ok(())
    }

    fn read_after_execution(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let elapsed = cfg
            .load::<CallStarted>()
            .map_or(Duration::ZERO, |started| started.0.elapsed());
        tracing::trace!(
            call = %call_name(cfg),
            account = self.account.as_deref().unwrap_or("(provider credentials)"),
            attempts = cfg.load::<RequestAttempts>().map_or(0, RequestAttempts::attempts),
            duration_ms = elapsed.as_millis() as u64,
            ok = matches!(context.output_or_error(), Some(Ok(_))),
            "AWS call done"
        );
        Ok(())
    }
}

/// IAM answers 409 `ConcurrentModification` or `EntityTemporarilyUnmodifiable`
/// while another request changes the same entity (a root user's MFA device,
/// login profile, certificate): a retry with backoff succeeds, so these are
/// retried like a throttle, within `max_retries` and `call_timeout`.
#[derive(Debug)]
pub(crate) struct ConflictsAreTransient;

impl aws_smithy_runtime_api::client::retries::classifiers::ClassifyRetry for ConflictsAreTransient {
    fn classify_retry(
        &self,
        ctx: &aws_smithy_runtime_api::client::interceptors::context::InterceptorContext,
    ) -> aws_smithy_runtime_api::client::retries::classifiers::RetryAction {
        use aws_smithy_runtime_api::client::retries::classifiers::RetryAction;
        let failed = matches!(ctx.output_or_error(), Some(Err(_)));
        let code = ctx.response().and_then(error_code);
        match code {
            Some(code) if failed && is_conflict(&code) => RetryAction::transient_error(),
            _ => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "rootaccess-iam-conflicts"
    }
}

/// IAM's answers for an entity another request is changing.
fn is_conflict(code: &str) -> bool {
    matches!(
        code.trim_end_matches("Exception"),
        "ConcurrentModification" | "EntityTemporarilyUnmodifiable"
    )
}
