//! The last failed attempt of an AWS call in this process: recorded by the
//! attempt log (`attempts`), read when a call runs out of `call_timeout`
//! (`error`), whose timeout error from the SDK carries no cause.

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

/// Keeps `failure` as the last failed attempt.
pub(crate) fn record(failure: Failure, call_timeout: Duration) {
    *LAST_FAILURE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(LastAttempt {
        failure,
        call_timeout,
        at: Instant::now(),
    });
}

/// The last such attempt. Process-wide, because the SDK's timeout error
/// carries nothing of its call: a call that runs out of time reports it as
/// its likely cause (the calls of one provider process go to the same AWS).
static LAST_FAILURE: Mutex<Option<LastAttempt>> = Mutex::new(None);

/// The latest failed attempt, if it is recent enough to explain a call
/// that has just run out of time.
pub(crate) fn last_failure() -> Option<LastAttempt> {
    let last = LAST_FAILURE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    last.clone()
        .filter(|a| a.at.elapsed() <= a.call_timeout + Duration::from_secs(5))
}
