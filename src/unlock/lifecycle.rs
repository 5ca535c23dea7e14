//! The unlock resources' lifecycle over their object: when a plan runs the
//! unlock and what it shows, the unlock itself and how apply checks it
//! against the plan, what a refresh counts as drift, destroy and import.

use serde::{Deserialize, Serialize};

use super::diagnostics::{destroy_warning, nothing_to_remove, plan_read_failed, shown_at_apply};
use super::rules::{Step, check_against_plan, planned_removed, step, still_unlocked, to_remove};
use super::{Locked, Names, Observed, Planned, State, Unlock, UnlockResource};
use crate::claims::{Stance, Subject};
use crate::errors::aws_diagnostic;
use crate::member_account::{check_target, refresh_refused};
use aws_root_access::AwsClients;
use tfplugin::{Diagnostics, Known, Plan, ReadOutcome};

/// What the plan of a new unlock read, kept for the re-plan Terraform makes
/// just before applying it ([`Plan::remember`]), so that it shows the same
/// policy; the apply then refuses one that changed since.
#[derive(Serialize, Deserialize)]
struct ReadAtPlan<N> {
    policy: Option<String>,
    /// The names with what the read found (a bucket's region).
    names: N,
}

/// Every plan of an unlock claims its object, so that a second resource
/// for the same bucket or queue is told (see `crate::claims`).
pub fn claim<T: Locked>(
    aws: Option<&AwsClients>,
    target: &T,
    type_name: &'static str,
    diags: &mut Diagnostics,
) {
    if let Some(aws) = aws {
        let subject = Subject::ResourcePolicy(target.describe());
        crate::claims::claim(aws, subject, type_name, Stance::Manages, diags);
    }
}

/// Plan, once `plan_run` said the unlock runs: reads the policy through
/// the root session, so the person approving sees in `removed_policy` what
/// goes. Without a read (no client yet, feature off) it stays unknown.
pub async fn plan_removed_policy<N: Names, R: UnlockResource<N> + ?Sized>(
    plan: &mut Plan<'_, AwsClients, R>,
    target: &N::Object,
    diags: &mut Diagnostics,
) {
    let prior = plan.prior.as_ref().map(|p| &p.unlock);
    // A re-run planned from what the refresh saw: the same plan at the
    // apply-time re-plan; the apply compares with what is there then.
    if let (Some(prior), Known::Value(replacement)) =
        (prior, &plan.planned.unlock.replacement_policy)
        && let Some(seen) = plan.prior_private.as_ref().filter(|s| s.made_for(prior))
    {
        let going = to_remove(seen.policy.as_deref(), replacement.as_deref());
        plan.planned.unlock.removed_policy = Known::Value(planned_removed(going, Some(prior)));
        return;
    }
    // A new unlock's re-plan before its apply: the plan's reading.
    if prior.is_none()
        && let Known::Value(replacement) = plan.planned.unlock.replacement_policy.clone()
        && let Some(read) = plan.recall::<ReadAtPlan<N>>(&target.id())
    {
        plan.planned.names = read.names;
        let going = to_remove(read.policy.as_deref(), replacement.as_deref());
        plan.planned.unlock.removed_policy = Known::Value(going);
        return;
    }
    // Until a read below succeeds, what goes is known only after apply (a
    // stale earlier value would make the apply-time check refuse).
    plan.planned.unlock.removed_policy = Known::Unknown;
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
            plan.planned.names.record(&found);
            let policy = <N::Object as Locked>::policy(&found);
            match plan.planned.unlock.replacement_policy.clone() {
                Known::Unknown => {
                    let holds = policy.map_or_else(
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
                    let going = to_remove(policy, replacement.as_deref());
                    let removed = planned_removed(going, prior);
                    plan.planned.unlock.removed_policy = Known::Value(removed);
                    let read = ReadAtPlan {
                        policy: policy.map(str::to_string),
                        names: plan.planned.names.clone(),
                    };
                    plan.remember(&target.id(), &read);
                }
            }
        }
        Ok(None) => target.missing(diags),
        Err(e) => plan_read_failed(&e, &what, diags),
    }
}

