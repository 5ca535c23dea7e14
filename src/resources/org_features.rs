//! Resource `rootaccess_org_features`: the organization's centralized root
//! access features, and (optionally) IAM's trusted access they depend on.

use std::collections::BTreeSet;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::errors::aws_diagnostic;
use aws_root_access::caller::caller_identity;
use aws_root_access::org_features::{self, FEATURE_NAMES, OrgFeatures};
use aws_root_access::{AwsClients, ErrorKind};
use tfplugin::{
    Attribute, AttributePath, Diagnostics, IdentityAttribute, IdentitySchema, Known, Nothing,
    OneOf, Plan, ReadOutcome, Resource, Schema, StringCheck, Type, Value,
};

pub struct OrgFeaturesResource;

/// The state.
#[derive(Serialize, Deserialize)]
pub struct Model {
    id: Option<String>,
    organization_id: Option<String>,
    enabled_features: BTreeSet<String>,
    manage_trusted_access: bool,
    /// Null in a state written before the attribute existed: `true`, as then.
    disable_on_destroy: Option<bool>,
}

impl Model {
    fn disables_on_destroy(&self) -> bool {
        self.disable_on_destroy.unwrap_or(true)
    }
}

/// What the configuration checks and the plan read: the features, while
/// they may be unknown.
#[derive(Deserialize)]
pub struct Config {
    enabled_features: Known<Option<BTreeSet<String>>>,
}

/// What apply carries out (known by then).
#[derive(Serialize, Deserialize)]
pub struct Planned {
    enabled_features: Known<BTreeSet<String>>,
    manage_trusted_access: Known<bool>,
    disable_on_destroy: Known<bool>,
}

impl Planned {
    /// The settings, which Terraform has made known by apply.
    fn settings(&self, diags: &mut Diagnostics) -> Option<Model> {
        let (Known::Value(features), Known::Value(manage), Known::Value(disable)) = (
            &self.enabled_features,
            &self.manage_trusted_access,
            &self.disable_on_destroy,
        ) else {
            diags.error(
                "Plan not known at apply",
                "enabled_features, manage_trusted_access and disable_on_destroy must be known when the change is \
                 applied. This is a bug in the provider.",
            );
            return None;
        };
        Some(Model {
            id: None,
            organization_id: None,
            enabled_features: features.clone(),
            manage_trusted_access: *manage,
            disable_on_destroy: Some(*disable),
        })
    }
}

const ORGANIZATION_ID: StringCheck = StringCheck {
    description: "An organization id such as `o-a1b2c3d4e5`.",
    check: |s| {
        let body = s.strip_prefix("o-").unwrap_or_default();
        if (10..=32).contains(&body.len())
            && body
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        {
            Ok(())
        } else {
            Err(format!(
                "{s:?} is not an organization id: it looks like o-a1b2c3d4e5"
            ))
        }
    },
};

#[async_trait]
impl Resource<AwsClients> for OrgFeaturesResource {
    type Config = Config;
    type Planned = Planned;
    type State = Model;
    type Private = Nothing;

