//! Resource `rootaccess_member_credentials_absent`: a member account's root
//! user has no credentials of the chosen types, and stays that way.
//!
//! Drift and leftovers share one representation: the computed `present_*`
//! attributes say what the account has (read audits it), and the plan forces
//! those of the managed types back to empty, so `terraform plan` lists exactly
//! what apply will delete. `removed_*` keep what this resource has deleted.

use std::collections::BTreeSet;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::claims::{Stance, Subject, claim};
use crate::credential_sets::{
    CredentialSets, PlannedSets, report_failures, report_unassigned_virtual_devices,
};
use crate::credential_sets::{all_kinds, check_credential_types, credential_types_attribute};
use crate::errors::aws_diagnostic;
use crate::member_account::{
    account_id_attribute, check_import_id, check_target, plan_read_failed, refresh_refused,
};
use aws_root_access::AwsClients;
use aws_root_access::root_credentials::{self, Credential, CredentialType};
use tfplugin::{
    Attribute, Diagnostics, IdentityAttribute, IdentitySchema, Known, Nothing, Plan, ReadOutcome,
    Resource, Schema, Type,
};

pub struct MemberCredentialsAbsent;

const TYPE_NAME: &str = "rootaccess_member_credentials_absent";

serde_with::with_prefix!(present "present_");
serde_with::with_prefix!(removed "removed_");

/// Every attribute, as stored.
#[derive(Serialize, Deserialize, Clone, Debug, Default)]
pub struct State {
    id: Option<String>,
    account_id: String,
    /// Null only in an imported state before its first refresh: all kinds.
    credential_types: Option<BTreeSet<CredentialType>>,
    #[serde(flatten, with = "present")]
    present: CredentialSets,
    #[serde(flatten, with = "removed")]
    removed: CredentialSets,
}

/// Every attribute, as planned.
#[derive(Serialize, Deserialize, Clone, Debug, Default)]
pub struct Planned {
    id: Known<Option<String>>,
    account_id: Known<String>,
    credential_types: Known<Option<BTreeSet<CredentialType>>>,
    #[serde(flatten, with = "present")]
    present: PlannedSets,
    #[serde(flatten, with = "removed")]
    removed: PlannedSets,
}

impl Planned {
    /// The managed kinds, once known (the schema's default makes them non-null).
    fn managed(&self) -> Option<BTreeSet<CredentialType>> {
        self.credential_types
            .get()
            .map(|types| types.clone().unwrap_or_else(all_kinds))
    }
}

/// What `validate` checks: names are still strings here (a validator reports
/// unknown ones).
#[derive(Deserialize)]
pub struct Config {
    credential_types: Known<Option<BTreeSet<String>>>,
}

