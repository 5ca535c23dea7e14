//! The organization the provider acts for, read from AWS Organizations once
//! per provider configuration (one Terraform command) and shared, so
//! plan-time checks of many resources cost a handful of calls in all.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::accounts::{AccountState, Membership, OrgAccount, Organization};
use super::clients::AwsClients;
use super::error::{AwsError, Classify, ErrorKind};

impl AwsClients {
    /// The organization with all its accounts (DescribeOrganization, then
    /// ListAccounts page by page: at most 20 accounts a page), read once and
    /// cached for this configuration. A failure is cached too: a caller
    /// without organizations:ListAccounts asks once per Terraform command,
    /// not once per resource.
    pub async fn organization(&self) -> Result<Arc<Organization>, AwsError> {
        self.organization
            .get_or_init(|| async { self.read_organization().await.map(Arc::new) })
            .await
            .clone()
    }

    async fn read_organization(&self) -> Result<Organization, AwsError> {
        let described = self
            .call(async {
                self.organizations
                    .describe_organization()
                    .send()
                    .await
                    .classify("organizations:DescribeOrganization")
            })
            .await?;
        let (id, management_account_id) = described
            .organization
            .map(|o| (o.id, o.master_account_id))
            .unwrap_or_default();
        let mut accounts = BTreeMap::new();
        let mut next: Option<String> = None;
        loop {
            let page = self
                .call(async {
                    self.organizations
                        .list_accounts()
                        .set_next_token(next.clone())
                        .send()
                        .await
                        .classify("organizations:ListAccounts")
                })
                .await?;
            for a in page.accounts() {
                let Some(id) = a.id() else { continue };
                accounts.insert(
                    id.to_string(),
                    OrgAccount {
                        id: id.to_string(),
                        name: a.name().unwrap_or_default().to_string(),
                        state: AccountState::of(a),
                    },
                );
            }
            // Organizations may return an empty page with a NextToken: only
            // the absence of a token ends the listing.
            next = page.next_token().map(str::to_string);
            if next.is_none() {
                break;
            }
        }
        Ok(Organization {
            id: id.unwrap_or_default(),
            management_account_id: management_account_id.unwrap_or_default(),
            accounts,
        })
    }

    /// Where `account` stands now (DescribeAccount, never cached): used to
    /// explain a root session that AWS refused.
    pub async fn membership(&self, account: &str) -> Result<Membership, AwsError> {
        let org = self.organization().await?;
        if account == org.management_account_id {
            return Ok(Membership::ManagementAccount);
        }
        let described = self
            .call(async {
                self.organizations
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
}
