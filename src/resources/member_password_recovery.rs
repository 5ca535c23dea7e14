//! Resource `rootaccess_member_password_recovery`: the root user of a member
//! account has a login profile, so the owner of the root mailbox can set a
//! password through "Forgot password". Destroy deletes the login profile again.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::claims::{Stance, Subject, claim};
use crate::errors::aws_diagnostic;
use crate::member_account::{
    AccountFate, account_fate, account_id_attribute, check_import_id, check_target,
    plan_read_failed, refresh_refused,
};
use aws_root_access::AwsClients;
use aws_root_access::root_credentials::{self, PasswordRecovery};
use tfplugin::{
    Attribute, Diagnostics, IdentityAttribute, IdentitySchema, Known, Nothing, Plan, ReadOutcome,
    Resource, Schema,
};

pub struct MemberPasswordRecovery;

/// Every attribute, as stored.
#[derive(Serialize, Deserialize, Clone, Debug, Default)]
pub struct State {
    id: Option<String>,
    account_id: String,
    created_at: Option<String>,
    /// Null in a state written before the attribute existed.
    adopted: Option<bool>,
}

/// Every attribute, as planned.
#[derive(Serialize, Deserialize, Clone, Debug, Default)]
pub struct Planned {
    id: Known<Option<String>>,
    account_id: Known<String>,
    created_at: Known<Option<String>>,
    adopted: Known<Option<bool>>,
}

const TYPE_NAME: &str = "rootaccess_member_password_recovery";

