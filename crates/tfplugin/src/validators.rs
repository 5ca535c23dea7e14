//! Reusable attribute validators. Each one describes itself, so the docs say
//! exactly what is checked.

use super::diag::{AttributePath, Diagnostics};
use super::schema::Validator;
use super::value::Value;

/// The value (a string, or each element of a set/list of strings) must be one of `allowed`.
pub struct OneOf(pub &'static [&'static str]);

impl Validator for OneOf {
    fn description(&self) -> String {
        let list: Vec<String> = self.0.iter().map(|v| format!("`{v}`")).collect();
        format!("Valid values: {}.", list.join(", "))
    }
    fn validate(&self, value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
        let check = |v: &Value, p: AttributePath, diags: &mut Diagnostics| {
            if let Some(s) = v.as_str()
                && !self.0.contains(&s)
            {
                diags.attribute_error(
                    p,
                    "Invalid value",
                    format!("{s:?} is not allowed here. {}", self.description()),
                );
            }
        };
        match value.elements() {
            Some(items) => items
                .iter()
                .enumerate()
                .for_each(|(i, v)| check(v, path.clone().index(i as i64), diags)),
            None => check(value, path.clone(), diags),
        }
    }
}

/// A whole number within `min..=max`.
pub struct IntBetween(pub i64, pub i64);

impl Validator for IntBetween {
    fn description(&self) -> String {
        format!("Must be a whole number from {} to {}.", self.0, self.1)
    }
    fn validate(&self, value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
        let ok = value
            .as_i64()
            .is_some_and(|n| (self.0..=self.1).contains(&n));
        if !ok {
            let shown = match value {
                Value::Number(n) => n.to_string(),
                other => format!("{other:?}"),
            };
            diags.attribute_error(
                path.clone(),
                "Value out of range",
                format!("{shown} is not allowed. {}", self.description()),
            );
        }
    }
}

/// A string (or each string of a set/list) checked by a function that
/// explains what is wrong.
pub struct StringCheck {
    pub description: &'static str,
    pub check: fn(&str) -> Result<(), String>,
}

impl Validator for StringCheck {
    fn description(&self) -> String {
        self.description.to_string()
    }
    /// Checks a string, or each string of a list or set (pointing at the element).
    fn validate(&self, value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
        let check = |v: &Value, p: AttributePath, diags: &mut Diagnostics| {
            if let Some(s) = v.as_str()
                && let Err(message) = (self.check)(s)
            {
                diags.attribute_error(p, "Invalid value", message);
            }
        };
        match value.elements() {
            Some(items) => items
                .iter()
                .enumerate()
                .for_each(|(i, v)| check(v, path.clone().index(i as i64), diags)),
            None => check(value, path.clone(), diags),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_of_points_at_the_bad_element() {
        let mut diags = Diagnostics::new();
        let v = Value::Set(vec![Value::string("a"), Value::string("zzz")]);
        OneOf(&["a", "b"]).validate(&v, &AttributePath::root("x"), &mut diags);
        let d: Vec<_> = diags.iter().collect();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].attribute, Some(AttributePath::root("x").index(1)));
        assert!(d[0].detail.contains("`a`, `b`"));
    }

    #[test]
    fn string_check_applies_to_each_element_of_a_list() {
        let mut diags = Diagnostics::new();
        let check = StringCheck {
            description: "short",
            check: |s| {
                if s.len() < 3 {
                    Ok(())
                } else {
                    Err(format!("{s} is long"))
                }
            },
        };
        let v = Value::List(vec![Value::string("ok"), Value::string("toolong")]);
        check.validate(&v, &AttributePath::root("x"), &mut diags);
        let d: Vec<_> = diags.iter().collect();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].attribute, Some(AttributePath::root("x").index(1)));
    }

    #[test]
    fn int_between_rejects_outside() {
        let mut diags = Diagnostics::new();
        IntBetween(1, 900).validate(
            &Value::Number(crate::Number::from_i64(901)),
            &AttributePath::root("d"),
            &mut diags,
        );
        assert!(diags.has_errors());
    }
}
