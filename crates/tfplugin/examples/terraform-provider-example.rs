//! A complete Terraform provider written with tfplugin, small enough to read
//! top to bottom: the canonical "how to write a provider" for this crate.
//!
//! It manages local text files, so it needs no cloud:
//!
//! ```hcl
//! terraform {
//!   required_providers {
//!     example = { source = "example/example" }
//!   }
//! }
//!
//! provider "example" {
//!   base_dir = "." # optional: where relative paths point
//! }
//!
//! resource "example_file" "greeting" {
//!   path    = "hello.txt"
//!   content = "hello"
//! }
//!
//! output "shout" {
//!   value = provider::example::upper(example_file.greeting.content)
//! }
//! ```
//!
//! Terraform finds a provider binary by its name, `terraform-provider-<TYPE>`,
//! hence this example's name. To try it by hand, build it
//! (`cargo build -p tfplugin --example terraform-provider-example`) and point
//! a `dev_overrides` block of your CLI configuration at `target/debug/examples`
//! for `registry.terraform.io/example/example`; `tests/example_provider.rs`
//! does exactly that.
//!
//! The parts, in order: `main` serves the provider; the provider declares its
//! configuration and builds the client every handler receives; the resource
//! declares a schema and implements create, read, update, delete and import;
//! the function is a pure computation.

use std::io::ErrorKind;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tfplugin::{
    Attribute, AttributePath, Diagnostics, Function, FunctionError, Parameter, Provider,
    ReadOutcome, Resource, Schema, ServeOptions, Signature, StringCheck, Type, Value,
};

/// Terraform starts the binary; `serve` does the handshake, TLS and gRPC, and
/// returns when Terraform is done with the provider.
fn main() -> ExitCode {
    tfplugin::serve(
        ExampleProvider,
        &ServeOptions {
            provider_address: "registry.terraform.io/example/example",
            // Our own crate (and the framework) log at the level TF_LOG asks for.
            log_targets: &["terraform_provider_example", "tfplugin"],
            silenced_log_targets: &[],
        },
    )
}

// ---- The provider -----------------------------------------------------------

struct ExampleProvider;

/// What `configure` builds once from the provider block and hands to every
/// resource. A cloud provider would hold its SDK client here, and its handlers
/// would `.await` it; small local files are fine with blocking `std::fs`.
struct Files {
    base_dir: PathBuf,
}

impl Files {
    /// Where `path` is on disk (an absolute `path` ignores `base_dir`).
    fn resolve(&self, path: &str) -> PathBuf {
        self.base_dir.join(path)
    }
}

#[async_trait]
impl Provider for ExampleProvider {
    type Client = Files;

    fn type_name(&self) -> &'static str {
        "example"
    }

    fn schema(&self) -> Schema {
        Schema::new("Manages text files on the machine that runs Terraform.").attribute(
            Attribute::string("base_dir").optional().describe(
                "Directory that relative `path`s are resolved against. \
                 Defaults to Terraform's working directory.",
            ),
        )
    }

    async fn configure(&self, config: &Value, diags: &mut Diagnostics) -> Option<Files> {
        let base_dir = match config.attr("base_dir") {
            // Known only after apply: Terraform configures the provider again then.
            Value::Unknown => return None,
            Value::String(dir) => PathBuf::from(dir),
            _ => PathBuf::new(),
        };
        if !base_dir.as_os_str().is_empty() && !base_dir.is_dir() {
            diags.attribute_error(
                AttributePath::root("base_dir"),
                "No such directory",
                format!("{} is not a directory.", base_dir.display()),
            );
            return None;
        }
        Some(Files { base_dir })
    }

    fn resources(&self) -> Vec<Arc<dyn Resource<Files>>> {
        vec![Arc::new(FileResource)]
    }

    fn functions(&self) -> Vec<Arc<dyn Function>> {
        vec![Arc::new(Upper)]
    }
}

// ---- Resource `example_file` ------------------------------------------------

/// A text file with the configured content.
struct FileResource;

/// The resource's values as a Rust type: one field per attribute. Computed
/// attributes are `Option`s, since they are not known before apply.
#[derive(Serialize, Deserialize)]
struct FileModel {
    path: String,
    content: String,
    id: Option<String>,
}

const NOT_EMPTY: StringCheck = StringCheck {
    description: "Must not be empty.",
    check: |s| {
        if s.is_empty() {
            Err("The path is empty.".to_string())
        } else {
            Ok(())
        }
    },
};

