//! The two unlock resources (`rootaccess_bucket_policy_unlock`,
//! `rootaccess_queue_policy_unlock`) written once over the object they
//! unlock ([`Locked`]): their common attributes ([`Unlock`], [`PlannedUnlock`]),
//! when a plan runs the unlock and what it shows, the unlock itself and how
//! apply checks it against the plan, and what a refresh counts as drift.
//! Policies are always compared as JSON documents ([`aws_root_access::resource_policies::same_policy`]), never as
//! text.
//!
//! Attributes:
//! - `replacement_policy`: what the object should hold after the unlock
//!   (`None`: no policy at all).
//! - `removed_policy`: at plan time the policy that the unlock will remove
//!   (so the person approving sees it), afterwards the policy it removed.
//!   When an unlock finds nothing to remove it keeps the earlier value.
//! - `unlocked`: `false` when a refresh finds the object locked again; the
//!   plan then shows `unlocked: false -> true` and the apply unlocks again.

use std::collections::BTreeMap;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::locked::Names;
use crate::checks::POLICY_JSON;
use crate::claims::{Stance, Subject};
use crate::errors::aws_diagnostic;
use crate::member_account::{check_target, refresh_refused};
use aws_root_access::{AwsClients, AwsError};
use tfplugin::{
    Attribute, Diagnostics, Known, Plan, Progress, ReadOutcome, Schema, Type, Value,
    decode_or_report, merge_or_report,
};

/// The attributes both unlock resources share, as stored.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Unlock {
    pub id: Option<String>,
    pub replacement_policy: Option<String>,
    pub triggers: Option<BTreeMap<String, String>>,
    pub removed_policy: Option<String>,
    pub unlocked: Option<bool>,
}

/// The same attributes in a plan (or a configuration: computed ones null).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct PlannedUnlock {
    pub id: Known<Option<String>>,
    pub replacement_policy: Known<Option<String>>,
    pub triggers: Known<Option<BTreeMap<String, String>>>,
    pub removed_policy: Known<Option<String>>,
    pub unlocked: Known<Option<bool>>,
}

/// What a refresh saw, kept in Terraform's private state for the next plan:
/// the policy the object held, and the stored attributes it was seen
/// against (an observation made for another state is never used). A plan
/// that shows what goes from it plans the same at the apply-time re-plan,
/// and the apply then refuses a policy that changed since with the
/// provider's own error, instead of Terraform's "inconsistent final plan".
#[derive(Serialize, Deserialize, PartialEq, Debug)]
struct Observed {
    policy: Option<String>,
    removed_policy: Option<String>,
    replacement_policy: Option<String>,
    unlocked: Option<bool>,
}

impl Observed {
    fn of(policy: Option<&str>, state: &Unlock) -> Observed {
        Observed {
            policy: policy.map(str::to_string),
            removed_policy: state.removed_policy.clone(),
            replacement_policy: state.replacement_policy.clone(),
            unlocked: state.unlocked,
        }
    }

    /// The observation in `private`, if it was made for `state`.
    fn for_state(private: &[u8], state: &Unlock) -> Option<Observed> {
        let seen: Observed = serde_json::from_slice(private).ok()?;
        let context = Observed::of(None, state);
        (seen.removed_policy == context.removed_policy
            && seen.replacement_policy == context.replacement_policy
            && seen.unlocked == context.unlocked)
            .then_some(seen)
    }

    fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// What the plan of a new unlock read, kept for the re-plan Terraform makes
/// just before applying it ([`Plan::remember`]), so that it shows the same
/// policy; the apply then refuses one that changed since.
#[derive(Serialize, Deserialize)]
struct ReadAtPlan {
    policy: Option<String>,
    /// What else the resource keeps of the read (a bucket's region).
    recorded: Option<serde_json::Value>,
}

/// A locked object, as its resource names it: a bucket or a queue.
#[async_trait]
pub trait Locked: Send + Sync {
    /// What a read finds: the policy, and anything else the resource keeps.
    type Found: Send + Sync;
    /// What a read found that the resource keeps besides the policy (a
    /// bucket's region), as a model of those attributes.
    type Recorded: Serialize + Send + Sync;

