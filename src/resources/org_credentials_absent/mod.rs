//! Resource `rootaccess_org_credentials_absent`: keeps the root credentials
//! of every ACTIVE member of an organization (or of some of its
//! organizational units) deleted, as one resource: one state entry for
//! thousands of accounts, and accounts that join the scope are covered by
//! the next plan without a configuration change.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use futures::StreamExt;
use serde::{Deserialize, Serialize};

use crate::checks::ACCOUNT_ID;
use crate::claims::{Stance, Subject, claim_at};
use crate::credential_sets::{
    CredentialSets, all_kinds, check_credential_types, credential_types_attribute, report_failures,
    report_unassigned_virtual_devices,
};
use crate::errors::{advice, aws_diagnostic};
use crate::member_account::organizational_units_attribute;
use aws_root_access::root_credentials::{self, CredentialType};
use aws_root_access::{AwsClients, AwsError, ErrorKind, organization};
use tfplugin::{
    Attribute, AttributePath, Diagnostics, IdentityAttribute, IdentitySchema, Known, Plan,
    ReadOutcome, Resource, Schema, Type, null_as_default,
};

mod apply;
mod audit;
mod scope;

use apply::apply;
use audit::{Audited, audit, warn_going};
use scope::{Scope, accounts, named, scope_name};

pub struct OrgCredentialsAbsent;

const TYPE_NAME: &str = "rootaccess_org_credentials_absent";

/// The scope attribute's value for the whole organization.
const WHOLE_ORGANIZATION: &str = "organization";

/// At most this many accounts are named one by one in a message.
const NAMED: usize = 20;

/// Root credentials by account id.
type ByAccount = BTreeMap<String, CredentialSets>;

/// Every attribute, as stored.
#[derive(Serialize, Deserialize, Clone, Debug, Default)]
pub struct State {
    id: Option<String>,
    organization_id: Option<String>,
    scope: Option<String>,
    organizational_unit_ids: Option<BTreeSet<String>>,
    exclude_account_ids: Option<BTreeSet<String>>,
    /// Null only in an imported state before its first refresh: all kinds.
    credential_types: Option<BTreeSet<CredentialType>>,
    #[serde(deserialize_with = "null_as_default")]
    accounts_with_credentials: ByAccount,
    #[serde(deserialize_with = "null_as_default")]
    removed: ByAccount,
    #[serde(deserialize_with = "null_as_default")]
    skipped_account_ids: BTreeSet<String>,
}

impl State {
    fn kinds(&self) -> BTreeSet<CredentialType> {
        self.credential_types.clone().unwrap_or_else(all_kinds)
    }
}

/// What a refresh could not read, for the next plan: accounts whose root
/// credentials are unknown (an SCP blocks root sessions, the feature is off).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Unread {
    accounts: BTreeSet<String>,
}

/// What validation and the plan read of the configuration.
#[derive(Deserialize)]
pub struct Config {
    organizational_unit_ids: Known<Option<BTreeSet<String>>>,
    exclude_account_ids: Known<Option<BTreeSet<String>>>,
    /// Names: a validator reports unknown ones.
    credential_types: Known<Option<BTreeSet<String>>>,
}

/// Every attribute, as planned.
#[derive(Serialize, Deserialize, Clone, Debug, Default)]
pub struct Planned {
    id: Known<Option<String>>,
    organization_id: Known<Option<String>>,
    scope: Known<Option<String>>,
    organizational_unit_ids: Known<Option<BTreeSet<String>>>,
    exclude_account_ids: Known<Option<BTreeSet<String>>>,
    credential_types: Known<Option<BTreeSet<CredentialType>>>,
    accounts_with_credentials: Known<Option<ByAccount>>,
    removed: Known<Option<ByAccount>>,
    skipped_account_ids: Known<Option<BTreeSet<String>>>,
}

impl Planned {
    fn kinds(&self) -> Option<BTreeSet<CredentialType>> {
        self.credential_types
            .get()
            .map(|t| t.clone().unwrap_or_else(all_kinds))
    }
}