    fn type_name(&self) -> &'static str {
        "rootaccess_org_features"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            "Enables centralized root access for the organization: the IAM organization features that let the \
             management account (or the IAM delegated administrator) manage member accounts' root credentials and \
             run privileged root tasks. Same arguments as the AWS provider's `aws_iam_organizations_features`, so \
             configurations can switch; in addition it can make sure IAM has trusted access in AWS Organizations. \
             Must run in the management account.\n\n\
             **Destroy** disables the features for the whole organization (as `aws_iam_organizations_features` \
             always does), unless `disable_on_destroy = false`: then destroy only removes the resource from the \
             state and the features stay on. Trusted access is left on either way. Every destroy plan says which \
             of the two will happen, in a warning.\n\n\
             **Adoption.** Creating the resource while features are already on adopts them, with a plan warning: \
             from then on, destroying the resource disables them unless `disable_on_destroy = false`.",
        )
        .attribute(
            Attribute::new("enabled_features", Type::set(Type::String))
                .required()
                .validator(OneOf(&FEATURE_NAMES))
                .describe(
                    "Features to enable. `RootCredentialsManagement` lets the management account audit and delete \
                     member root credentials and allow password recovery (new member accounts are created without \
                     root credentials); `RootSessions` lets it run privileged root tasks such as unlocking bucket and \
                     queue policies. Features removed from the set are disabled in place.",
                ),
        )
        .attribute(Attribute::bool("manage_trusted_access").default(Value::Bool(false)).describe(
            "When `true`, enable IAM's trusted access in AWS Organizations (`iam.amazonaws.com`) before enabling \
             features, without touching any other service principal's access. When `false`, trusted access must \
             already be on.",
        ))
        .attribute(Attribute::bool("disable_on_destroy").default(Value::Bool(true)).describe(
            "Whether destroying this resource (or removing it from the configuration) disables `enabled_features` for \
             the whole organization. Set `false` to hand the features over (to another configuration, or to nobody) \
             without switching centralized root access off: apply the change first, then remove the resource. Like \
             `disable_on_destroy` of other providers' service resources, the value in the state at destroy time \
             decides.",
        ))
        .attribute(Attribute::string("id").computed().use_state_for_unknown().describe("The organization id."))
        .attribute(
            Attribute::string("organization_id")
                .computed()
                .use_state_for_unknown()
                .validator(ORGANIZATION_ID)
                .describe("The organization id (`o-...`)."),
        )
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(IdentitySchema::new().attribute(IdentityAttribute::string(
            "organization_id",
            "The organization id (`o-...`) whose features this resource manages.",
        )))
    }

    async fn validate(&self, config: &Config, diags: &mut Diagnostics) {
        if config
            .enabled_features
            .get()
            .is_some_and(|f| f.as_ref().is_some_and(BTreeSet::is_empty))
        {
            diags.attribute_error(
                AttributePath::root("enabled_features"),
                "No feature to enable",
                "`enabled_features` must name at least one of RootCredentialsManagement, RootSessions. To disable \
                 every feature, remove the resource instead.",
            );
        }
    }

    /// The resource is authoritative: on create, a feature that is on in AWS
    /// but not in `enabled_features` is disabled, and one already on is
    /// adopted; the plan says both before anyone approves it. (On update the
    /// refreshed state already shows what is on.) A plan that enables a
    /// feature checks that the caller is the management account, the only
    /// one AWS lets enable them.
    async fn plan(&self, plan: &mut Plan<'_, AwsClients, Self>, diags: &mut Diagnostics) {
        let Known::Value(Some(configured)) = plan.config.enabled_features.clone() else {
            return; // (partly) unknown until apply: nothing certain to say
        };
        let Some(aws) = plan.client else {
            if plan.is_create() {
                diags.warning(
                    "Features not in enabled_features will be disabled",
                    "The provider configuration is not known yet, so the plan cannot read which organization \
                     features are on. Apply enables enabled_features and disables any other feature that is on: \
                     this resource manages the whole set.",
                );
            }
            return;
        };
        let on = match &plan.prior {
            Some(prior) => prior.enabled_features.clone(),
            None => match org_features::list(aws).await {
                Ok(now) => {
                    warn_adopted_and_disabled(&configured, &now, diags);
                    now.enabled
                }
                // Enabling is this resource's job, so a list refused because
                // trusted access is off is the apply's to fix (with the advice).
                Err(e) if e.is(ErrorKind::TrustedAccessOff) => {
                    diags.warning(
                        "The organization's features will be known at apply",
                        format!(
                            "The plan cannot read which features are on: {}. Apply enables enabled_features and \
                             disables any other feature that is on. {}",
                            e.message,
                            crate::errors::advice(e.kind)
                        ),
                    );
                    BTreeSet::new()
                }
                Err(e) => {
                    diags.extend(aws_diagnostic(
                        &e,
                        "read the organization's root access features",
                    ));
                    return;
                }
            },
        };
        // A create (adoption included) or a plan that enables a feature is
        // the management account's; the delegated administrator may only
        // list and disable, so it must not take the features over.
        if plan.is_create() || configured.difference(&on).next().is_some() {
            check_management_account(aws, diags).await;
        }
    }

    async fn create(
        &self,
        aws: &AwsClients,
        planned: &Planned,
        diags: &mut Diagnostics,
    ) -> Option<Model> {
        let want = planned.settings(diags)?;
        if want.manage_trusted_access
            && let Err(e) = ensure_trusted_access(aws).await
        {
            diags.extend(aws_diagnostic(
                &e,
                "enable IAM trusted access in AWS Organizations",
            ));
            return None;
        }
        match converge(aws, &want.enabled_features).await {
            Ok(now) => Some(state(&now, &want)),
            Err((doing, e)) => {
                diags.extend(aws_diagnostic(&e, &doing));
                // Record what is enabled now, so nothing is hidden from Terraform.
                partial_state(aws, &want).await
            }
        }
    }

    async fn read(
        &self,
        aws: &AwsClients,
        prior: &Model,
        diags: &mut Diagnostics,
    ) -> ReadOutcome<Model> {
        match org_features::list(aws).await {
            // Nothing enabled means the object this resource manages is gone.
            Ok(now) if now.enabled.is_empty() => {
                ReadOutcome::gone("neither organization feature is enabled any more")
            }
            Ok(now) => ReadOutcome::Present(state(&now, prior)),
            Err(e) if e.is(ErrorKind::OrganizationNotFound) => {
                ReadOutcome::gone("the organization no longer exists")
            }
            Err(e) => {
                diags.extend(aws_diagnostic(
                    &e,
                    "read the organization's root access features",
                ));
                ReadOutcome::Unchanged
            }
        }
    }

    async fn update(
        &self,
        aws: &AwsClients,
        _prior: &Model,
        planned: &Planned,
        diags: &mut Diagnostics,
    ) -> Option<Model> {
        let want = planned.settings(diags)?;
        if want.manage_trusted_access
            && let Err(e) = ensure_trusted_access(aws).await
        {
            diags.extend(aws_diagnostic(
                &e,
                "enable IAM trusted access in AWS Organizations",
            ));
            return None;
        }
        match converge(aws, &want.enabled_features).await {
            Ok(now) => Some(state(&now, &want)),
            Err((doing, e)) => {
                diags.extend(aws_diagnostic(&e, &doing));
                partial_state(aws, &want).await
            }
        }
    }

    async fn delete(&self, aws: &AwsClients, was: &Model, diags: &mut Diagnostics) {
        if !was.disables_on_destroy() {
            return; // the destroy plan said so; the features stay on
        }
        for feature in &was.enabled_features {
            match org_features::disable(aws, feature).await {
                Ok(_) => {}
                // Already gone with the organization: nothing left to disable.
                Err(e) if e.is(ErrorKind::OrganizationNotFound) => return,
                Err(e) => diags.extend(aws_diagnostic(&e, &format!("disable {feature}"))),
            }
        }
    }

    fn plan_destroy(&self, was: &Model, diags: &mut Diagnostics) {
        let features: Vec<&str> = was.enabled_features.iter().map(String::as_str).collect();
        let organization = was.organization_id.as_deref().unwrap_or("?");
        if was.disables_on_destroy() {
            diags.warning(
                "Destroy disables centralized root access for the whole organization",
                format!(
                    "Destroying rootaccess_org_features disables {} in organization {organization}: no member account's \
                     root credentials can then be audited or deleted centrally, and no root session can be opened, \
                     until they are enabled again; every rootaccess_member_* resource is left unrefreshed. To remove \
                     the resource and keep the features on, set disable_on_destroy = false and apply that first (the \
                     value in the state decides), or use a `removed` block with `destroy = false`.",
                    features.join(" and ")
                ),
            );
        } else {
            diags.warning(
                "Destroy keeps the organization's root access features on",
                format!(
                    "disable_on_destroy is false: destroying rootaccess_org_features only removes it from the \
                     Terraform state. {} stay enabled in organization {organization}.",
                    features.join(" and ")
                ),
            );
        }
    }

    /// `moved { from = aws_iam_organizations_features.x, to = rootaccess_org_features.x }`:
    /// the AWS provider's resource has the same id and feature set.
    async fn move_state(
        &self,
        source_provider: &str,
        source_type: &str,
        source_state: &serde_json::Value,
        diags: &mut Diagnostics,
    ) -> Option<Model> {
        if source_type != "aws_iam_organizations_features"
            || !source_provider.ends_with("hashicorp/aws")
        {
            return None;
        }
        let id = source_state["id"].as_str().unwrap_or_default().to_string();
        let enabled_features = source_state["enabled_features"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|f| f.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        if id.is_empty() {
            diags.error(
                "Cannot move state",
                "The aws_iam_organizations_features state has no id.",
            );
            return None;
        }
        Some(Model {
            id: Some(id.clone()),
            organization_id: Some(id),
            enabled_features,
            manage_trusted_access: false,
            // What the AWS provider's resource always does on destroy.
            disable_on_destroy: Some(true),
        })
    }

    async fn import(&self, aws: &AwsClients, id: &str, diags: &mut Diagnostics) -> Option<Model> {
        if let Err(message) = (ORGANIZATION_ID.check)(id) {
            diags.error(
                "Invalid import id",
                format!("{message}. Import with the organization id, e.g. o-a1b2c3d4e5."),
            );
            return None;
        }
        match org_features::list(aws).await {
            Ok(now) if now.organization_id != id => {
                diags.error(
                    "Wrong organization",
                    format!(
                        "The provider's credentials belong to organization {}, not {id}. Import with {} or use \
                         credentials of {id}'s management account.",
                        now.organization_id, now.organization_id
                    ),
                );
                None
            }
            Ok(now) => Some(state(
                &now,
                &Model {
                    id: None,
                    organization_id: None,
                    enabled_features: BTreeSet::new(),
                    manage_trusted_access: false,
                    disable_on_destroy: Some(true),
                },
            )),
            Err(e) => {
                diags.extend(aws_diagnostic(
                    &e,
                    "read the organization's root access features",
                ));
                None
            }
        }
    }
}

