//! The scope as AWS lists it now, and how it is named in ids and messages.

use super::*;

/// The scope as AWS lists it now.
pub(super) struct Scope {
    pub(super) organization_id: String,
    /// ACTIVE member accounts in scope, not excluded.
    pub(super) active: Vec<String>,
    /// Member accounts in scope that are not ACTIVE.
    pub(super) skipped: BTreeSet<String>,
}

impl Scope {
    /// The whole organization (ListAccounts, shared with the provider's
    /// other resources), or the accounts under `units` (each unit's own
    /// accounts and child units, concurrently: no chain over the whole
    /// organization).
    pub(super) async fn read(
        aws: &AwsClients,
        units: Option<&BTreeSet<String>>,
        excluded: &BTreeSet<String>,
    ) -> Result<Scope, AwsError> {
        let (organization_id, management, accounts) = match units {
            None => {
                let org = organization::read(aws).await?;
                let accounts = org.accounts.values().cloned().collect::<Vec<_>>();
                (org.id.clone(), org.management_account_id.clone(), accounts)
            }
            Some(units) => {
                let (id, management) = organization::describe(aws).await?;
                let units: Vec<String> = units.iter().cloned().collect();
                (
                    id,
                    management,
                    organization::accounts_under(aws, &units).await?,
                )
            }
        };
        let mut scope = Scope {
            organization_id,
            active: Vec::new(),
            skipped: BTreeSet::new(),
        };
        for account in accounts {
            if account.id == management || excluded.contains(&account.id) {
                continue;
            }
            if account.is_active() {
                scope.active.push(account.id);
            } else {
                scope.skipped.insert(account.id);
            }
        }
        Ok(scope)
    }

    pub(super) fn id(&self, units: Option<&BTreeSet<String>>) -> String {
        format!("{}/{}", self.organization_id, scope_name(units))
    }

    pub(super) fn plan_names(&self, planned: &mut Planned, units: Option<&BTreeSet<String>>) {
        planned.id = Known::Value(Some(self.id(units)));
        planned.organization_id = Known::Value(Some(self.organization_id.clone()));
        planned.scope = Known::Value(Some(scope_name(units)));
        planned.skipped_account_ids = Known::Value(Some(self.skipped.clone()));
    }

    pub(super) fn warn_skipped(&self, diags: &mut Diagnostics) {
        if self.skipped.is_empty() {
            return;
        }
        diags.warning(
            format!("{} in scope not ACTIVE, skipped", accounts(self.skipped.len())),
            format!(
                "Root sessions cannot reach member accounts that are suspended or being closed, so their root \
                 credentials are neither read nor deleted: {}. They are listed in skipped_account_ids and covered \
                 again once they are ACTIVE.",
                named(self.skipped.iter())
            ),
        );
    }
}

/// `organization`, or the units sorted and joined with commas.
pub(super) fn scope_name(units: Option<&BTreeSet<String>>) -> String {
    units.map_or_else(
        || WHOLE_ORGANIZATION.to_string(),
        |units| units.iter().cloned().collect::<Vec<_>>().join(","),
    )
}

/// "1 account", "2 accounts".
pub(super) fn accounts(n: usize) -> String {
    if n == 1 {
        "1 account".to_string()
    } else {
        format!("{n} accounts")
    }
}

/// Up to [`NAMED`] of `items`, and how many more.
pub(super) fn named<'a>(items: impl ExactSizeIterator<Item = &'a String>) -> String {
    let total = items.len();
    let shown: Vec<&str> = items.take(NAMED).map(String::as_str).collect();
    match total - shown.len() {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}
