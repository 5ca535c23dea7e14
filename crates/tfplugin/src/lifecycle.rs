//! Terraform's resource lifecycle rules, as pure functions over schemas and
//! values; the gRPC layer applies them around the provider's handlers.
//!
//! The rules Terraform enforces, and where each lives here:
//! - A configuration is checked by the schema's validators before the
//!   handler's own checks ([`validate_config`]).
//! - A plan keeps every configured value as configured; a computed attribute
//!   left out of the configuration takes its default, or is unknown on create;
//!   on an update that changes anything it becomes unknown again unless
//!   declared stable (`UseStateForUnknown`); write-only values are never
//!   planned ([`plan_attributes`]).
//! - A plan replaces the object only when an attribute that requires
//!   replacement really changes, never on create ([`replacement_paths`]).
//! - A null planned state destroys, a null prior state creates, anything else
//!   updates in place ([`Change::between`]); a failed delete keeps the object
//!   in state ([`state_after_delete`]).
//! - The state after apply or read is wholly known and holds no write-only
//!   value ([`finish_state`]).

use super::diag::{AttributePath, Diagnostics};
use super::schema::{PlanModifier, Schema, validate_block};
use super::value::{Type, Value};

/// Stored state JSON brought to the current schema: refused when written by
/// a newer schema version, upgraded one version at a time by `step`, then
/// pruned of attributes the schema no longer has (as Terraform's own
/// frameworks do, so removing an attribute in a release cannot break stored
/// state).
pub(crate) fn upgrade_stored_state(
    stored_version: i64,
    schema: &Schema,
    state: serde_json::Value,
    step: impl Fn(i64, serde_json::Value) -> Result<serde_json::Value, String>,
) -> Result<serde_json::Value, String> {
    if stored_version > schema.version {
        return Err(format!(
            "The stored state was written with schema version {stored_version}, by a newer version of this \
             provider; this version knows schema version {} at most. Use the provider version that wrote the state \
             (or a newer one): an older provider cannot read it safely.",
            schema.version
        ));
    }
    let mut state = state;
    for version in stored_version.max(0)..schema.version {
        state = step(version, state)?;
    }
    Ok(prune(state, &schema.value_type()))
}

/// Drops object attributes (at any depth) that `ty` does not have.
pub(crate) fn prune(json: serde_json::Value, ty: &Type) -> serde_json::Value {
    use serde_json::Value as J;
    match (json, ty) {
        (J::Object(m), Type::Object(attrs)) => J::Object(
            m.into_iter()
                .filter_map(|(k, v)| attrs.get(&k).map(|t| (k, prune(v, t))))
                .collect(),
        ),
        (J::Object(m), Type::Map(t)) => {
            J::Object(m.into_iter().map(|(k, v)| (k, prune(v, t))).collect())
        }
        (J::Array(items), Type::List(t) | Type::Set(t)) => {
            J::Array(items.into_iter().map(|v| prune(v, t)).collect())
        }
        (J::Array(items), Type::Tuple(ts)) => J::Array(
            items
                .into_iter()
                .zip(ts.iter())
                .map(|(v, t)| prune(v, t))
                .collect(),
        ),
        (other, _) => other,
    }
}

/// Runs the schema's validators on a configuration (unknown values are
/// checked later, once known).
pub(crate) fn validate_config(schema: &Schema, config: &Value, diags: &mut Diagnostics) {
    validate_block(&schema.block, config, &AttributePath::default(), diags);
}

/// Framework part of planning: defaults, unknown computed values, write-only
/// nulls. Runs before the resource's own plan hook.
pub(crate) fn plan_attributes(schema: &Schema, prior: &Value, config: &Value, planned: &mut Value) {
    for attr in &schema.block.attributes {
        if attr.write_only {
            planned.set_attr(attr.name, Value::Null);
            continue;
        }
        if attr.computed && config.attr(attr.name).is_null() {
            if let Some(default) = &attr.default {
                planned.set_attr(attr.name, default.clone());
            } else if prior.is_null() {
                planned.set_attr(attr.name, Value::Unknown);
            }
        }
    }
    // On update, a computed value may change with the rest, unless it is
    // declared stable.
    if !prior.is_null() && planned != prior {
        for attr in &schema.block.attributes {
            let stable = attr.has_modifier(PlanModifier::UseStateForUnknown);
            if attr.computed
                && attr.default.is_none()
                && !stable
                && config.attr(attr.name).is_null()
            {
                planned.set_attr(attr.name, Value::Unknown);
            }
        }
    }
}

