//! Action `rootaccess_delete_root_credentials`: delete the root credentials of
//! one or more member accounts once, reporting each credential as it goes.

use async_trait::async_trait;

use crate::checks::ACCOUNT_ID;
use crate::errors::aws_diagnostic;
use aws_root_access::AwsClients;
use aws_root_access::root_credentials::{self, CredentialType};
use tfplugin::{Action, Attribute, Diagnostics, OneOf, Progress, Schema, Type};

pub struct DeleteRootCredentials;

/// The action's configuration (known when it is invoked).
#[derive(serde::Deserialize)]
pub struct DeleteConfig {
    account_ids: Vec<String>,
    /// `None`: every kind.
    credential_types: Option<Vec<CredentialType>>,
}

#[async_trait]
impl Action<AwsClients> for DeleteRootCredentials {
    type Config = DeleteConfig;

    fn type_name(&self) -> &'static str {
        "rootaccess_delete_root_credentials"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            "Deletes member accounts' root credentials once, in `IAMDeleteRootUserCredentials` root sessions: the \
             root password (login profile), access keys, signing certificates, and MFA devices (deactivated). \
             Accounts are handled one after another, and each removed credential is reported as progress; a \
             failure does not stop the others and the error lists what is left. Nothing is kept in state: use the \
             `rootaccess_member_credentials_absent` resource to keep credentials deleted. Requires Terraform 1.14+.",
        )
        .attribute(
            Attribute::new("account_ids", Type::set(Type::String))
                .required()
                .validator(ACCOUNT_ID)
                .describe("The member accounts whose root credentials to delete."),
        )
        .attribute(
            Attribute::new("credential_types", Type::set(Type::String))
                .optional()
                .validator(OneOf(&CredentialType::NAMES))
                .describe("Which kinds of credentials to delete. Defaults to all four."),
        )
    }

    async fn invoke(
        &self,
        aws: &AwsClients,
        config: &DeleteConfig,
        progress: &dyn Progress,
        diags: &mut Diagnostics,
    ) {
        let types: Vec<CredentialType> = match config.credential_types.clone() {
            Some(types) => types,
            None => CredentialType::ALL.to_vec(),
        };
        for account in &config.account_ids {
            progress
                .message(format!("{account}: deleting root credentials"))
                .await;
            match root_credentials::delete_present(aws, account, &types).await {
                Ok((_, deletion)) => {
                    for credential in &deletion.removed {
                        progress
                            .message(format!("{account}: deleted {credential}"))
                            .await;
                    }
                    for credential in &deletion.already_gone {
                        progress
                            .message(format!("{account}: {credential} was already gone"))
                            .await;
                    }
                    if deletion.removed.is_empty()
                        && deletion.already_gone.is_empty()
                        && deletion.failures.is_empty()
                    {
                        progress
                            .message(format!("{account}: no root credentials of these types"))
                            .await;
                    }
                    if !deletion.failures.is_empty() {
                        let left: Vec<String> = deletion
                            .failures
                            .iter()
                            .map(|f| format!("{} ({})", f.credential, f.error))
                            .collect();
                        diags.error(
                            format!("Some root credentials of {account} remain"),
                            format!(
                                "Still present: {}. Invoke the action again to retry.",
                                left.join("; ")
                            ),
                        );
                    }
                }
                Err(e) => diags.extend(aws_diagnostic(
                    &e,
                    &format!("delete the root credentials of {account}"),
                )),
            }
        }
    }
}
