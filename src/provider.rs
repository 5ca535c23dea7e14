//! The rootaccess provider: configuration and registration.
//!
//! Adding a resource, data source or function is one line in the matching
//! list below plus its own file.

use std::sync::Arc;

use async_trait::async_trait;

use crate::functions;
use crate::plugin::{Diagnostics, Function, Provider, Schema, Value};

/// The provider. Its client is built in `configure` and shared by every resource.
pub struct RootAccessProvider;

/// What `configure` hands to resources. The AWS layer fills this in.
pub struct Clients;

#[async_trait]
impl Provider for RootAccessProvider {
    type Client = Clients;

    fn type_name(&self) -> &'static str {
        "rootaccess"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            "The rootaccess provider manages AWS Organizations centralized root access from the \
             organization's management account (or the IAM delegated administrator).",
        )
    }

    async fn configure(&self, _config: &Value, _diags: &mut Diagnostics) -> Option<Clients> {
        Some(Clients)
    }

    fn functions(&self) -> Vec<Arc<dyn Function>> {
        vec![
            Arc::new(functions::task_policy_arn::TaskPolicyArn),
            Arc::new(functions::root_user_arn::RootUserArn),
        ]
    }
}