/// Create and update: read, check against the plan, delete or put. The new
/// state is the plan with what the unlock decided; `None` on any failure
/// before the policy changed (nothing changed: the prior state holds),
/// except a policy nobody approved removing, which the prior state records
/// as `unlocked = false`.
pub async fn apply<N: Names>(
    aws: &AwsClients,
    prior: Option<&State<N>>,
    planned: &Planned<N>,
    diags: &mut Diagnostics,
) -> Option<State<N>> {
    let target = named(&planned.names, "Invalid plan", "planned state", diags)?;
    let what = target.describe();
    let found = match target.read(aws).await {
        Ok(Some(found)) => found,
        Ok(None) => {
            target.missing(diags);
            return None;
        }
        Err(e) => {
            diags.extend(aws_diagnostic(&e, &format!("read the policy of {what}")));
            return None;
        }
    };
    if !target.where_planned(&found, diags) {
        return None;
    }
    let replacement = planned.unlock.replacement_policy.get().cloned().flatten();
    let current = <N::Object as Locked>::policy(&found);
    let going = to_remove(current, replacement.as_deref());
    let prior_unlock = prior.map(|p| &p.unlock);
    let Some(removed) = check_against_plan(
        &planned.unlock,
        prior_unlock,
        going.as_deref(),
        &what,
        diags,
    ) else {
        // A policy is there that nobody approved removing: the object is
        // locked, whatever its statements, until a plan shows it and an
        // apply removes it (refresh keeps `unlocked = false`).
        return prior.map(|prior| {
            let mut locked = prior.clone();
            locked.unlock.unlocked = Some(false);
            locked
        });
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
        return None;
    }
    if current.is_none() {
        nothing_to_remove(&what, replacement.is_some(), diags);
    }
    let mut names = planned.names.clone();
    names.record(&found);
    Some(State {
        names,
        unlock: Unlock {
            id: Some(target.id()),
            replacement_policy: replacement,
            triggers: planned.unlock.triggers.get().cloned().flatten(),
            removed_policy: removed,
            unlocked: Some(true),
        },
    })
}

/// Refresh: is the object still as the unlock left it? A missing object is
/// gone; a failed read keeps the stored state.
pub async fn refresh<N: Names>(
    aws: &AwsClients,
    stored: &State<N>,
    diags: &mut Diagnostics,
) -> ReadOutcome<State<N>, Observed> {
    let Some(target) = named(&stored.names, "Invalid state", "stored state", diags) else {
        return ReadOutcome::Unchanged;
    };
    match target.read(aws).await {
        Ok(Some(found)) => {
            let policy = <N::Object as Locked>::policy(&found);
            let mut state = stored.clone();
            state.unlock.id = Some(target.id());
            state.unlock.unlocked = Some(still_unlocked(policy, &state.unlock));
            state.names.record(&found);
            let seen = Observed::of(policy, &state.unlock);
            ReadOutcome::PresentWithPrivate(state, seen)
        }
        Ok(None) => ReadOutcome::gone(format!("{} no longer exists", target.describe())),
        Err(e) => {
            let label = format!("unlock of {}", target.label());
            if let Some(outcome) =
                refresh_refused(aws, target.account(), &e, &label, "Its policy", diags).await
            {
                return outcome;
            }
            diags.extend(aws_diagnostic(
                &e,
                &format!("read the policy of {}", target.describe()),
            ));
            ReadOutcome::Unchanged
        }
    }
}

/// The object a state or plan names; an error (the provider's bug) when it
/// names none.
fn named<N: Names>(
    names: &N,
    summary: &str,
    which: &str,
    diags: &mut Diagnostics,
) -> Option<N::Object> {
    let object = names.object();
    if object.is_none() {
        diags.error(summary, format!("The {which} names no {}.", N::WHAT));
    }
    object
}

/// Destroy (its plan and its apply): the warning that nothing changes in
/// AWS, naming the object.
pub fn destroy<N: Names>(prior: &State<N>, diags: &mut Diagnostics) {
    let what = prior
        .names
        .object()
        .map_or_else(|| N::UNNAMED.to_string(), |o| o.describe());
    destroy_warning(&what, diags);
}

/// The state of an imported unlock: the object's names, its id, and
/// nothing watched for (whatever was removed before the import is unknown).
pub fn imported<N: Names>(id: &str, names: N) -> State<N> {
    State {
        names,
        unlock: Unlock {
            id: Some(id.to_string()),
            unlocked: Some(true),
            ..Unlock::default()
        },
    }
}
