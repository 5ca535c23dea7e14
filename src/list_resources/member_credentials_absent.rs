//! List resource `rootaccess_member_credentials_absent`: the member accounts
//! whose root user still has credentials, ready to import (with
//! `terraform query -generate-config-out`) and clean.

use std::collections::BTreeSet;

use async_trait::async_trait;
use serde::Deserialize;

use super::{Examined, Selection, examine_selected, selection_attributes};
use crate::credential_sets::CredentialSets;
use crate::resources::member_credentials_absent::State;
use crate::resources::member_credentials_absent::imported_state;
use aws_root_access::AwsClients;
use aws_root_access::root_credentials::{self, CredentialType};
use tfplugin::{Attribute, Diagnostics, ListResource, ListResults, Listed, OneOf, Schema, Type};

pub struct MemberCredentialsAbsentList;

/// The list block's `config`.
#[derive(Deserialize)]
pub struct Config {
    #[serde(flatten)]
    selection: Selection,
    credential_types: Option<BTreeSet<CredentialType>>,
    include_clean_accounts: Option<bool>,
}

#[async_trait]
impl ListResource<AwsClients> for MemberCredentialsAbsentList {
    type Config = Config;
    type State = State;

    fn type_name(&self) -> &'static str {
        "rootaccess_member_credentials_absent"
    }

    fn schema(&self) -> Schema {
        let schema = Schema::new(
            "Lists the ACTIVE member accounts whose root user still has credentials (a password, access keys, \
             signing certificates or MFA devices), each as a `rootaccess_member_credentials_absent` to import. \
             Every selected account is audited through `sts:AssumeRoot` (task policy \
             `IAMAuditRootUserCredentials`), concurrently within the provider's `max_concurrent_requests`; \
             results arrive as audits finish, and the list block's `limit` stops the audits early. Accounts \
             that cannot be audited (not ACTIVE, or a root session AWS refused) are named in warnings, never \
             left out silently.",
        );
        selection_attributes(schema)
            .attribute(
                Attribute::new("credential_types", Type::set(Type::String))
                    .optional()
                    .validator(OneOf(&CredentialType::NAMES))
                    .describe(
                        "Only accounts with root credentials of these kinds (`password`, `access_keys`, \
                         `signing_certificates`, `mfa_devices`); the listed resources then manage these kinds \
                         (their `credential_types`). Default: all four.",
                    ),
            )
            .attribute(
                Attribute::bool("include_clean_accounts")
                    .optional()
                    .describe(
                        "Also list accounts without root credentials (default `false`), to keep them clean from \
                         now on.",
                    ),
            )
    }

    async fn list(
        &self,
        aws: &AwsClients,
        config: &Config,
        results: &ListResults<'_, State>,
        diags: &mut Diagnostics,
    ) {
        let kinds = config
            .credential_types
            .clone()
            .unwrap_or_else(|| CredentialType::ALL.into_iter().collect());
        let include_clean = config.include_clean_accounts.unwrap_or(false);
        let examine = |account: aws_root_access::OrgAccount| {
            let kinds = kinds.clone();
            async move {
                let found = match root_credentials::audit(aws, &account.id).await {
                    Ok(found) => CredentialSets::found(&found),
                    Err(e) => return Examined::refused(&account.id, "audit", &e),
                };
                let managed = found.of_types(&kinds);
                if managed.is_empty() && !include_clean {
                    return Examined::Passed;
                }
                Examined::Listed(Listed {
                    display_name: format!(
                        "{} ({}): {}",
                        account.name,
                        account.id,
                        managed.summary()
                    ),
                    state: imported_state(&account.id, kinds, found),
                })
            }
        };
        examine_selected(aws, &config.selection, examine, results, diags).await;
    }
}