/// The attributes whose planned change forces replacement: those marked
/// `RequiresReplace` and those the resource's plan hook named in `extra`.
/// Empty on create.
pub(crate) fn replacement_paths(
    schema: &Schema,
    prior: &Value,
    planned: &Value,
    extra: &[String],
) -> Vec<AttributePath> {
    if prior.is_null() {
        return Vec::new();
    }
    schema
        .block
        .attributes
        .iter()
        .filter(|a| {
            a.has_modifier(PlanModifier::RequiresReplace) || extra.iter().any(|e| e == a.name)
        })
        .filter(|a| planned.attr(a.name) != prior.attr(a.name))
        .map(|a| AttributePath::root(a.name))
        .collect()
}

/// What applying a planned state does to the object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Change {
    Create,
    Update,
    Delete,
}

impl Change {
    /// Terraform's encoding of a change: a null planned state destroys, a
    /// null prior state creates, anything else updates in place.
    pub(crate) fn between(prior: &Value, planned: &Value) -> Change {
        if planned.is_null() {
            Change::Delete
        } else if prior.is_null() {
            Change::Create
        } else {
            Change::Update
        }
    }
}

/// The state after a delete: null, unless the delete failed, in which case
/// the object stays in state so nothing is lost.
pub(crate) fn state_after_delete(prior: Value, diags: &Diagnostics) -> Value {
    if diags.has_errors() {
        prior
    } else {
        Value::Null
    }
}

/// After an apply that reported no error: every attribute the plan knew
/// must come back unchanged, or Terraform reports "Provider produced
/// inconsistent result after apply". Said here first, naming the attribute
/// and both values, so the defect is found and explained at its source.
pub(crate) fn check_apply_against_plan(
    schema: &Schema,
    type_name: &str,
    planned: &Value,
    state: &Value,
    diags: &mut Diagnostics,
) {
    if diags.has_errors() || planned.is_null() {
        return;
    }
    for attr in schema.block.attributes.iter().filter(|a| !a.write_only) {
        let (p, s) = (planned.attr(attr.name), state.attr(attr.name));
        if p.is_wholly_known() && Value::canonical(p) != Value::canonical(s) {
            diags.attribute_error(
                AttributePath::root(attr.name),
                "Apply returned a value the plan did not show",
                format!(
                    "{type_name}.{}: the plan showed {p:?}, the apply returned {s:?}. This is a defect of the \
                     provider; please report it with this message.",
                    attr.name
                ),
            );
        }
    }
}

/// Apply results must be wholly known; write-only values are never stored.
pub(crate) fn finish_state(schema: &Schema, mut state: Value, diags: &mut Diagnostics) -> Value {
    for attr in schema.block.attributes.iter().filter(|a| a.write_only) {
        state.set_attr(attr.name, Value::Null);
    }
    if !state.is_wholly_known() {
        diags.error(
            "Provider returned an incomplete object",
            "This is a bug in the provider: some attributes are still unknown after the operation.",
        );
    }
    state
}

