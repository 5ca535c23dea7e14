//! Data source `rootaccess_caller_identity`: who the provider runs as, and
//! whether that identity may manage root access for its organization.

use async_trait::async_trait;
use serde::Serialize;

use crate::errors::aws_diagnostic;
use aws_root_access::{AwsClients, AwsError, ErrorKind};
use tfplugin::{Attribute, DataSource, Diagnostics, Schema, Value};

pub struct CallerIdentity;

#[derive(Serialize)]
struct State {
    id: String,
    account_id: String,
    arn: String,
    user_id: String,
    organization_id: Option<String>,
    management_account_id: Option<String>,
    is_management_account: bool,
    is_iam_delegated_administrator: bool,
}

#[async_trait]
impl DataSource<AwsClients> for CallerIdentity {
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
             delete member root credentials and open root sessions (but not enable organization features).",
        ))
    }

    async fn read(&self, aws: &AwsClients, _config: &Value, diags: &mut Diagnostics) -> Value {
        let who = aws
            .call(async {
                aws.sts
                    .get_caller_identity()
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("sts:GetCallerIdentity", e))
            })
            .await;
        let who = match who {
            Ok(w) => w,
            Err(e) => {
                diags.extend(aws_diagnostic(&e, "find out who the provider runs as"));
                return Value::Null;
            }
        };
        let account_id = who.account().unwrap_or_default().to_string();
        let org = aws
            .call(async {
                aws.organizations
                    .describe_organization()
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("organizations:DescribeOrganization", e))
            })
            .await;
        let (organization_id, management_account_id) = match org {
            Ok(o) => {
                let o = o.organization;
                (
                    o.as_ref().and_then(|o| o.id.clone()),
                    o.and_then(|o| o.master_account_id),
                )
            }
            // Outside an organization, or a caller (such as a root session) that may not describe it.
            Err(e) if e.is(ErrorKind::OrganizationNotFound) || e.is(ErrorKind::AccessDenied) => {
                (None, None)
            }
            Err(e) => {
                diags.extend(aws_diagnostic(&e, "describe the caller's organization"));
                return Value::Null;
            }
        };
        let is_management_account = management_account_id.as_deref() == Some(account_id.as_str());
        // Listing organization features succeeds exactly for the management
        // account and the IAM delegated administrator.
        let is_iam_delegated_administrator = !is_management_account
            && organization_id.is_some()
            && aws
                .call(async {
                    aws.iam
                        .list_organizations_features()
                        .send()
                        .await
                        .map_err(|e| AwsError::from_sdk("iam:ListOrganizationsFeatures", e))
                })
                .await
                .is_ok();
        let state = State {
            id: account_id.clone(),
            arn: who.arn().unwrap_or_default().to_string(),
            user_id: who.user_id().unwrap_or_default().to_string(),
            account_id,
            organization_id,
            management_account_id,
            is_management_account,
            is_iam_delegated_administrator,
        };
        match Value::encode(&state, &self.schema().value_type()) {
            Ok(v) => v,
            Err(e) => {
                diags.error("Internal error", e.to_string());
                Value::Null
            }
        }
    }
}
