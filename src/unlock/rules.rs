//! The framework-independent rules of an unlock, pure functions: what it
//! removes, what it does to the object, what a refresh counts as drift,
//! when a plan runs it, and how an apply checks what it finds against the
//! plan.

use aws_root_access::resource_policies::same_policy;
use tfplugin::{Diagnostics, Known};

use super::{PlannedUnlock, Unlock};

/// The policy an unlock removes or replaces: the current one, unless it
/// already is the wanted replacement.
pub fn to_remove(current: Option<&str>, replacement: Option<&str>) -> Option<String> {
    match (current, replacement) {
        (Some(c), Some(r)) if same_policy(c, r) => None,
        (c, _) => c.map(str::to_string),
    }
}

/// What an unlock does to the object.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    Delete,
    Put(String),
    /// Already as wanted.
    Nothing,
}

pub fn step(current: Option<&str>, replacement: Option<&str>) -> Step {
    match (current, replacement) {
        (Some(c), Some(r)) if same_policy(c, r) => Step::Nothing,
        (_, Some(r)) => Step::Put(r.to_string()),
        (Some(_), None) => Step::Delete,
        (None, None) => Step::Nothing,
    }
}

/// Drift check on refresh: is the object still as the unlock left it?
pub fn still_unlocked(current: Option<&str>, state: &Unlock) -> bool {
    if state.unlocked == Some(false) && current.is_some() {
        return false; // an apply refused a policy: locked until one removes it
    }
    match (state.replacement_policy.as_deref(), current) {
        (Some(r), Some(c)) => same_policy(r, c),
        (Some(_), None) => false,
        (None, None) => true,
        // Only the return of the very policy that was removed is drift.
        (None, Some(c)) => !state
            .removed_policy
            .as_deref()
            .is_some_and(|removed| same_policy(removed, c)),
    }
}

/// Framework-independent part of planning. Returns whether the plan runs the
/// unlock (create, a `triggers` or `replacement_policy` change, or a refresh
/// that found the object locked again). Without a run, every computed value
/// stays as in the prior state.
pub fn plan_run(prior: Option<&Unlock>, planned: &mut PlannedUnlock) -> bool {
    let Some(prior) = prior else {
        planned.unlocked = Known::Value(Some(true));
        return true;
    };
    // A replacement policy equal in meaning to the stored one keeps the stored text.
    if let (Known::Value(Some(new)), Some(old)) =
        (&planned.replacement_policy, &prior.replacement_policy)
        && same_policy(new, old)
    {
        planned.replacement_policy = Known::Value(Some(old.clone()));
    }
    let run = planned.triggers != Known::Value(prior.triggers.clone())
        || planned.replacement_policy != Known::Value(prior.replacement_policy.clone())
        || prior.unlocked == Some(false);
    if run {
        planned.unlocked = Known::Value(Some(true));
    } else {
        planned.id = Known::Value(prior.id.clone());
        planned.removed_policy = Known::Value(prior.removed_policy.clone());
        planned.unlocked = Known::Value(prior.unlocked);
    }
    run
}

/// The planned `removed_policy`: what will go now, else what went before.
pub fn planned_removed(to_remove: Option<String>, prior: Option<&Unlock>) -> Option<String> {
    to_remove.or_else(|| prior.and_then(|p| p.removed_policy.clone()))
}

/// Apply-time check: the policy about to be removed must be the one the plan
/// showed (`planned.removed_policy`, when it was known at plan time). Returns
/// the `removed_policy` to store, or `None` after an error diagnostic naming
/// both.
pub fn check_against_plan(
    planned: &PlannedUnlock,
    prior: Option<&Unlock>,
    to_remove: Option<&str>,
    what: &str,
    diags: &mut Diagnostics,
) -> Option<Option<String>> {
    let Known::Value(shown) = &planned.removed_policy else {
        return Some(planned_removed(to_remove.map(str::to_string), prior));
    };
    match to_remove {
        Some(now) if !shown.as_deref().is_some_and(|s| same_policy(s, now)) => {
            let before = shown.as_deref().unwrap_or("no policy to remove");
            diags.error(
                format!("The policy of {what} changed after the plan"),
                format!(
                    "The plan showed this policy would be removed:\n\n{before}\n\nbut {what} now holds:\n\n{now}\n\n\
                     Nothing was changed. Run `terraform plan` again to review the policy that is there now."
                ),
            );
            None
        }
        _ => Some(shown.clone()),
    }
}
