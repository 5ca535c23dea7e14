//! The provider binary: Terraform starts it and talks to it over gRPC.

use std::process::ExitCode;

fn main() -> ExitCode {
    terraform_provider_rootaccess::plugin::serve(
        terraform_provider_rootaccess::provider::RootAccessProvider,
        terraform_provider_rootaccess::PROVIDER_ADDRESS,
    )
}