/// The configuration a person would write for an existing object
/// (`terraform query -generate-config-out`): required arguments, and
/// optional ones only where the state differs from their default (or, with
/// no default, is set). Computed values, including optional ones the
/// provider finds by itself, are left out; so are write-only ones.
pub(crate) fn generated_config(schema: &Schema, state: &Value) -> Value {
    let Value::Object(attributes) = state else {
        return Value::Null;
    };
    let mut config = attributes.clone();
    for attr in &schema.block.attributes {
        let value = attributes.get(attr.name).unwrap_or(&Value::Null);
        let keep = !attr.write_only
            && (attr.required
                || (attr.optional
                    && match &attr.default {
                        Some(default) => !value.is_null() && !value.same_as(default),
                        None => !attr.computed && !value.is_null(),
                    }));
        if !keep {
            config.insert(attr.name.to_string(), Value::Null);
        }
    }
    Value::Object(config)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::diag::Severity;
    use crate::schema::Attribute;
    use crate::validators::OneOf;

    fn schema() -> Schema {
        Schema::new("widget")
            .attribute(Attribute::string("name").required().requires_replace())
            .attribute(Attribute::string("note").optional())
            .attribute(Attribute::string("label").optional().computed())
            .attribute(Attribute::string("id").computed().use_state_for_unknown())
            .attribute(Attribute::string("etag").computed())
            .attribute(Attribute::string("mode").default(Value::string("fast")))
            .attribute(Attribute::string("secret").optional().write_only())
    }

    /// An object of the schema's type with the given attributes set.
    fn obj(pairs: &[(&str, Value)]) -> Value {
        let mut v = Value::Object(
            schema()
                .block
                .attributes
                .iter()
                .map(|a| (a.name.to_string(), Value::Null))
                .collect::<BTreeMap<_, _>>(),
        );
        for (k, x) in pairs {
            v.set_attr(k, x.clone());
        }
        v
    }

    fn s(text: &str) -> Value {
        Value::string(text)
    }

    /// The framework's plan on create, where Terraform proposes the configuration.
    fn create_plan(config: &Value) -> Value {
        let mut planned = config.clone();
        plan_attributes(&schema(), &Value::Null, config, &mut planned);
        planned
    }

    #[test]
    fn validate_config_runs_the_schema_validators_at_the_attribute_path() {
        let schema = Schema::new("x").attribute(Attribute::string("mode").validator(OneOf(&["a"])));
        let mut config = Value::Object(BTreeMap::new());
        let mut diags = Diagnostics::new();
        validate_config(&schema, &config, &mut diags);
        assert!(diags.is_empty());
        config.set_attr("mode", s("b"));
        validate_config(&schema, &config, &mut diags);
        let found: Vec<_> = diags.iter().collect();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::Error);
        assert_eq!(found[0].attribute, Some(AttributePath::root("mode")));
    }

    #[test]
    fn validate_config_skips_unknown_values() {
        let schema = Schema::new("x").attribute(Attribute::string("mode").validator(OneOf(&["a"])));
        let mut config = Value::Object(BTreeMap::new());
        config.set_attr("mode", Value::Unknown);
        let mut diags = Diagnostics::new();
        validate_config(&schema, &config, &mut diags);
        assert!(diags.is_empty());
    }

    #[test]
    fn computed_values_are_unknown_on_create_and_defaults_applied() {
        let config = obj(&[("name", s("a"))]);
        let plan = create_plan(&config);
        assert_eq!(plan.attr("id"), &Value::Unknown);
        assert_eq!(plan.attr("etag"), &Value::Unknown);
        assert_eq!(plan.attr("label"), &Value::Unknown);
        assert_eq!(plan.attr("mode"), &s("fast"));
    }

    #[test]
    fn configured_values_are_planned_as_configured() {
        let config = obj(&[
            ("name", s("a")),
            ("note", s("n")),
            ("label", s("l")),
            ("mode", s("slow")),
        ]);
        let plan = create_plan(&config);
        assert_eq!(plan.attr("name"), &s("a"));
        assert_eq!(plan.attr("note"), &s("n"));
        assert_eq!(plan.attr("label"), &s("l"));
        assert_eq!(plan.attr("mode"), &s("slow"));
        // The same on update, where the change makes other computed values unknown.
        let prior = obj(&[
            ("name", s("a")),
            ("label", s("old")),
            ("id", s("w-1")),
            ("etag", s("e1")),
            ("mode", s("fast")),
        ]);
        let mut plan = prior.clone();
        for name in ["note", "label", "mode"] {
            plan.set_attr(name, config.attr(name).clone());
        }
        plan_attributes(&schema(), &prior, &config, &mut plan);
        assert_eq!(plan.attr("note"), &s("n"));
        assert_eq!(plan.attr("label"), &s("l"));
        assert_eq!(plan.attr("mode"), &s("slow"));
        assert_eq!(plan.attr("etag"), &Value::Unknown);
    }

    #[test]
    fn write_only_values_are_never_planned() {
        let config = obj(&[("name", s("a")), ("secret", s("s3cr3t"))]);
        assert_eq!(create_plan(&config).attr("secret"), &Value::Null);
    }

    #[test]
    fn an_unchanged_update_plans_the_prior_state() {
        let prior = obj(&[
            ("name", s("a")),
            ("label", s("l")),
            ("id", s("w-1")),
            ("etag", s("e1")),
            ("mode", s("fast")),
        ]);
        // Terraform proposes the prior state for computed values left out of the configuration.
        let config = obj(&[("name", s("a"))]);
        let mut plan = prior.clone();
        plan_attributes(&schema(), &prior, &config, &mut plan);
        assert_eq!(plan, prior);
    }

    #[test]
    fn a_changing_update_makes_computed_values_unknown_except_stable_ones() {
        let prior = obj(&[
            ("name", s("a")),
            ("label", s("l")),
            ("id", s("w-1")),
            ("etag", s("e1")),
            ("mode", s("fast")),
        ]);
        let config = obj(&[("name", s("a")), ("note", s("n"))]);
        let mut plan = prior.clone();
        plan.set_attr("note", s("n"));
        plan_attributes(&schema(), &prior, &config, &mut plan);
        assert_eq!(plan.attr("id"), &s("w-1"));
        assert_eq!(plan.attr("mode"), &s("fast"));
        assert_eq!(plan.attr("etag"), &Value::Unknown);
        assert_eq!(plan.attr("label"), &Value::Unknown);
    }

    #[test]
    fn nothing_is_replaced_on_create() {
        let plan = obj(&[("name", s("a"))]);
        let extra = ["note".to_string()];
        assert!(replacement_paths(&schema(), &Value::Null, &plan, &extra).is_empty());
    }

    #[test]
    fn requires_replace_only_on_a_real_change() {
        let prior = obj(&[("name", s("a")), ("note", s("n"))]);
        let unchanged = prior.clone();
        assert!(replacement_paths(&schema(), &prior, &unchanged, &[]).is_empty());
        let mut in_place = prior.clone();
        in_place.set_attr("note", s("m"));
        assert!(replacement_paths(&schema(), &prior, &in_place, &[]).is_empty());
        let mut renamed = prior.clone();
        renamed.set_attr("name", s("b"));
        assert_eq!(
            replacement_paths(&schema(), &prior, &renamed, &[]),
            vec![AttributePath::root("name")]
        );
    }

    #[test]
    fn the_plan_hook_can_name_more_attributes_that_force_replacement() {
        let prior = obj(&[("name", s("a")), ("note", s("n"))]);
        let mut plan = prior.clone();
        plan.set_attr("note", s("m"));
        let extra = ["note".to_string(), "label".to_string()];
        assert_eq!(
            replacement_paths(&schema(), &prior, &plan, &extra),
            vec![AttributePath::root("note")]
        );
    }

    #[test]
    fn null_states_decide_the_change() {
        let object = obj(&[("name", s("a"))]);
        assert_eq!(Change::between(&Value::Null, &object), Change::Create);
        assert_eq!(Change::between(&object, &object), Change::Update);
        assert_eq!(Change::between(&object, &Value::Null), Change::Delete);
    }

    #[test]
    fn a_failed_delete_keeps_the_object() {
        let prior = obj(&[("name", s("a"))]);
        let mut diags = Diagnostics::new();
        diags.warning("w", "only a warning");
        assert_eq!(state_after_delete(prior.clone(), &diags), Value::Null);
        diags.error("e", "the delete failed");
        assert_eq!(state_after_delete(prior.clone(), &diags), prior);
    }

    #[test]
    fn a_finished_state_is_wholly_known_and_drops_write_only_values() {
        let mut diags = Diagnostics::new();
        let state = obj(&[("name", s("a")), ("id", s("w-1")), ("secret", s("x"))]);
        let finished = finish_state(&schema(), state, &mut diags);
        assert!(diags.is_empty());
        assert_eq!(finished.attr("secret"), &Value::Null);
        assert_eq!(finished.attr("id"), &s("w-1"));

        let incomplete = obj(&[("name", s("a")), ("etag", Value::Unknown)]);
        let finished = finish_state(&schema(), incomplete.clone(), &mut diags);
        assert_eq!(finished, incomplete);
        let found: Vec<_> = diags.iter().collect();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].summary, "Provider returned an incomplete object");
    }

    #[test]
    fn stored_state_is_upgraded_step_by_step_and_pruned() {
        let schema = Schema::new("t")
            .version(2)
            .attribute(Attribute::string("name").required())
            .attribute(Attribute::string("id").computed());
        let v0 = serde_json::json!({"title": "a", "gone": 1, "id": "x"});
        let upgraded = upgrade_stored_state(0, &schema, v0, |version, mut state| {
            match version {
                // v0 -> v1: `title` was renamed `name`.
                0 => {
                    let title = state["title"].take();
                    state["name"] = title;
                    Ok(state)
                }
                1 => Ok(state),
                v => Err(format!("no step from {v}")),
            }
        })
        .unwrap();
        assert_eq!(upgraded, serde_json::json!({"name": "a", "id": "x"}));
        let newer = upgrade_stored_state(3, &schema, serde_json::json!({}), |_, s| Ok(s));
        assert!(
            newer
                .unwrap_err()
                .contains("newer version of this provider")
        );
        let current = upgrade_stored_state(
            2,
            &schema,
            serde_json::json!({"name": "b", "old": true}),
            |v, _| Err(format!("no step expected from {v}")),
        );
        assert_eq!(current.unwrap(), serde_json::json!({"name": "b"}));
    }

    #[test]
    fn apply_results_must_keep_what_the_plan_knew() {
        let schema = Schema::new("t")
            .attribute(Attribute::string("name").required())
            .attribute(Attribute::new("tags", Type::set(Type::String)).optional())
            .attribute(Attribute::string("id").computed());
        let object = |name: &str, tags: &[&str], id: Value| {
            let mut v = Value::Object(BTreeMap::new());
            v.set_attr("name", Value::string(name));
            v.set_attr(
                "tags",
                Value::Set(tags.iter().map(|t| Value::string(*t)).collect()),
            );
            v.set_attr("id", id);
            v
        };
        let planned = object("a", &["x", "y"], Value::Unknown);
        let mut diags = Diagnostics::new();
        // Computed values unknown at plan may be anything; set order does not matter.
        check_apply_against_plan(
            &schema,
            "t",
            &planned,
            &object("a", &["y", "x"], Value::string("1")),
            &mut diags,
        );
        assert!(diags.is_empty());
        check_apply_against_plan(
            &schema,
            "t",
            &planned,
            &object("b", &["x", "y"], Value::string("1")),
            &mut diags,
        );
        assert!(diags.has_errors());
        assert!(diags.iter().any(|d| d.detail.contains("t.name")));
    }

    #[test]
    fn generated_configuration_keeps_what_a_person_would_write() {
        let mut state = Value::Object(BTreeMap::from([
            ("name".to_string(), Value::string("n")),
            ("note".to_string(), Value::string("kept")),
            ("label".to_string(), Value::string("found by the provider")),
            ("id".to_string(), Value::string("i")),
            ("etag".to_string(), Value::string("e")),
            ("mode".to_string(), Value::string("fast")),
        ]));
        let config = generated_config(&schema(), &state);
        assert_eq!(config.attr("name"), &Value::string("n"));
        assert_eq!(config.attr("note"), &Value::string("kept"));
        for left_out in ["label", "id", "etag", "mode"] {
            assert_eq!(config.attr(left_out), &Value::Null, "{left_out}");
        }
        state.set_attr("mode", Value::string("slow"));
        let config = generated_config(&schema(), &state);
        assert_eq!(
            config.attr("mode"),
            &Value::string("slow"),
            "differs from the default"
        );
    }
}
