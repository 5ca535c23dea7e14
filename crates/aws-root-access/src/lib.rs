//! AWS Organizations centralized root access through the AWS SDK for Rust:
//! configuration, clients, root sessions (`sts:AssumeRoot`), the
//! organization, root credentials, resource-policy unlocks, and error
//! classification. Knows nothing of Terraform.

mod accounts;
mod attempts;
pub mod caller;
mod clients;
mod error;
pub mod ids;
mod last_failure;
pub mod org_features;
pub mod organization;
pub mod partition;
pub mod resource_policies;
mod root_client;
pub mod root_credentials;
mod root_session;
pub mod scp;
mod settings;
pub mod task_policy;

pub use accounts::AccountState;
pub use accounts::Membership;
pub use accounts::OrgAccount;
pub use accounts::Organization;
pub use clients::AwsClients;
pub use error::AwsError;
pub use error::ErrorKind;
pub use root_client::RootClient;
pub use root_client::RootService;
pub use settings::AssumeRole;
pub use settings::AwsSettings;
pub use settings::DEFAULT_CALL_TIMEOUT;
pub use settings::DEFAULT_REQUEST_TIMEOUT;
pub use settings::Endpoints;
pub use settings::MAX_ROOT_SESSION;
pub use settings::StaticCredentials;
