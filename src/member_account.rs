//! The member account a resource or data source acts on: its attribute, the
//! checks made before AWS is asked (12 digits at validate; not the management
//! account, an ACTIVE member at plan), and what a refused root session means
//! for the resource (left the organization, not usable now, or unknown).

use std::collections::BTreeSet;

use crate::checks::{ACCOUNT_ID, PARENT_ID};
use crate::errors::{advice, aws_diagnostic};
use aws_root_access::organization;
use aws_root_access::{AccountState, AwsClients, AwsError, ErrorKind, Membership};
use tfplugin::{Attribute, AttributePath, Diagnostics, ReadOutcome};

/// A configuration that names one member account (data sources, actions).
#[derive(serde::Deserialize)]
pub struct AccountConfig {
    pub account_id: String,
}

/// The `account_id` argument of a resource: required, validated, and
/// replacing the resource when it changes.
pub fn account_id_attribute(doc: &str) -> Attribute {
    Attribute::string("account_id")
        .required()
        .requires_replace()
        .validator(ACCOUNT_ID)
        .describe(doc)
}

/// The `organizational_unit_ids` argument of data sources and list blocks.
pub fn organizational_units_attribute(doc: &str) -> Attribute {
    Attribute::new(
        "organizational_unit_ids",
        tfplugin::Type::set(tfplugin::Type::String),
    )
    .optional()
    .validator(PARENT_ID)
    .describe(doc)
}

/// The accounts of `units` and of their child units at any depth (every
/// page of ListAccountsForParent and ListOrganizationalUnitsForParent);
/// `Some(None)` without units (no restriction), `None` after an error.
pub async fn accounts_in_units(
    aws: &AwsClients,
    units: Option<&BTreeSet<String>>,
    diags: &mut Diagnostics,
) -> Option<Option<BTreeSet<String>>> {
    let Some(units) = units else {
        return Some(None);
    };
    let units: Vec<String> = units.iter().cloned().collect();
    match organization::accounts_in_units(aws, &units).await {
        Ok(accounts) => Some(Some(accounts)),
        Err(e) => {
            diags.extend(aws_diagnostic(
                &e,
                "list the accounts of the organizational units",
            ));
            None
        }
    }
}

/// Why AWS opens no root session in a member account in `state` now; `None`
/// for ACTIVE. One sentence, naming the account.
pub fn unusable_reason(account: &str, state: &AccountState) -> Option<String> {
    let why = match state {
        AccountState::Active => return None,
        AccountState::PendingActivation => {
            "is PENDING_ACTIVATION: its sign-up was never completed, so it is not usable yet. Once its owner \
             completes sign-up it becomes ACTIVE"
        }
        AccountState::Suspended => "is SUSPENDED (closed or suspended by AWS)",
        AccountState::PendingClosure => "is PENDING_CLOSURE (being closed)",
        AccountState::Closed => "is CLOSED (AWS removes it from the organization after 90 days)",
        AccountState::Unrecognized(_) | AccountState::Missing => return None,
    };
    Some(format!(
        "Account {account} {why}; AWS opens no root session in it."
    ))
}

/// The error for an account whose state AWS Organizations did not tell, or
/// told with a value this provider does not know: never guessed.
pub fn unknown_state_detail(account: &str, state: &AccountState) -> String {
    let told = match state {
        AccountState::Unrecognized(name) => {
            format!("reports the state {name:?}, which this provider does not know")
        }
        _ => "reports neither State nor Status for it".to_string(),
    };
    format!(
        "AWS Organizations {told}, so the provider cannot tell whether account {account} is ACTIVE. It neither acts \
         on the account nor treats it as closed or gone: resources of this account stay in the state unchanged. \
         Upgrade the provider if AWS added a new account state; otherwise check the account with \
         `aws organizations describe-account --account-id {account}` and run Terraform again."
    )
}