/// The create plan's warnings: features already on are adopted, features on
/// but not configured are disabled.
fn warn_adopted_and_disabled(
    configured: &BTreeSet<String>,
    now: &OrgFeatures,
    diags: &mut Diagnostics,
) {
    let adopted: Vec<&str> = configured
        .iter()
        .map(String::as_str)
        .filter(|f| now.enabled.contains(*f))
        .collect();
    if !adopted.is_empty() {
        let (is, it) = if adopted.len() == 1 {
            ("is", "it")
        } else {
            ("are", "them")
        };
        diags.attribute_warning(
            AttributePath::root("enabled_features"),
            format!("{} {is} already enabled: this resource adopts {it}", adopted.join(" and ")),
            format!(
                "{} {is} already enabled in organization {}. Creating this resource changes nothing in AWS, but from \
                 now on this configuration owns {it}: destroying the resource, or removing it from the configuration, \
                 disables {it} for the whole organization unless disable_on_destroy = false.",
                adopted.join(" and "),
                now.organization_id
            ),
        );
    }
    let extra: Vec<&str> = now
        .enabled
        .iter()
        .map(String::as_str)
        .filter(|f| !configured.contains(*f))
        .collect();
    if !extra.is_empty() {
        diags.attribute_warning(
            AttributePath::root("enabled_features"),
            format!("Apply disables {}", extra.join(" and ")),
            format!(
                "{} is enabled in organization {} but not in enabled_features. This resource manages the whole set, \
                 so apply disables it. To keep it, add it to enabled_features.",
                extra.join(" and "),
                now.organization_id
            ),
        );
    }
}

