//! Declarative schemas: what Terraform shows, checks and documents.
//!
//! Constraints live on the attribute (validators, defaults, plan modifiers)
//! rather than inside handlers, and the same description text feeds Terraform,
//! the generated docs and validation messages, so they cannot disagree.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::diag::{AttributePath, Diagnostics};
use super::value::{Type, Value};

/// A resource, data source, provider, ephemeral resource or action schema.
#[derive(Clone, Default)]
pub struct Schema {
    pub version: i64,
    pub block: Block,
}

impl Schema {
    pub fn new(description: &str) -> Self {
        Schema {
            version: 0,
            block: Block {
                description: description.to_string(),
                ..Block::default()
            },
        }
    }
    pub fn version(mut self, version: i64) -> Self {
        self.version = version;
        self
    }
    pub fn attribute(mut self, attribute: Attribute) -> Self {
        self.block.attributes.push(attribute);
        self
    }
    pub fn block(mut self, block: NestedBlock) -> Self {
        self.block.blocks.push(block);
        self
    }
    pub fn deprecated(mut self, message: &str) -> Self {
        self.block.deprecation = Some(message.to_string());
        self
    }
    /// The object type of values of this schema.
    pub fn value_type(&self) -> Type {
        self.block.value_type()
    }
}

#[derive(Clone, Default)]
pub struct Block {
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<NestedBlock>,
    /// Markdown.
    pub description: String,
    pub deprecation: Option<String>,
}

impl Block {
    pub fn new(description: &str) -> Self {
        Block {
            description: description.to_string(),
            ..Block::default()
        }
    }
    pub fn attribute(mut self, attribute: Attribute) -> Self {
        self.attributes.push(attribute);
        self
    }
    pub fn block(mut self, block: NestedBlock) -> Self {
        self.blocks.push(block);
        self
    }
    pub fn value_type(&self) -> Type {
        let mut attrs: BTreeMap<String, Type> = self
            .attributes
            .iter()
            .map(|a| (a.name.to_string(), a.ty.clone()))
            .collect();
        for b in &self.blocks {
            attrs.insert(b.name.to_string(), b.value_type());
        }
        Type::Object(attrs)
    }
    pub fn find_attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    /// At most one block, as an object.
    Single,
    List,
    Set,
}

#[derive(Clone)]
pub struct NestedBlock {
    pub name: &'static str,
    pub nesting: Nesting,
    pub block: Block,
    pub min_items: i64,
    pub max_items: i64,
}

impl NestedBlock {
    pub fn single(name: &'static str, block: Block) -> Self {
        NestedBlock {
            name,
            nesting: Nesting::Single,
            block,
            min_items: 0,
            max_items: 0,
        }
    }
    pub fn list(name: &'static str, block: Block) -> Self {
        NestedBlock {
            name,
            nesting: Nesting::List,
            block,
            min_items: 0,
            max_items: 0,
        }
    }
    pub fn value_type(&self) -> Type {
        let inner = self.block.value_type();
        match self.nesting {
            Nesting::Single => inner,
            Nesting::List => Type::list(inner),
            Nesting::Set => Type::set(inner),
        }
    }
}

/// Checks a known, non-null value of one attribute.
pub trait Validator: Send + Sync {
    /// Markdown sentence appended to the attribute's documentation.
    fn description(&self) -> String;
    fn validate(&self, value: &Value, path: &AttributePath, diags: &mut Diagnostics);
}

/// How an attribute's planned value is derived beyond "as configured".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlanModifier {
    /// A change to this attribute replaces the resource.
    RequiresReplace,
    /// A computed value that never changes once known: keep the prior state
    /// instead of showing "(known after apply)" on every update.
    UseStateForUnknown,
}

