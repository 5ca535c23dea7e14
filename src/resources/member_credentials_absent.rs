//! Resource `rootaccess_member_credentials_absent`: a member account's root
//! user has no credentials of the chosen types, and stays that way.
//!
//! Drift and leftovers share one representation: the computed `present_*`
//! attributes say what the account has (read audits it), and the plan forces
//! those of the managed types back to empty, so `terraform plan` lists exactly
//! what apply will delete. `removed_*` keep what this resource has deleted.

use async_trait::async_trait;

use crate::errors::{advice, aws_diagnostic};
use crate::member_account::{account_id_attribute, check_target, refresh_refused};
use aws_root_access::AwsClients;
use aws_root_access::ids::check_account_id;
use aws_root_access::root_credentials::{
    self, Credential, CredentialType, Deletion, RootCredentials,
};
use tfplugin::{
    Attribute, AttributePath, Diagnostics, OneOf, Plan, ReadOutcome, Resource, Schema, Type, Value,
};

pub struct MemberCredentialsAbsent;

const TYPE_NAME: &str = "rootaccess_member_credentials_absent";

/// Per credential type: the attribute with what is present, the one with what
/// was removed, and how a credential of that type is named in it.
fn present_attr(t: CredentialType) -> &'static str {
    match t {
        CredentialType::Password => "present_password",
        CredentialType::AccessKeys => "present_access_key_ids",
        CredentialType::SigningCertificates => "present_signing_certificate_ids",
        CredentialType::MfaDevices => "present_mfa_serials",
    }
}

fn removed_attr(t: CredentialType) -> &'static str {
    match t {
        CredentialType::Password => "removed_password",
        CredentialType::AccessKeys => "removed_access_key_ids",
        CredentialType::SigningCertificates => "removed_signing_certificate_ids",
        CredentialType::MfaDevices => "removed_mfa_serials",
    }
}

#[async_trait]
impl Resource<AwsClients> for MemberCredentialsAbsent {
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
             next apply finishes the job.\n\n\
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
        .attribute(
            Attribute::new("credential_types", Type::set(Type::String))
                .default(Value::Set(
                    sorted(CredentialType::NAMES.iter().map(|s| s.to_string()))
                        .into_iter()
                        .map(Value::String)
                        .collect(),
                ))
                .validator(OneOf(&CredentialType::NAMES))
                .describe(
                    "Kinds of root credentials to delete and keep absent: `password` (the console password, i.e. \
                     the login profile), `access_keys`, `signing_certificates` (X.509), `mfa_devices` \
                     (deactivated). Adding a kind deletes its credentials on the next apply; removing one stops \
                     managing it (nothing is restored).",
                ),
        )
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
            "Ids of the root access keys this resource has deleted, over all its applies (a credential found already gone while deleting counts too).",
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

