//! The last failed attempt of an AWS call: recorded by the attempt log
//! (`attempts`), read when the call runs out of `call_timeout` (`error`),
//! whose timeout error from the SDK carries no cause. Each call made through
//! `AwsClients::call` keeps its own ([`scoped`]), so calls running at once
//! for many accounts never borrow each other's cause.

use std::cell::RefCell;
use std::future::Future;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How the last attempt of a call failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Failure {
    /// No answer at all: refused, reset, DNS, TLS (the innermost cause).
    NoAnswer(String),
    /// Nothing within `request_timeout`.
    Slow(Duration),
    /// AWS answered with an error the SDK retries (throttling, 5xx).
    Answered { status: u16, code: Option<String> },
}

/// The last failed attempt of a call that may run out of `call_timeout`.
#[derive(Clone, Debug)]
pub(crate) struct LastAttempt {
    pub(crate) failure: Failure,
    pub(crate) call_timeout: Duration,
    at: Instant,
}

tokio::task_local! {
    /// The last failed attempt of the call this task is making.
    static CALL: RefCell<Option<LastAttempt>>;
}

/// Outside a call made through `AwsClients::call` (credential providers'
/// own calls): the last failed attempt of the process.
static LAST_FAILURE: Mutex<Option<LastAttempt>> = Mutex::new(None);

/// Runs `call` with its own record of failed attempts. Boxed, so the scope
/// adds a pointer, not a level of nesting, to every caller's future.
pub(crate) async fn scoped<T>(call: impl Future<Output = T>) -> T {
    CALL.scope(RefCell::new(None), Box::pin(call)).await
}

/// Keeps `failure` as the last failed attempt of the call being made.
pub(crate) fn record(failure: Failure, call_timeout: Duration) {
    let attempt = LastAttempt {
        failure,
        call_timeout,
        at: Instant::now(),
    };
    if let Err(outside) = CALL.try_with(|slot| *slot.borrow_mut() = Some(attempt.clone())) {
        tracing::trace!(%outside, "attempt outside a scoped call");
        *LAST_FAILURE
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(attempt);
    }
}

/// The call's latest failed attempt, if it is recent enough to explain a
/// call that has just run out of time.
pub(crate) fn last_failure() -> Option<LastAttempt> {
    let last = CALL
        .try_with(|slot| slot.borrow().clone())
        .unwrap_or_else(|_| {
            LAST_FAILURE
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .clone()
        });
    last.filter(|a| a.at.elapsed() <= a.call_timeout + Duration::from_secs(5))
}
