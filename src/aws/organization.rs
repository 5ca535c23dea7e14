//! The organization the provider acts for: its management account and its
//! member accounts with their status. Read once per provider configuration
//! (one Terraform command) and shared, so plan-time checks of many resources
//! cost a handful of calls in all.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::clients::AwsClients;
use super::error::{AwsError, ErrorKind};

/// One account of the organization.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgAccount {
    pub id: String,
    pub name: String,
    /// `ACTIVE`, `SUSPENDED`, `PENDING_CLOSURE`, ...
    pub status: String,
}

impl OrgAccount {
    pub fn is_active(&self) -> bool {
        self.status == "ACTIVE"
    }
}

/// The organization as seen by the caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Organization {
    pub id: String,
    pub management_account_id: String,
    /// Every account, the management account included, by id.
    pub accounts: BTreeMap<String, OrgAccount>,
}

/// Where an account stands in the organization.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Membership {
    ActiveMember,
    ManagementAccount,
    /// A member that is not ACTIVE (closed accounts are SUSPENDED, then removed).
    Inactive(String),
    /// Not (or no longer) an account of the organization.
    NotMember,
}

impl Organization {
    pub fn membership(&self, account: &str) -> Membership {
        if account == self.management_account_id {
            return Membership::ManagementAccount;
        }
        match self.accounts.get(account) {
            None => Membership::NotMember,
            Some(a) if a.is_active() => Membership::ActiveMember,
            Some(a) => Membership::Inactive(a.status.clone()),
        }
    }
}

impl AwsClients {
    /// The organization with all its accounts (DescribeOrganization, then
    /// ListAccounts page by page), read once and cached for this configuration.
    /// A failure is cached too: a caller without organizations:ListAccounts
    /// asks once per Terraform command, not once per resource.
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
                    .map_err(|e| AwsError::from_sdk("organizations:DescribeOrganization", e))
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
                        .map_err(|e| AwsError::from_sdk("organizations:ListAccounts", e))
                })
                .await?;
            for a in page.accounts() {
                let Some(id) = a.id() else { continue };
                accounts.insert(
                    id.to_string(),
                    OrgAccount {
                        id: id.to_string(),
                        name: a.name().unwrap_or_default().to_string(),
                        status: a.status().map(|s| s.as_str()).unwrap_or("").to_string(),
                    },
                );
            }
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
                    .map_err(|e| AwsError::from_sdk("organizations:DescribeAccount", e))
            })
            .await;
        match described {
            Ok(out) => {
                let status = out
                    .account
                    .and_then(|a| a.status.map(|s| s.as_str().to_string()))
                    .unwrap_or_default();
                Ok(if status == "ACTIVE" {
                    Membership::ActiveMember
                } else {
                    Membership::Inactive(status)
                })
            }
            Err(e) if e.is(ErrorKind::NotFound) => Ok(Membership::NotMember),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn membership_of_accounts() {
        let account = |id: &str, status: &str| {
            (
                id.to_string(),
                OrgAccount {
                    id: id.into(),
                    name: "n".into(),
                    status: status.into(),
                },
            )
        };
        let org = Organization {
            id: "o-abcdefghij".into(),
            management_account_id: "123456789012".into(),
            accounts: [
                account("123456789012", "ACTIVE"),
                account("111111111111", "ACTIVE"),
                account("444444444444", "SUSPENDED"),
            ]
            .into_iter()
            .collect(),
        };
        assert_eq!(
            org.membership("123456789012"),
            Membership::ManagementAccount
        );
        assert_eq!(org.membership("111111111111"), Membership::ActiveMember);
        assert_eq!(
            org.membership("444444444444"),
            Membership::Inactive("SUSPENDED".into())
        );
        assert_eq!(org.membership("999999999999"), Membership::NotMember);
    }
}
