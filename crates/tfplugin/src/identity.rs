//! Resource identity (Terraform 1.12+): the few attributes that name a
//! managed resource's remote object, stored by Terraform next to its state.
//! `import { to = ..., identity = {...} }` imports by it and `terraform
//! query` lists objects by it.
//!
//! Identity attributes are attributes of the resource's own schema, with the
//! same names: the framework derives the identity of every state it returns
//! ([`IdentitySchema::of_state`]), so a resource cannot return an identity
//! that disagrees with its state.

use std::collections::BTreeMap;

use super::value::{Type, Value};

/// The identity attributes of a resource type, versioned on their own.
#[derive(Clone, Default)]
pub struct IdentitySchema {
    /// Raised whenever the attributes change; stored identities of a lower
    /// version go through [`crate::Resource::upgrade_identity`].
    pub version: i64,
    pub attributes: Vec<IdentityAttribute>,
}

/// One identity attribute: an attribute of the resource's schema.
#[derive(Clone)]
pub struct IdentityAttribute {
    pub name: &'static str,
    /// A primitive type, or a list of one.
    pub ty: Type,
    /// Must be given in an `import` block's `identity` (otherwise optional
    /// there: the provider finds it).
    pub required_for_import: bool,
    /// Markdown.
    pub description: String,
}

impl IdentityAttribute {
    /// A string attribute required for import.
    pub fn string(name: &'static str, description: &str) -> IdentityAttribute {
        IdentityAttribute {
            name,
            ty: Type::String,
            required_for_import: true,
            description: description.to_string(),
        }
    }
}

impl IdentitySchema {
    pub fn new() -> IdentitySchema {
        IdentitySchema::default()
    }
    pub fn version(mut self, version: i64) -> Self {
        self.version = version;
        self
    }
    pub fn attribute(mut self, attribute: IdentityAttribute) -> Self {
        self.attributes.push(attribute);
        self
    }

    /// The object type of identity values.
    pub fn value_type(&self) -> Type {
        Type::Object(
            self.attributes
                .iter()
                .map(|a| (a.name.to_string(), a.ty.clone()))
                .collect(),
        )
    }

    /// The identity of a state: its attributes of the same names (null for
    /// a null state: nothing exists).
    pub fn of_state(&self, state: &Value) -> Value {
        if state.is_null() {
            return Value::Null;
        }
        Value::Object(
            self.attributes
                .iter()
                .map(|a| (a.name.to_string(), state.attr(a.name).clone()))
                .collect::<BTreeMap<_, _>>(),
        )
    }

    /// The import ID naming the same object: the identity's string values
    /// joined with `/`, in declared order (`111122223333/my-bucket`). Every
    /// attribute required for import must be a known string.
    pub fn import_id(&self, identity: &Value) -> Result<String, String> {
        let mut parts = Vec::new();
        for attribute in &self.attributes {
            match identity.attr(attribute.name) {
                Value::String(s) if !s.is_empty() => parts.push(s.clone()),
                Value::Null if !attribute.required_for_import => {}
                _ => {
                    return Err(format!(
                        "the identity needs {} (a string): {}",
                        attribute.name, attribute.description
                    ));
                }
            }
        }
        Ok(parts.join("/"))
    }

    /// Attributes of `known` (a stored identity) that `now` contradicts:
    /// their names. Null attributes of `known` say nothing.
    pub fn changed(&self, known: &Value, now: &Value) -> Vec<&'static str> {
        self.attributes
            .iter()
            .filter(|a| {
                let was = known.attr(a.name);
                !was.is_null() && was != now.attr(a.name)
            })
            .map(|a| a.name)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket_identity() -> IdentitySchema {
        IdentitySchema::new()
            .attribute(IdentityAttribute::string("account_id", "The account."))
            .attribute(IdentityAttribute::string("bucket", "The bucket."))
    }

    fn state() -> Value {
        Value::Object(BTreeMap::from([
            ("account_id".to_string(), Value::string("111122223333")),
            ("bucket".to_string(), Value::string("b")),
            ("region".to_string(), Value::string("eu-west-1")),
        ]))
    }

    #[test]
    fn identity_comes_from_the_state_and_names_the_import_id() {
        let schema = bucket_identity();
        let identity = schema.of_state(&state());
        assert_eq!(identity.attr("bucket"), &Value::string("b"));
        assert_eq!(
            identity.attr("region"),
            &Value::Null,
            "not an identity attribute"
        );
        assert_eq!(schema.import_id(&identity).unwrap(), "111122223333/b");
        assert_eq!(schema.of_state(&Value::Null), Value::Null);
    }

    #[test]
    fn a_missing_required_attribute_is_named() {
        let schema = bucket_identity();
        let mut identity = schema.of_state(&state());
        identity.set_attr("bucket", Value::Null);
        let e = schema.import_id(&identity).unwrap_err();
        assert!(e.contains("bucket"), "{e}");
    }

    #[test]
    fn only_known_attributes_can_change() {
        let schema = bucket_identity();
        let now = schema.of_state(&state());
        let mut known = now.clone();
        known.set_attr("account_id", Value::Null);
        assert!(schema.changed(&known, &now).is_empty());
        known.set_attr("bucket", Value::string("other"));
        assert_eq!(schema.changed(&known, &now), vec!["bucket"]);
    }
}