#[async_trait]
impl Resource<AwsClients> for MemberCredentialsAbsent {
    type Config = Config;
    type Planned = Planned;
    type State = State;
    type Private = Nothing;

    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        let string_set = |name: &'static str, doc: &str| {
            Attribute::new(name, Type::set(Type::String))
                .computed()
                .describe(doc)
        };
        Schema::new(
            "Deletes a member account's root user credentials and keeps them deleted: the root password (login \
             profile), root access keys, signing certificates and MFA devices, each kind chosen with \
             `credential_types`. Runs from the management account or the IAM delegated administrator through \
             `sts:AssumeRoot` (task policy `IAMDeleteRootUserCredentials` to delete, \
             `IAMAuditRootUserCredentials` to read); the organization feature `RootCredentialsManagement` must \
             be enabled.\n\n\
             **What the plan shows.** Every refresh audits the account. The `present_*` attributes list the root \
             credentials it has; for the managed types the plan forces them to empty, so a credential that came \
             back (drift) or that a failed apply left behind shows up as an in-place update that names it twice: \
             leaving `present_*` and joining `removed_*`. Apply then deletes exactly what the plan shows, and a \
             warning lists it as well. Credentials of types not in `credential_types` are reported in `present_*` and \
             never touched.\n\n\
             **Partial failure.** Every deletion is attempted even when another one fails; the error lists what \
             is left, the state records what was deleted (`removed_*`) and what remains (`present_*`), and the \
             next apply finishes the job. A create that fails half-way leaves the resource tainted, so that next \
             apply replaces it: the replacement's `removed_*` start again from what it deletes, and what the \
             failed create deleted is named only in that apply's error (and in AWS CloudTrail).\n\n\
             **Destroy** only removes the resource from the Terraform state (with a warning): deleted root \
             credentials cannot be restored. MFA devices are deactivated (a virtual device then stays in the \
             account unassigned, unable to sign anyone in).\n\n\
             **Account states.** If the account is not ACTIVE (`SUSPENDED`, `PENDING_CLOSURE`, `CLOSED`, \
             `PENDING_ACTIVATION`), refresh keeps the resource in the state unchanged with a warning naming the \
             state, and the plan changes nothing; a new resource for such an account is refused at plan. If AWS \
             reports no state, or one this provider does not know, refresh is an error and the resource stays. \
             If the account leaves the organization, the next refresh removes the resource from the state with a \
             warning; remove it from the configuration.\n\n\
             To let the root mailbox owner recover the password on the same account, use \
             `rootaccess_member_password_recovery` and leave `password` out of `credential_types` here, or each \
             apply deletes the recovery login profile again.",
        )
        .attribute(
            Attribute::string("id")
                .computed()
                .use_state_for_unknown()
                .describe("The member account id (same as `account_id`)."),
        )
        .attribute(account_id_attribute(
            "The 12-digit id of the member account whose root credentials are deleted. The organization's \
             management account is refused. Changing it replaces the resource.",
        ))
        .attribute(credential_types_attribute())
        .attribute(
            Attribute::bool("present_password")
                .computed()
                .describe("Whether the root user has a password (login profile), as last read. Planned `false` when `password` is managed."),
        )
        .attribute(string_set(
            "present_access_key_ids",
            "Ids of the root access keys the account has, as last read. Planned empty when `access_keys` is managed.",
        ))
        .attribute(string_set(
            "present_signing_certificate_ids",
            "Ids of the root signing certificates the account has, as last read. Planned empty when `signing_certificates` is managed.",
        ))
        .attribute(string_set(
            "present_mfa_serials",
            "Serial numbers (ARNs for virtual devices) of the root MFA devices, as last read. Planned empty when `mfa_devices` is managed.",
        ))
        .attribute(
            Attribute::bool("removed_password")
                .computed()
                .describe("Whether this resource has ever deleted the root password."),
        )
        .attribute(string_set(
            "removed_access_key_ids",
            "Ids of the root access keys this resource instance has deleted, over all its applies (a credential found already gone while deleting counts too); a replacement starts a new record.",
        ))
        .attribute(string_set(
            "removed_signing_certificate_ids",
            "Ids of the root signing certificates this resource has deleted, over all its applies.",
        ))
        .attribute(string_set(
            "removed_mfa_serials",
            "Serial numbers of the root MFA devices this resource has deactivated, over all its applies.",
        ))
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(IdentitySchema::new().attribute(IdentityAttribute::string(
            "account_id",
            "The 12-digit id of the member account.",
        )))
    }

    async fn validate(&self, config: &Config, diags: &mut Diagnostics) {
        check_credential_types(config.credential_types.get(), diags);
    }

    async fn plan(&self, plan: &mut Plan<'_, AwsClients, Self>, diags: &mut Diagnostics) {
        if let (Some(aws), Some(account), Some(managed)) = (
            plan.client,
            plan.planned.account_id.get(),
            plan.planned.managed(),
        ) {
            claim(
                aws,
                Subject::RootCredentials(account.clone()),
                TYPE_NAME,
                Stance::Manages,
                diags,
            );
            if managed.contains(&CredentialType::Password) {
                claim(
                    aws,
                    Subject::RootPassword(account.clone()),
                    TYPE_NAME,
                    Stance::Deletes,
                    diags,
                );
            }
            if diags.has_errors() {
                return;
            }
        }
        let targets = plan_deletions(plan, diags).await;
        if !targets.is_empty() {
            let names: Vec<String> = targets.iter().map(|c| c.to_string()).collect();
            diags.warning(
                format!(
                    "Root credentials present in account {}",
                    plan.planned.account_id.get().map_or("?", String::as_str)
                ),
                format!(
                    "The account has root credentials of the types this resource keeps absent: {}. Apply deletes \
                     them. If they were created on purpose, remove their type from credential_types instead.",
                    names.join(", ")
                ),
            );
        }
    }

    async fn create(
        &self,
        aws: &AwsClients,
        planned: &Planned,
        diags: &mut Diagnostics,
    ) -> Option<State> {
        let managed = planned.managed().unwrap_or_else(all_kinds);
        match planned.removed.known() {
            // The plan audited the account and showed what goes: exactly that.
            Some(removed) => {
                let targets = removed.of_types(&managed).items();
                delete_planned(aws, None, planned, targets, diags).await
            }
            None => delete_present(aws, None, planned, diags).await,
        }
    }

    async fn read(
        &self,
        aws: &AwsClients,
        stored: &State,
        diags: &mut Diagnostics,
    ) -> ReadOutcome<State> {
        let mut state = stored.clone();
        let account = state.account_id.clone();
        let found = match root_credentials::audit(aws, &account).await {
            Ok(found) => found,
            Err(e) => {
                if let Some(kept) =
                    refresh_refused(aws, &account, &e, TYPE_NAME, "Its root credentials", diags)
                        .await
                {
                    return kept;
                }
                diags.extend(aws_diagnostic(
                    &e,
                    &format!("audit the root credentials of account {account}"),
                ));
                return ReadOutcome::Unchanged;
            }
        };
        state.id = Some(account);
        // Imported: manage every kind, as the default does.
        state.credential_types.get_or_insert_with(all_kinds);
        state.present = CredentialSets::found(&found);
        ReadOutcome::Present(state)
    }

    async fn update(
        &self,
        aws: &AwsClients,
        prior: &State,
        planned: &Planned,
        diags: &mut Diagnostics,
    ) -> Option<State> {
        // None: nothing was deleted, the prior state still holds.
        if planned.removed.known().is_some() {
            // Apply deletes exactly what the last read found of the managed kinds.
            let managed = planned.managed().unwrap_or_else(all_kinds);
            let targets = prior.present.of_types(&managed).items();
            delete_planned(aws, Some(prior), planned, targets, diags).await
        } else {
            delete_present(aws, Some(prior), planned, diags).await
        }
    }

    async fn delete(&self, _aws: &AwsClients, prior: &State, diags: &mut Diagnostics) {
        diags.warning(
            "Root credentials are not restored",
            format!(
                "{TYPE_NAME} for account {} is removed from the Terraform state only: root credentials it deleted \
                 stay deleted, and nothing keeps them absent any more. (When this is part of a replacement, the new \
                 resource deletes again whatever is present.)",
                prior.account_id
            ),
        );
    }

    fn plan_destroy(&self, prior: &State, diags: &mut Diagnostics) {
        diags.warning(
            "Destroy only removes root-credential resources from the state",
            format!(
                "Nothing changes in account {}: destroying {TYPE_NAME} removes it from the Terraform state only. Root \
                 credentials it deleted stay deleted, and nothing keeps them absent any more.",
                prior.account_id
            ),
        );
    }

    async fn import(&self, aws: &AwsClients, id: &str, diags: &mut Diagnostics) -> Option<State> {
        if !check_import_id(aws, id, TYPE_NAME, diags).await {
            return None;
        }
        // The first refresh audits the account and fills in the rest.
        Some(State {
            id: Some(id.to_string()),
            account_id: id.to_string(),
            ..State::default()
        })
    }
}

