//! What each attempt of an AWS call saw, for people: the debug log of every
//! failed attempt (which call, which account, why), the trace log of every
//! call with its duration, and the cause behind a call that ran out of
//! `call_timeout` (the SDK's timeout error says only that time ran out).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::retries::RequestAttempts;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};

use crate::error::root_cause;

/// Logs the attempts of every call of one client; `account` is the member
/// account a root session acts in (`None`: the provider's own credentials).
#[derive(Debug, Clone, Default)]
pub(crate) struct AttemptLog {
    pub(crate) account: Option<String>,
}

impl AttemptLog {
    pub(crate) fn of(account: &str) -> AttemptLog {
        AttemptLog {
            account: Some(account.to_string()),
        }
    }
}

#[derive(Debug, Clone)]
struct CallStarted(Instant);

impl Storable for CallStarted {
    type Storer = StoreReplace<Self>;
}

/// The last attempt that got no answer from AWS (refused, reset, timed out)
/// and when. Process-wide: a call that runs out of time reports it as its
/// likely cause; every call of a provider process goes to the same AWS.
static LAST_NO_ANSWER: Mutex<Option<(Instant, String)>> = Mutex::new(None);

/// The cause of the latest attempt without an answer within `window`.
pub(crate) fn last_no_answer(window: Duration) -> Option<String> {
    let last = LAST_NO_ANSWER
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    last.as_ref()
        .filter(|(at, _)| at.elapsed() <= window)
        .map(|(_, cause)| cause.clone())
}

fn call_name(cfg: &ConfigBag) -> String {
    cfg.load::<Metadata>().map_or_else(
        || "AWS call".to_string(),
        |m| format!("{}:{}", m.service(), m.name()),
    )
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
        let no_answer = if let Some(connector) = error.as_connector_error() {
            Some(root_cause(connector))
        } else if error.is_timeout_error() {
            Some("no answer within request_timeout".to_string())
        } else {
            None
        };
        let cause = match (&no_answer, context.response()) {
            (Some(cause), _) => cause.clone(),
            (None, Some(response)) => format!("HTTP {}: {error}", response.status().as_u16()),
            (None, None) => error.to_string(),
        };
        if let Some(cause) = no_answer {
            *LAST_NO_ANSWER
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some((Instant::now(), cause));
        }
        let elapsed = cfg
            .load::<CallStarted>()
            .map_or(Duration::ZERO, |started| started.0.elapsed());
        tracing::debug!(
            call = %call_name(cfg),
            account = self.account.as_deref().unwrap_or("(provider credentials)"),
            attempt = cfg.load::<RequestAttempts>().map_or(0, RequestAttempts::attempts),
            elapsed_ms = elapsed.as_millis() as u64,
            %cause,
            "AWS call attempt failed; retried with backoff when the error is retryable and call_timeout and \
             max_retries allow"
        );
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
