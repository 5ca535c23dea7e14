//! Audits of many accounts at once, and the plan's warning of what they found.

use super::*;

/// What an audit of many accounts found.
pub(super) struct Audited {
    /// The accounts with root credentials of the kinds asked for.
    pub(super) found: ByAccount,
    /// Accounts that could not be read yet (a service control policy blocks
    /// root sessions, or the feature is off): what they have is unknown.
    pub(super) unread: BTreeSet<String>,
}

/// Audits `accounts` concurrently. An account a service control policy
/// blocks, or one whose feature is off, is a warning (with `prior`: its last
/// reading stays) and unread; any other failure is an error naming the
/// accounts (`None`).
pub(super) async fn audit(
    aws: &AwsClients,
    accounts: &[String],
    kinds: &BTreeSet<CredentialType>,
    prior: Option<&State>,
    diags: &mut Diagnostics,
) -> Option<Audited> {
    let mut found = ByAccount::new();
    let mut refused: BTreeMap<String, (AwsError, Vec<String>)> = BTreeMap::new();
    let mut audits = futures::stream::iter(accounts.iter().cloned())
        .map(|account| async move {
            let audited = root_credentials::audit(aws, &account).await;
            (account, audited)
        })
        .buffer_unordered(aws.max_concurrent_requests());
    while let Some((account, audited)) = audits.next().await {
        match audited {
            Ok(credentials) => {
                let sets = CredentialSets::found(&credentials).of_types(kinds);
                if !sets.is_empty() {
                    found.insert(account.clone(), sets);
                }
            }
            Err(e) => {
                let cause = format!("{:?}: {}", e.kind, e.message);
                refused
                    .entry(cause)
                    .or_insert_with(|| (e, Vec::new()))
                    .1
                    .push(account.clone());
            }
        }
    }
    let mut failed = false;
    let mut unread = BTreeSet::new();
    for (e, accounts) in refused.values() {
        let deferred = e.is(ErrorKind::ScpDenied)
            || e.is(ErrorKind::FeatureNotEnabled)
            || e.is(ErrorKind::TrustedAccessOff);
        let detail = format!(
            "{e}\n\n{} Accounts: {}.",
            advice(e.kind),
            named(accounts.iter())
        );
        if deferred {
            unread.extend(accounts.iter().cloned());
            diags.warning(
                format!("The root credentials of {} could not be read", self::accounts(accounts.len())),
                format!(
                    "{detail} What the apply deletes is known only then; applying this resource fails for these \
                     accounts until they can be read (or are added to exclude_account_ids)."
                ),
            );
            for account in accounts {
                if let Some(kept) = prior.and_then(|p| p.accounts_with_credentials.get(account)) {
                    found.insert(account.clone(), kept.clone());
                }
            }
        } else {
            failed = true;
            diags.error(
                format!(
                    "Could not audit the root credentials of {} accounts",
                    accounts.len()
                ),
                detail,
            );
        }
    }
    (!failed).then_some(Audited { found, unread })
}

/// The plan's warning naming the accounts whose credentials go.
pub(super) fn warn_going(going: &ByAccount, diags: &mut Diagnostics) {
    if going.is_empty() {
        return;
    }
    let lines: Vec<String> = going
        .iter()
        .take(NAMED)
        .map(|(account, sets)| format!("{account}: {}", sets.summary()))
        .collect();
    let more = going.len().saturating_sub(NAMED);
    diags.warning(
        format!("Root credentials present in {}", accounts(going.len())),
        format!(
            "Apply deletes them:\n{}{}\nIf some were created on purpose, add their accounts to exclude_account_ids.",
            lines.join("\n"),
            if more > 0 { format!("\n... and {more} more accounts (see `removed` in the plan)") } else { String::new() }
        ),
    );
}