/// Refuses at plan time what AWS would refuse at apply: the management account
/// (AssumeRoot never targets it), accounts outside the organization, and
/// member accounts that are not ACTIVE or whose state cannot be told. An
/// organization that cannot be read is the plan's error: a plan that could
/// not check must not look clean.
pub async fn check_target(aws: &AwsClients, account: &str, diags: &mut Diagnostics) {
    let org = match organization::read(aws).await {
        Ok(org) => org,
        Err(e) if e.is(ErrorKind::AccessDenied) => {
            diags.error(
                format!("Could not read the organization to check account {account}"),
                format!(
                    "{e}\n\nAWS Organizations lists its accounts only to the management account and to delegated \
                     administrators. Check that the provider's credentials belong to the organization's management \
                     account or its IAM delegated administrator (the rootaccess_caller_identity data source tells \
                     which account they are), and that their IAM policy allows organizations:ListAccounts."
                ),
            );
            return;
        }
        Err(e) => {
            diags.extend(aws_diagnostic(
                &e,
                &format!("read the organization to check account {account}"),
            ));
            return;
        }
    };
    let path = AttributePath::root("account_id");
    match org.membership(account) {
        Membership::ActiveMember => {}
        Membership::ManagementAccount => diags.attribute_error(
            path,
            "The management account is not a member account",
            format!(
                "{account} is the organization's management account. Centralized root access acts on member \
                 accounts only (sts:AssumeRoot refuses the management account); secure the management account's \
                 root user by hand (MFA, no access keys). Use a member account id here."
            ),
        ),
        Membership::Member(state) => match unusable_reason(account, &state) {
            Some(reason) => diags.attribute_error(
                path,
                if state == AccountState::PendingActivation {
                    "The account is not usable yet"
                } else {
                    "The account is not active"
                },
                format!(
                    "{reason} Remove this resource from the configuration, or wait until the account is ACTIVE \
                     (organization {}).",
                    org.id
                ),
            ),
            None => diags.attribute_error(
                path,
                "The account's state is unknown",
                unknown_state_detail(account, &state),
            ),
        },
        Membership::NotMember => diags.attribute_error(
            path,
            "The account is not in the organization",
            format!(
                "Account {account} is not a member of organization {}, so no root session can be opened in it. \
                 Check the account id, or remove this resource from the configuration if the account left the \
                 organization.",
                org.id
            ),
        ),
    }
}

/// What a failed root session or root-session call in a member account means
/// for a resource of that account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccountFate {
    /// Still an ACTIVE member, or its membership cannot be read: the AWS error stands.
    Active,
    /// No longer an account of the organization: the resource's object is gone.
    Left(String),
    /// A member AWS opens no root session in now (suspended, closing, closed,
    /// not yet activated): the resource stays in state, unrefreshed.
    Unusable(String),
    /// A member whose state AWS did not tell: an error, and the resource stays.
    Unknown(String),
}

/// After AWS refused a root session or call in `account`: where the account
/// stands now (DescribeAccount).
/// A failure of the caller's own (no answer, credentials, clock, throttling)
/// says nothing of the account, which is then not looked up.
pub async fn account_fate(aws: &AwsClients, account: &str, failure: &AwsError) -> AccountFate {
    if failure.is_callers_problem() {
        return AccountFate::Active;
    }
    match organization::membership(aws, account).await {
        Ok(Membership::NotMember) => AccountFate::Left(format!(
            "Account {account} is no longer a member of the organization."
        )),
        Ok(Membership::Member(state)) => match unusable_reason(account, &state) {
            Some(reason) => AccountFate::Unusable(reason),
            None => AccountFate::Unknown(unknown_state_detail(account, &state)),
        },
        Ok(Membership::ActiveMember | Membership::ManagementAccount) => AccountFate::Active,
        Err(e) => {
            tracing::debug!(%e, "cannot tell whether the account is still a member");
            AccountFate::Active
        }
    }
}