#[derive(Clone)]
pub struct Attribute {
    pub name: &'static str,
    pub ty: Type,
    /// Markdown.
    pub description: String,
    pub required: bool,
    pub optional: bool,
    pub computed: bool,
    pub sensitive: bool,
    pub write_only: bool,
    pub deprecation: Option<String>,
    pub default: Option<Value>,
    pub validators: Vec<Arc<dyn Validator>>,
    pub plan_modifiers: Vec<PlanModifier>,
}

impl Attribute {
    pub fn new(name: &'static str, ty: Type) -> Self {
        Attribute {
            name,
            ty,
            description: String::new(),
            required: false,
            optional: false,
            computed: false,
            sensitive: false,
            write_only: false,
            deprecation: None,
            default: None,
            validators: Vec::new(),
            plan_modifiers: Vec::new(),
        }
    }
    pub fn string(name: &'static str) -> Self {
        Self::new(name, Type::String)
    }
    pub fn bool(name: &'static str) -> Self {
        Self::new(name, Type::Bool)
    }
    pub fn number(name: &'static str) -> Self {
        Self::new(name, Type::Number)
    }
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }
    pub fn optional(mut self) -> Self {
        self.optional = true;
        self
    }
    pub fn computed(mut self) -> Self {
        self.computed = true;
        self
    }
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }
    pub fn write_only(mut self) -> Self {
        self.write_only = true;
        self
    }
    pub fn deprecated(mut self, message: &str) -> Self {
        self.deprecation = Some(message.to_string());
        self
    }
    pub fn describe(mut self, markdown: &str) -> Self {
        self.description = markdown.to_string();
        self
    }
    /// A default makes the attribute optional and computed: Terraform shows
    /// the default in the plan when the configuration leaves it out.
    pub fn default(mut self, value: Value) -> Self {
        self.default = Some(value);
        self.optional = true;
        self.computed = true;
        self
    }
    pub fn validator(mut self, v: impl Validator + 'static) -> Self {
        self.validators.push(Arc::new(v));
        self
    }
    pub fn requires_replace(mut self) -> Self {
        self.plan_modifiers.push(PlanModifier::RequiresReplace);
        self
    }
    pub fn use_state_for_unknown(mut self) -> Self {
        self.plan_modifiers.push(PlanModifier::UseStateForUnknown);
        self
    }
    pub fn has_modifier(&self, m: PlanModifier) -> bool {
        self.plan_modifiers.contains(&m)
    }

    /// The description Terraform and the docs show: the text plus what the
    /// validators and default say.
    pub fn full_description(&self) -> String {
        let mut parts = vec![self.description.clone()];
        parts.extend(self.validators.iter().map(|v| v.description()));
        if let Some(d) = &self.default
            && let Ok(json) = d.to_json(&self.ty)
        {
            parts.push(format!("Defaults to `{json}`."));
        }
        parts.retain(|p| !p.is_empty());
        parts.join(" ")
    }
}

/// Runs every attribute validator of a block on a configuration value,
/// recursing into nested blocks. Unknown and null values are skipped: they
/// are checked again once known.
pub fn validate_block(block: &Block, value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
    if !matches!(value, Value::Object(_)) {
        return;
    }
    for attr in &block.attributes {
        let v = value.attr(attr.name);
        let p = path.clone().attribute(attr.name);
        if v.is_null() || v.is_unknown() {
            continue;
        }
        if let Some(message) = &attr.deprecation {
            diags.attribute_warning(
                p.clone(),
                format!("Argument `{}` is deprecated", attr.name),
                message.clone(),
            );
        }
        for validator in &attr.validators {
            validator.validate(v, &p, diags);
        }
    }
    for nested in &block.blocks {
        let v = value.attr(nested.name);
        let p = path.clone().attribute(nested.name);
        match (nested.nesting, v) {
            (Nesting::Single, v) => validate_block(&nested.block, v, &p, diags),
            (_, Value::List(items) | Value::Set(items)) => {
                for (i, item) in items.iter().enumerate() {
                    validate_block(&nested.block, item, &p.clone().index(i as i64), diags);
                }
            }
            _ => {}
        }
    }
}