    async fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        if config
            .attr("credential_types")
            .elements()
            .is_some_and(|e| e.is_empty())
        {
            diags.attribute_error(
                AttributePath::root("credential_types"),
                "No credential types",
                format!(
                    "credential_types is empty, so this resource would manage nothing. Name at least one of {}, \
                     or leave the argument out to manage all four.",
                    CredentialType::NAMES.join(", ")
                ),
            );
        }
    }

    async fn plan(&self, plan: &mut Plan<'_, AwsClients>, diags: &mut Diagnostics) {
        let account = plan.planned.attr("account_id").as_str().map(str::to_string);
        if let Some(account) = &account {
            plan.planned.set_attr("id", Value::string(account));
        }
        // Another account is a replacement: planned like a create of the new
        // account (Terraform plans it again with no prior state, but shows
        // this plan's warnings); nothing of the old account's credentials
        // applies to it.
        let prior = if plan.planned.attr("account_id") != plan.prior.attr("account_id") {
            &Value::Null
        } else {
            plan.prior
        };
        if prior.is_null()
            && let (Some(account), Some(aws)) = (&account, plan.client)
        {
            check_target(aws, account, diags).await;
            if diags.has_errors() {
                return;
            }
        }
        // Unknown types: the framework already left the computed values unknown.
        let Some(managed) = credential_types(plan.planned.attr("credential_types")) else {
            return;
        };
        for t in &managed {
            plan.planned.set_attr(present_attr(*t), empty(*t));
        }
        let targets = if prior.is_null() {
            // Create: audit the account now, so the plan shows what apply deletes.
            let (Some(account), Some(aws)) = (&account, plan.client) else {
                return; // known after apply
            };
            match root_credentials::audit(aws, account).await {
                Ok(found) => {
                    let mut targets = Vec::new();
                    for t in CredentialType::ALL {
                        if managed.contains(&t) {
                            let items = present_items_of(&found, t);
                            let refs: Vec<&Credential> = items.iter().collect();
                            plan.planned.set_attr(removed_attr(t), value_of(&refs, t));
                            targets.extend(items);
                        } else {
                            plan.planned.set_attr(present_attr(t), present(&found, t));
                            plan.planned.set_attr(removed_attr(t), empty(t));
                        }
                    }
                    targets
                }
                // Typically the feature is enabled in this same run: what goes
                // is known after apply.
                Err(e) => {
                    tracing::debug!(%e, "cannot audit the account at plan");
                    return;
                }
            }
        } else {
            // Update: apply deletes exactly what the last read found of the
            // managed kinds, so the plan can say what will be removed.
            let mut targets = Vec::new();
            for t in CredentialType::ALL {
                let prior_removed = prior.attr(removed_attr(t));
                if managed.contains(&t) {
                    let found = present_items(prior, t);
                    let found_refs: Vec<&Credential> = found.iter().collect();
                    plan.planned
                        .set_attr(removed_attr(t), accumulate(prior_removed, &found_refs, t));
                    targets.extend(found);
                } else {
                    plan.planned
                        .set_attr(present_attr(t), prior.attr(present_attr(t)).clone());
                    plan.planned
                        .set_attr(removed_attr(t), prior_removed.clone());
                }
            }
            targets
        };
        if !targets.is_empty() {
            let names: Vec<String> = targets.iter().map(|c| c.to_string()).collect();
            diags.warning(
                format!(
                    "Root credentials present in account {}",
                    account.as_deref().unwrap_or("?")
                ),
                format!(
                    "The account has root credentials of the types this resource keeps absent: {}. Apply deletes \
                     them. If they were created on purpose, remove their type from credential_types instead.",
                    names.join(", ")
                ),
            );
        }
    }

    async fn create(&self, aws: &AwsClients, planned: &Value, diags: &mut Diagnostics) -> Value {
        let known_plan = CredentialType::ALL
            .iter()
            .all(|t| planned.attr(removed_attr(*t)).is_wholly_known());
        let result = if known_plan {
            // The plan audited the account and showed what goes: exactly that.
            let targets = planned_removals(planned);
            delete_planned(aws, &Value::Null, planned, targets, diags).await
        } else {
            delete_present(aws, &Value::Null, planned, diags).await
        };
        result.unwrap_or(Value::Null)
    }

    async fn read(&self, aws: &AwsClients, state: &Value, diags: &mut Diagnostics) -> ReadOutcome {
        let Some(account) = state.attr("account_id").as_str() else {
            diags.error("Invalid state", "The stored state has no account_id.");
            return ReadOutcome::Present(state.clone());
        };
        let found = match root_credentials::audit(aws, account).await {
            Ok(found) => found,
            Err(e) => {
                if let Some(kept) = refresh_refused(
                    aws,
                    account,
                    TYPE_NAME,
                    "Its root credentials",
                    state,
                    diags,
                )
                .await
                {
                    return kept;
                }
                diags.extend(aws_diagnostic(
                    &e,
                    &format!("audit the root credentials of account {account}"),
                ));
                return ReadOutcome::Present(state.clone());
            }
        };
        let mut new = state.clone();
        new.set_attr("id", Value::string(account));
        if new.attr("credential_types").is_null() {
            // Imported: manage every kind, as the default does.
            new.set_attr("credential_types", all_types());
        }
        for t in CredentialType::ALL {
            new.set_attr(present_attr(t), present(&found, t));
            if new.attr(removed_attr(t)).is_null() {
                new.set_attr(removed_attr(t), empty(t));
            }
        }
        ReadOutcome::Present(new)
    }

    async fn update(
        &self,
        aws: &AwsClients,
        prior: &Value,
        planned: &Value,
        diags: &mut Diagnostics,
    ) -> Value {
        let known_plan = CredentialType::ALL
            .iter()
            .all(|t| planned.attr(removed_attr(*t)).is_wholly_known());
        let result = if known_plan {
            let managed = credential_types(planned.attr("credential_types"))
                .unwrap_or_else(|| CredentialType::ALL.to_vec());
            let targets = managed
                .iter()
                .flat_map(|t| present_items(prior, *t))
                .collect();
            delete_planned(aws, prior, planned, targets, diags).await
        } else {
            delete_present(aws, prior, planned, diags).await
        };
        // None: nothing was deleted, the prior state still holds.
        result.unwrap_or_else(|| prior.clone())
    }

    async fn delete(&self, _aws: &AwsClients, prior: &Value, diags: &mut Diagnostics) {
        diags.warning(
            "Root credentials are not restored",
            format!(
                "{TYPE_NAME} for account {} is removed from the Terraform state only: root credentials it deleted \
                 stay deleted, and nothing keeps them absent any more. (When this is part of a replacement, the new \
                 resource deletes again whatever is present.)",
                prior.attr("account_id").as_str().unwrap_or("?")
            ),
        );
    }

    async fn import(&self, _aws: &AwsClients, id: &str, diags: &mut Diagnostics) -> Value {
        if let Err(message) = check_account_id(id) {
            diags.error(
                "Invalid import id",
                format!(
                    "{message}. Import {TYPE_NAME} by the member account id, e.g. 111122223333."
                ),
            );
            return Value::Null;
        }
        let mut state = Value::Object(Default::default());
        for attr in self.schema().block.attributes {
            state.set_attr(attr.name, Value::Null);
        }
        state.set_attr("id", Value::string(id));
        state.set_attr("account_id", Value::string(id));
        state
    }
}

