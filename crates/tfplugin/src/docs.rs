//! Registry documentation generated from the schemas, so docs/ cannot drift
//! from what the provider accepts. Examples come from examples/, the same
//! files the tests apply.
//!
//! Layout (Terraform Registry): `docs/index.md`, `docs/resources/<name>.md`,
//! `docs/data-sources/<name>.md`, `docs/functions/<name>.md`,
//! `docs/ephemeral-resources/<name>.md`, `docs/actions/<name>.md`,
//! `docs/list-resources/<name>.md`, where `<name>` is the type without the
//! provider prefix. A resource with an identity documents its import by
//! identity.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::framework::Provider;
use super::identity::IdentitySchema;
use super::schema::{Attribute, Block, Nesting, Schema};

/// Every page, keyed by its path below docs/.
pub fn render<P: Provider>(provider: &P, examples: &Path) -> BTreeMap<PathBuf, String> {
    let prefix = format!("{}_", provider.type_name());
    let short = |name: &str| name.strip_prefix(&prefix).unwrap_or(name).to_string();
    let mut pages = BTreeMap::new();
    let provider_example = read(examples.join("provider/provider.tf"));
    pages.insert(
        PathBuf::from("index.md"),
        page(
            &format!("{} Provider", provider.type_name()),
            None,
            &provider.schema(),
            provider_example.as_deref(),
            None,
            false,
        ),
    );
    let mut kind = |dir: &str, label: &str, file: &str, items: Vec<(&'static str, Schema)>| {
        for (name, schema) in items {
            let example = read(examples.join(dir).join(name).join(file));
            let import = read(examples.join(dir).join(name).join("import.sh"));
            let body = page(
                name,
                Some(label),
                &schema,
                example.as_deref(),
                import.as_deref(),
                file.ends_with(".tfquery.hcl"),
            );
            pages.insert(PathBuf::from(dir).join(format!("{}.md", short(name))), body);
        }
    };
    let resources = provider.resources();
    kind(
        "resources",
        "Resource",
        "resource.tf",
        resources
            .iter()
            .map(|r| (r.type_name(), r.schema()))
            .collect(),
    );
    kind(
        "list-resources",
        "List Resource",
        "list-resource.tfquery.hcl",
        provider
            .list_resources()
            .iter()
            .map(|l| (l.type_name(), l.schema()))
            .collect(),
    );
    kind(
        "data-sources",
        "Data Source",
        "data-source.tf",
        provider
            .data_sources()
            .iter()
            .map(|d| (d.type_name(), d.schema()))
            .collect(),
    );
    kind(
        "ephemeral-resources",
        "Ephemeral Resource",
        "ephemeral-resource.tf",
        provider
            .ephemeral_resources()
            .iter()
            .map(|e| (e.type_name(), e.schema()))
            .collect(),
    );
    kind(
        "actions",
        "Action",
        "action.tf",
        provider
            .actions()
            .iter()
            .map(|a| (a.type_name(), a.schema()))
            .collect(),
    );
    for resource in &resources {
        if let Some(identity) = resource.0.identity_schema()
            && let Some(body) = pages.get_mut(
                &PathBuf::from("resources").join(format!("{}.md", short(resource.type_name()))),
            )
        {
            identity_doc(body, resource.type_name(), &identity);
        }
    }
    for f in provider.functions() {
        let sig = f.signature();
        let mut out = format!(
            "---\npage_title: \"{} function - {}\"\nsubcategory: \"\"\ndescription: |-\n  {}\n---\n\n",
            f.name(),
            provider.type_name(),
            sig.summary
        );
        let _ = writeln!(out, "# function: {}\n\n{}\n", f.name(), sig.description);
        if let Some(example) = read(
            examples
                .join("functions")
                .join(f.name())
                .join("function.tf"),
        ) {
            let _ = writeln!(
                out,
                "## Example Usage\n\n```terraform\n{}\n```\n",
                example.trim_end()
            );
        }
        let mut params: Vec<String> = sig
            .parameters
            .iter()
            .map(|p| format!("{} {}", p.name, type_name(&p.ty)))
            .collect();
        if let Some(p) = &sig.variadic {
            params.push(format!("{}... {}", p.name, type_name(&p.ty)));
        }
        let _ = writeln!(
            out,
            "## Signature\n\n```text\n{}({}) {}\n```\n\n## Arguments\n",
            f.name(),
            params.join(", "),
            type_name(&sig.return_type)
        );
        for (i, p) in sig.parameters.iter().enumerate() {
            let _ = writeln!(
                out,
                "{}. `{}` ({}) {}",
                i + 1,
                p.name,
                type_name(&p.ty),
                p.description
            );
        }
        if let Some(p) = &sig.variadic {
            let _ = writeln!(
                out,
                "{}. `{}` ({}, optional) {}",
                sig.parameters.len() + 1,
                p.name,
                type_name(&p.ty),
                p.description
            );
        }
        pages.insert(
            PathBuf::from("functions").join(format!("{}.md", f.name())),
            out,
        );
    }
    pages
}

fn read(path: PathBuf) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

