//! The organization as data: its management account and its accounts with
//! their lifecycle state, and where an account stands in it. Read by
//! `organization.rs`; this module makes no AWS call.

use std::collections::BTreeMap;
use std::fmt;

use aws_sdk_organizations::types::Account;

/// An account's lifecycle state in AWS Organizations.
///
/// Read from `Account.State`. AWS retired `Account.Status` on 2026-09-09; it
/// is read only when `State` is absent (older partitions and endpoints).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccountState {
    /// Sign-up started but never finished: the account is not usable yet.
    PendingActivation,
    Active,
    Suspended,
    PendingClosure,
    Closed,
    /// A value this provider does not know (newer than its SDK), verbatim.
    Unrecognized(String),
    /// AWS sent neither `State` nor `Status`.
    Missing,
}

impl AccountState {
    /// The state of an account as Organizations describes it.
    pub fn of(account: &Account) -> AccountState {
        // An empty State counts as absent: Status may still tell.
        if let Some(state) = account.state().filter(|s| !s.as_str().is_empty()) {
            return AccountState::from_name(state.as_str());
        }
        // Pre-2026 answers carry only Status (ACTIVE | SUSPENDED | PENDING_CLOSURE).
        match account.status() {
            Some(status) => AccountState::from_name(status.as_str()),
            None => AccountState::Missing,
        }
    }

    pub fn from_name(name: &str) -> AccountState {
        match name {
            "PENDING_ACTIVATION" => AccountState::PendingActivation,
            "ACTIVE" => AccountState::Active,
            "SUSPENDED" => AccountState::Suspended,
            "PENDING_CLOSURE" => AccountState::PendingClosure,
            "CLOSED" => AccountState::Closed,
            "" => AccountState::Missing,
            other => AccountState::Unrecognized(other.to_string()),
        }
    }

    /// The name AWS uses; empty when AWS sent none.
    pub fn name(&self) -> &str {
        match self {
            AccountState::PendingActivation => "PENDING_ACTIVATION",
            AccountState::Active => "ACTIVE",
            AccountState::Suspended => "SUSPENDED",
            AccountState::PendingClosure => "PENDING_CLOSURE",
            AccountState::Closed => "CLOSED",
            AccountState::Unrecognized(name) => name,
            AccountState::Missing => "",
        }
    }

    pub fn is_active(&self) -> bool {
        *self == AccountState::Active
    }

    /// Whether the state is one this provider can act on with certainty:
    /// `false` for a missing or unrecognized state, which is never read as
    /// "inactive" or "gone".
    pub fn is_known(&self) -> bool {
        !matches!(self, AccountState::Unrecognized(_) | AccountState::Missing)
    }
}

impl fmt::Display for AccountState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AccountState::Missing => f.write_str("of unknown state"),
            other => f.write_str(other.name()),
        }
    }
}

/// One account of the organization.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgAccount {
    pub id: String,
    pub name: String,
    pub state: AccountState,
}

impl OrgAccount {
    pub fn is_active(&self) -> bool {
        self.state.is_active()
    }
}

/// The organization as seen by the caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Organization {
    pub id: String,
    pub management_account_id: String,
    /// Every account, the management account included, by id.
    pub accounts: BTreeMap<String, OrgAccount>,
}

/// Where an account stands in the organization.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Membership {
    /// A member account in the ACTIVE state: root sessions can target it.
    ActiveMember,
    ManagementAccount,
    /// A member account in another state: suspended, closing, closed, not yet
    /// activated, or a state that cannot be told (see [`AccountState::is_known`]).
    Member(AccountState),
    /// Not (or no longer) an account of the organization.
    NotMember,
}

impl Membership {
    pub(crate) fn of_member(state: AccountState) -> Membership {
        if state.is_active() {
            Membership::ActiveMember
        } else {
            Membership::Member(state)
        }
    }
}

impl Organization {
    pub fn membership(&self, account: &str) -> Membership {
        if account == self.management_account_id {
            return Membership::ManagementAccount;
        }
        match self.accounts.get(account) {
            None => Membership::NotMember,
            Some(a) => Membership::of_member(a.state.clone()),
        }
    }

    /// Member accounts (the management account excluded) whose state cannot
    /// be told: callers that act on "the active members" must refuse to
    /// guess while any exist.
    pub fn members_of_unknown_state(&self) -> Vec<&OrgAccount> {
        self.accounts
            .values()
            .filter(|a| a.id != self.management_account_id && !a.state.is_known())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_organizations::types::{AccountState as SdkState, AccountStatus as SdkStatus};

    #[test]
    fn state_comes_from_state_and_status_only_when_state_is_absent() {
        let today = Account::builder().state(SdkState::Suspended).build();
        assert_eq!(AccountState::of(&today), AccountState::Suspended);
        // Both present (2025 answers): State wins.
        let both = Account::builder()
            .state(SdkState::Closed)
            .status(SdkStatus::Active)
            .build();
        assert_eq!(AccountState::of(&both), AccountState::Closed);
        let legacy = Account::builder().status(SdkStatus::PendingClosure).build();
        assert_eq!(AccountState::of(&legacy), AccountState::PendingClosure);
        let neither = Account::builder().id("111111111111").build();
        assert_eq!(AccountState::of(&neither), AccountState::Missing);
        assert!(!AccountState::Missing.is_known());
        let newer = Account::builder().state(SdkState::from("ARCHIVED")).build();
        assert_eq!(
            AccountState::of(&newer),
            AccountState::Unrecognized("ARCHIVED".into())
        );
        assert!(!AccountState::of(&newer).is_known());
        for state in [
            AccountState::PendingActivation,
            AccountState::Active,
            AccountState::Suspended,
            AccountState::PendingClosure,
            AccountState::Closed,
        ] {
            assert!(state.is_known());
            assert_eq!(AccountState::from_name(state.name()), state);
        }
    }

    #[test]
    fn membership_of_accounts() {
        let account = |id: &str, state: AccountState| {
            (
                id.to_string(),
                OrgAccount {
                    id: id.into(),
                    name: "n".into(),
                    state,
                },
            )
        };
        let org = Organization {
            id: "o-abcdefghij".into(),
            management_account_id: "123456789012".into(),
            accounts: [
                account("123456789012", AccountState::Missing),
                account("111111111111", AccountState::Active),
                account("444444444444", AccountState::Suspended),
                account("555555555555", AccountState::Missing),
            ]
            .into_iter()
            .collect(),
        };
        assert_eq!(
            org.membership("123456789012"),
            Membership::ManagementAccount
        );
        assert_eq!(org.membership("111111111111"), Membership::ActiveMember);
        assert_eq!(
            org.membership("444444444444"),
            Membership::Member(AccountState::Suspended)
        );
        assert_eq!(
            org.membership("555555555555"),
            Membership::Member(AccountState::Missing)
        );
        assert_eq!(org.membership("999999999999"), Membership::NotMember);
        let unknown: Vec<&str> = org
            .members_of_unknown_state()
            .iter()
            .map(|a| a.id.as_str())
            .collect();
        assert_eq!(unknown, ["555555555555"]);
    }
}