    /// Plain words for messages: "bucket b of account a".
    fn describe(&self) -> String;
    /// The resource's `id`.
    fn id(&self) -> String;
    /// Reads the object's policy as its account's root user; `Ok(None)` when
    /// the object itself does not exist.
    async fn read(&self, aws: &AwsClients) -> Result<Option<Self::Found>, AwsError>;
    /// The policy in what a read found (`None`: no policy).
    fn policy(found: &Self::Found) -> Option<&str>;
    /// The error for an object that does not exist.
    fn missing(&self, diags: &mut Diagnostics);
    /// Deletes the policy (`None`) or puts `policy`, where `found` says the
    /// object is.
    async fn set_policy(
        &self,
        aws: &AwsClients,
        found: &Self::Found,
        policy: Option<&str>,
    ) -> Result<(), AwsError>;
    /// The verb for removing the policy ("delete" for buckets, "remove"
    /// for queues, as their APIs say), in errors and progress.
    fn remove_verb(&self) -> &'static str;
    /// The account that owns the object.
    fn account(&self) -> &str;
    /// A short name for progress messages (`s3://bucket`, a queue's name).
    fn label(&self) -> String;
    /// What to keep of a read besides the policy; `None`: nothing.
    fn recorded(&self, _found: &Self::Found) -> Option<Self::Recorded> {
        None
    }
    /// At apply: whether the object is still where the plan found it.
    fn where_planned(&self, _found: &Self::Found, _diags: &mut Diagnostics) -> bool {
        true
    }
}

/// Every plan of an unlock claims its object, so that a second resource
/// for the same bucket or queue is told (see `crate::claims`).
pub fn claim<T: Locked>(
    plan: &Plan<'_, AwsClients>,
    target: &T,
    type_name: &'static str,
    diags: &mut Diagnostics,
) {
    if let Some(aws) = plan.client {
        let subject = Subject::ResourcePolicy(target.describe());
        crate::claims::claim(aws, subject, type_name, Stance::Manages, diags);
    }
}

/// Plan, once [`plan_run`] said the unlock runs: reads the policy through
/// the root session, so the person approving sees in `removed_policy` what
/// goes. Without a read (no client yet, feature off) it stays unknown.
pub async fn plan_removed_policy<T: Locked>(
    plan: &mut Plan<'_, AwsClients>,
    planned: &mut PlannedUnlock,
    prior: Option<&Unlock>,
    target: &T,
    diags: &mut Diagnostics,
) {
    // A re-run planned from what the refresh saw: the same plan at the
    // apply-time re-plan; the apply compares with what is there then.
    if let (Some(prior), Known::Value(replacement)) = (prior, &planned.replacement_policy)
        && let Some(seen) = Observed::for_state(plan.prior_private, prior)
    {
        let going = to_remove(seen.policy.as_deref(), replacement.as_deref());
        planned.removed_policy = Known::Value(planned_removed(going, Some(prior)));
        return;
    }
    // A new unlock's re-plan before its apply: the plan's reading.
    if let (None, Known::Value(replacement)) = (prior, &planned.replacement_policy)
        && let Some(read) = plan
            .recall(&target.id())
            .and_then(|bytes| serde_json::from_slice::<ReadAtPlan>(&bytes).ok())
    {
        if let Some(recorded) = &read.recorded {
            plan.set(recorded, diags);
        }
        let going = to_remove(read.policy.as_deref(), replacement.as_deref());
        planned.removed_policy = Known::Value(going);
        return;
    }
    // Until a read below succeeds, what goes is known only after apply (a
    // stale earlier value would make the apply-time check refuse).
    planned.removed_policy = Known::Unknown;
    let what = target.describe();
    let Some(aws) = plan.client else {
        shown_at_apply(
            &what,
            "the provider configuration is known only after apply, so the plan cannot open a root session to \
             read it",
            diags,
        );
        return;
    };
    // A new unlock: the account must be an ACTIVE member (as for every
    // member resource), told at plan rather than as a refused session.
    if prior.is_none() {
        check_target(aws, target.account(), diags).await;
        if diags.has_errors() {
            return;
        }
    }
    match target.read(aws).await {
        Ok(Some(found)) => {
            if let Some(recorded) = target.recorded(&found) {
                plan.set(&recorded, diags);
            }
            match &planned.replacement_policy {
                Known::Unknown => {
                    let holds = T::policy(&found).map_or_else(
                        || "It has no policy now.".to_string(),
                        |p| format!("It holds this policy now:\n\n{p}"),
                    );
                    shown_at_apply(
                        &what,
                        &format!(
                            "replacement_policy is known only after apply, so the plan cannot tell whether the \
                             current policy is replaced. {holds}"
                        ),
                        diags,
                    );
                }
                Known::Value(replacement) => {
                    let going = to_remove(T::policy(&found), replacement.as_deref());
                    planned.removed_policy = Known::Value(planned_removed(going, prior));
                    let read = ReadAtPlan {
                        policy: T::policy(&found).map(str::to_string),
                        recorded: target
                            .recorded(&found)
                            .and_then(|r| serde_json::to_value(r).ok()),
                    };
                    if let Ok(bytes) = serde_json::to_vec(&read) {
                        plan.remember(&target.id(), &bytes);
                    }
                }
            }
        }
        Ok(None) => target.missing(diags),
        Err(e) => plan_read_failed(&e, &what, diags),
    }
}

/// Create and update: read, check against the plan, delete or put. The new
/// state is `planned_value` with what the unlock decided (`ty`: the
/// resource's type); on any failure the prior state is returned: nothing
/// changed.
pub async fn apply<T: Locked>(
    aws: &AwsClients,
    target: &T,
    prior_value: &Value,
    planned_value: &Value,
    ty: &Type,
    diags: &mut Diagnostics,
) -> Value {
    let failed = prior_value.clone();
    let (Some(prior), Some(planned)) = (
        decode_or_report::<Option<Unlock>>(prior_value, diags),
        decode_or_report::<PlannedUnlock>(planned_value, diags),
    ) else {
        return failed;
    };
    let what = target.describe();
    let found = match target.read(aws).await {
        Ok(Some(found)) => found,
        Ok(None) => {
            target.missing(diags);
            return failed;
        }
        Err(e) => {
            diags.extend(aws_diagnostic(&e, &format!("read the policy of {what}")));
            return failed;
        }
    };
    if !target.where_planned(&found, diags) {
        return failed;
    }
    let replacement = planned.replacement_policy.get().cloned().flatten();
    let current = T::policy(&found);
    let going = to_remove(current, replacement.as_deref());
    let Some(removed) =
        check_against_plan(&planned, prior.as_ref(), going.as_deref(), &what, diags)
    else {
        // A policy is there that nobody approved removing: the object is
        // locked, whatever its statements, until a plan shows it and an
        // apply removes it (refresh keeps `unlocked = false`).
        return match prior {
            Some(mut prior) => {
                prior.unlocked = Some(false);
                let mut state = failed;
                merge_or_report(&mut state, &prior, ty, diags);
                state
            }
            None => failed,
        };
    };
    let result = match step(current, replacement.as_deref()) {
        Step::Delete => target.set_policy(aws, &found, None).await,
        Step::Put(p) => target.set_policy(aws, &found, Some(&p)).await,
        Step::Nothing => Ok(()),
    };
    if let Err(e) = result {
        let doing = if replacement.is_some() {
            "replace"
        } else {
            target.remove_verb()
        };
        diags.extend(aws_diagnostic(&e, &format!("{doing} the policy of {what}")));
        return failed;
    }
    if current.is_none() {
        nothing_to_remove(&what, replacement.is_some(), diags);
    }
    let unlocked = Unlock {
        id: Some(target.id()),
        replacement_policy: replacement,
        triggers: planned.triggers.get().cloned().flatten(),
        removed_policy: removed,
        unlocked: Some(true),
    };
    let mut state = planned_value.clone();
    merge_or_report(&mut state, &unlocked, ty, diags);
    if let Some(recorded) = target.recorded(&found) {
        merge_or_report(&mut state, &recorded, ty, diags);
    }
    state
}

/// Refresh of a resource whose attributes `N` name its object.
pub async fn refresh_named<N: Names>(
    aws: &AwsClients,
    stored: &Value,
    ty: &Type,
    diags: &mut Diagnostics,
) -> ReadOutcome {
    let Some(object) = named::<N>(stored, "Invalid state", "stored state", diags) else {
        return ReadOutcome::Present(stored.clone());
    };
    refresh(aws, &object, stored, ty, diags).await
}

/// Create and update of a resource whose attributes `N` name its object:
/// the unlock, once the plan names it.
pub async fn apply_named<N: Names>(
    aws: &AwsClients,
    prior: &Value,
    planned: &Value,
    ty: &Type,
    diags: &mut Diagnostics,
) -> Value {
    let Some(object) = named::<N>(planned, "Invalid plan", "planned state", diags) else {
        return prior.clone();
    };
    apply(aws, &object, prior, planned, ty, diags).await
}

/// The object a state or plan names; an error (the provider's bug) when it
/// names none.
fn named<N: Names>(
    value: &Value,
    summary: &str,
    which: &str,
    diags: &mut Diagnostics,
) -> Option<N::Object> {
    let object = decode_or_report::<N>(value, diags)
        .as_ref()
        .and_then(N::object);
    if object.is_none() {
        diags.error(summary, format!("The {which} names no {}.", N::WHAT));
    }
    object
}

/// Destroy: the warning that nothing changes in AWS, naming the object.
pub fn destroy_named<N: Names>(prior: &Value, diags: &mut Diagnostics) {
    let what = prior
        .decode::<N>()
        .ok()
        .as_ref()
        .and_then(N::object)
        .map_or_else(|| N::UNNAMED.to_string(), |o| o.describe());
    destroy_warning(&what, diags);
}

/// The state of an imported unlock: the object's names, its id, and
/// nothing watched for (whatever was removed before the import is unknown).
pub fn imported<N: Serialize>(id: &str, names: &N, ty: &Type, diags: &mut Diagnostics) -> Value {
    let mut state = tfplugin::encode_or_report(names, ty, diags);
    let unlock = Unlock {
        id: Some(id.to_string()),
        unlocked: Some(true),
        ..Unlock::default()
    };
    merge_or_report(&mut state, &unlock, ty, diags);
    state
}

/// The unlock actions: one unlock, with progress, nothing kept in state. An
/// object that already holds the replacement, or has no policy and none is
/// wanted, is left alone.
pub async fn unlock_once<T: Locked>(
    aws: &AwsClients,
    target: &T,
    replacement: Option<&str>,
    progress: &dyn Progress,
    diags: &mut Diagnostics,
) {
    let (label, account, what) = (target.label(), target.account(), target.describe());
    progress
        .message(format!(
            "Reading the policy of {label} as the root user of {account}"
        ))
        .await;
    let found = match target.read(aws).await {
        Ok(Some(found)) => found,
        Ok(None) => {
            target.missing(diags);
            return;
        }
        Err(e) => {
            diags.extend(aws_diagnostic(&e, &format!("read the policy of {what}")));
            return;
        }
    };
    let current = T::policy(&found);
    match step(current, replacement) {
        Step::Nothing if current.is_some() => {
            progress
                .message(format!(
                    "{label} already has the replacement policy; nothing to do"
                ))
                .await;
            return;
        }
        Step::Nothing => {
            progress
                .message(format!("{label} has no policy; it is already unlocked"))
                .await;
            diags.warning("Nothing to unlock", format!("The {what} has no policy."));
            return;
        }
        Step::Put(_) | Step::Delete => {
            if let Some(old) = current {
                let doing = match replacement {
                    Some(_) => "Replacing".to_string(),
                    None => progressive(target.remove_verb()),
                };
                progress
                    .message(format!("{doing} the policy of {label}: {old}"))
                    .await;
            }
        }
    }
    match target.set_policy(aws, &found, replacement).await {
        Ok(()) => {
            progress
                .message(format!("{label} in {account} is unlocked"))
                .await
        }
        Err(e) => diags.extend(aws_diagnostic(&e, &format!("unlock the {what}"))),
    }
}

/// "delete" -> "Deleting": the progress form of a verb ending in a silent e.
fn progressive(verb: &str) -> String {
    let stem = verb.strip_suffix('e').unwrap_or(verb);
    let mut chars = stem.chars();
    match chars.next() {
        Some(first) => format!("{}{}ing", first.to_ascii_uppercase(), chars.as_str()),
        None => String::new(),
    }
}

/// Refresh: is the object still as the unlock left it? A missing object is
/// gone; a failed read keeps the stored state.
pub async fn refresh<T: Locked>(
    aws: &AwsClients,
    target: &T,
    stored: &Value,
    ty: &Type,
    diags: &mut Diagnostics,
) -> ReadOutcome {
    let Some(mut unlock) = decode_or_report::<Unlock>(stored, diags) else {
        return ReadOutcome::Present(stored.clone());
    };
    match target.read(aws).await {
        Ok(Some(found)) => {
            unlock.id = Some(target.id());
            unlock.unlocked = Some(still_unlocked(T::policy(&found), &unlock));
            let mut state = stored.clone();
            merge_or_report(&mut state, &unlock, ty, diags);
            if let Some(recorded) = target.recorded(&found) {
                merge_or_report(&mut state, &recorded, ty, diags);
            }
            let seen = Observed::of(T::policy(&found), &unlock);
            ReadOutcome::PresentWithPrivate(state, seen.to_bytes())
        }
        Ok(None) => ReadOutcome::gone(format!("{} no longer exists", target.describe())),
        Err(e) => {
            let what = target.describe();
            if let Some(outcome) = refresh_refused(
                aws,
                target.account(),
                &e,
                &format!("unlock of {}", target.label()),
                "Its policy",
                stored,
                diags,
            )
            .await
            {
                return outcome;
            }
            diags.extend(aws_diagnostic(&e, &format!("read the policy of {what}")));
            ReadOutcome::Present(stored.clone())
        }
    }
}

/// The paragraphs both resources' documentation shares: what the plan
/// shows and what counts as drift. `object`: "bucket" or "queue".
pub fn plan_and_drift(object: &str) -> String {
    format!(
        "**What the plan shows.** The plan reads the {object}'s current policy through the root session and shows \
         it as `removed_policy`, so the person approving sees exactly what goes. If the policy is different by \
         the time of the apply, nothing is removed and the apply fails. When the unlock runs again (a refresh \
         found the lock back, or `triggers` changed), the plan shows the policy that refresh saw and the \
         provider refuses any other with its own error. On the first unlock the plan reads the policy \
         itself and Terraform's final check before the apply plans from that reading (kept on this machine, \
         see the provider's design notes on the plan memory); where it cannot (a plan applied on another \
         machine), Terraform's final check reads again and stops if the policy changed. A {object} without a \
         policy is already unlocked: the apply succeeds with a warning.\n\n\
         **Drift.** A refresh checks the {object}: if the removed policy is back (or, with `replacement_policy`, \
         the {object} holds any other policy), `unlocked` turns `false` and the next apply unlocks it again. Any \
         other policy put on the {object} later is legitimate and never planned for deletion. A {object} that no \
         longer exists removes the resource from state."
    )
}

/// Adds the attributes both resources share. `object` names what is unlocked
/// ("bucket" or "queue"), `call` the AWS call that puts a policy.
pub fn shared_attributes(schema: Schema, object: &str, call: &str) -> Schema {
    schema
        .attribute(Attribute::string("replacement_policy").optional().validator(POLICY_JSON).describe(&format!(
            "A policy to put on the {object} instead of deleting the locking one ({call}), for example a corrected \
             version of it. Compared with what AWS holds as a JSON document, so formatting does not matter. While it \
             is set, any other policy on the {object} is drift and the next apply puts it back. Changing it puts the \
             new policy; removing it deletes the policy the provider put."
        )))
        .attribute(Attribute::new("triggers", Type::map(Type::String)).optional().describe(&format!(
            "Arbitrary strings; any change runs the unlock again as an in-place update (not a replacement), removing \
             whatever policy the {object} has by then. The plan shows that policy in `removed_policy` first."
        )))
        .attribute(Attribute::string("removed_policy").computed().describe(&format!(
            "The policy the unlock removes or replaces, as JSON text exactly as AWS returned it. The plan shows it \
             before anything is removed (read through the root session), so the person approving sees what goes. \
             Null when the {object} had no policy. When a later run (`triggers`) finds nothing to remove, the earlier \
             value is kept: it is what a refresh watches for."
        )))
        .attribute(Attribute::bool("unlocked").computed().describe(&format!(
            "Whether the {object} is still as the unlock left it. A refresh sets it to `false` when the removed \
             policy is back on the {object} (or, with `replacement_policy`, when the {object} holds any other \
             policy); the next plan shows `false -> true` and the apply unlocks it again. Any other policy \
             someone puts on the {object} later is theirs: it is never planned for deletion."
        )))
}

mod diagnostics;
mod rules;
pub use diagnostics::{destroy_warning, nothing_to_remove, plan_read_failed, shown_at_apply};
pub use rules::{
    Step, check_against_plan, plan_run, planned_removed, step, still_unlocked, to_remove,
};

#[cfg(test)]
mod tests;