#[async_trait]
impl Resource<AwsClients> for OrgCredentialsAbsent {
    type Config = Config;
    type Planned = Planned;
    type State = State;
    type Private = Unread;

    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        let by_account = || {
            Type::map(Type::object([
                ("password", Type::Bool),
                ("access_key_ids", Type::set(Type::String)),
                ("signing_certificate_ids", Type::set(Type::String)),
                ("mfa_serials", Type::set(Type::String)),
            ]))
        };
        Schema::new(
            "Deletes the root user credentials of every ACTIVE member account in its scope and keeps them \
             deleted: the whole organization, or `organizational_unit_ids` with their child units, minus \
             `exclude_account_ids`. One resource for thousands of accounts: its state holds only the accounts \
             that have credentials (and what the last apply deleted), and accounts that join the scope are \
             covered by the next plan without a configuration change. Runs from the management account or the \
             IAM delegated administrator through `sts:AssumeRoot` (task policies `IAMAuditRootUserCredentials` \
             to read, `IAMDeleteRootUserCredentials` to delete); `RootCredentialsManagement` must be enabled.\n\n\
             **What the plan shows.** Every refresh audits each account in scope (concurrently, within the \
             provider's `max_concurrent_requests`). `accounts_with_credentials` lists the accounts that have root \
             credentials of the managed kinds; the plan forces it to empty, and `removed` shows, per account, \
             what the apply deletes: only accounts with something to delete appear in the diff. Apply deletes \
             exactly that. A partial failure keeps, per account, what is left in `accounts_with_credentials` and \
             what went in `removed`, and the next plan shows what is left.\n\n\
             **Accounts it leaves alone.** The management account (AWS issues no root sessions for it); accounts \
             that are not ACTIVE (suspended, being closed, ...: named in a warning and in `skipped_account_ids`); \
             and `exclude_account_ids`. An account that also has a `rootaccess_member_credentials_absent` or a \
             `rootaccess_member_password_recovery` (with `password` managed here) under the same provider \
             configuration is refused at plan: add it to `exclude_account_ids`, or remove the other resource. \
             Resources under another provider alias, in another state, or whose `account_id` is known only at \
             apply are not compared, and neither are overlapping scopes of two of these resources: keep them \
             apart yourself.\n\n\
             **Import** with `<organization_id>/organization` for the whole organization, or \
             `<organization_id>/<ou-id>,<ou-id>` for units. **Destroy** only removes the resource from the state: \
             deleted credentials stay deleted.",
        )
        .attribute(
            Attribute::string("id")
                .computed()
                .use_state_for_unknown()
                .describe("`<organization_id>/<scope>`, also the import id."),
        )
        .attribute(
            Attribute::string("organization_id")
                .computed()
                .use_state_for_unknown()
                .describe("The organization id (`o-...`)."),
        )
        .attribute(
            Attribute::string("scope")
                .computed()
                .use_state_for_unknown()
                .describe(
                    "`organization`, or the organizational unit ids, sorted and joined with commas: what the \
                     resource covers.",
                ),
        )
        .attribute(
            organizational_units_attribute(
                "Organizational units (or a root, `r-...`) whose ACTIVE member accounts this resource covers, child \
                 units included. Leave it out to cover the whole organization. Changing it replaces the resource \
                 (nothing changes in AWS: the new scope is audited and cleaned).",
            )
            .requires_replace(),
        )
        .attribute(
            Attribute::new("exclude_account_ids", Type::set(Type::String))
                .optional()
                .validator(ACCOUNT_ID)
                .describe(
                    "Member accounts to leave alone, for example those whose root credentials another resource \
                     manages. Removing an account from the set audits it in the next plan and deletes what it has.",
                ),
        )
        .attribute(credential_types_attribute())
        .attribute(
            Attribute::new("accounts_with_credentials", by_account())
                .computed()
                .describe(
                    "The accounts in scope that have root credentials of the managed kinds, as last read, by \
                     account id: `password`, `access_key_ids`, `signing_certificate_ids`, `mfa_serials`. Planned \
                     empty.",
                ),
        )
        .attribute(Attribute::new("removed", by_account()).computed().describe(
            "What the last apply deleted, by account id (at plan: what the apply deletes). Replaced by each apply \
             that deletes something, so the state does not grow with the organization's history.",
        ))
        .attribute(
            Attribute::new("skipped_account_ids", Type::set(Type::String))
                .computed()
                .describe(
                    "Member accounts in scope that are not ACTIVE (suspended, being closed, ...), as last read: \
                     root sessions cannot reach them.",
                ),
        )
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(
            IdentitySchema::new()
                .attribute(IdentityAttribute::string(
                    "organization_id",
                    "The organization id (`o-...`).",
                ))
                .attribute(IdentityAttribute::string(
                    "scope",
                    "`organization`, or the organizational unit ids joined with commas.",
                )),
        )
    }

    async fn validate(&self, config: &Config, diags: &mut Diagnostics) {
        check_credential_types(config.credential_types.get(), diags);
    }

    async fn plan(&self, plan: &mut Plan<'_, AwsClients, Self>, diags: &mut Diagnostics) {
        let (Known::Value(units), Known::Value(excluded), Some(kinds)) = (
            plan.config.organizational_unit_ids.clone(),
            plan.config.exclude_account_ids.clone(),
            plan.planned.kinds(),
        ) else {
            return; // known after apply, and so is what goes
        };
        let Some(aws) = plan.client else {
            diags.warning(
                "Root credentials in scope will be known at apply",
                "The provider configuration is known only after apply, so the plan cannot read the accounts in \
                 scope or their root credentials. Apply deletes every root credential of the managed kinds in \
                 every ACTIVE member account in scope.",
            );
            return;
        };
        let excluded = excluded.unwrap_or_default();
        let scope = match Scope::read(aws, units.as_ref(), &excluded).await {
            Ok(scope) => scope,
            Err(e) => return diags.extend(aws_diagnostic(&e, "read the accounts in scope")),
        };
        scope.plan_names(&mut plan.planned, units.as_ref());
        scope.warn_skipped(diags);
        for account in &scope.active {
            let at = || AttributePath::root("exclude_account_ids");
            let credentials = Subject::RootCredentials(account.clone());
            claim_at(aws, credentials, TYPE_NAME, Stance::Sweeps, at(), diags);
            if kinds.contains(&CredentialType::Password) {
                let password = Subject::RootPassword(account.clone());
                claim_at(aws, password, TYPE_NAME, Stance::Deletes, at(), diags);
            }
        }
        if diags.has_errors() {
            return;
        }
        // Accounts the refresh could not read (warned then): what they
        // have, and so what goes, is known only at apply.
        let unread_at_refresh = plan
            .prior_private
            .as_ref()
            .is_some_and(|u| scope.active.iter().any(|a| u.accounts.contains(a)));
        if unread_at_refresh {
            plan.planned.accounts_with_credentials = Known::Unknown;
            plan.planned.removed = Known::Unknown;
            return;
        }
        let Some(going) = plan_deletions(plan, aws, &scope, &kinds, diags).await else {
            return; // an audit failed: reported
        };
        let Some(going) = going else {
            // Some accounts could not be read (warned): nothing here may
            // look clean, so what goes is known only after apply.
            plan.planned.accounts_with_credentials = Known::Unknown;
            plan.planned.removed = Known::Unknown;
            return;
        };
        warn_going(&going, diags);
        // One entry per account, its last deletion: accounts with nothing
        // to delete keep theirs, so only what goes shows in the diff.
        let removed = match &plan.prior {
            Some(prior) if prior.kinds() == kinds => {
                let was_excluded = prior.exclude_account_ids.clone().unwrap_or_default();
                let mut removed: ByAccount = prior
                    .removed
                    .iter()
                    .filter(|(account, _)| {
                        scope.active.contains(account) && !was_excluded.contains(*account)
                    })
                    .map(|(account, sets)| (account.clone(), sets.clone()))
                    .collect();
                removed.extend(going);
                removed
            }
            _ => going,
        };
        plan.planned.accounts_with_credentials = Known::Value(Some(ByAccount::new()));
        plan.planned.removed = Known::Value(Some(removed));
    }

    async fn create(
        &self,
        aws: &AwsClients,
        planned: &Planned,
        diags: &mut Diagnostics,
    ) -> Option<State> {
        apply(aws, None, planned, diags).await
    }

    async fn read(
        &self,
        aws: &AwsClients,
        stored: &State,
        diags: &mut Diagnostics,
    ) -> ReadOutcome<State, Unread> {
        let excluded = stored.exclude_account_ids.clone().unwrap_or_default();
        let units = stored.organizational_unit_ids.as_ref();
        let scope = match Scope::read(aws, units, &excluded).await {
            Ok(scope) => scope,
            Err(e) if e.is(ErrorKind::OrganizationNotFound) => {
                return ReadOutcome::gone("the organization no longer exists");
            }
            Err(e) => {
                diags.extend(aws_diagnostic(&e, "read the accounts in scope"));
                return ReadOutcome::Unchanged;
            }
        };
        scope.warn_skipped(diags);
        let kinds = stored.kinds();
        let Some(Audited { found, unread }) =
            audit(aws, &scope.active, &kinds, Some(stored), diags).await
        else {
            return ReadOutcome::Unchanged;
        };
        let mut state = stored.clone();
        state.id = Some(scope.id(units));
        state.organization_id = Some(scope.organization_id.clone());
        state.scope = Some(scope_name(units));
        state.credential_types = Some(kinds);
        state.accounts_with_credentials = found;
        state.skipped_account_ids = scope.skipped;
        ReadOutcome::PresentWithPrivate(state, Unread { accounts: unread })
    }

    async fn update(
        &self,
        aws: &AwsClients,
        prior: &State,
        planned: &Planned,
        diags: &mut Diagnostics,
    ) -> Option<State> {
        apply(aws, Some(prior), planned, diags).await
    }

    async fn delete(&self, _aws: &AwsClients, prior: &State, diags: &mut Diagnostics) {
        destroy_warning(prior, diags);
    }

    fn plan_destroy(&self, prior: &State, diags: &mut Diagnostics) {
        destroy_warning(prior, diags);
    }

    async fn import(&self, aws: &AwsClients, id: &str, diags: &mut Diagnostics) -> Option<State> {
        let parsed = id.split_once('/').filter(|(org, scope)| {
            org.starts_with("o-")
                && (*scope == WHOLE_ORGANIZATION
                    || scope
                        .split(',')
                        .all(|u| u.starts_with("ou-") || u.starts_with("r-")))
        });
        let Some((organization_id, scope)) = parsed else {
            diags.error(
                "Invalid import id",
                format!(
                    "{id:?} is not `<organization_id>/organization` or `<organization_id>/<ou-id>,<ou-id>`, e.g. \
                     o-a1b2c3d4e5/organization or o-a1b2c3d4e5/ou-ab12-cdef3456."
                ),
            );
            return None;
        };
        match organization::describe(aws).await {
            Ok((actual, _)) if actual != organization_id => {
                diags.error(
                    "Wrong organization",
                    format!(
                        "The provider's credentials belong to organization {actual}, not {organization_id}. Import \
                         with {actual}/{scope}."
                    ),
                );
                return None;
            }
            Ok(_) => {}
            Err(e) => {
                diags.extend(aws_diagnostic(&e, "read the organization"));
                return None;
            }
        }
        let units: Option<BTreeSet<String>> =
            (scope != WHOLE_ORGANIZATION).then(|| scope.split(',').map(str::to_string).collect());
        // The scope as this resource names it: units sorted.
        let scope = scope_name(units.as_ref());
        // The first refresh audits the scope and fills in the rest.
        Some(State {
            id: Some(format!("{organization_id}/{scope}")),
            organization_id: Some(organization_id.to_string()),
            scope: Some(scope),
            organizational_unit_ids: units,
            ..State::default()
        })
    }
}

