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

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tfplugin::{
    Attribute, AttributePath, Diagnostics, Function, FunctionError, FunctionType, Known, Nothing,
    Parameter, Provider, ReadOutcome, Resource, ResourceType, Schema, ServeOptions, Signature,
    StringCheck, Type,
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

/// The provider block as a Rust type: one field per attribute.
#[derive(Deserialize)]
struct ProviderConfig {
    base_dir: Option<PathBuf>,
}

#[async_trait]
impl Provider for ExampleProvider {
    type Client = Files;
    type Config = ProviderConfig;

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

    /// Called once the provider block is known (a `base_dir` known only
    /// after apply waits for it).
    async fn configure(&self, config: &ProviderConfig, diags: &mut Diagnostics) -> Option<Files> {
        let base_dir = config.base_dir.clone().unwrap_or_default();
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

    fn resources(&self) -> Vec<ResourceType<Files>> {
        vec![ResourceType::new(FileResource)]
    }

    fn functions(&self) -> Vec<FunctionType> {
        vec![FunctionType::new(Upper)]
    }
}

// ---- Resource `example_file` ------------------------------------------------

/// A text file with the configured content.
struct FileResource;

/// The resource's state as a Rust type: one field per attribute. The
/// framework decodes what Terraform sends into it, and encodes it back.
#[derive(Serialize, Deserialize, Clone)]
struct FileModel {
    path: String,
    content: String,
    id: Option<String>,
}

/// The plan, as apply carries it out. Any value may be unknown in a plan
/// (`content` from another resource's output, or the computed `id` on
/// create), so each is a [`Known`]; by apply, Terraform has made every
/// configured value known.
#[derive(Serialize, Deserialize)]
struct PlannedFile {
    path: Known<String>,
    content: Known<String>,
}

impl PlannedFile {
    /// The file as apply writes it, with its `id`.
    fn to_write(&self) -> Option<FileModel> {
        let (Some(path), Some(content)) = (self.path.get(), self.content.get()) else {
            return None; // never at apply: Terraform applies known configuration
        };
        Some(FileModel {
            path: path.clone(),
            content: content.clone(),
            id: Some(path.clone()),
        })
    }
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
    /// No checks across attributes, no plan hook, nothing private: the
    /// schema and the framework plan this resource.
    type Config = Nothing;
    type Planned = PlannedFile;
    type State = FileModel;
    type Private = Nothing;

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

    async fn create(
        &self,
        files: &Files,
        planned: &PlannedFile,
        diags: &mut Diagnostics,
    ) -> Option<FileModel> {
        let file = planned.to_write()?;
        if let Err(e) = std::fs::write(files.resolve(&file.path), &file.content) {
            diags.attribute_error(
                AttributePath::root("path"),
                "Cannot write the file",
                format!("{}: {e}", file.path),
            );
            return None; // nothing was created
        }
        Some(file)
    }

    /// Reports what is on disk, so Terraform shows drift: changed content
    /// plans an update, a deleted file plans a create.
    async fn read(
        &self,
        files: &Files,
        file: &FileModel,
        diags: &mut Diagnostics,
    ) -> ReadOutcome<FileModel> {
        match std::fs::read_to_string(files.resolve(&file.path)) {
            Ok(content) => ReadOutcome::Present(FileModel {
                content,
                ..file.clone()
            }),
            Err(e) if e.kind() == ErrorKind::NotFound => {
                ReadOutcome::gone(format!("{} was deleted outside Terraform", file.path))
            }
            Err(e) => {
                diags.error("Cannot read the file", format!("{}: {e}", file.path));
                ReadOutcome::Unchanged // keep what the state holds
            }
        }
    }

    /// Only `content` can change here: a new `path` replaces the resource.
    /// Apply returns what the plan knew unchanged: `id` was planned from the
    /// prior state (`use_state_for_unknown`), and equals the path.
    async fn update(
        &self,
        files: &Files,
        _prior: &FileModel,
        planned: &PlannedFile,
        diags: &mut Diagnostics,
    ) -> Option<FileModel> {
        let file = planned.to_write()?;
        if let Err(e) = std::fs::write(files.resolve(&file.path), &file.content) {
            diags.error("Cannot write the file", format!("{}: {e}", file.path));
            return None; // the prior state still holds
        }
        Some(file)
    }

    async fn delete(&self, files: &Files, file: &FileModel, diags: &mut Diagnostics) {
        match std::fs::remove_file(files.resolve(&file.path)) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::NotFound => {} // already gone: fine
            Err(e) => diags.error("Cannot delete the file", format!("{}: {e}", file.path)),
        }
    }

    fn plan_destroy(&self, file: &FileModel, diags: &mut Diagnostics) {
        diags.warning(
            "The file will be deleted",
            format!("Destroy deletes {} and its contents.", file.path),
        );
    }

    /// `terraform import example_file.NAME PATH`: a skeleton that `read`
    /// completes (and turns into Terraform's "cannot import non-existent
    /// remote object" error when there is no file).
    async fn import(
        &self,
        _files: &Files,
        id: &str,
        _diags: &mut Diagnostics,
    ) -> Option<FileModel> {
        Some(FileModel {
            path: id.to_string(),
            content: String::new(),
            id: Some(id.to_string()),
        })
    }
}

// ---- Function `provider::example::upper` ------------------------------------

/// A provider function: pure, it sees only its (known, non-null) arguments.
struct Upper;

impl Function for Upper {
    /// One element per parameter.
    type Args = (String,);
    type Output = String;

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

    /// The framework has checked the number and types of the arguments.
    fn call(&self, (text,): (String,)) -> Result<String, FunctionError> {
        Ok(text.to_uppercase())
    }
}
