//! Data source `rootaccess_organization`: the organization and its accounts,
//! read with AWS Organizations alone (no root session, no feature needed), so
//! a configuration can `for_each` over member accounts in the same run that
//! enables centralized root access.

use async_trait::async_trait;
use serde::Serialize;

use std::collections::BTreeSet;

use crate::errors::aws_diagnostic;
use crate::member_account::{
    accounts_in_units, organizational_units_attribute, unknown_state_detail,
};
use aws_root_access::AwsClients;
use aws_root_access::organization;
use tfplugin::{Attribute, DataSource, Diagnostics, Schema, Type};

pub struct OrganizationData;

/// The data source's configuration (known when it is read).
#[derive(serde::Deserialize)]
pub struct Config {
    organizational_unit_ids: Option<BTreeSet<String>>,
}

#[derive(Serialize)]
struct Account {
    id: String,
    name: String,
    state: String,
    /// The same value as `state`, for configurations written before AWS
    /// retired `Account.Status`.
    status: String,
}

#[derive(Serialize)]
pub struct State {
    id: String,
    organizational_unit_ids: Option<BTreeSet<String>>,
    management_account_id: String,
    accounts: Vec<Account>,
    active_member_account_ids: Vec<String>,
}

#[async_trait]
impl DataSource<AwsClients> for OrganizationData {
    type Config = Config;
    type Model = State;

    fn type_name(&self) -> &'static str {
        "rootaccess_organization"
    }

    fn schema(&self) -> Schema {
        let account = Type::object([
            ("id", Type::String),
            ("name", Type::String),
            ("state", Type::String),
            ("status", Type::String),
        ]);
        Schema::new(
            "The caller's organization and its accounts, from AWS Organizations (`DescribeOrganization`, \
             `ListAccounts`): no root session and no organization feature needed, so a configuration can iterate \
             over member accounts in the same run that enables centralized root access.",
        )
        .attribute(organizational_units_attribute(
            "Only the accounts of these organizational units (`ou-...`) and of their child units at any depth \
             (`ListAccountsForParent`, `ListOrganizationalUnitsForParent`, every page); a root id (`r-...`) \
             selects the whole organization. Default: every account.",
        ))
        .attribute(Attribute::string("id").computed().describe("The organization id (`o-...`)."))
        .attribute(
            Attribute::string("management_account_id").computed().describe("The management account's id."),
        )
        .attribute(
            Attribute::new("accounts", Type::list(account))
                .computed()
                .describe(
                    "Every account of the organization, by id: `id`, `name`, and `state` (`ACTIVE`, `SUSPENDED`, \
                     `PENDING_CLOSURE`, `CLOSED` or `PENDING_ACTIVATION`, from AWS Organizations' `Account.State`). \
                     `status` repeats `state` for configurations written before AWS retired `Account.Status` \
                     (2026-09-09); use `state`.",
                ),
        )
        .attribute(Attribute::new("active_member_account_ids", Type::list(Type::String)).computed().describe(
            "Ids of the ACTIVE member accounts, without the management account: the accounts root sessions can \
             target. Use it with `for_each = toset(...)`.",
        ))
    }

    async fn read(
        &self,
        aws: &AwsClients,
        config: &Config,
        diags: &mut Diagnostics,
    ) -> Option<State> {
        let units = &config.organizational_unit_ids;
        let org = match organization::read(aws).await {
            Ok(o) => o,
            Err(e) => {
                diags.extend(aws_diagnostic(&e, "read the organization"));
                return None;
            }
        };
        let in_units = accounts_in_units(aws, units.as_ref(), diags).await?;
        let in_scope = |id: &str| in_units.as_ref().is_none_or(|ids| ids.contains(id));
        let unknown: Vec<_> = org
            .members_of_unknown_state()
            .into_iter()
            .filter(|a| in_scope(&a.id))
            .collect();
        if let Some(first) = unknown.first() {
            // A for_each over active_member_account_ids must not lose an
            // account whose state is merely unknown: that would plan to
            // destroy its resources.
            let others = match unknown.len() {
                1 => String::new(),
                n => format!(" ({} more accounts are in the same case.)", n - 1),
            };
            diags.error(
                "Account state unknown",
                format!("{}{others}", unknown_state_detail(&first.id, &first.state)),
            );
            return None;
        }
        let state = State {
            id: org.id.clone(),
            organizational_unit_ids: units.clone(),
            management_account_id: org.management_account_id.clone(),
            accounts: org
                .accounts
                .values()
                .filter(|a| in_scope(&a.id))
                .map(|a| Account {
                    id: a.id.clone(),
                    name: a.name.clone(),
                    state: a.state.name().to_string(),
                    status: a.state.name().to_string(),
                })
                .collect(),
            active_member_account_ids: org
                .accounts
                .values()
                .filter(|a| a.is_active() && a.id != org.management_account_id && in_scope(&a.id))
                .map(|a| a.id.clone())
                .collect(),
        };
        Some(state)
    }
}
