//! Data source `rootaccess_caller_identity`: who the provider runs as, and
//! whether that identity may manage root access for its organization.

use async_trait::async_trait;
use serde::Serialize;

use aws_root_access::AwsClients;
use aws_root_access::caller::caller_identity;

use crate::errors::aws_diagnostic;
use tfplugin::{Attribute, DataSource, Diagnostics, Nothing, Schema};

pub struct CallerIdentity;

#[derive(Serialize)]
pub struct State {
    id: String,
    account_id: String,
    arn: String,
    user_id: String,
    organization_id: Option<String>,
    management_account_id: Option<String>,
    is_management_account: bool,
    is_iam_delegated_administrator: Option<bool>,
}

#[async_trait]
impl DataSource<AwsClients> for CallerIdentity {
    type Config = Nothing;
    type Model = State;

    fn type_name(&self) -> &'static str {
        "rootaccess_caller_identity"
    }

    fn schema(&self) -> Schema {
        let computed =
            |name: &'static str, doc: &str| Attribute::string(name).computed().describe(doc);
        Schema::new(
            "Who the provider runs as, and whether that identity can manage centralized root access: use it in \
             `precondition` blocks so a configuration refuses to run from the wrong account.",
        )
        .attribute(computed("id", "The caller's account id."))
        .attribute(computed("account_id", "Account id of the caller."))
        .attribute(computed("arn", "ARN of the caller (user, role session, ...)."))
        .attribute(computed("user_id", "Unique id of the caller."))
        .attribute(computed("organization_id", "Id (`o-...`) of the caller's organization; null outside an organization or when the caller may not describe it."))
        .attribute(computed("management_account_id", "Account id of the organization's management account; null outside an organization."))
        .attribute(Attribute::bool("is_management_account").computed().describe("Whether the caller is in the organization's management account."))
        .attribute(Attribute::bool("is_iam_delegated_administrator").computed().describe(
            "Whether the caller's account is the organization's IAM delegated administrator, so it can audit and \
             delete member root credentials and open root sessions (but not enable organization features). Null \
             (with a warning) when IAM's answer did not tell.",
        ))
    }

    async fn read(
        &self,
        aws: &AwsClients,
        _config: &Nothing,
        diags: &mut Diagnostics,
    ) -> Option<State> {
        let who = match caller_identity(aws).await {
            Ok(who) => who,
            Err(e) => {
                let doing = match e.operation {
                    "sts:GetCallerIdentity" => "find out who the provider runs as",
                    _ => "describe the caller's organization",
                };
                diags.extend(aws_diagnostic(&e, doing));
                return None;
            }
        };
        if who.is_iam_delegated_administrator.is_none() {
            diags.warning(
                "Whether the caller is the IAM delegated administrator is unknown",
                format!(
                    "iam:ListOrganizationsFeatures failed for account {} with an answer other than AWS's \
                     \"neither the management account nor the delegated administrator\", so \
                     is_iam_delegated_administrator is null. Run with TF_LOG_PROVIDER=DEBUG to see the failure.",
                    who.account_id
                ),
            );
        }
        let state = State {
            id: who.account_id.clone(),
            arn: who.arn,
            user_id: who.user_id,
            account_id: who.account_id,
            organization_id: who.organization_id,
            management_account_id: who.management_account_id,
            is_management_account: who.is_management_account,
            is_iam_delegated_administrator: who.is_iam_delegated_administrator,
        };
        Some(state)
    }
}