#[async_trait]
impl Resource<AwsClients> for MemberPasswordRecovery {
    type Config = Nothing;
    type Planned = Planned;
    type State = State;
    type Private = Nothing;

    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        Schema::new(
            "Allows the owner of a member account's root mailbox to recover the root password. Creating it calls \
             `iam:CreateLoginProfile` without a password in an `sts:AssumeRoot` session with the \
             `IAMCreateRootUserPassword` task policy; the mailbox owner then uses \"Forgot password\" on the root \
             sign-in page. Destroying it deletes the login profile again (`IAMDeleteRootUserCredentials`), which \
             also removes any password set meanwhile.\n\n\
             **Feature.** AWS documents this task under centralized root access; which organization feature \
             gates it is disputed (the console documentation names `RootSessions`, the API and published \
             captures show `RootCredentialsManagement` suffices). This provider needs only \
             `RootCredentialsManagement`, the feature of the other credential tasks; if AWS denies the session, \
             enable `RootSessions` as well.\n\n\
             **Refresh.** Read checks that the login profile exists; if someone deleted it, the resource is gone \
             and the next plan creates it again.\n\n\
             **Adoption.** If the root user already has a login profile (a password, or a recovery profile created \
             earlier), the plan says so with a warning and shows `adopted = true`: the resource takes over that \
             profile, and destroying the resource deletes it, and with it any root password.\n\n\
             **With `rootaccess_member_credentials_absent` on the same account**, leave `password` out of that \
             resource's `credential_types` (for example `[\"access_keys\", \"signing_certificates\", \
             \"mfa_devices\"]`): otherwise it sees the login profile as a root password that came back and each \
             apply deletes it, and this resource creates it again.",
        )
        .attribute(
            Attribute::string("id")
                .computed()
                .use_state_for_unknown()
                .describe("The member account id (same as `account_id`)."),
        )
        .attribute(account_id_attribute(
            "The 12-digit id of the member account whose root password can be recovered. The organization's \
             management account is refused. Changing it replaces the resource.",
        ))
        .attribute(Attribute::string("created_at").computed().describe(
            "When the root user's login profile was created (RFC 3339), as last read.",
        ))
        .attribute(Attribute::bool("adopted").computed().use_state_for_unknown().describe(
            "`true` when the root user already had a login profile that this resource took over (at create or \
             import): destroying the resource deletes it. `false` when this resource created the login profile.",
        ))
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(IdentitySchema::new().attribute(IdentityAttribute::string(
            "account_id",
            "The 12-digit id of the member account.",
        )))
    }

    async fn plan(&self, plan: &mut Plan<'_, AwsClients, Self>, diags: &mut Diagnostics) {
        if let (Some(aws), Some(account)) = (plan.client, plan.planned.account_id.get()) {
            claim(
                aws,
                Subject::RootPassword(account.clone()),
                TYPE_NAME,
                Stance::Keeps,
                diags,
            );
            if diags.has_errors() {
                return;
            }
        }
        plan_adoption(plan, diags).await;
    }

    async fn create(
        &self,
        aws: &AwsClients,
        planned: &Planned,
        diags: &mut Diagnostics,
    ) -> Option<State> {
        let account = planned.account_id.get().map_or("", String::as_str);
        let planned_adopted = planned.adopted.get().copied().flatten();
        let (created, adopted) = match root_credentials::allow_password_recovery(aws, account).await
        {
            Ok(PasswordRecovery::Allowed { created }) => {
                if planned_adopted == Some(true) {
                    // The profile the plan showed was deleted meanwhile; this
                    // resource created a new one, which the state records.
                    diags.error(
                        format!("Account {account}'s root login profile was deleted after the plan"),
                        "The plan showed an existing login profile to adopt (adopted = true), but it was deleted \
                         before the apply, so this resource created a new one (adopted = false). Run terraform plan \
                         again to review it.",
                    );
                }
                (created, false)
            }
            Ok(PasswordRecovery::AlreadyAllowed { created }) => {
                if planned_adopted == Some(false) {
                    // Created by someone else between plan and apply: the
                    // plan said this resource would create it. Nothing was
                    // created, so nothing is recorded; the next plan shows
                    // the adoption for review.
                    diags.error(
                        format!("Account {account}'s root user got a login profile after the plan"),
                        "The plan showed that this resource would create the login profile (adopted = false), but \
                         one was created in the meantime. Nothing was changed. Run terraform plan again: it shows \
                         that this resource would adopt the existing login profile.",
                    );
                    return None;
                } else if let Some(shown) = planned.created_at.get().cloned().flatten()
                    && shown != created
                {
                    // Another login profile than the one the plan showed:
                    // adopting it was not approved.
                    diags.error(
                        format!("Account {account}'s root login profile was replaced after the plan"),
                        format!(
                            "The plan showed an existing login profile created at {shown} to adopt, but the account \
                             now has another one, created at {created}. Nothing was changed and this resource does \
                             not manage it. Run terraform plan again to review it."
                        ),
                    );
                    return None;
                } else if planned_adopted.is_none() {
                    diags.warning(
                        format!("Account {account}'s root user already had a login profile"),
                        "Password recovery was already possible (the root user has a password or a recovery \
                         login profile created earlier). This resource now manages that login profile: destroying \
                         it deletes the login profile, and with it any root password.",
                    );
                }
                (created, true)
            }
            Err(e) => {
                diags.extend(aws_diagnostic(
                    &e,
                    &format!("allow root password recovery in account {account}"),
                ));
                return None;
            }
        };
        Some(state_of(account, created, Some(adopted)))
    }

    async fn read(
        &self,
        aws: &AwsClients,
        stored: &State,
        diags: &mut Diagnostics,
    ) -> ReadOutcome<State> {
        let account = stored.account_id.as_str();
        match root_credentials::login_profile(aws, account).await {
            Ok(Some(created)) => ReadOutcome::Present(state_of(account, created, stored.adopted)),
            // Deleted out of band: gone, the next plan creates it again.
            Ok(None) => ReadOutcome::gone("the root user has no login profile"),
            Err(e) => {
                if let Some(outcome) =
                    refresh_refused(aws, account, &e, TYPE_NAME, "Its root login profile", diags)
                        .await
                {
                    return outcome;
                }
                diags.extend(aws_diagnostic(
                    &e,
                    &format!("read the root login profile of account {account}"),
                ));
                ReadOutcome::Unchanged
            }
        }
    }

    async fn update(
        &self,
        _aws: &AwsClients,
        prior: &State,
        planned: &Planned,
        _diags: &mut Diagnostics,
    ) -> Option<State> {
        // Nothing to update in place (a new account_id replaces the
        // resource): the plan is the state, as it was.
        Some(State {
            adopted: planned.adopted.get().map_or(prior.adopted, |a| *a),
            ..prior.clone()
        })
    }

    async fn delete(&self, aws: &AwsClients, prior: &State, diags: &mut Diagnostics) {
        let account = prior.account_id.as_str();
        match root_credentials::delete_password(aws, account).await {
            Ok(_) => {}
            Err(e) => {
                match account_fate(aws, account, &e).await {
                    AccountFate::Active => {}
                    AccountFate::Left(reason) | AccountFate::Unusable(reason) => {
                        // Destroy was asked for and nothing in AWS can be
                        // changed: forget the resource, saying so.
                        diags.warning(
                            format!("Root login profile of account {account} not deleted"),
                            format!(
                                "{reason} Its root login profile cannot be deleted through centralized root access; \
                                 Terraform forgets this resource. If the account becomes ACTIVE again, check it."
                            ),
                        );
                        return;
                    }
                    AccountFate::Unknown(detail) => {
                        diags.error(format!("The state of account {account} is unknown"), detail);
                        return;
                    }
                }
                diags.extend(aws_diagnostic(
                    &e,
                    &format!("delete the root login profile of account {account}"),
                ));
            }
        }
    }

    fn plan_destroy(&self, prior: &State, diags: &mut Diagnostics) {
        diags.warning(
            "Destroy deletes root login profiles",
            format!(
                "Destroying {TYPE_NAME} deletes the root login profile of account {} in AWS: the root mailbox \
                 owner can no longer recover the root password, and any root password the account has is deleted \
                 with it. To stop managing it without deleting it, use a `removed` block with `destroy = false`.",
                prior.account_id
            ),
        );
    }

    async fn import(&self, aws: &AwsClients, id: &str, diags: &mut Diagnostics) -> Option<State> {
        if !check_import_id(aws, id, TYPE_NAME, diags).await {
            return None;
        }
        // An imported login profile was not created by this resource.
        Some(state_of(id, String::new(), Some(true)))
    }
}

