//! Action `rootaccess_allow_password_recovery`: let the owner of a member
//! account's root mailbox recover the root password, once.

use async_trait::async_trait;

use crate::checks::ACCOUNT_ID;
use crate::errors::aws_diagnostic;
use crate::member_account::AccountConfig;
use aws_root_access::AwsClients;
use aws_root_access::root_credentials::{self, PasswordRecovery};
use tfplugin::{Action, Attribute, Diagnostics, Progress, Schema};

pub struct AllowPasswordRecovery;

#[async_trait]
impl Action<AwsClients> for AllowPasswordRecovery {
    type Config = AccountConfig;

    fn type_name(&self) -> &'static str {
        "rootaccess_allow_password_recovery"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            "Allows password recovery for a member account's root user once: `CreateLoginProfile` without a \
             password in an `IAMCreateRootUserPassword` root session, after which the owner of the root mailbox \
             can use \"Forgot password\". Does nothing if a login profile already exists. Nothing is kept in \
             state: use the `rootaccess_member_password_recovery` resource to manage it. Requires Terraform 1.14+.",
        )
        .attribute(
            Attribute::string("account_id").required().validator(ACCOUNT_ID).describe("The member account."),
        )
    }

    async fn invoke(
        &self,
        aws: &AwsClients,
        config: &AccountConfig,
        progress: &dyn Progress,
        diags: &mut Diagnostics,
    ) {
        let account_id = &config.account_id;
        let account = account_id.as_str();
        progress
            .message(format!("{account}: allowing root password recovery"))
            .await;
        match root_credentials::allow_password_recovery(aws, account).await {
            Ok(PasswordRecovery::Allowed { created }) => {
                progress
                    .message(format!(
                        "{account}: password recovery allowed (login profile created {created})"
                    ))
                    .await;
            }
            Ok(PasswordRecovery::AlreadyAllowed { created }) => {
                progress.message(format!("{account}: the root user already has a login profile (since {created}); nothing to do")).await;
            }
            Err(e) => diags.extend(aws_diagnostic(
                &e,
                &format!("allow password recovery for {account}"),
            )),
        }
    }
}
