//! The organization the provider acts for, read from AWS Organizations once
//! per provider configuration (one Terraform command) and shared, so
//! plan-time checks of many resources cost a handful of calls in all.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use futures::future::try_join_all;

use super::accounts::{AccountState, Membership, OrgAccount, Organization};
use super::clients::AwsClients;
use super::error::{AwsError, Classify, ErrorKind};

/// The organization as read for one configuration (a failure too).
#[derive(Default)]
struct OrganizationCache(tokio::sync::OnceCell<Result<Arc<Organization>, AwsError>>);

/// The organization with all its accounts (DescribeOrganization, then
/// ListAccounts page by page: at most 20 accounts a page), read once and
/// cached for this configuration. A failure is cached too: a caller
/// without organizations:ListAccounts asks once per Terraform command,
/// not once per resource.
pub async fn read(aws: &AwsClients) -> Result<Arc<Organization>, AwsError> {
    read_with_pages(aws, |_, _| {}).await
}

/// [`read`], handing `each_page` the management
/// account's id and each page of accounts as it arrives, so a caller can
/// start work on the first accounts while the rest are listed (at 20 a
/// page, 1,000 accounts are 50 calls one after the other). When the
/// organization was read already, or is being read by another caller,
/// `each_page` gets every account at once when it is there. On an error,
/// the pages before it were handed over.
pub async fn read_with_pages(
    aws: &AwsClients,
    mut each_page: impl FnMut(&str, &[OrgAccount]) + Send,
) -> Result<Arc<Organization>, AwsError> {
    let mut handed = false;
    let cache = aws.slot::<OrganizationCache>();
    let result = cache
        .0
        .get_or_init(|| async {
            handed = true;
            read_now(aws, &mut each_page).await.map(Arc::new)
        })
        .await
        .clone();
    if !handed && let Ok(org) = &result {
        let all: Vec<OrgAccount> = org.accounts.values().cloned().collect();
        each_page(&org.management_account_id, &all);
    }
    result
}

async fn read_now(
    aws: &AwsClients,
    each_page: &mut (impl FnMut(&str, &[OrgAccount]) + Send),
) -> Result<Organization, AwsError> {
    let (id, management_account_id) = describe(aws).await?;
    let mut accounts = BTreeMap::new();
    let mut next: Option<String> = None;
    loop {
        let page = aws
            .call(async {
                aws.organizations
                    .list_accounts()
                    .set_next_token(next.clone())
                    .send()
                    .await
                    .classify("organizations:ListAccounts")
            })
            .await?;
        let listed: Vec<OrgAccount> = page
            .accounts()
            .iter()
            .filter_map(|a| {
                Some(OrgAccount {
                    id: a.id()?.to_string(),
                    name: a.name().unwrap_or_default().to_string(),
                    state: AccountState::of(a),
                })
            })
            .collect();
        each_page(&management_account_id, &listed);
        accounts.extend(listed.into_iter().map(|a| (a.id.clone(), a)));
        // Organizations may return an empty page with a NextToken: only
        // the absence of a token ends the listing.
        next = page.next_token().map(str::to_string);
        if next.is_none() {
            break;
        }
    }
    Ok(Organization {
        id,
        management_account_id,
        accounts,
    })
}

/// Where `account` stands now (DescribeAccount, never cached): used to
/// explain a root session that AWS refused.
pub async fn membership(aws: &AwsClients, account: &str) -> Result<Membership, AwsError> {
    let org = read(aws).await?;
    if account == org.management_account_id {
        return Ok(Membership::ManagementAccount);
    }
    let described = aws
        .call(async {
            aws.organizations
                .describe_account()
                .account_id(account)
                .send()
                .await
                .classify("organizations:DescribeAccount")
        })
        .await;
    match described {
        Ok(out) => Ok(Membership::of_member(
            out.account
                .as_ref()
                .map_or(AccountState::Missing, AccountState::of),
        )),
        Err(e) if e.is(ErrorKind::NotFound) => Ok(Membership::NotMember),
        Err(e) => Err(e),
    }
}

/// The accounts in organizational units `units` and in all their child
/// units, at any depth (ListAccountsForParent and
/// ListOrganizationalUnitsForParent, every page; the units of one level
/// are read concurrently). A unit AWS does not know is a NotFound error
/// naming it.
pub async fn accounts_in_units(
    aws: &AwsClients,
    units: &[String],
) -> Result<BTreeSet<String>, AwsError> {
    Ok(accounts_under(aws, units)
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect())
}

/// The accounts in organizational units (or roots) `units` and all their
/// child units, with their states: each unit's own accounts
/// (ListAccountsForParent) and child units (ListOrganizationalUnitsForParent),
/// the units of one level read concurrently within the bound on calls in
/// flight, instead of one ListAccounts chain over the whole organization.
pub async fn accounts_under(
    aws: &AwsClients,
    units: &[String],
) -> Result<Vec<OrgAccount>, AwsError> {
    let mut accounts = BTreeMap::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut level: Vec<String> = units.to_vec();
    while !level.is_empty() {
        level.retain(|u| seen.insert(u.clone()));
        let found = try_join_all(level.iter().map(|unit| read_unit(aws, unit))).await?;
        level = Vec::new();
        for (unit_accounts, children) in found {
            accounts.extend(unit_accounts.into_iter().map(|a| (a.id.clone(), a)));
            level.extend(children);
        }
    }
    Ok(accounts.into_values().collect())
}

/// The organization's id and management account (DescribeOrganization).
pub async fn describe(aws: &AwsClients) -> Result<(String, String), AwsError> {
    let described = aws
        .call(async {
            aws.organizations
                .describe_organization()
                .send()
                .await
                .classify("organizations:DescribeOrganization")
        })
        .await?;
    let (id, management) = described
        .organization
        .map(|o| (o.id, o.master_account_id))
        .unwrap_or_default();
    Ok((id.unwrap_or_default(), management.unwrap_or_default()))
}

/// One unit's own accounts and child units.
async fn read_unit(
    aws: &AwsClients,
    unit: &str,
) -> Result<(Vec<OrgAccount>, Vec<String>), AwsError> {
    let named = |e: AwsError| {
        if e.is(ErrorKind::NotFound) {
            AwsError::new(
                e.operation,
                e.kind,
                &e.code,
                format!(
                    "organizational unit {unit} is not in this organization ({})",
                    e.message
                ),
            )
        } else {
            e
        }
    };
    let mut accounts = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let page = aws
            .call(async {
                aws.organizations
                    .list_accounts_for_parent()
                    .parent_id(unit)
                    .set_next_token(next.clone())
                    .send()
                    .await
                    .classify("organizations:ListAccountsForParent")
            })
            .await
            .map_err(named)?;
        accounts.extend(page.accounts().iter().filter_map(|a| {
            Some(OrgAccount {
                id: a.id()?.to_string(),
                name: a.name().unwrap_or_default().to_string(),
                state: AccountState::of(a),
            })
        }));
        next = page.next_token().map(str::to_string);
        if next.is_none() {
            break;
        }
    }
    let mut children = Vec::new();
    loop {
        let page = aws
            .call(async {
                aws.organizations
                    .list_organizational_units_for_parent()
                    .parent_id(unit)
                    .set_next_token(next.clone())
                    .send()
                    .await
                    .classify("organizations:ListOrganizationalUnitsForParent")
            })
            .await
            .map_err(named)?;
        children.extend(
            page.organizational_units()
                .iter()
                .filter_map(|u| u.id().map(str::to_string)),
        );
        next = page.next_token().map(str::to_string);
        if next.is_none() {
            break;
        }
    }
    Ok((accounts, children))
}
