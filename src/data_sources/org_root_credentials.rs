//! Data source `rootaccess_org_root_credentials`: the root credentials audit of
//! every active member account of the organization (or of the listed ones),
//! run concurrently within the provider's bound on AWS calls in flight.

use std::collections::BTreeSet;

use async_trait::async_trait;
use serde::Serialize;

use crate::checks::ACCOUNT_ID;
use crate::errors::{advice, aws_diagnostic};
use crate::member_account::{accounts_in_units, organizational_units_attribute, unusable_reason};
use aws_root_access::organization;
use aws_root_access::root_credentials;
use aws_root_access::{AccountState, AwsClients, Membership};
use tfplugin::{Attribute, DataSource, Diagnostics, Schema, Type};

use super::member_root_credentials::{
    Audit, access_keys_type, mfa_devices_type, signing_certificates_type,
};

pub struct OrgRootCredentials;

/// The data source's configuration (known when it is read).
#[derive(Clone, serde::Deserialize)]
pub struct OrgAuditConfig {
    /// In the order Terraform sends them; `None`: every member.
    account_ids: Option<Vec<String>>,
    organizational_unit_ids: Option<BTreeSet<String>>,
    allow_incomplete: Option<bool>,
}

/// At most this many failed accounts are listed one by one in an error.
const FAILURES_SHOWN: usize = 20;

#[derive(Serialize)]
pub struct State {
    id: String,
    organization_id: String,
    account_ids: Option<Vec<String>>,
    organizational_unit_ids: Option<BTreeSet<String>>,
    allow_incomplete: Option<bool>,
    accounts: Vec<AccountAudit>,
    skipped: Vec<Skipped>,
    account_ids_with_credentials: Vec<String>,
    summary: Summary,
}

#[derive(Serialize)]
struct AccountAudit {
    name: String,
    #[serde(flatten)]
    audit: Audit,
}

#[derive(Serialize)]
struct Skipped {
    account_id: String,
    name: String,
    reason: String,
}

#[derive(Serialize, Default)]
struct Summary {
    accounts_audited: usize,
    accounts_skipped: usize,
    accounts_with_credentials: usize,
    passwords: usize,
    access_keys: usize,
    signing_certificates: usize,
    mfa_devices: usize,
}

#[async_trait]
impl DataSource<AwsClients> for OrgRootCredentials {
    type Config = OrgAuditConfig;
    type Model = State;

