//! What the resources of one configuration claim in AWS, so that two that
//! contradict each other (password recovery and password deletion in one
//! account) or do one job twice (two resources for one account, bucket or
//! queue) are told at plan instead of undoing each other on every apply.
//!
//! Terraform plans every resource of a command in one provider process but
//! tells a provider nothing of the others, so the plans of one provider
//! configuration (one set of AWS clients) leave their claims here.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use aws_root_access::AwsClients;
use tfplugin::{AttributePath, Diagnostics};

/// A part of AWS one resource manages.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Subject {
    /// The root password (login profile) of an account: deleted, or kept for recovery.
    RootPassword(String),
    /// The root credentials of an account, as a whole.
    RootCredentials(String),
    /// A bucket's or queue's policy, by what names it (`s3://b in a`, a queue URL).
    ResourcePolicy(String),
}

/// What a resource does with its subject.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stance {
    Deletes,
    Keeps,
    Manages,
    /// Manages it as one account of a scope (rootaccess_org_credentials_absent).
    Sweeps,
}

/// The resource type that keeps a whole scope's root credentials absent.
const SCOPE_TYPE: &str = "rootaccess_org_credentials_absent";

/// How the resource of `type_name` leaves `account` alone.
fn leave_alone(type_name: &str, account: &str) -> String {
    if type_name == SCOPE_TYPE {
        format!("add \"{account}\" to exclude_account_ids of the {type_name}")
    } else {
        format!("remove the {type_name} of account {account}")
    }
}

struct Holder {
    type_name: &'static str,
    stance: Stance,
}

/// Who claimed what, by the id of the clients the plan used (one provider
/// configuration) and the subject.
type Claims = HashMap<(u64, Subject), Vec<Holder>>;

static CLAIMS: LazyLock<Mutex<Claims>> = LazyLock::new(Default::default);

/// Records that a resource of `type_name` takes `stance` on `subject`, and
/// reports a claim of another resource planned before it in this command:
/// an error when the two contradict each other, a warning when two
/// resources of one type manage the same thing.
pub fn claim(
    aws: &AwsClients,
    subject: Subject,
    type_name: &'static str,
    stance: Stance,
    diags: &mut Diagnostics,
) {
    claim_at(
        aws,
        subject,
        type_name,
        stance,
        AttributePath::root("account_id"),
        diags,
    );
}

/// [`claim`], with the problems reported at `at` (the attribute that
/// brings the subject into the resource).
pub fn claim_at(
    aws: &AwsClients,
    subject: Subject,
    type_name: &'static str,
    stance: Stance,
    at: AttributePath,
    diags: &mut Diagnostics,
) {
    let mut claims = CLAIMS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let holders = claims.entry((aws.id(), subject.clone())).or_default();
    let contradiction = holders
        .iter()
        .find(|h| h.stance != stance && h.type_name != type_name);
    let twin = holders.iter().find(|h| h.type_name == type_name);
    match (&subject, contradiction, twin) {
        // Twins on the password are told once, as twins on the credentials.
        (Subject::RootPassword(_), None, _) => {}
        (Subject::RootPassword(account), Some(other), _) => {
            let (recovery, deletion) = if stance == Stance::Keeps {
                (type_name, other.type_name)
            } else {
                (other.type_name, type_name)
            };
            let keep_deletion = if deletion == SCOPE_TYPE {
                leave_alone(deletion, account)
            } else {
                format!(
                    "leave `password` out of credential_types of the {deletion} for this account (credential_types \
                     = [\"access_keys\", \"signing_certificates\", \"mfa_devices\"])"
                )
            };
            diags.attribute_error(
                at,
                format!("Two resources contradict each other in account {account}"),
                format!(
                    "{recovery} keeps a root login profile in account {account} so that its root password can be \
                     recovered, and {deletion} deletes that account's root password (`password` is in its \
                     credential_types). Each apply would undo the other. Keep one: {keep_deletion}, or remove the \
                     {recovery}."
                ),
            );
        }
        // One account's credentials in a scope and in a resource of its own.
        (Subject::RootCredentials(account), Some(other), _) => {
            let (single, scope) = if stance == Stance::Sweeps {
                (other.type_name, type_name)
            } else {
                (type_name, other.type_name)
            };
            diags.attribute_error(
                at,
                format!("Two resources manage the root credentials of account {account}"),
                format!(
                    "The {scope} covers account {account}, which also has a {single} of its own. Their plans and \
                     states would disagree (each apply may show the other's work as drift, and their \
                     credential_types may differ). Keep one: {}, or {}.",
                    leave_alone(scope, account),
                    leave_alone(single, account)
                ),
            );
        }
        // Overlapping scopes delete the same credentials once: no warning
        // per account (there may be thousands).
        (_, _, Some(_)) if stance == Stance::Sweeps => {}
        (_, _, Some(_)) => diags.attribute_warning(
            at,
            format!("Two {type_name} resources manage {}", describe(&subject)),
            format!(
                "Another {type_name} in this configuration already manages {}. Both act on the same thing, so \
                 their plans and states can disagree (each apply may show the other's work as drift). Keep one \
                 resource for it.",
                describe(&subject)
            ),
        ),
        _ => {}
    }
    holders.push(Holder { type_name, stance });
}

fn describe(subject: &Subject) -> String {
    match subject {
        Subject::RootPassword(account) => format!("the root password of account {account}"),
        Subject::RootCredentials(account) => format!("the root credentials of account {account}"),
        Subject::ResourcePolicy(what) => format!("the policy of {what}"),
    }
}
