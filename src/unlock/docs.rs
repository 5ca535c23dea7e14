//! The documentation and schema attributes both unlock resources share.

use crate::checks::POLICY_JSON;
use tfplugin::{Attribute, Schema, Type};

/// The paragraphs both resources' documentation shares: what the plan
/// shows and what counts as drift. `object`: "bucket" or "queue".
pub fn plan_and_drift(object: &str) -> String {
    format!(
        "**What the plan shows.** The plan reads the {object}'s current policy through the root session and shows \
         it as `removed_policy`, so the person approving sees exactly what goes. If the policy is different by \
         the time of the apply, nothing is removed and the apply fails. When the unlock runs again (a refresh \
         found the lock back, or `triggers` changed), the plan shows the policy that refresh saw and the \
         provider refuses any other with its own error. On the first unlock the plan reads the policy \
         itself and Terraform's final check before the apply plans from that reading (kept on this machine, \
         see the provider's design notes on the plan memory); where it cannot (a plan applied on another \
         machine), Terraform's final check reads again and stops if the policy changed. A {object} without a \
         policy is already unlocked: the apply succeeds with a warning.\n\n\
         **Drift.** A refresh checks the {object}: if the removed policy is back (or, with `replacement_policy`, \
         the {object} holds any other policy), `unlocked` turns `false` and the next apply unlocks it again. Any \
         other policy put on the {object} later is legitimate and never planned for deletion. A {object} that no \
         longer exists removes the resource from state."
    )
}

/// Adds the attributes both resources share. `object` names what is unlocked
/// ("bucket" or "queue"), `call` the AWS call that puts a policy.
pub fn shared_attributes(schema: Schema, object: &str, call: &str) -> Schema {
    schema
        .attribute(Attribute::string("replacement_policy").optional().validator(POLICY_JSON).describe(&format!(
            "A policy to put on the {object} instead of deleting the locking one ({call}), for example a corrected \
             version of it. Compared with what AWS holds as a JSON document, so formatting does not matter. While it \
             is set, any other policy on the {object} is drift and the next apply puts it back. Changing it puts the \
             new policy; removing it deletes the policy the provider put."
        )))
        .attribute(Attribute::new("triggers", Type::map(Type::String)).optional().describe(&format!(
            "Arbitrary strings; any change runs the unlock again as an in-place update (not a replacement), removing \
             whatever policy the {object} has by then. The plan shows that policy in `removed_policy` first."
        )))
        .attribute(Attribute::string("removed_policy").computed().describe(&format!(
            "The policy the unlock removes or replaces, as JSON text exactly as AWS returned it. The plan shows it \
             before anything is removed (read through the root session), so the person approving sees what goes. \
             Null when the {object} had no policy. When a later run (`triggers`) finds nothing to remove, the earlier \
             value is kept: it is what a refresh watches for."
        )))
        .attribute(Attribute::bool("unlocked").computed().describe(&format!(
            "Whether the {object} is still as the unlock left it. A refresh sets it to `false` when the removed \
             policy is back on the {object} (or, with `replacement_policy`, when the {object} holds any other \
             policy); the next plan shows `false -> true` and the apply unlocks it again. Any other policy \
             someone puts on the {object} later is theirs: it is never planned for deletion."
        )))
}