/// The plan of the computed attributes: managed kinds planned absent, and
/// what apply deletes shown in `removed_*` whenever it can be known. Returns
/// what will be deleted.
async fn plan_deletions(
    plan: &mut Plan<'_, AwsClients, MemberCredentialsAbsent>,
    diags: &mut Diagnostics,
) -> Vec<Credential> {
    let prior = plan.prior.clone();
    let account = plan.planned.account_id.get().cloned();
    if let Some(account) = &account {
        plan.planned.id = Known::Value(Some(account.clone()));
    }
    // Another account is a replacement: planned like a create of the new
    // account (Terraform plans it again with no prior state, but shows this
    // plan's warnings); nothing of the old account's credentials applies to it.
    let prior = prior.filter(|p| Some(&p.account_id) == account.as_ref());
    // The re-plan before this create's apply: what the plan audited (and
    // checked: the organization is not listed again for it).
    let shown = match (&prior, &account) {
        (None, Some(account)) => plan.recall::<CredentialSets>(account),
        _ => None,
    };
    if prior.is_none()
        && shown.is_none()
        && let (Some(account), Some(aws)) = (&account, plan.client)
    {
        check_target(aws, account, diags).await;
        if diags.has_errors() {
            return Vec::new();
        }
    }
    // Unknown kinds: the framework already left the computed values unknown.
    let Some(managed) = plan.planned.managed() else {
        return Vec::new();
    };
    let nothing = CredentialSets::default();
    for t in &managed {
        plan.planned.present.set(*t, &nothing);
    }
    let (found, earlier) = match &prior {
        // Update: apply deletes exactly what the last read found.
        Some(prior) => (prior.present.clone(), prior.removed.clone()),
        // Create: audit the account now, so the plan shows what apply deletes.
        None => {
            let (Some(account), Some(aws)) = (&account, plan.client) else {
                return Vec::new(); // known after apply
            };
            if let Some(found) = shown {
                (found, nothing.clone())
            } else {
                match root_credentials::audit(aws, account).await {
                    Ok(found) => {
                        let found = CredentialSets::found(&found);
                        plan.remember(account, &found);
                        (found, nothing.clone())
                    }
                    // Only a feature this run may enable defers what goes to
                    // apply; any other failure is the plan's error.
                    Err(e) => {
                        plan_read_failed(
                            &e,
                            account,
                            "The root credentials this resource deletes",
                            "audit the root credentials of account",
                            diags,
                        );
                        return Vec::new();
                    }
                }
            }
        }
    };
    let going = found.of_types(&managed);
    let mut removed = earlier.clone();
    removed.add(going.items());
    for t in CredentialType::ALL {
        if managed.contains(&t) {
            plan.planned.removed.set(t, &removed);
        } else {
            plan.planned.present.set(t, &found);
            plan.planned.removed.set(t, &earlier);
        }
    }
    going.items()
}

