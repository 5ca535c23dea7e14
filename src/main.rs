//! The provider binary: Terraform starts it and talks to it over gRPC.

use std::process::ExitCode;

use terraform_provider_rootaccess::provider::RootAccessProvider;
use tfplugin::ServeOptions;

fn main() -> ExitCode {
    tfplugin::serve(
        RootAccessProvider,
        &ServeOptions {
            provider_address: terraform_provider_rootaccess::PROVIDER_ADDRESS,
            log_targets: &[
                "terraform_provider_rootaccess",
                "aws_root_access",
                "tfplugin",
            ],
            // The request signer logs its input, session tokens included, at trace.
            silenced_log_targets: &["aws_sigv4"],
        },
    )
}