#[async_trait]
impl Resource<Files> for FileResource {
    fn type_name(&self) -> &'static str {
        "example_file"
    }

    /// Constraints live in the schema; the framework plans accordingly: a new
    /// `path` replaces the file, a new `content` updates it in place, and `id`
    /// is "known after apply" on create, then kept.
    fn schema(&self) -> Schema {
        Schema::new("A text file. Deleting the resource deletes the file.")
            .attribute(
                Attribute::string("path")
                    .required()
                    .requires_replace()
                    .validator(NOT_EMPTY)
                    .describe(
                        "Where the file is: absolute, or relative to the provider's `base_dir`.",
                    ),
            )
            .attribute(
                Attribute::string("content")
                    .required()
                    .describe("The file's text."),
            )
            .attribute(
                Attribute::string("id")
                    .computed()
                    .use_state_for_unknown()
                    .describe("The path, as configured. Also the import ID."),
            )
    }

    async fn create(&self, files: &Files, planned: &Value, diags: &mut Diagnostics) -> Value {
        let Some(file) = decode(planned, diags) else {
            return Value::Null;
        };
        if let Err(e) = std::fs::write(files.resolve(&file.path), &file.content) {
            diags.attribute_error(
                AttributePath::root("path"),
                "Cannot write the file",
                format!("{}: {e}", file.path),
            );
            return Value::Null; // nothing was created
        }
        let id = Some(file.path.clone());
        encode(&FileModel { id, ..file }, diags)
    }

    /// Reports what is on disk, so Terraform shows drift: changed content
    /// plans an update, a deleted file plans a create.
    async fn read(&self, files: &Files, state: &Value, diags: &mut Diagnostics) -> ReadOutcome {
        let Some(file) = decode(state, diags) else {
            return ReadOutcome::Present(state.clone());
        };
        match std::fs::read_to_string(files.resolve(&file.path)) {
            Ok(content) => ReadOutcome::Present(encode(&FileModel { content, ..file }, diags)),
            Err(e) if e.kind() == ErrorKind::NotFound => {
                ReadOutcome::gone(format!("{} was deleted outside Terraform", file.path))
            }
            Err(e) => {
                diags.error("Cannot read the file", format!("{}: {e}", file.path));
                // The framework keeps the stored state after an error anyway.
                ReadOutcome::Present(state.clone())
            }
        }
    }

    /// Only `content` can change here: a new `path` replaces the resource.
    async fn update(
        &self,
        files: &Files,
        prior: &Value,
        planned: &Value,
        diags: &mut Diagnostics,
    ) -> Value {
        let Some(file) = decode(planned, diags) else {
            return prior.clone();
        };
        if let Err(e) = std::fs::write(files.resolve(&file.path), &file.content) {
            diags.error("Cannot write the file", format!("{}: {e}", file.path));
            return prior.clone();
        }
        // Apply returns what the plan knew unchanged: `id` was planned from
        // the prior state (`use_state_for_unknown`), and equals the path.
        let id = Some(file.path.clone());
        encode(&FileModel { id, ..file }, diags)
    }

    async fn delete(&self, files: &Files, prior: &Value, diags: &mut Diagnostics) {
        let Some(file) = decode(prior, diags) else {
            return;
        };
        match std::fs::remove_file(files.resolve(&file.path)) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::NotFound => {} // already gone: fine
            Err(e) => diags.error("Cannot delete the file", format!("{}: {e}", file.path)),
        }
    }

    fn plan_destroy(&self, prior: &Value, diags: &mut Diagnostics) {
        if let Some(file) = decode(prior, diags) {
            diags.warning(
                "The file will be deleted",
                format!("Destroy deletes {} and its contents.", file.path),
            );
        }
    }

    /// `terraform import example_file.NAME PATH`: a skeleton that `read`
    /// completes (and turns into Terraform's "cannot import non-existent
    /// remote object" error when there is no file).
    async fn import(&self, _files: &Files, id: &str, diags: &mut Diagnostics) -> Value {
        let skeleton = FileModel {
            path: id.to_string(),
            content: String::new(),
            id: Some(id.to_string()),
        };
        encode(&skeleton, diags)
    }
}

/// A value of `example_file` as a [`FileModel`]. Planned values may hold
/// unknowns (computed attributes), which read as `None`.
fn decode(value: &Value, diags: &mut Diagnostics) -> Option<FileModel> {
    match value.unknown_as_null().decode() {
        Ok(file) => Some(file),
        Err(e) => {
            diags.error(
                "Internal error",
                format!("Cannot read example_file values: {e}"),
            );
            None
        }
    }
}

fn encode(file: &FileModel, diags: &mut Diagnostics) -> Value {
    match Value::encode(file, &FileResource.schema().value_type()) {
        Ok(value) => value,
        Err(e) => {
            diags.error(
                "Internal error",
                format!("Cannot write example_file values: {e}"),
            );
            Value::Null
        }
    }
}

// ---- Function `provider::example::upper` ------------------------------------

/// A provider function: pure, it sees only its (known, non-null) arguments.
struct Upper;

impl Function for Upper {
    fn name(&self) -> &'static str {
        "upper"
    }

    fn signature(&self) -> Signature {
        Signature {
            parameters: vec![Parameter {
                name: "text",
                ty: Type::String,
                description: "Any string.",
            }],
            variadic: None,
            return_type: Type::String,
            summary: "Upper-cases a string",
            description: "Returns `text` with every letter in upper case.",
        }
    }

    fn call(&self, args: &[Value]) -> Result<Value, FunctionError> {
        // The framework has checked the number and types of the arguments.
        match args {
            [Value::String(text)] => Ok(Value::string(text.to_uppercase())),
            _ => Err(FunctionError {
                message: "upper takes one string.".to_string(),
                argument: None,
            }),
        }
    }
}
