//! Data source `rootaccess_org_features`: is centralized root access set up
//! for the organization, and who may manage it.

use std::collections::BTreeSet;

use async_trait::async_trait;
use serde::Serialize;

use crate::errors::aws_diagnostic;
use aws_root_access::org_features;
use aws_root_access::{AwsClients, ErrorKind};
use tfplugin::{Attribute, DataSource, Diagnostics, Nothing, Schema, Type};

pub struct OrgFeaturesData;

#[derive(Serialize)]
pub struct State {
    id: String,
    organization_id: String,
    enabled_features: BTreeSet<String>,
    iam_trusted_access: Option<bool>,
    iam_delegated_administrator: Option<String>,
}

#[async_trait]
impl DataSource<AwsClients> for OrgFeaturesData {
    type Config = Nothing;
    type Model = State;

    fn type_name(&self) -> &'static str {
        "rootaccess_org_features"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            "Reports the organization's centralized root access set-up: which features are enabled, whether IAM has \
             trusted access in AWS Organizations, and which account is the IAM delegated administrator. Works from \
             the management account and from the IAM delegated administrator.",
        )
        .attribute(Attribute::string("id").computed().describe("The organization id."))
        .attribute(Attribute::string("organization_id").computed().describe("The organization id (`o-...`)."))
        .attribute(
            Attribute::new("enabled_features", Type::set(Type::String))
                .computed()
                .describe("Enabled features: `RootCredentialsManagement`, `RootSessions`."),
        )
        .attribute(Attribute::bool("iam_trusted_access").computed().describe(
            "Whether IAM (`iam.amazonaws.com`) has trusted access in AWS Organizations; null when the caller may not \
             list service access.",
        ))
        .attribute(Attribute::string("iam_delegated_administrator").computed().describe(
            "Account id of the IAM delegated administrator, or null when none is registered (or the caller may not \
             list delegated administrators).",
        ))
    }

    async fn read(
        &self,
        aws: &AwsClients,
        _config: &Nothing,
        diags: &mut Diagnostics,
    ) -> Option<State> {
        let features = match org_features::list(aws).await {
            Ok(f) => f,
            Err(e) => {
                diags.extend(aws_diagnostic(
                    &e,
                    "read the organization's root access features",
                ));
                return None;
            }
        };
        // These two lists need organizations permissions a delegated
        // administrator may lack; report what is known.
        let trusted = match org_features::iam_trusted_access(aws).await {
            Ok(t) => Some(t),
            Err(e) if e.is(ErrorKind::AccessDenied) => None,
            Err(e) => {
                diags.extend(aws_diagnostic(&e, "check IAM trusted access"));
                return None;
            }
        };
        let admin = match org_features::iam_delegated_administrators(aws).await {
            Ok(ids) => ids.into_iter().next(),
            Err(e) if e.is(ErrorKind::AccessDenied) => None,
            Err(e) => {
                diags.extend(aws_diagnostic(&e, "list IAM delegated administrators"));
                return None;
            }
        };
        let state = State {
            id: features.organization_id.clone(),
            organization_id: features.organization_id,
            enabled_features: features.enabled,
            iam_trusted_access: trusted,
            iam_delegated_administrator: admin,
        };
        Some(state)
    }
}
