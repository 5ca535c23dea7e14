//! The two organization features of centralized root access, and IAM's
//! trusted access in AWS Organizations that they need.

use std::collections::BTreeSet;

use aws_sdk_iam::types::FeatureType;

use super::AwsClients;
use super::error::{AwsError, Classify};

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