/// Create (and an update planned without known types): list what the account
/// has and delete every credential of the managed kinds. `None` when nothing
/// could be done (error reported).
async fn delete_present(
    aws: &AwsClients,
    prior: &Value,
    planned: &Value,
    diags: &mut Diagnostics,
) -> Option<Value> {
    let account = planned.attr("account_id").as_str().unwrap_or_default();
    let managed = credential_types(planned.attr("credential_types"))
        .unwrap_or_else(|| CredentialType::ALL.to_vec());
    let (before, deletion) = match root_credentials::delete_present(aws, account, &managed).await {
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
    let after = before.without(&gone);
    let mut state = planned.clone();
    state.set_attr("id", Value::string(account));
    for t in CredentialType::ALL {
        // Managed kinds: what is left. Others: as planned (last read), or as
        // found now when the plan could not know.
        if managed.contains(&t) || !planned.attr(present_attr(t)).is_wholly_known() {
            state.set_attr(present_attr(t), present(&after, t));
        }
    }
    record(&mut state, prior, &gone);
    report_failures(account, &deletion, diags);
    Some(state)
}

/// A known plan (an update after a refresh, or a create the plan audited):
/// delete exactly `targets`, what the plan showed, nothing else.
async fn delete_planned(
    aws: &AwsClients,
    prior: &Value,
    planned: &Value,
    targets: Vec<Credential>,
    diags: &mut Diagnostics,
) -> Option<Value> {
    let account = planned.attr("account_id").as_str().unwrap_or_default();
    let managed = credential_types(planned.attr("credential_types"))
        .unwrap_or_else(|| CredentialType::ALL.to_vec());
    let deletion = match root_credentials::delete_listed(aws, account, targets).await {
        Ok(deletion) => deletion,
        Err(e) => {
            diags.extend(aws_diagnostic(
                &e,
                &format!("delete the root credentials of account {account}"),
            ));
            return None;
        }
    };
    let mut state = planned.clone();
    let mut gone = deletion.removed.clone();
    gone.extend(deletion.already_gone.iter().cloned());
    record(&mut state, prior, &gone);
    // What could not be deleted is still present.
    for t in &managed {
        let failed: Vec<&Credential> = deletion
            .failures
            .iter()
            .map(|f| &f.credential)
            .filter(|c| c.credential_type() == *t)
            .collect();
        state.set_attr(present_attr(*t), value_of(&failed, *t));
    }
    report_failures(account, &deletion, diags);
    Some(state)
}

/// Adds `gone` to the `removed_*` record of `prior`.
fn record(state: &mut Value, prior: &Value, gone: &[Credential]) {
    for t in CredentialType::ALL {
        let of_type: Vec<&Credential> = gone.iter().filter(|c| c.credential_type() == t).collect();
        state.set_attr(
            removed_attr(t),
            accumulate(prior.attr(removed_attr(t)), &of_type, t),
        );
    }
}

/// The error of a partly failed deletion: what went, what is left and why.
fn report_failures(account: &str, deletion: &Deletion, diags: &mut Diagnostics) {
    if deletion.failures.is_empty() {
        return;
    }
    let mut detail = String::new();
    if deletion.removed.is_empty() {
        detail.push_str("Nothing was deleted.\n");
    } else {
        let removed: Vec<String> = deletion.removed.iter().map(|c| c.to_string()).collect();
        detail.push_str(&format!("Deleted: {}.\n", removed.join(", ")));
    }
    detail.push_str("Still present:\n");
    for f in &deletion.failures {
        detail.push_str(&format!("  - {}: {}\n", f.credential, f.error));
    }
    let mut advices: Vec<&str> = deletion
        .failures
        .iter()
        .map(|f| advice(f.error.kind))
        .filter(|a| !a.is_empty())
        .collect();
    advices.sort();
    advices.dedup();
    for a in advices {
        detail.push_str(&format!("\n{a}\n"));
    }
    detail.push_str(
        "\nThe state records what was deleted (removed_*) and what is left (present_*). Run terraform apply \
         again to delete the rest.",
    );
    diags.error(
        format!(
            "Root credentials of account {account} only partly deleted: {} left",
            deletion.failures.len()
        ),
        detail,
    );
}

/// The managed types, or `None` while unknown.
fn credential_types(v: &Value) -> Option<Vec<CredentialType>> {
    if v.is_null() {
        return Some(CredentialType::ALL.to_vec());
    }
    let items = v.elements()?;
    let mut out = Vec::new();
    for item in items {
        // Validation already refused unknown names.
        if let Some(t) = item.as_str().and_then(|s| s.parse().ok()) {
            out.push(t);
        } else if item.is_unknown() {
            return None;
        }
    }
    Some(out)
}

fn all_types() -> Value {
    string_set(CredentialType::NAMES.iter().map(|s| s.to_string()))
}

fn sorted(items: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = items.into_iter().collect();
    v.sort();
    v.dedup();
    v
}

fn string_set(items: impl IntoIterator<Item = String>) -> Value {
    Value::Set(sorted(items).into_iter().map(Value::String).collect())
}

/// "Nothing of this type".
fn empty(t: CredentialType) -> Value {
    match t {
        CredentialType::Password => Value::Bool(false),
        _ => Value::Set(Vec::new()),
    }
}

/// Credentials of type `t` as the value of a `present_*`/`removed_*` attribute.
fn value_of(items: &[&Credential], t: CredentialType) -> Value {
    if t == CredentialType::Password {
        return Value::Bool(items.iter().any(|c| **c == Credential::Password));
    }
    string_set(items.iter().filter_map(|c| match c {
        Credential::AccessKey(id)
        | Credential::SigningCertificate(id)
        | Credential::MfaDevice(id) => Some(id.clone()),
        Credential::Password => None,
    }))
}

/// What `found` holds of type `t`, as the attribute's value.
fn present(found: &RootCredentials, t: CredentialType) -> Value {
    let items = found.items();
    let of_type: Vec<&Credential> = items.iter().filter(|c| c.credential_type() == t).collect();
    value_of(&of_type, t)
}

/// The prior record of removals of type `t` plus `removed` now.
fn accumulate(prior: &Value, removed: &[&Credential], t: CredentialType) -> Value {
    let earlier = items_in(prior, t);
    let mut all: Vec<&Credential> = earlier.iter().collect();
    all.extend(removed.iter().copied());
    value_of(&all, t)
}

/// What a create plan showed it will delete: its `removed_*` values.
fn planned_removals(planned: &Value) -> Vec<Credential> {
    let managed = credential_types(planned.attr("credential_types"))
        .unwrap_or_else(|| CredentialType::ALL.to_vec());
    managed
        .iter()
        .flat_map(|t| items_in(planned.attr(removed_attr(*t)), *t))
        .collect()
}

/// The credentials of type `t` an audit found.
fn present_items_of(found: &RootCredentials, t: CredentialType) -> Vec<Credential> {
    found
        .items()
        .into_iter()
        .filter(|c| c.credential_type() == t)
        .collect()
}

/// The credentials of type `t` a state says are present.
fn present_items(state: &Value, t: CredentialType) -> Vec<Credential> {
    items_in(state.attr(present_attr(t)), t)
}

/// The credentials of type `t` named by a `present_*`/`removed_*` value.
fn items_in(v: &Value, t: CredentialType) -> Vec<Credential> {
    if t == CredentialType::Password {
        return if v.as_bool() == Some(true) {
            vec![Credential::Password]
        } else {
            Vec::new()
        };
    }
    v.elements()
        .unwrap_or_default()
        .iter()
        .filter_map(|id| id.as_str())
        .map(|id| match t {
            CredentialType::AccessKeys => Credential::AccessKey(id.into()),
            CredentialType::SigningCertificates => Credential::SigningCertificate(id.into()),
            _ => Credential::MfaDevice(id.into()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removals_accumulate_sorted_and_unique() {
        let prior = string_set(["AKIA2".to_string()]);
        let now = [
            &Credential::AccessKey("AKIA1".into()),
            &Credential::AccessKey("AKIA2".into()),
        ];
        assert_eq!(
            accumulate(&prior, &now, CredentialType::AccessKeys),
            Value::Set(vec![Value::string("AKIA1"), Value::string("AKIA2")])
        );
        assert_eq!(
            accumulate(&Value::Null, &[], CredentialType::Password),
            Value::Bool(false)
        );
        assert_eq!(
            accumulate(&Value::Bool(true), &[], CredentialType::Password),
            Value::Bool(true)
        );
    }

    #[test]
    fn credential_types_null_means_all_and_unknown_means_unknown() {
        assert_eq!(
            credential_types(&Value::Null),
            Some(CredentialType::ALL.to_vec())
        );
        assert_eq!(credential_types(&Value::Unknown), None);
        assert_eq!(
            credential_types(&Value::Set(vec![Value::string("password")])),
            Some(vec![CredentialType::Password])
        );
        assert_eq!(credential_types(&Value::Set(vec![Value::Unknown])), None);
    }

    #[test]
    fn the_schema_default_lists_all_types_sorted() {
        let schema = MemberCredentialsAbsent.schema();
        let attr = schema.block.find_attribute("credential_types").unwrap();
        assert_eq!(attr.default.as_ref(), Some(&all_types()));
        assert!(attr.full_description().contains("`signing_certificates`"));
    }
}
