//! Create and update: deleting what the plan showed, accounts concurrently.

use super::*;

/// Create and update: deletes exactly what the plan showed (or, when the
/// plan could not know, what the scope has now), accounts concurrently.
pub(super) async fn apply(
    aws: &AwsClients,
    prior: Option<&State>,
    planned: &Planned,
    diags: &mut Diagnostics,
) -> Option<State> {
    let kinds = planned.kinds().unwrap_or_else(all_kinds);
    let units = planned.organizational_unit_ids.get().cloned().flatten();
    let excluded = planned
        .exclude_account_ids
        .get()
        .cloned()
        .flatten()
        .unwrap_or_default();
    let (targets, carried, scope) = match planned.removed.get().cloned().flatten() {
        Some(removed) => {
            let (targets, carried) = targets_of(prior, removed, &kinds);
            (targets, carried, None)
        }
        // The plan could not read (unknown configuration or provider):
        // what the scope has now.
        None => {
            let scope = match Scope::read(aws, units.as_ref(), &excluded).await {
                Ok(scope) => scope,
                Err(e) => {
                    diags.extend(aws_diagnostic(&e, "read the accounts in scope"));
                    return None;
                }
            };
            scope.warn_skipped(diags);
            let audited = audit(aws, &scope.active, &kinds, None, diags).await?;
            if !audited.unread.is_empty() {
                diags.error(
                    format!("Root credentials of {} not deleted", accounts(audited.unread.len())),
                    format!(
                        "They could not be read (see the warning above): {}. The others are cleaned; add these \
                         to exclude_account_ids, or fix what blocks their root sessions.",
                        named(audited.unread.iter())
                    ),
                );
            }
            (audited.found, ByAccount::new(), Some(scope))
        }
    };
    let mut left = ByAccount::new();
    let mut removed = carried;
    let (what_went, what_is_left) = ("removed", "accounts_with_credentials");
    let mut deletions = futures::stream::iter(targets)
        .map(|(account, sets)| async move {
            let deleted = root_credentials::delete_listed(aws, &account, sets.items()).await;
            (account, sets, deleted)
        })
        .buffer_unordered(aws.max_concurrent_requests());
    while let Some((account, sets, deleted)) = deletions.next().await {
        match deleted {
            Ok(deletion) => {
                let mut gone = deletion.removed.clone();
                gone.extend(deletion.already_gone.iter().cloned());
                let failed =
                    CredentialSets::of(deletion.failures.iter().map(|f| f.credential.clone()));
                report_failures(&account, &deletion, (what_went, what_is_left), diags);
                report_unassigned_virtual_devices(&account, &gone, diags);
                if !failed.is_empty() {
                    left.insert(account.clone(), failed);
                }
                if !gone.is_empty() {
                    removed.insert(account, CredentialSets::of(gone));
                }
            }
            Err(e) => {
                diags.extend(aws_diagnostic(
                    &e,
                    &format!("delete the root credentials of account {account}"),
                ));
                left.insert(account, sets);
            }
        }
    }
    let (organization_id, skipped) = match &scope {
        Some(scope) => (Some(scope.organization_id.clone()), scope.skipped.clone()),
        None => (
            planned.organization_id.get().cloned().flatten(),
            planned
                .skipped_account_ids
                .get()
                .cloned()
                .flatten()
                .unwrap_or_default(),
        ),
    };
    let id = organization_id
        .as_ref()
        .map(|org| format!("{org}/{}", scope_name(units.as_ref())));
    Some(State {
        id,
        organization_id,
        scope: Some(scope_name(units.as_ref())),
        organizational_unit_ids: units,
        exclude_account_ids: planned.exclude_account_ids.get().cloned().flatten(),
        credential_types: planned.credential_types.get().cloned().flatten(),
        accounts_with_credentials: left,
        removed,
        skipped_account_ids: skipped,
    })
}

/// Of a plan's `removed`: what to delete now, and what only stays on record.
/// A create deletes everything shown. An update deletes what the refresh
/// found (`accounts_with_credentials`) and what the plan audited (accounts
/// excluded before, or every account when the kinds changed); other entries
/// are the record of an earlier apply, kept.
pub(super) fn targets_of(
    prior: Option<&State>,
    removed: ByAccount,
    kinds: &BTreeSet<CredentialType>,
) -> (ByAccount, ByAccount) {
    let Some(prior) = prior.filter(|p| p.kinds() == *kinds) else {
        return (removed, ByAccount::new());
    };
    let was_excluded = prior.exclude_account_ids.clone().unwrap_or_default();
    removed.into_iter().partition(|(account, _)| {
        prior.accounts_with_credentials.contains_key(account) || was_excluded.contains(account)
    })
}
