//! The member account a resource or data source acts on: its attribute, the
//! checks made before AWS is asked (12 digits at validate; not the management
//! account, an ACTIVE member at plan), and how a vanished account is explained.

use crate::aws::{AwsClients, Membership};
use crate::checks::ACCOUNT_ID;
use crate::plugin::{Attribute, AttributePath, Diagnostics};

/// The `account_id` argument of a resource: required, validated, and
/// replacing the resource when it changes.
pub fn account_id_attribute(doc: &str) -> Attribute {
    Attribute::string("account_id")
        .required()
        .requires_replace()
        .validator(ACCOUNT_ID)
        .describe(doc)
}

/// Refuses at plan time what AWS would refuse at apply: the management account
/// (AssumeRoot never targets it) and accounts that are not ACTIVE members.
/// Best effort: when the organization cannot be read (for example the caller
/// may not call organizations:ListAccounts) nothing is refused here and AWS
/// has the last word.
pub async fn check_target(aws: &AwsClients, account: &str, diags: &mut Diagnostics) {
    let org = match aws.organization().await {
        Ok(org) => org,
        Err(e) => {
            tracing::debug!(%e, "cannot read the organization; plan-time account checks skipped");
            return;
        }
    };
    let path = AttributePath::root("account_id");
    match org.membership(account) {
        Membership::ActiveMember => {}
        Membership::ManagementAccount => diags.attribute_error(
            path,
            "The management account is not a member account",
            format!(
                "{account} is the organization's management account. Centralized root access acts on member \
                 accounts only (sts:AssumeRoot refuses the management account); secure the management account's \
                 root user by hand (MFA, no access keys). Use a member account id here."
            ),
        ),
        Membership::Inactive(status) => diags.attribute_error(
            path,
            "The account is not active",
            format!(
                "Account {account} is {status} in organization {}: AWS opens no root session in it. Remove this \
                 resource from the configuration, or wait until the account is ACTIVE again.",
                org.id
            ),
        ),
        Membership::NotMember => diags.attribute_error(
            path,
            "The account is not in the organization",
            format!(
                "Account {account} is not a member of organization {}, so no root session can be opened in it. \
                 Check the account id, or remove this resource from the configuration if the account left the \
                 organization.",
                org.id
            ),
        ),
    }
}

/// After AWS refused a root session or call in `account`: if the account has
/// left the organization or is no longer ACTIVE (closed accounts are
/// SUSPENDED), says so in a sentence; `None` when it is still an active member
/// (the original error then stands) or when that cannot be found out.
pub async fn gone_reason(aws: &AwsClients, account: &str) -> Option<String> {
    match aws.membership(account).await {
        Ok(Membership::NotMember) => Some(format!(
            "Account {account} is no longer a member of the organization."
        )),
        Ok(Membership::Inactive(status)) => Some(format!(
            "Account {account} is {status} (closed or suspended), so AWS opens no root session in it."
        )),
        Ok(Membership::ActiveMember | Membership::ManagementAccount) => None,
        Err(e) => {
            tracing::debug!(%e, "cannot tell whether the account is still a member");
            None
        }
    }
}
