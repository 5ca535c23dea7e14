//! List resources for `terraform query`, one file each, and what they share:
//! which member accounts a `config` block selects, and examining them
//! concurrently with each result streamed as soon as it is known.

pub mod member_credentials_absent;
pub mod member_password_recovery;

use std::collections::BTreeSet;
use std::future::Future;

use futures::StreamExt;
use serde::{Deserialize, Serialize};

use crate::checks::ACCOUNT_ID;
use crate::errors::aws_diagnostic;
use crate::member_account::{
    accounts_in_units, organizational_units_attribute, unknown_state_detail, unusable_reason,
};
use aws_root_access::organization;
use aws_root_access::{AwsClients, AwsError, OrgAccount, Organization};
use tfplugin::{Attribute, Diagnostics, ListResults, Listed, Schema, Type};

/// Which member accounts a list block selects.
#[derive(Deserialize)]
pub struct Selection {
    account_ids: Option<BTreeSet<String>>,
    organizational_unit_ids: Option<BTreeSet<String>>,
    exclude_account_ids: Option<BTreeSet<String>>,
}

/// The selection arguments of every list block's `config`.
pub fn selection_attributes(schema: Schema) -> Schema {
    schema
        .attribute(
            Attribute::new("account_ids", Type::set(Type::String))
                .optional()
                .validator(ACCOUNT_ID)
                .describe(
                    "Only these member accounts. Ids that are not members of the organization are named in a \
                     warning.",
                ),
        )
        .attribute(organizational_units_attribute(
            "Only member accounts in these organizational units (`ou-...`) or their child units at any depth; a \
             root id (`r-...`) selects the whole organization. Combined with `account_ids`, an account must \
             match both.",
        ))
        .attribute(
            Attribute::new("exclude_account_ids", Type::set(Type::String))
                .optional()
                .validator(ACCOUNT_ID)
                .describe(
                    "Member accounts left out, whatever else selects them: for example the accounts whose root \
                     password recovery another resource keeps (`rootaccess_member_password_recovery`), so that \
                     the generated configuration does not delete their login profile.",
                ),
        )
}

/// An examined account: listed, passed over (nothing to list), or not
/// examinable (a warning, never a silent omission).
pub enum Examined<S> {
    Listed(Listed<S>),
    Passed,
    Warning { summary: String, detail: String },
}

impl<S> Examined<S> {
    /// An account AWS would not let us examine: a warning naming it, with
    /// AWS's reason and the advice for it. `doing`: "audit", "read".
    pub fn refused(account: &str, doing: &str, e: &AwsError) -> Examined<S> {
        let why = aws_diagnostic(e, &format!("{doing} account {account}"));
        // AWS saying no is a refusal; no answer, throttling or a server
        // error is a failure to read.
        let outcome = if e.is_callers_problem() {
            "failed"
        } else {
            "refused"
        };
        Examined::Warning {
            summary: format!("Account {account} not examined ({doing} {outcome})"),
            detail: why
                .iter()
                .map(|d| d.detail.clone())
                .collect::<Vec<_>>()
                .join(" "),
        }
    }
}

/// Examines the member accounts `selection` names that can be examined
/// (ACTIVE), concurrently within the provider's bound on AWS calls, and
/// sends each result as soon as it is ready. Accounts are examined as the
/// organization's pages arrive, not after the whole listing. Stops when
/// Terraform wants no more results (its `limit`). The accounts that were
/// not examined (not members, not ACTIVE, refused) are named in warnings.
pub async fn examine_selected<S, F, Fut>(
    aws: &AwsClients,
    selection: &Selection,
    examine: F,
    results: &ListResults<'_, S>,
    diags: &mut Diagnostics,
) where
    S: Serialize + Sync,
    F: Fn(OrgAccount) -> Fut,
    Fut: Future<Output = Examined<S>>,
{
    let Some(in_units) =
        accounts_in_units(aws, selection.organizational_unit_ids.as_ref(), diags).await
    else {
        return;
    };
    let chosen = |management: &str, account: &OrgAccount| {
        account.id != management
            && selection
                .account_ids
                .as_ref()
                .is_none_or(|ids| ids.contains(&account.id))
            && in_units
                .as_ref()
                .is_none_or(|ids| ids.contains(&account.id))
            && selection
                .exclude_account_ids
                .as_ref()
                .is_none_or(|ids| !ids.contains(&account.id))
    };
    let (found, to_examine) = futures::channel::mpsc::unbounded::<OrgAccount>();
    let listing = async move {
        organization::read_with_pages(aws, |management, page| {
            for account in page {
                if chosen(management, account) && account.is_active() {
                    // Closed once Terraform has all the results it wants.
                    let _ = found.unbounded_send(account.clone());
                }
            }
        })
        .await
    };
    let examining = async {
        let mut examined = to_examine
            .map(&examine)
            .buffer_unordered(aws.max_concurrent_requests());
        let mut refused = Vec::new();
        let mut read = 0usize;
        while let Some(outcome) = examined.next().await {
            match outcome {
                Examined::Listed(listed) => {
                    read += 1;
                    if !results.send(listed).await {
                        break; // dropping the stream cancels what is in flight
                    }
                }
                Examined::Passed => read += 1,
                Examined::Warning { summary, detail } => refused.push((summary, detail)),
            }
        }
        (refused, read)
    };
    let (org, (mut refused, read)) = futures::join!(listing, examining);
    let org = match org {
        Ok(org) => org,
        Err(e) => {
            diags.extend(aws_diagnostic(&e, "list the organization's accounts"));
            return;
        }
    };
    not_examined(
        &org,
        selection,
        |a| chosen(&org.management_account_id, a),
        diags,
    );
    refused.sort();
    // Not one account could be read: an empty result would look like a
    // clean organization, so the query fails.
    let nothing_read = read == 0 && !refused.is_empty();
    for (summary, detail) in refused {
        if nothing_read {
            diags.error(summary, detail);
        } else {
            diags.warning(summary, detail);
        }
    }
}

/// Warnings naming the selected accounts that were not examined: ids that
/// are not member accounts, and members that are not ACTIVE.
fn not_examined(
    org: &Organization,
    selection: &Selection,
    chosen: impl Fn(&OrgAccount) -> bool,
    diags: &mut Diagnostics,
) {
    if let Some(wanted) = &selection.account_ids {
        let strangers: Vec<&str> = wanted
            .iter()
            .filter(|id| !org.accounts.contains_key(*id) || **id == org.management_account_id)
            .map(String::as_str)
            .collect();
        if !strangers.is_empty() {
            diags.warning(
                "Accounts not listed: not members",
                format!(
                    "{} {} not a member account of organization {} (the management account has no member root \
                     user to manage).",
                    strangers.join(", "),
                    if strangers.len() == 1 { "is" } else { "are" },
                    org.id
                ),
            );
        }
    }
    let unusable: Vec<String> = org
        .accounts
        .values()
        .filter(|a| chosen(a) && !a.is_active())
        .map(|a| {
            unusable_reason(&a.id, &a.state)
                .unwrap_or_else(|| unknown_state_detail(&a.id, &a.state))
        })
        .collect();
    if !unusable.is_empty() {
        let count = match unusable.len() {
            1 => "1 account".to_string(),
            n => format!("{n} accounts"),
        };
        diags.warning(
            format!("{count} not examined"),
            format!(
                "These member accounts were not examined, so the query cannot say whether they have root \
                 credentials:\n{}",
                unusable
                    .iter()
                    .map(|r| format!("  - {r}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
        );
    }
}
