//! List resource `rootaccess_member_password_recovery`: the member accounts
//! whose root user has a login profile (a password, or a recovery login
//! profile created earlier), ready to import.

use async_trait::async_trait;
use serde::Deserialize;

use super::{Examined, Selection, examine_selected, selection_attributes};
use crate::resources::member_password_recovery::State;
use crate::resources::member_password_recovery::imported_state;
use aws_root_access::root_credentials;
use aws_root_access::{AwsClients, OrgAccount};
use tfplugin::{Diagnostics, ListResource, ListResults, Listed, Schema};

pub struct MemberPasswordRecoveryList;

/// The list block's `config`.
#[derive(Deserialize)]
pub struct Config {
    #[serde(flatten)]
    selection: Selection,
}

#[async_trait]
impl ListResource<AwsClients> for MemberPasswordRecoveryList {
    type Config = Config;
    type State = State;

    fn type_name(&self) -> &'static str {
        "rootaccess_member_password_recovery"
    }

    fn schema(&self) -> Schema {
        selection_attributes(Schema::new(
            "Lists the ACTIVE member accounts whose root user has a login profile (a console password, or a \
             recovery login profile created earlier), each as a `rootaccess_member_password_recovery` to import \
             (it adopts the login profile: destroying the resource deletes it). Each selected account is read \
             through `sts:AssumeRoot` (task policy `IAMAuditRootUserCredentials`), concurrently within the \
             provider's `max_concurrent_requests`. Accounts that cannot be read are named in warnings.",
        ))
    }

    async fn list(
        &self,
        aws: &AwsClients,
        config: &Config,
        results: &ListResults<'_, State>,
        diags: &mut Diagnostics,
    ) {
        let examine = |account: OrgAccount| async move {
            match root_credentials::login_profile(aws, &account.id).await {
                Ok(Some(created)) => Examined::Listed(Listed {
                    display_name: format!(
                        "{} ({}): login profile since {created}",
                        account.name, account.id
                    ),
                    state: imported_state(&account.id, created),
                }),
                Ok(None) => Examined::Passed,
                Err(e) => Examined::refused(&account.id, "read", &e),
            }
        };
        examine_selected(aws, &config.selection, examine, results, diags).await;
    }
}
