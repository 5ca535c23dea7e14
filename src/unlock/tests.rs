//! Unit tests of the unlock rules.

use super::once::progressive;
use super::rules::*;
use super::*;

const LOCK: &str = r#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*"}]}"#;
const LOCK_PRETTY: &str =
    "{\n \"Statement\": [ {\"Action\": \"s3:*\", \"Effect\": \"Deny\", \"Principal\": \"*\"} ]\n}";
const OTHER: &str = r#"{"Statement":[]}"#;

fn state(removed: Option<&str>, replacement: Option<&str>) -> Unlock {
    Unlock {
        id: Some("x".into()),
        removed_policy: removed.map(str::to_string),
        replacement_policy: replacement.map(str::to_string),
        triggers: None,
        unlocked: Some(true),
    }
}

fn planned_from(s: &Unlock) -> PlannedUnlock {
    PlannedUnlock {
        id: Known::Value(s.id.clone()),
        replacement_policy: Known::Value(s.replacement_policy.clone()),
        triggers: Known::Value(s.triggers.clone()),
        removed_policy: Known::Value(s.removed_policy.clone()),
        unlocked: Known::Value(s.unlocked),
    }
}

#[test]
fn drift_without_replacement_is_only_the_removed_policy_coming_back() {
    let s = state(Some(LOCK), None);
    assert!(still_unlocked(None, &s));
    assert!(
        still_unlocked(Some(OTHER), &s),
        "a later policy is legitimate"
    );
    assert!(!still_unlocked(Some(LOCK_PRETTY), &s), "compared as JSON");
    assert!(still_unlocked(Some(LOCK), &state(None, None)));
}

#[test]
fn drift_with_replacement_is_any_other_policy() {
    let s = state(Some(LOCK), Some(OTHER));
    assert!(still_unlocked(Some("{ \"Statement\" : [ ] }"), &s));
    assert!(!still_unlocked(Some(LOCK), &s));
    assert!(!still_unlocked(None, &s));
}

#[test]
fn what_an_unlock_does() {
    assert_eq!(step(Some(LOCK), None), Step::Delete);
    assert_eq!(step(None, None), Step::Nothing);
    assert_eq!(step(Some(LOCK), Some(OTHER)), Step::Put(OTHER.into()));
    assert_eq!(step(None, Some(OTHER)), Step::Put(OTHER.into()));
    assert_eq!(step(Some(LOCK_PRETTY), Some(LOCK)), Step::Nothing);
    assert_eq!(to_remove(Some(LOCK), Some(OTHER)), Some(LOCK.into()));
    assert_eq!(to_remove(Some(OTHER), Some(OTHER)), None);
}

#[test]
fn plans_run_only_when_something_asks_for_it() {
    let prior = state(Some(LOCK), Some(LOCK));
    // Same replacement in another layout: no run, the stored text stays.
    let mut planned = planned_from(&prior);
    planned.replacement_policy = Known::Value(Some(LOCK_PRETTY.into()));
    planned.removed_policy = Known::Unknown;
    assert!(!plan_run(Some(&prior), &mut planned));
    assert_eq!(planned, planned_from(&prior));
    // New triggers: a run.
    let mut planned = planned_from(&prior);
    planned.triggers = Known::Value(Some(BTreeMap::from([("k".into(), "v".into())])));
    assert!(plan_run(Some(&prior), &mut planned));
    // A refresh found the lock back: a run.
    let mut locked = prior.clone();
    locked.unlocked = Some(false);
    let mut planned = planned_from(&locked);
    assert!(plan_run(Some(&locked), &mut planned));
    assert_eq!(planned.unlocked, Known::Value(Some(true)));
}

#[test]
fn apply_refuses_a_policy_the_plan_did_not_show() {
    let mut diags = Diagnostics::new();
    let planned = planned_from(&state(Some(LOCK), None));
    assert_eq!(
        check_against_plan(&planned, None, Some(LOCK_PRETTY), "bucket b", &mut diags),
        Some(Some(LOCK.to_string()))
    );
    assert_eq!(
        check_against_plan(&planned, None, None, "bucket b", &mut diags),
        Some(Some(LOCK.to_string()))
    );
    assert!(diags.is_empty());
    assert_eq!(
        check_against_plan(&planned, None, Some(OTHER), "bucket b", &mut diags),
        None
    );
    let none_shown = planned_from(&state(None, None));
    assert_eq!(
        check_against_plan(&none_shown, None, Some(LOCK), "bucket b", &mut diags),
        None
    );
    assert!(diags.has_errors());
    let text: Vec<_> = diags.iter().map(|d| d.detail.clone()).collect();
    assert!(text[1].contains("no policy to remove"), "{text:?}");
}

#[test]
fn progress_words_come_from_the_verb() {
    assert_eq!(progressive("delete"), "Deleting");
    assert_eq!(progressive("remove"), "Removing");
}

#[test]
fn an_observation_serves_only_the_state_it_was_made_for() {
    let seen_for = state(Some(LOCK), None);
    let seen = Observed::of(Some(OTHER), &seen_for);
    assert!(seen.made_for(&seen_for));
    assert_eq!(seen.policy.as_deref(), Some(OTHER));
    // After an apply the state differs (here: the lock came back and was
    // removed again): the old observation is not used.
    let mut later = seen_for.clone();
    later.unlocked = Some(false);
    assert!(!seen.made_for(&later));
}