/// What the apply deletes, by account: for an update what the refresh found
/// (accounts it did not cover, because they were excluded or the kinds
/// changed, are audited now); for a create an audit of the scope now, kept
/// for Terraform's re-plan before the apply. `Some(None)` when some account
/// could not be read (known at apply), `None` after an error.
async fn plan_deletions(
    plan: &mut Plan<'_, AwsClients, OrgCredentialsAbsent>,
    aws: &AwsClients,
    scope: &Scope,
    kinds: &BTreeSet<CredentialType>,
    diags: &mut Diagnostics,
) -> Option<Option<ByAccount>> {
    let in_scope: BTreeSet<&String> = scope.active.iter().collect();
    let (mut going, to_audit): (ByAccount, Vec<String>) = match &plan.prior {
        Some(prior) if prior.kinds() == *kinds => {
            let was_excluded = prior.exclude_account_ids.clone().unwrap_or_default();
            let going = prior
                .accounts_with_credentials
                .iter()
                .filter(|(account, _)| in_scope.contains(account))
                .map(|(account, found)| (account.clone(), found.of_types(kinds)))
                .collect();
            let newly: Vec<String> = scope
                .active
                .iter()
                .filter(|a| was_excluded.contains(*a))
                .cloned()
                .collect();
            (going, newly)
        }
        Some(_) => (ByAccount::new(), scope.active.clone()),
        None => {
            let key = scope.id(plan
                .config
                .organizational_unit_ids
                .get()
                .and_then(Option::as_ref));
            if let Some(found) = plan.recall::<ByAccount>(&key) {
                return Some(Some(restrict(found, &in_scope, kinds)));
            }
            let audited = audit(aws, &scope.active, kinds, None, diags).await?;
            if !audited.unread.is_empty() {
                return Some(None);
            }
            plan.remember(&key, &audited.found);
            return Some(Some(restrict(audited.found, &in_scope, kinds)));
        }
    };
    if !to_audit.is_empty() {
        let audited = audit(aws, &to_audit, kinds, None, diags).await?;
        if !audited.unread.is_empty() {
            return Some(None);
        }
        going.extend(audited.found);
    }
    Some(Some(restrict(going, &in_scope, kinds)))
}

/// The accounts in scope with something of `kinds`.
fn restrict(
    found: ByAccount,
    in_scope: &BTreeSet<&String>,
    kinds: &BTreeSet<CredentialType>,
) -> ByAccount {
    found
        .into_iter()
        .filter(|(account, _)| in_scope.contains(account))
        .map(|(account, sets)| (account, sets.of_types(kinds)))
        .filter(|(_, sets)| !sets.is_empty())
        .collect()
}

fn destroy_warning(prior: &State, diags: &mut Diagnostics) {
    diags.warning(
        "Destroy only removes the resource from the state",
        format!(
            "Nothing changes in AWS: destroying {TYPE_NAME} ({}) removes it from the Terraform state only. Root \
             credentials it deleted stay deleted, and nothing keeps them absent any more.",
            prior.id.as_deref().unwrap_or("?")
        ),
    );
}