/// Create (and an update planned without known kinds): list what the account
/// has and delete every credential of the managed kinds. `None` when nothing
/// could be done (error reported).
async fn delete_present(
    aws: &AwsClients,
    prior: Option<&State>,
    planned: &Planned,
    diags: &mut Diagnostics,
) -> Option<State> {
    let account = planned.account_id.get().cloned().unwrap_or_default();
    let managed = planned.managed().unwrap_or_else(all_kinds);
    let kinds: Vec<CredentialType> = managed.iter().copied().collect();
    let (before, deletion) = match root_credentials::delete_present(aws, &account, &kinds).await {
        Ok(done) => done,
        Err(e) => {
            diags.extend(aws_diagnostic(
                &e,
                &format!("delete the root credentials of account {account}"),
            ));
            return None;
        }
    };
    let mut gone = deletion.removed.clone();
    gone.extend(deletion.already_gone.iter().cloned());
    let after = CredentialSets::found(&before.without(&gone));
    // Managed kinds: what is left. Others: as planned (last read), or as
    // found now when the plan could not know.
    let mut present = planned.present.known_or(&after);
    for t in &managed {
        present.set_kind(*t, &after);
    }
    report_failures(&account, &deletion, ("removed_*", "present_*"), diags);
    report_unassigned_virtual_devices(&account, &gone, diags);
    Some(state_after(prior, planned, account, present, gone))
}

/// A known plan (an update after a refresh, or a create the plan audited):
/// delete exactly `targets`, what the plan showed, nothing else.
async fn delete_planned(
    aws: &AwsClients,
    prior: Option<&State>,
    planned: &Planned,
    targets: Vec<Credential>,
    diags: &mut Diagnostics,
) -> Option<State> {
    let account = planned.account_id.get().cloned().unwrap_or_default();
    let managed = planned.managed().unwrap_or_else(all_kinds);
    let deletion = match root_credentials::delete_listed(aws, &account, targets).await {
        Ok(deletion) => deletion,
        Err(e) => {
            diags.extend(aws_diagnostic(
                &e,
                &format!("delete the root credentials of account {account}"),
            ));
            return None;
        }
    };
    let mut gone = deletion.removed.clone();
    gone.extend(deletion.already_gone.iter().cloned());
    // What could not be deleted is still present.
    let failed = CredentialSets::of(deletion.failures.iter().map(|f| f.credential.clone()));
    let mut present = planned.present.known_or(&failed);
    for t in &managed {
        present.set_kind(*t, &failed);
    }
    report_failures(&account, &deletion, ("removed_*", "present_*"), diags);
    report_unassigned_virtual_devices(&account, &gone, diags);
    Some(state_after(prior, planned, account, present, gone))
}

/// The state after a deletion: `gone` added to the record of removals.
fn state_after(
    prior: Option<&State>,
    planned: &Planned,
    account: String,
    present: CredentialSets,
    gone: Vec<Credential>,
) -> State {
    let mut removed = prior.map(|p| p.removed.clone()).unwrap_or_default();
    removed.add(gone);
    State {
        id: Some(account.clone()),
        account_id: account,
        credential_types: planned.credential_types.get().cloned().flatten(),
        present,
        removed,
    }
}

/// The state of an account's resource right after an import and a refresh
/// (what `terraform query` lists): `found` present, nothing removed yet.
pub(crate) fn imported_state(
    account: &str,
    kinds: BTreeSet<CredentialType>,
    found: CredentialSets,
) -> State {
    State {
        id: Some(account.to_string()),
        account_id: account.to_string(),
        credential_types: Some(kinds),
        present: found,
        removed: CredentialSets::default(),
    }
}

#[cfg(test)]
mod tests;
