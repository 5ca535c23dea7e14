//! Who the provider runs as, and where that account stands in its
//! organization: the management account, the IAM delegated administrator,
//! or neither.

use super::clients::AwsClients;
use super::error::{AwsError, Classify, ErrorKind};

/// The caller's identity and organization.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallerIdentity {
    pub account_id: String,
    pub arn: String,
    pub user_id: String,
    /// `None` outside an organization, or for a caller that may not describe it.
    pub organization_id: Option<String>,
    pub management_account_id: Option<String>,
    pub is_management_account: bool,
    /// `None`: IAM's answer did not tell (a failure other than AWS's
    /// "neither the management account nor the delegated administrator").
    pub is_iam_delegated_administrator: Option<bool>,
}

/// GetCallerIdentity, DescribeOrganization, and (for members) whether
/// ListOrganizationsFeatures succeeds: it does exactly for the management
/// account and the IAM delegated administrator.
pub async fn caller_identity(aws: &AwsClients) -> Result<CallerIdentity, AwsError> {
    let who = aws
        .call(async {
            aws.sts
                .get_caller_identity()
                .send()
                .await
                .classify("sts:GetCallerIdentity")
        })
        .await?;
    let account_id = who.account().unwrap_or_default().to_string();
    let described = aws
        .call(async {
            aws.organizations
                .describe_organization()
                .send()
                .await
                .classify("organizations:DescribeOrganization")
        })
        .await;
    let (organization_id, management_account_id) = match described {
        Ok(out) => {
            let org = out.organization;
            (
                org.as_ref().and_then(|o| o.id.clone()),
                org.and_then(|o| o.master_account_id),
            )
        }
        // Outside an organization, or a caller (such as a root session) that may not describe it.
        Err(e) if e.is(ErrorKind::OrganizationNotFound) || e.is(ErrorKind::AccessDenied) => {
            (None, None)
        }
        Err(e) => return Err(e),
    };
    let is_management_account = management_account_id.as_deref() == Some(account_id.as_str());
    // ListOrganizationsFeatures answers exactly the management account and
    // the IAM delegated administrator; only AWS's "neither" answer means
    // not delegated. Any other failure leaves it unknown, never false.
    let is_iam_delegated_administrator = if is_management_account || organization_id.is_none() {
        Some(false)
    } else {
        let listed = aws
            .call(async {
                aws.iam
                    .list_organizations_features()
                    .send()
                    .await
                    .classify("iam:ListOrganizationsFeatures")
            })
            .await;
        match listed {
            Ok(_) => Some(true),
            Err(e) if e.is(ErrorKind::NotManagementOrDelegatedAdmin) => Some(false),
            Err(e) => {
                tracing::debug!(%e, "cannot tell whether the caller is the IAM delegated administrator");
                None
            }
        }
    };
    Ok(CallerIdentity {
        account_id,
        arn: who.arn().unwrap_or_default().to_string(),
        user_id: who.user_id().unwrap_or_default().to_string(),
        organization_id,
        management_account_id,
        is_management_account,
        is_iam_delegated_administrator,
    })
}
