//! The unlock actions' one unlock: with progress messages, nothing kept in
//! state.

use super::Locked;
use super::rules::{Step, step};
use crate::errors::aws_diagnostic;
use aws_root_access::AwsClients;
use tfplugin::{Diagnostics, Progress};

/// The unlock actions: one unlock, with progress, nothing kept in state. An
/// object that already holds the replacement, or has no policy and none is
/// wanted, is left alone.
pub async fn unlock_once<T: Locked>(
    aws: &AwsClients,
    target: &T,
    replacement: Option<&str>,
    progress: &dyn Progress,
    diags: &mut Diagnostics,
) {
    let (label, account, what) = (target.label(), target.account(), target.describe());
    progress
        .message(format!(
            "Reading the policy of {label} as the root user of {account}"
        ))
        .await;
    let found = match target.read(aws).await {
        Ok(Some(found)) => found,
        Ok(None) => {
            target.missing(diags);
            return;
        }
        Err(e) => {
            diags.extend(aws_diagnostic(&e, &format!("read the policy of {what}")));
            return;
        }
    };
    let current = T::policy(&found);
    match step(current, replacement) {
        Step::Nothing if current.is_some() => {
            progress
                .message(format!(
                    "{label} already has the replacement policy; nothing to do"
                ))
                .await;
            return;
        }
        Step::Nothing => {
            progress
                .message(format!("{label} has no policy; it is already unlocked"))
                .await;
            diags.warning("Nothing to unlock", format!("The {what} has no policy."));
            return;
        }
        Step::Put(_) | Step::Delete => {
            if let Some(old) = current {
                let doing = match replacement {
                    Some(_) => "Replacing".to_string(),
                    None => progressive(target.remove_verb()),
                };
                progress
                    .message(format!("{doing} the policy of {label}: {old}"))
                    .await;
            }
        }
    }
    match target.set_policy(aws, &found, replacement).await {
        Ok(()) => {
            progress
                .message(format!("{label} in {account} is unlocked"))
                .await
        }
        Err(e) => diags.extend(aws_diagnostic(&e, &format!("unlock the {what}"))),
    }
}

/// "delete" -> "Deleting": the progress form of a verb ending in a silent e.
pub(super) fn progressive(verb: &str) -> String {
    let stem = verb.strip_suffix('e').unwrap_or(verb);
    let mut chars = stem.chars();
    match chars.next() {
        Some(first) => format!("{}{}ing", first.to_ascii_uppercase(), chars.as_str()),
        None => String::new(),
    }
}