fn type_name(ty: &super::value::Type) -> String {
    use super::value::Type;
    match ty {
        Type::Bool => "Boolean".into(),
        Type::Number => "Number".into(),
        Type::String => "String".into(),
        Type::Dynamic => "Dynamic".into(),
        Type::List(t) => format!("List of {}", type_name(t)),
        Type::Set(t) => format!("Set of {}", type_name(t)),
        Type::Map(t) => format!("Map of {}", type_name(t)),
        Type::Object(_) => "Object".into(),
        Type::Tuple(_) => "Tuple".into(),
    }
}

/// The import-by-identity section of a resource page (Terraform 1.12+).
fn identity_doc(out: &mut String, resource: &str, identity: &IdentitySchema) {
    let _ = writeln!(
        out,
        "\n### Import by identity\n\nWith Terraform 1.12 or later an `import` block can name the object by its \
         identity instead of an id (`terraform query` writes such blocks):\n\n```terraform\nimport {{\n  to = \
         {resource}.example\n  identity = {{"
    );
    for a in &identity.attributes {
        let _ = writeln!(out, "    {} = \"...\"", a.name);
    }
    let _ = writeln!(out, "  }}\n}}\n```\n\nIdentity attributes:\n");
    for a in &identity.attributes {
        let need = if a.required_for_import {
            "Required"
        } else {
            "Optional"
        };
        let _ = writeln!(
            out,
            "- `{}` ({}, {need}) {}",
            a.name,
            type_name(&a.ty),
            a.description
        );
    }
}

fn page(
    title: &str,
    label: Option<&str>,
    schema: &Schema,
    example: Option<&str>,
    import: Option<&str>,
    query_example: bool,
) -> String {
    let first_line = schema
        .block
        .description
        .split(". ")
        .next()
        .unwrap_or_default()
        .trim_end_matches('.');
    let mut out = String::new();
    let full_title = match label {
        Some(l) => format!("{title} ({l})"),
        None => title.to_string(),
    };
    let _ = write!(
        out,
        "---\npage_title: \"{full_title}\"\nsubcategory: \"\"\ndescription: |-\n  {first_line}.\n---\n\n"
    );
    let _ = writeln!(out, "# {full_title}\n\n{}\n", schema.block.description);
    if let Some(e) = example {
        let (heading, note) = if query_example {
            (
                "## Example Usage",
                "In a `.tfquery.hcl` file, run with `terraform query` (Terraform 1.14 or later); \
                 `terraform query -generate-config-out=generated.tf` writes the resources and their `import` \
                 blocks.\n\n",
            )
        } else {
            ("## Example Usage", "")
        };
        let _ = writeln!(
            out,
            "{heading}\n\n{note}```terraform\n{}\n```\n",
            e.trim_end()
        );
    }
    out.push_str(if query_example {
        "## Schema of `config`\n\n"
    } else {
        "## Schema\n\n"
    });
    block_doc(&mut out, &schema.block, "");
    if let Some(i) = import {
        let _ = writeln!(
            out,
            "## Import\n\nImport is supported with `terraform import` and with an `import` block; the id format is shown here:\n\n```shell\n{}\n```",
            i.trim_end()
        );
    }
    out
}

fn attribute_line(a: &Attribute) -> String {
    let mut flags = vec![type_name(&a.ty)];
    if a.sensitive {
        flags.push("Sensitive".into());
    }
    if a.write_only {
        flags.push("Write-only".into());
    }
    if a.deprecation.is_some() {
        flags.push("Deprecated".into());
    }
    format!(
        "- `{}` ({}) {}\n",
        a.name,
        flags.join(", "),
        a.full_description()
    )
}

fn block_doc(out: &mut String, block: &Block, anchor: &str) {
    fn is_required(a: &Attribute) -> bool {
        a.required
    }
    fn is_optional(a: &Attribute) -> bool {
        a.optional
    }
    fn is_read_only(a: &Attribute) -> bool {
        a.computed && !a.optional && !a.required
    }
    type Pick = fn(&Attribute) -> bool;
    let groups: [(&str, Pick); 3] = [
        ("Required", is_required),
        ("Optional", is_optional),
        ("Read-Only", is_read_only),
    ];
    for (heading, pick) in groups {
        let attrs: Vec<&Attribute> = block.attributes.iter().filter(|a| pick(a)).collect();
        let blocks: Vec<_> = match heading {
            "Required" => block.blocks.iter().filter(|b| b.min_items > 0).collect(),
            "Optional" => block.blocks.iter().filter(|b| b.min_items == 0).collect(),
            _ => Vec::new(),
        };
        if attrs.is_empty() && blocks.is_empty() {
            continue;
        }
        let _ = writeln!(out, "### {heading}\n");
        for a in attrs {
            out.push_str(&attribute_line(a));
        }
        for b in &blocks {
            let kind = match b.nesting {
                Nesting::Single => "Block",
                Nesting::List => "Block List",
                Nesting::Set => "Block Set",
            };
            let _ = writeln!(
                out,
                "- `{}` ({kind}) {} (see [below for nested schema](#nestedblock--{anchor}{}))",
                b.name, b.block.description, b.name
            );
        }
        out.push('\n');
    }
    for b in &block.blocks {
        let _ = writeln!(
            out,
            "<a id=\"nestedblock--{anchor}{}\"></a>\n### Nested Schema for `{}`\n",
            b.name, b.name
        );
        block_doc(out, &b.block, &format!("{anchor}{}--", b.name));
    }
}