    fn type_name(&self) -> &'static str {
        "rootaccess_org_root_credentials"
    }

    fn schema(&self) -> Schema {
        let count = |name: &'static str, doc: &str| (name, Type::Number, doc.to_string());
        let summary_fields = [
            count("accounts_audited", "member accounts audited"),
            count(
                "accounts_skipped",
                "accounts not audited, listed in `skipped`",
            ),
            count(
                "accounts_with_credentials",
                "audited accounts with at least one root credential",
            ),
            count("passwords", "root passwords"),
            count("access_keys", "root access keys"),
            count("signing_certificates", "root signing certificates"),
            count("mfa_devices", "root MFA devices"),
        ];
        let summary_doc: Vec<String> = summary_fields
            .iter()
            .map(|(n, _, d)| format!("`{n}` ({d})"))
            .collect();
        let account_type = Type::object([
            ("account_id", Type::String),
            ("name", Type::String),
            ("credentials_present", Type::Bool),
            ("password_present", Type::Bool),
            ("access_keys", access_keys_type()),
            ("signing_certificates", signing_certificates_type()),
            ("mfa_serials", Type::list(Type::String)),
            ("mfa_devices", mfa_devices_type()),
        ]);
        Schema::new(
            "Audits the root user credentials of every active member account of the organization, or of the \
             accounts listed in `account_ids`: the same audit as `rootaccess_member_root_credentials`, run \
             concurrently within the provider's `max_concurrent_requests` bound. The management account and \
             accounts that are not ACTIVE (`SUSPENDED`, `PENDING_CLOSURE`, `CLOSED`, `PENDING_ACTIVATION`) are \
             skipped with the reason, since AWS opens no root session in them. A member whose state AWS does not \
             report (or reports with a value this provider does not know) fails the read: it is never counted as \
             clean. Accounts come from `organizations:ListAccounts`, every page.\n\n\
             If an account cannot be audited (for example an SCP denies the root session), the data source fails \
             and names every such account rather than report an incomplete audit; audit the others by listing \
             them in `account_ids`. Use `summary.accounts_with_credentials` in a `check` or `precondition` to \
             prove that no member account has root credentials.",
        )
        .attribute(
            Attribute::new("account_ids", Type::list(Type::String))
                .optional()
                .validator(ACCOUNT_ID)
                .describe(
                    "Audit only these accounts. Ids that are the management account, not ACTIVE, or not in the \
                     organization are skipped with the reason. Default: every account of the organization.",
                ),
        )
        .attribute(Attribute::bool("allow_incomplete").optional().describe(
            "Report accounts that cannot be audited (an SCP denies the root session, the feature is off) in \
             `skipped` with AWS's reason instead of failing the read. For `check` blocks, which should warn, not \
             fail. Default `false`: an audit that is not complete is an error.",
        ))
        .attribute(
            organizational_units_attribute(
                "Audit only the accounts of these organizational units (`ou-...`) and of their child units at \
                 any depth; with `account_ids`, an account must be in both. Default: every account.",
            ),
        )
        .attribute(
            Attribute::string("id")
                .computed()
                .describe("The organization id."),
        )
        .attribute(
            Attribute::string("organization_id")
                .computed()
                .describe("The organization id (`o-...`)."),
        )
        .attribute(Attribute::new("accounts", Type::list(account_type)).computed().describe(
            "One audit per member account, sorted by account id: `account_id`, `name`, `credentials_present`, \
             `password_present`, `access_keys` (`access_key_id`, `status`), `signing_certificates` \
             (`certificate_id`, `status`), `mfa_serials` and `mfa_devices` (`serial_number`, `kind`).",
        ))
        .attribute(
            Attribute::new(
                "skipped",
                Type::list(Type::object([
                    ("account_id", Type::String),
                    ("name", Type::String),
                    ("reason", Type::String),
                ])),
            )
            .computed()
            .describe("Accounts not audited, sorted by id, each with `account_id`, `name` and `reason`."),
        )
        .attribute(
            Attribute::new("account_ids_with_credentials", Type::list(Type::String))
                .computed()
                .describe("Ids of the audited accounts with at least one root credential, sorted."),
        )
        .attribute(
            Attribute::new(
                "summary",
                Type::object(summary_fields.iter().map(|(n, t, _)| (*n, t.clone()))),
            )
            .computed()
            .describe(&format!("Counts: {}.", summary_doc.join(", "))),
        )
    }

    async fn read(
        &self,
        aws: &AwsClients,
        config: &OrgAuditConfig,
        diags: &mut Diagnostics,
    ) -> Option<State> {
        let org = match organization::read(aws).await {
            Ok(org) => org,
            Err(e) => {
                diags.extend(aws_diagnostic(&e, "list the organization's accounts"));
                return None;
            }
        };
        let OrgAuditConfig {
            account_ids: requested,
            organizational_unit_ids: units,
            allow_incomplete,
        } = config.clone();
        let in_units = accounts_in_units(aws, units.as_ref(), diags).await?;
        let listed: Vec<String> = match &requested {
            Some(ids) => ids.clone(),
            None => org.accounts.keys().cloned().collect(),
        };
        let candidates: BTreeSet<String> = listed
            .into_iter()
            .filter(|id| in_units.as_ref().is_none_or(|ids| ids.contains(id)))
            .collect();
        let name_of = |id: &str| {
            org.accounts
                .get(id)
                .map(|a| a.name.clone())
                .unwrap_or_default()
        };
        let mut to_audit = Vec::new();
        let mut skipped = Vec::new();
        // Members whose state AWS did not tell: neither audited nor skipped.
        let mut unknown = Vec::new();
        for id in candidates {
            let reason = match org.membership(&id) {
                Membership::ActiveMember => {
                    to_audit.push(id);
                    continue;
                }
                Membership::ManagementAccount => {
                    "management account: centralized root access acts on member accounts only"
                        .to_string()
                }
                Membership::Member(state) => match unusable_reason(&id, &state) {
                    Some(reason) => reason,
                    None => {
                        unknown.push((id.clone(), state));
                        continue;
                    }
                },
                Membership::NotMember => "not an account of the organization".to_string(),
            };
            skipped.push(Skipped {
                name: name_of(&id),
                account_id: id,
                reason,
            });
        }

        if !unknown.is_empty() {
            // An audit that left them out would read as clean for them.
            let mut detail = format!(
                "The organization-wide audit needs the state of every member account, and {} cannot be told:\n",
                unknown.len()
            );
            for (id, state) in unknown.iter().take(FAILURES_SHOWN) {
                match state {
                    AccountState::Unrecognized(name) => detail.push_str(&format!(
                        "  - {id}: state {name:?}, unknown to this provider\n"
                    )),
                    _ => detail.push_str(&format!("  - {id}: AWS reported no state\n")),
                }
            }
            if unknown.len() > FAILURES_SHOWN {
                detail.push_str(&format!(
                    "  ... and {} more\n",
                    unknown.len() - FAILURES_SHOWN
                ));
            }
            detail.push_str(
                "\nNone of them is treated as inactive or audited as clean. Upgrade the provider if AWS added a new \
                 account state, or list the accounts to audit in `account_ids`.",
            );
            diags.error("Account state unknown", detail);
            return None;
        }
        let results = root_credentials::audit_many(aws, to_audit).await;
        let mut accounts = Vec::new();
        let mut failures = Vec::new();
        let mut summary = Summary {
            accounts_skipped: skipped.len(),
            ..Summary::default()
        };
        for (id, result) in results {
            match result {
                Ok(found) => {
                    summary.accounts_audited += 1;
                    summary.accounts_with_credentials += usize::from(!found.is_empty());
                    summary.passwords += usize::from(found.password);
                    summary.access_keys += found.access_keys.len();
                    summary.signing_certificates += found.signing_certificates.len();
                    summary.mfa_devices += found.mfa_devices.len();
                    accounts.push(AccountAudit {
                        name: name_of(&id),
                        audit: Audit::new(&id, &found),
                    });
                }
                Err(e) => failures.push((id, e)),
            }
        }
        if allow_incomplete == Some(true) {
            // Reported, not fatal: each account that could not be audited is
            // skipped with AWS's reason.
            summary.accounts_skipped += failures.len();
            for (id, e) in failures.drain(..) {
                skipped.push(Skipped {
                    name: name_of(&id),
                    reason: format!("not audited: {e}"),
                    account_id: id,
                });
            }
        }
        if !failures.is_empty() {
            let mut detail = format!(
                "{} of {} member accounts could not be audited:\n",
                failures.len(),
                failures.len() + accounts.len()
            );
            for (id, e) in failures.iter().take(FAILURES_SHOWN) {
                detail.push_str(&format!("  - {id}: {e}\n"));
            }
            if failures.len() > FAILURES_SHOWN {
                detail.push_str(&format!(
                    "  ... and {} more\n",
                    failures.len() - FAILURES_SHOWN
                ));
            }
            let mut advices: Vec<&str> = failures
                .iter()
                .map(|(_, e)| advice(e.kind))
                .filter(|a| !a.is_empty())
                .collect();
            advices.sort();
            advices.dedup();
            for a in advices {
                detail.push_str(&format!("\n{a}\n"));
            }
            diags.error("Root credentials audit incomplete", detail);
            return None;
        }
        let account_ids_with_credentials = accounts
            .iter()
            .filter(|a| a.audit.credentials_present)
            .map(|a| a.audit.account_id.clone())
            .collect();
        let state = State {
            id: org.id.clone(),
            organization_id: org.id.clone(),
            account_ids: requested,
            organizational_unit_ids: units,
            allow_incomplete,
            accounts,
            skipped,
            account_ids_with_credentials,
            summary,
        };
        Some(state)
    }
}