/// Only the management account may enable features: the IAM delegated
/// administrator is told at plan, not by AWS at apply.
async fn check_management_account(aws: &AwsClients, diags: &mut Diagnostics) {
    match caller_identity(aws).await {
        Ok(me) if me.is_management_account => {}
        Ok(me) if me.is_iam_delegated_administrator == Some(true) => diags.attribute_error(
            AttributePath::root("enabled_features"),
            "Only the management account can enable organization features",
            format!(
                "The provider runs as account {}, the organization's IAM delegated administrator; AWS lets only the \
                 management account ({}) enable RootCredentialsManagement and RootSessions, so this resource, which \
                 enables them (or adopts them when they are on, and may disable them for the whole organization on \
                 destroy), belongs to the management account. Run it with management-account credentials, or leave \
                 the features to a configuration that does (in the organization-root-access module: \
                 manage_features = false).",
                me.account_id,
                me.management_account_id.as_deref().unwrap_or("?")
            ),
        ),
        Ok(me) if me.management_account_id.is_some() => diags.attribute_error(
            AttributePath::root("enabled_features"),
            "Only the management account can enable organization features",
            format!(
                "The provider runs as account {}, a member of the organization; only its management account ({}) \
                 can manage RootCredentialsManagement and RootSessions. Configure the provider with \
                 management-account credentials.",
                me.account_id,
                me.management_account_id.as_deref().unwrap_or("?")
            ),
        ),
        // Outside an organization, or one it may not describe: AWS's refusal
        // at apply explains it; a caller the plan cannot place is not guessed.
        Ok(_) => {}
        Err(e) => diags.extend(aws_diagnostic(&e, "find out which account the provider runs as")),
    }
}

