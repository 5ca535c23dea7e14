//! The crate boundaries, as Cargo resolves them: the plugin framework knows
//! no AWS, the AWS crate knows no Terraform.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use crate::support;

/// Every package `package` depends on (normal and build dependencies).
fn dependencies_of(package: &str) -> Vec<String> {
    let out = Command::new(env!("CARGO"))
        .args([
            "tree",
            "--offline",
            "--edges",
            "normal,build",
            "--prefix",
            "none",
            "--package",
            package,
        ])
        .current_dir(support::repo_root())
        .output()
        .expect("run cargo tree");
    assert!(
        out.status.success(),
        "cargo tree -p {package}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

#[test]
fn the_framework_depends_on_nothing_of_aws() {
    let deps = dependencies_of("tfplugin");
    assert!(deps.iter().any(|d| d == "tonic"), "sanity: {deps:?}");
    let aws: Vec<&String> = deps
        .iter()
        .filter(|d| {
            d.starts_with("aws-sdk") || d.starts_with("aws-config") || *d == "aws-root-access"
        })
        .collect();
    assert!(aws.is_empty(), "tfplugin depends on {aws:?}");
}

#[test]
fn the_aws_crate_depends_on_nothing_of_terraform() {
    let deps = dependencies_of("aws-root-access");
    assert!(deps.iter().any(|d| d == "aws-sdk-sts"), "sanity: {deps:?}");
    let terraform: Vec<&String> = deps
        .iter()
        .filter(|d| ["tfplugin", "tonic", "prost", "rmp"].contains(&d.as_str()))
        .collect();
    assert!(
        terraform.is_empty(),
        "aws-root-access depends on {terraform:?}"
    );
}

/// A module's path inside its crate (`unlock::bucket`), from its file.
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src).unwrap_or(file);
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The modules a file names through `crate::` and `super::` paths (grouped
/// `use` lists included), as paths inside the crate.
fn modules_named(module: &[String], text: &str) -> Vec<Vec<String>> {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut found = Vec::new();
    let mut targets = |base: Vec<String>, rest: &str| {
        if let Some(group) = rest.strip_prefix('{') {
            let inner = group.split('}').next().unwrap_or_default();
            for item in inner.split(',') {
                let name = ident(item.trim());
                if !name.is_empty() && name != "self" {
                    let mut path = base.clone();
                    path.push(name);
                    found.push(path);
                }
            }
        } else {
            let mut path = base;
            path.push(ident(rest));
            found.push(path);
        }
    };
    for (at, _) in text.match_indices("crate::") {
        targets(Vec::new(), &text[at + "crate::".len()..]);
    }
    // `super::` is the parent module (of a file, or of a directory's mod.rs).
    let parent = module[..module.len().saturating_sub(1)].to_vec();
    for (at, _) in text.match_indices("super::") {
        let before = &text[..at];
        if before.ends_with("super::") {
            continue; // counted from the first `super::`
        }
        let mut base = parent.clone();
        let mut rest = &text[at + "super::".len()..];
        while let Some(next) = rest.strip_prefix("super::") {
            base.pop();
            rest = next;
        }
        targets(base, rest);
    }
    found
}

/// Cycles among sibling modules: for every pair of files, the edge goes
/// between the two children of their common parent that hold them.
fn sibling_cycles(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    let mut dirs = vec![src.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            let name = path.file_name().map(|n| n.to_string_lossy().to_string());
            if name.as_deref() == Some("tests") || name.as_deref() == Some("tests.rs") {
                continue; // unit tests may name anything of their parent
            }
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    let reexports = crate_root_reexports(src);
    for file in &files {
        let module = module_path(src, file);
        let text = std::fs::read_to_string(file).unwrap_or_default();
        // Only code: not the tests inside it, not comments.
        let code: String = text
            .split("#[cfg(test)]")
            .next()
            .unwrap_or_default()
            .lines()
            .filter(|line| !line.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        for target in modules_named(&module, &code) {
            let target = resolve_reexport(&reexports, target);
            let common = module
                .iter()
                .zip(&target)
                .take_while(|(a, b)| a == b)
                .count();
            if common < module.len() && common < target.len() {
                let from = module[..=common].to_vec();
                let to = target[..=common].to_vec();
                edges.entry(from).or_default().insert(to);
            }
        }
    }
    find_cycles(&edges)
}

/// Names the crate root re-exports (`pub use clients::AwsClients;`), by the
/// module that defines them.
fn crate_root_reexports(src: &Path) -> BTreeMap<String, Vec<String>> {
    let root = ["lib.rs", "main.rs"]
        .iter()
        .find_map(|f| std::fs::read_to_string(src.join(f)).ok())
        .unwrap_or_default();
    root.lines()
        .filter_map(|line| line.trim().strip_prefix("pub use "))
        .filter_map(|path| {
            let path = path.trim_end_matches(';');
            let parts: Vec<&str> = path.split("::").collect();
            let (name, module) = parts.split_last()?;
            (!module.is_empty() && !name.contains('{')).then(|| {
                (
                    name.to_string(),
                    module.iter().map(|m| m.to_string()).collect(),
                )
            })
        })
        .collect()
}

/// A path to a name the crate root re-exports, as a path into its module.
fn resolve_reexport(reexports: &BTreeMap<String, Vec<String>>, target: Vec<String>) -> Vec<String> {
    match target.first().and_then(|first| reexports.get(first)) {
        Some(module) => module.clone(),
        None => target,
    }
}

/// Every cycle of the graph, each named once by its modules in order.
fn find_cycles(edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Vec<String> {
    fn visit(
        node: &Vec<String>,
        edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        path: &mut Vec<Vec<String>>,
        done: &mut BTreeSet<Vec<String>>,
        cycles: &mut Vec<String>,
    ) {
        if let Some(at) = path.iter().position(|n| n == node) {
            let cycle: Vec<String> = path[at..].iter().map(|n| n.join("::")).collect();
            cycles.push(format!("{} -> {}", cycle.join(" -> "), node.join("::")));
            return;
        }
        if done.contains(node) {
            return;
        }
        path.push(node.clone());
        for next in edges.get(node).into_iter().flatten() {
            visit(next, edges, path, done, cycles);
        }
        path.pop();
        done.insert(node.clone());
    }
    let mut cycles = Vec::new();
    let mut done = BTreeSet::new();
    for node in edges.keys() {
        visit(node, edges, &mut Vec::new(), &mut done, &mut cycles);
    }
    cycles
}

#[test]
fn the_module_graph_of_each_crate_has_no_cycle() {
    let root = support::repo_root();
    for crate_src in ["src", "crates/tfplugin/src", "crates/aws-root-access/src"] {
        let src = root.join(crate_src);
        let cycles = sibling_cycles(&src);
        assert!(cycles.is_empty(), "{crate_src}: {cycles:?}");
    }
}
