//! The two organization features of centralized root access, and IAM's
//! trusted access in AWS Organizations that they need.

use std::collections::BTreeSet;

use aws_sdk_iam::types::FeatureType;

use super::error::{AwsError, Classify, ErrorKind};
use super::task_policy::TaskPolicy;
use crate::clients::AwsClients;

/// IAM's service principal in AWS Organizations.
pub const IAM_SERVICE_PRINCIPAL: &str = "iam.amazonaws.com";

/// Feature names exactly as the IAM API (and the AWS provider) spell them.
pub const FEATURE_NAMES: [&str; 2] = ["RootCredentialsManagement", "RootSessions"];

/// What IAM reports about an organization's features.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgFeatures {
    pub organization_id: String,
    pub enabled: BTreeSet<String>,
}

fn features(organization_id: Option<String>, enabled: &[FeatureType]) -> OrgFeatures {
    OrgFeatures {
        organization_id: organization_id.unwrap_or_default(),
        enabled: enabled.iter().map(|f| f.as_str().to_string()).collect(),
    }
}

/// Calls one of the five IAM organization-feature operations; they all
/// answer with the organization id and the features enabled afterwards.
macro_rules! feature_operation {
    ($aws:expr, $operation:ident, $name:literal) => {
        $aws.call(async {
            let out = $aws.iam.$operation().send().await.classify($name)?;
            Ok(features(
                out.organization_id.clone(),
                out.enabled_features(),
            ))
        })
        .await
    };
}

pub async fn list(aws: &AwsClients) -> Result<OrgFeatures, AwsError> {
    feature_operation!(
        aws,
        list_organizations_features,
        "iam:ListOrganizationsFeatures"
    )
}

/// Enables `feature` and returns the state IAM reports afterwards.
pub async fn enable(aws: &AwsClients, feature: &str) -> Result<OrgFeatures, AwsError> {
    aws.slot::<FeatureCache>().forget().await;
    if feature == "RootSessions" {
        feature_operation!(
            aws,
            enable_organizations_root_sessions,
            "iam:EnableOrganizationsRootSessions"
        )
    } else {
        feature_operation!(
            aws,
            enable_organizations_root_credentials_management,
            "iam:EnableOrganizationsRootCredentialsManagement"
        )
    }
}

/// Disables `feature` and returns the state IAM reports afterwards.
pub async fn disable(aws: &AwsClients, feature: &str) -> Result<OrgFeatures, AwsError> {
    aws.slot::<FeatureCache>().forget().await;
    if feature == "RootSessions" {
        feature_operation!(
            aws,
            disable_organizations_root_sessions,
            "iam:DisableOrganizationsRootSessions"
        )
    } else {
        feature_operation!(
            aws,
            disable_organizations_root_credentials_management,
            "iam:DisableOrganizationsRootCredentialsManagement"
        )
    }
}

/// Whether IAM has trusted access in AWS Organizations.
pub async fn iam_trusted_access(aws: &AwsClients) -> Result<bool, AwsError> {
    aws.call(async {
        let mut pages = aws
            .organizations
            .list_aws_service_access_for_organization()
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.classify("organizations:ListAWSServiceAccessForOrganization")?;
            if page
                .enabled_service_principals()
                .iter()
                .any(|p| p.service_principal() == Some(IAM_SERVICE_PRINCIPAL))
            {
                return Ok(true);
            }
        }
        Ok(false)
    })
    .await
}

/// Gives IAM trusted access; other service principals are left as they are.
pub async fn enable_iam_trusted_access(aws: &AwsClients) -> Result<(), AwsError> {
    aws.call(async {
        aws.organizations
            .enable_aws_service_access()
            .service_principal(IAM_SERVICE_PRINCIPAL)
            .send()
            .await
            .classify("organizations:EnableAWSServiceAccess")?;
        Ok(())
    })
    .await
}

/// Accounts registered as IAM delegated administrator.
pub async fn iam_delegated_administrators(aws: &AwsClients) -> Result<Vec<String>, AwsError> {
    aws.call(async {
        let mut ids = Vec::new();
        let mut pages = aws
            .organizations
            .list_delegated_administrators()
            .service_principal(IAM_SERVICE_PRINCIPAL)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.classify("organizations:ListDelegatedAdministrators")?;
            ids.extend(
                page.delegated_administrators()
                    .iter()
                    .filter_map(|d| d.id().map(str::to_string)),
            );
        }
        Ok(ids)
    })
    .await
}

/// The features as IAM last reported them to this provider process, for
/// the root-session gate: read once, dropped whenever this process enables
/// or disables a feature (the same run may turn them on).
#[derive(Default)]
pub(crate) struct FeatureCache(tokio::sync::Mutex<Option<Result<BTreeSet<String>, AwsError>>>);

impl FeatureCache {
    pub(crate) async fn forget(&self) {
        *self.0.lock().await = None;
    }
}

/// The organization feature a task's root sessions need: the three IAM
/// credential tasks RootCredentialsManagement, the two unlocks RootSessions.
pub fn required_feature(task: TaskPolicy) -> &'static str {
    match task {
        TaskPolicy::S3UnlockBucketPolicy | TaskPolicy::SqsUnlockQueuePolicy => "RootSessions",
        TaskPolicy::IamAuditRootUserCredentials
        | TaskPolicy::IamCreateRootUserPassword
        | TaskPolicy::IamDeleteRootUserCredentials => "RootCredentialsManagement",
    }
}

/// Before a root session for `task` is opened: IAM's own answer decides
/// whether the feature it needs is on (ListOrganizationsFeatures, once per
/// process), so a plan before the features are on opens no session that
/// must fail. When IAM cannot say (no permission to list, no answer), the
/// session is asked for and AWS's answer stands.
pub(crate) async fn gate(aws: &AwsClients, task: TaskPolicy) -> Result<(), AwsError> {
    let features = aws.slot::<FeatureCache>();
    let mut cached = features.0.lock().await;
    if cached.is_none() {
        *cached = Some(list(aws).await.map(|now| now.enabled));
    }
    let needed = required_feature(task);
    match cached.as_ref() {
        Some(Ok(enabled)) if !enabled.contains(needed) => Err(AwsError::new(
            "sts:AssumeRoot (not attempted)",
            ErrorKind::FeatureNotEnabled,
            "",
            format!(
                "the organization feature {needed} is not enabled (as iam:ListOrganizationsFeatures reports), and \
                 {task} root sessions need it"
            ),
        )),
        Some(Err(e))
            if e.is(ErrorKind::TrustedAccessOff)
                || e.is(ErrorKind::NotManagementOrDelegatedAdmin)
                || e.is(ErrorKind::OrganizationNotFound) =>
        {
            Err(e.clone())
        }
        _ => Ok(()),
    }
}
