//! What the first plan of a create read, kept for that create's apply-time
//! re-plan.
//!
//! Terraform plans every change twice: in the plan walk, whose result the
//! person approving sees, and again just before applying it, where every
//! value the first plan knew must come out the same or Terraform stops with
//! "Provider produced inconsistent final plan ... a bug in the provider".
//! For an update, Terraform hands both plans the private bytes of the last
//! refresh, so a plan made from them plans the same twice. For a create it
//! hands them nothing: a plan that shows something it read (the policy an
//! unlock removes) would plan differently if that changed in between.
//!
//! The two plans run in different provider processes: of one `terraform
//! apply` (same Terraform process), or of `terraform plan -out=F` and
//! `terraform apply F`. This module keeps what the first plan read in a
//! directory only this user can open, keyed by that Terraform run, so the
//! second plan can plan from it; apply then compares with what is there.
//!
//! It is best effort and never the only safeguard: where it cannot tell the
//! run (not Linux, a provider not started by Terraform, `terraform test`, a
//! plan applied on another machine) it keeps and recalls nothing, and the
//! second plan reads again, as before.
//!
//! The framework's only interface to it is [`CreateMemory`], which a create's
//! plan hook reaches through `Plan::remember` and `Plan::recall`; the rule
//! that only creates use it is [`CreateMemory::for_plan`].

mod invocation;
mod store;

use serde::Serialize;
use serde::de::DeserializeOwned;

pub(crate) use store::PlanMemory;

/// The plan memory as one create's plan sees it: typed readings under a key
/// (the object's name), for one resource type.
pub(crate) struct CreateMemory<'a> {
    memory: &'a PlanMemory,
    type_name: &'a str,
}

impl<'a> CreateMemory<'a> {
    /// The memory for a plan of `type_name`: only a create gets one (an
    /// update has the private bytes of its last refresh instead), and only
    /// where the memory could be opened.
    pub(crate) fn for_plan(
        memory: Option<&'a PlanMemory>,
        type_name: &'a str,
        is_create: bool,
    ) -> Option<CreateMemory<'a>> {
        Some(CreateMemory {
            memory: memory.filter(|_| is_create)?,
            type_name,
        })
    }

    pub(crate) fn remember<T: Serialize>(&self, key: &str, seen: &T) {
        match serde_json::to_vec(seen) {
            Ok(bytes) => self.memory.remember(self.type_name, key, &bytes),
            Err(e) => tracing::debug!(error = %e, key, "plan memory: reading not kept"),
        }
    }

    pub(crate) fn recall<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        let bytes = self.memory.recall(self.type_name, key)?;
        serde_json::from_slice(&bytes)
            .inspect_err(
                |e| tracing::debug!(error = %e, key, "plan memory: reading of another version"),
            )
            .ok()
    }
}
