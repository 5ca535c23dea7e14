//! What the unlock resources tell the person running Terraform: a policy
//! the plan cannot show, a read that failed at plan, nothing to remove, and
//! a destroy that changes nothing.

use aws_root_access::{AwsError, ErrorKind};
use tfplugin::Diagnostics;

use crate::errors::{advice, aws_diagnostic};

/// The plan cannot show the policy an unlock removes: say so, and why, so
/// nobody approves a deletion they could not see.
pub fn shown_at_apply(what: &str, why: &str, diags: &mut Diagnostics) {
    diags.warning(
        format!("The policy of {what} will be shown at apply"),
        format!(
            "The plan cannot show which policy this unlock removes: {why}. Apply removes (or replaces) whatever \
             policy {what} holds then, and records it in removed_policy. To review it first, make the value known \
             (for example apply its dependencies with -target) and plan again."
        ),
    );
}

/// A plan-time read of the policy failed. When root sessions are not
/// available yet (the organization feature or IAM trusted access is off,
/// typically because `rootaccess_org_features` enables them in this same run),
/// the plan goes on with `removed_policy` known after apply and a warning;
/// apply reads the policy then and fails clearly if the feature is still off.
/// Any other failure is an error.
pub fn plan_read_failed(e: &AwsError, what: &str, diags: &mut Diagnostics) {
    if e.is(ErrorKind::ScpDenied) {
        diags.warning(
            format!("An SCP blocks root sessions: the policy of {what} cannot be read or removed"),
            format!(
                "{e}\n\n{} Until then, applying this unlock fails and changes nothing.",
                advice(e.kind)
            ),
        );
    } else if e.is(ErrorKind::FeatureNotEnabled) || e.is(ErrorKind::TrustedAccessOff) {
        diags.warning(
            format!("The policy of {what} will be shown at apply"),
            format!(
                "No root session can read it yet ({}). If this run enables the RootSessions feature (for example \
                 with rootaccess_org_features), the policy is read and removed at apply; otherwise apply fails \
                 with the same reason.",
                e.message
            ),
        );
    } else {
        diags.extend(aws_diagnostic(e, &format!("read the policy of {what}")));
    }
}

/// The warning for an object that had no policy when the unlock ran.
pub fn nothing_to_remove(what: &str, replacement: bool, diags: &mut Diagnostics) {
    let detail = if replacement {
        format!(
            "{what} had no policy, so nothing was removed; the replacement policy was put on it."
        )
    } else {
        format!("{what} had no policy, so it is already unlocked and nothing was removed.")
    };
    diags.warning(format!("No policy on {what}"), detail);
}

/// The warning on destroy: it changes nothing in AWS.
pub fn destroy_warning(what: &str, diags: &mut Diagnostics) {
    diags.warning(
        format!("Unlock of {what} removed from state only"),
        format!(
            "Destroying this resource does not restore the policy it removed and does not touch {what}: \
             the policy it holds now stays."
        ),
    );
}