fn state(now: &OrgFeatures, settings: &Model) -> Model {
    Model {
        id: Some(now.organization_id.clone()),
        organization_id: Some(now.organization_id.clone()),
        enabled_features: now.enabled.clone(),
        manage_trusted_access: settings.manage_trusted_access,
        disable_on_destroy: Some(settings.disables_on_destroy()),
    }
}

/// After a failed step: what AWS reports now, or nothing if even that fails.
async fn partial_state(aws: &AwsClients, want: &Model) -> Option<Model> {
    match org_features::list(aws).await {
        Ok(now) if !now.enabled.is_empty() => Some(state(&now, want)),
        _ => None,
    }
}

/// Makes the enabled features exactly `want`: enables what is missing, then
/// disables what is on but not wanted (the resource is authoritative, and an
/// apply must end with what the plan showed). Returns what IAM reports last;
/// on failure, what was being done and the error.
async fn converge(
    aws: &AwsClients,
    want: &BTreeSet<String>,
) -> Result<OrgFeatures, (String, aws_root_access::AwsError)> {
    // When the list fails (trusted access off, say), enabling reports the
    // clearer error; each enable answers with the whole set afterwards.
    let listed = org_features::list(aws).await;
    let on = listed
        .as_ref()
        .map(|now| now.enabled.clone())
        .unwrap_or_default();
    let mut reported = listed.as_ref().ok().cloned();
    for feature in want.difference(&on) {
        let now = org_features::enable(aws, feature)
            .await
            .map_err(|e| (format!("enable {feature}"), e))?;
        reported = Some(now);
    }
    let mut now = match (reported, listed) {
        (Some(now), _) => now,
        (None, Err(e)) => {
            return Err((
                "read the organization's root access features".to_string(),
                e,
            ));
        }
        (None, Ok(now)) => now,
    };
    for feature in now.enabled.clone().difference(want) {
        now = org_features::disable(aws, feature)
            .await
            .map_err(|e| (format!("disable {feature}"), e))?;
    }
    Ok(now)
}

async fn ensure_trusted_access(aws: &AwsClients) -> Result<(), aws_root_access::AwsError> {
    if !org_features::iam_trusted_access(aws).await? {
        org_features::enable_iam_trusted_access(aws).await?;
    }
    Ok(())
}