/// For a refresh that AWS refused: reports the account's fate in `diags` and
/// returns what the refresh found, `None` when the AWS error stands (the
/// caller reports it). `what` names what could not be read, e.g. "Its root
/// credentials".
pub async fn refresh_refused<S, P>(
    aws: &AwsClients,
    account: &str,
    failure: &AwsError,
    type_name: &str,
    what: &str,
    diags: &mut Diagnostics,
) -> Option<ReadOutcome<S, P>> {
    if failure.is(ErrorKind::FeatureNotEnabled) || failure.is(ErrorKind::TrustedAccessOff) {
        // Switched off out of band: the configuration that turns it back on
        // must still plan, so the refresh keeps the state and says why.
        diags.warning(
            format!("{type_name} of account {account} kept unrefreshed"),
            format!(
                "{what} cannot be read through a root session now: {}. The state keeps what the last refresh found. \
                 If this run enables the feature (rootaccess_org_features), the next plan reads the account again; \
                 otherwise applying this resource fails with the same reason. {}",
                failure.message,
                advice(failure.kind)
            ),
        );
        return Some(ReadOutcome::Unchanged);
    }
    match account_fate(aws, account, failure).await {
        AccountFate::Active => None,
        AccountFate::Left(reason) => {
            diags.warning(
                format!("Account {account} left the organization; {type_name} removed from the state"),
                format!(
                    "{reason} {what} can no longer be read or changed through centralized root access, so Terraform \
                     forgets this resource. Remove it from the configuration."
                ),
            );
            Some(ReadOutcome::gone(reason))
        }
        AccountFate::Unusable(reason) => {
            diags.warning(
                format!("Account {account} is not active; {type_name} kept unrefreshed"),
                format!(
                    "{reason} {what} cannot be read now, so the state keeps what the last refresh found and this \
                     plan changes nothing in the account. If the account is being closed for good, remove this \
                     resource from the configuration (or use a `removed` block)."
                ),
            );
            Some(ReadOutcome::Unchanged)
        }
        AccountFate::Unknown(detail) => {
            diags.error(format!("The state of account {account} is unknown"), detail);
            Some(ReadOutcome::Unchanged)
        }
    }
}

/// A read at plan that failed. Only a missing organization feature, which
/// this same run may enable (rootaccess_org_features), defers `what` to
/// apply, with a warning that says so; every other failure (network,
/// credentials, throttling, AccessDenied, ...) is an error of the plan.
/// `doing` ends with "account" and is completed with the account id.
pub fn plan_read_failed(
    e: &AwsError,
    account: &str,
    what: &str,
    doing: &str,
    diags: &mut Diagnostics,
) {
    if e.is(ErrorKind::ScpDenied) {
        // One blocked member must not stop the plan of every other one:
        // its apply fails with the same reason, the others go ahead.
        diags.warning(
            format!("{what} will be known at apply: an SCP blocks root sessions in account {account}"),
            format!(
                "{e}\n\n{} Until then, applying this resource fails for account {account} and changes nothing there.",
                advice(e.kind)
            ),
        );
    } else if e.is(ErrorKind::FeatureNotEnabled) || e.is(ErrorKind::TrustedAccessOff) {
        diags.warning(
            format!("{what} will be known at apply"),
            format!(
                "Account {account} cannot be read through a root session yet: {}. If this run enables the \
                 organization feature (for example with rootaccess_org_features), apply reads the account and acts \
                 on what it finds; otherwise apply fails with the same reason. {}",
                e.message,
                advice(e.kind)
            ),
        );
    } else {
        diags.extend(aws_diagnostic(e, &format!("{doing} {account}")));
    }
}

/// Import reads the account only through a root session, which AWS opens
/// only in an ACTIVE member: any other account is refused with the reason,
/// rather than imported with values nobody read. Returns whether to go on.
pub async fn check_importable(
    aws: &AwsClients,
    account: &str,
    type_name: &str,
    diags: &mut Diagnostics,
) -> bool {
    let refused = match organization::membership(aws, account).await {
        Ok(Membership::ActiveMember) => return true,
        Ok(Membership::ManagementAccount) => format!(
            "{account} is the organization's management account; {type_name} manages member accounts only."
        ),
        Ok(Membership::NotMember) => {
            format!("Account {account} is not a member of the organization.")
        }
        Ok(Membership::Member(state)) => match unusable_reason(account, &state) {
            Some(reason) => format!(
                "{reason} Nothing in it can be read, so an import would store values nobody read. Import \
                 it once the account is ACTIVE again."
            ),
            None => unknown_state_detail(account, &state),
        },
        Err(e) => {
            diags.extend(aws_diagnostic(
                &e,
                &format!("check account {account} before importing it"),
            ));
            return false;
        }
    };
    diags.error(
        format!("Cannot import {type_name} for account {account}"),
        refused,
    );
    false
}

/// The import id of a resource named by its member account: 12 digits, and
/// an account [`check_importable`] accepts. Returns whether to go on.
pub async fn check_import_id(
    aws: &AwsClients,
    id: &str,
    type_name: &str,
    diags: &mut Diagnostics,
) -> bool {
    if let Err(message) = aws_root_access::ids::check_account_id(id) {
        diags.error(
            "Invalid import id",
            format!("{message}. Import {type_name} by the member account id, e.g. 111122223333."),
        );
        return false;
    }
    check_importable(aws, id, type_name, diags).await
}