/// Plan: the id, and whether this creates a login profile or takes over
/// one that exists, said before anyone approves it.
async fn plan_adoption(
    plan: &mut Plan<'_, AwsClients, MemberPasswordRecovery>,
    diags: &mut Diagnostics,
) {
    let Known::Value(account) = plan.planned.account_id.clone() else {
        return;
    };
    plan.planned.id = Known::Value(Some(account.clone()));
    if !plan.is_create() {
        return;
    }
    let Some(aws) = plan.client else {
        return; // whether a login profile exists is known after apply
    };
    // The re-plan before this create's apply: what the plan read (its
    // account checks included), so that the apply compares with it.
    if let Some(read) = plan.recall::<ReadAtPlan>(&account) {
        plan_login_profile(
            &account,
            read.login_profile_created,
            &mut plan.planned,
            diags,
        );
        return;
    }
    check_target(aws, &account, diags).await;
    if diags.has_errors() {
        return;
    }
    match root_credentials::login_profile(aws, &account).await {
        Ok(created) => {
            let read = ReadAtPlan {
                login_profile_created: created.clone(),
            };
            plan.remember(&account, &read);
            plan_login_profile(&account, created, &mut plan.planned, diags);
        }
        Err(e) => plan_read_failed(
            &e,
            &account,
            "Whether a login profile is adopted or created",
            "read the root login profile of account",
            diags,
        ),
    }
}

/// What the plan of a new resource read, kept for Terraform's re-plan
/// before the apply ([`Plan::remember`]).
#[derive(Serialize, Deserialize)]
struct ReadAtPlan {
    /// When the existing login profile was created; `None`: there is none.
    login_profile_created: Option<String>,
}

/// Adopts the login profile that exists (with a warning), or plans to
/// create one.
fn plan_login_profile(
    account: &str,
    existing: Option<String>,
    planned: &mut Planned,
    diags: &mut Diagnostics,
) {
    match existing {
        Some(created) => {
            diags.warning(
                format!("Account {account}'s root user already has a login profile"),
                "Password recovery is already possible (the root user has a password or a recovery login \
                 profile created earlier). This resource will adopt that login profile (adopted = true): \
                 destroying it deletes the login profile, and with it any root password.",
            );
            planned.adopted = Known::Value(Some(true));
            planned.created_at = Known::Value(Some(created));
        }
        None => planned.adopted = Known::Value(Some(false)),
    }
}

/// The state of an account's resource right after an import and a refresh
/// (what `terraform query` lists): the login profile adopted.
pub(crate) fn imported_state(account: &str, created: String) -> State {
    state_of(account, created, Some(true))
}

fn state_of(account: &str, created: String, adopted: Option<bool>) -> State {
    State {
        id: Some(account.to_string()),
        account_id: account.to_string(),
        created_at: Some(created),
        adopted,
    }
}
