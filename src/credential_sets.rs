//! Root credentials as resources hold them: one set of ids per kind, the
//! shape of the `present_*` and `removed_*` attributes
//! (`rootaccess_member_credentials_absent`, and what `terraform query`
//! lists), and the error of a deletion that only partly succeeded.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::errors::advice;
use aws_root_access::root_credentials::{
    Credential, CredentialType, Deletion, MfaKind, RootCredentials,
};
use tfplugin::{Attribute, AttributePath, Diagnostics, Known, OneOf, Type, Value, null_as_default};

/// Root credentials by kind. Fields are null in an imported state before its
/// first refresh; they read as empty.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct CredentialSets {
    #[serde(deserialize_with = "null_as_default")]
    pub password: bool,
    #[serde(deserialize_with = "null_as_default")]
    pub access_key_ids: BTreeSet<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub signing_certificate_ids: BTreeSet<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub mfa_serials: BTreeSet<String>,
}

impl CredentialSets {
    pub fn of(items: impl IntoIterator<Item = Credential>) -> CredentialSets {
        let mut sets = CredentialSets::default();
        sets.add(items);
        sets
    }

    pub fn found(found: &RootCredentials) -> CredentialSets {
        CredentialSets::of(found.items())
    }

    pub fn add(&mut self, items: impl IntoIterator<Item = Credential>) {
        for item in items {
            match item {
                Credential::Password => self.password = true,
                Credential::AccessKey(id) => _ = self.access_key_ids.insert(id),
                Credential::SigningCertificate(id) => _ = self.signing_certificate_ids.insert(id),
                Credential::MfaDevice(serial) => _ = self.mfa_serials.insert(serial),
            }
        }
    }

    /// Each credential on its own, by kind in [`CredentialType::ALL`] order.
    pub fn items(&self) -> Vec<Credential> {
        CredentialType::ALL
            .into_iter()
            .flat_map(|t| self.items_of(t))
            .collect()
    }

    pub fn items_of(&self, t: CredentialType) -> Vec<Credential> {
        let ids = |set: &BTreeSet<String>, make: fn(String) -> Credential| {
            set.iter().cloned().map(make).collect()
        };
        match t {
            CredentialType::Password if self.password => vec![Credential::Password],
            CredentialType::Password => Vec::new(),
            CredentialType::AccessKeys => ids(&self.access_key_ids, Credential::AccessKey),
            CredentialType::SigningCertificates => ids(
                &self.signing_certificate_ids,
                Credential::SigningCertificate,
            ),
            CredentialType::MfaDevices => ids(&self.mfa_serials, Credential::MfaDevice),
        }
    }

    /// Makes kind `t` as it is in `from`.
    pub fn set_kind(&mut self, t: CredentialType, from: &CredentialSets) {
        match t {
            CredentialType::Password => self.password = from.password,
            CredentialType::AccessKeys => self.access_key_ids = from.access_key_ids.clone(),
            CredentialType::SigningCertificates => {
                self.signing_certificate_ids = from.signing_certificate_ids.clone()
            }
            CredentialType::MfaDevices => self.mfa_serials = from.mfa_serials.clone(),
        }
    }

    /// Only the credentials of `types`.
    pub fn of_types(&self, types: &BTreeSet<CredentialType>) -> CredentialSets {
        CredentialSets::of(types.iter().flat_map(|t| self.items_of(*t)))
    }

    pub fn is_empty(&self) -> bool {
        self == &CredentialSets::default()
    }

    /// "password, 2 access keys, 1 MFA device": a short count for lists.
    pub fn summary(&self) -> String {
        let count = |n: usize, one: &str, many: &str| match n {
            0 => None,
            1 => Some(format!("1 {one}")),
            n => Some(format!("{n} {many}")),
        };
        let parts: Vec<String> = [
            self.password.then(|| "password".to_string()),
            count(self.access_key_ids.len(), "access key", "access keys"),
            count(
                self.signing_certificate_ids.len(),
                "signing certificate",
                "signing certificates",
            ),
            count(self.mfa_serials.len(), "MFA device", "MFA devices"),
        ]
        .into_iter()
        .flatten()
        .collect();
        if parts.is_empty() {
            "no root credentials".to_string()
        } else {
            parts.join(", ")
        }
    }
}

/// The same attributes in a plan, each known or not.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct PlannedSets {
    pub password: Known<bool>,
    pub access_key_ids: Known<BTreeSet<String>>,
    pub signing_certificate_ids: Known<BTreeSet<String>>,
    pub mfa_serials: Known<BTreeSet<String>>,
}

impl PlannedSets {
    /// Plans kind `t` as it is in `sets`.
    pub fn set(&mut self, t: CredentialType, sets: &CredentialSets) {
        match t {
            CredentialType::Password => self.password = sets.password.into(),
            CredentialType::AccessKeys => self.access_key_ids = sets.access_key_ids.clone().into(),
            CredentialType::SigningCertificates => {
                self.signing_certificate_ids = sets.signing_certificate_ids.clone().into()
            }
            CredentialType::MfaDevices => self.mfa_serials = sets.mfa_serials.clone().into(),
        }
    }

    /// The sets, each kind not known taken from `fallback`.
    pub fn known_or(&self, fallback: &CredentialSets) -> CredentialSets {
        CredentialSets {
            password: *self.password.get().unwrap_or(&fallback.password),
            access_key_ids: self
                .access_key_ids
                .get()
                .unwrap_or(&fallback.access_key_ids)
                .clone(),
            signing_certificate_ids: self
                .signing_certificate_ids
                .get()
                .unwrap_or(&fallback.signing_certificate_ids)
                .clone(),
            mfa_serials: self
                .mfa_serials
                .get()
                .unwrap_or(&fallback.mfa_serials)
                .clone(),
        }
    }

    /// The sets, when every kind is known.
    pub fn known(&self) -> Option<CredentialSets> {
        Some(CredentialSets {
            password: *self.password.get()?,
            access_key_ids: self.access_key_ids.get()?.clone(),
            signing_certificate_ids: self.signing_certificate_ids.get()?.clone(),
            mfa_serials: self.mfa_serials.get()?.clone(),
        })
    }
}

impl From<&CredentialSets> for PlannedSets {
    fn from(sets: &CredentialSets) -> PlannedSets {
        let mut planned = PlannedSets::default();
        for t in CredentialType::ALL {
            planned.set(t, sets);
        }
        planned
    }
}

/// The error of a partly failed deletion: what went, what is left and why.
/// Virtual MFA devices this apply deactivated stay in the account,
/// unassigned: said once per apply, with how to remove them.
pub fn report_unassigned_virtual_devices(
    account: &str,
    gone: &[Credential],
    diags: &mut Diagnostics,
) {
    let serials: Vec<&str> = gone
        .iter()
        .filter_map(|c| match c {
            Credential::MfaDevice(serial) if MfaKind::of(serial) == MfaKind::Virtual => {
                Some(serial.as_str())
            }
            _ => None,
        })
        .collect();
    if serials.is_empty() {
        return;
    }
    diags.warning(
        "Deactivated virtual MFA devices stay in their accounts",
        format!(
            "Account {account}: these devices ({}) no longer protect the root user and sign no one in, but remain as unassigned \
             virtual MFA devices. A root session cannot delete them: the IAMDeleteRootUserCredentials task policy \
             lists iam:DeleteVirtualMFADevice but denies it on any resource other than the root user, and a \
             virtual device is a resource of its own. To remove them, an IAM principal of the account runs `aws \
             iam delete-virtual-mfa-device --serial-number <serial>`.",
            serials.join(", ")
        ),
    );
}

/// `attributes`: where the state records what went and what is left.
pub fn report_failures(
    account: &str,
    deletion: &Deletion,
    (went, left): (&str, &str),
    diags: &mut Diagnostics,
) {
    if deletion.failures.is_empty() {
        return;
    }
    let mut detail = String::new();
    if deletion.removed.is_empty() {
        detail.push_str("Nothing was deleted.\n");
    } else {
        let removed: Vec<String> = deletion.removed.iter().map(|c| c.to_string()).collect();
        detail.push_str(&format!("Deleted: {}.\n", removed.join(", ")));
    }
    // One line per cause, naming every credential it held back: a network
    // or credential failure is told once, not once per credential.
    let mut by_cause: Vec<(String, Vec<String>)> = Vec::new();
    for f in &deletion.failures {
        let cause = f.error.to_string();
        match by_cause.iter_mut().find(|(c, _)| *c == cause) {
            Some((_, held)) => held.push(f.credential.to_string()),
            None => by_cause.push((cause, vec![f.credential.to_string()])),
        }
    }
    detail.push_str("Still present:\n");
    for (cause, held) in &by_cause {
        detail.push_str(&format!("  - {} ({cause})\n", held.join(", ")));
    }
    let mut advices: Vec<&str> = deletion
        .failures
        .iter()
        .map(|f| advice(f.error.kind))
        .filter(|a| !a.is_empty())
        .collect();
    advices.sort();
    advices.dedup();
    for a in advices {
        detail.push_str(&format!("\n{a}\n"));
    }
    detail.push_str(&format!(
        "\nThe state records what was deleted ({went}) and what is left ({left}). Run terraform apply again \
         to delete the rest."
    ));
    diags.error(
        format!(
            "Root credentials of account {account} only partly deleted: {} left",
            deletion.failures.len()
        ),
        detail,
    );
}

/// Every kind of root credential.
pub fn all_kinds() -> BTreeSet<CredentialType> {
    CredentialType::ALL.into_iter().collect()
}

/// The schema's default for `credential_types`: every kind, by name.
pub fn all_types() -> Value {
    let mut names = CredentialType::NAMES.map(Value::string).to_vec();
    names.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    Value::Set(names)
}

/// `credential_types` of the resources that delete root credentials.
pub fn credential_types_attribute() -> Attribute {
    Attribute::new("credential_types", Type::set(Type::String))
        .default(all_types())
        .validator(OneOf(&CredentialType::NAMES))
        .describe(
            "Kinds of root credentials to delete and keep absent: `password` (the console password, i.e. the login \
             profile), `access_keys`, `signing_certificates` (X.509), `mfa_devices` (deactivated). Adding a kind \
             deletes its credentials on the next apply; removing one stops managing it (nothing is restored).",
        )
}

/// `credential_types` must name a kind: an empty set would manage nothing.
pub fn check_credential_types(types: Option<&Option<BTreeSet<String>>>, diags: &mut Diagnostics) {
    if types.is_some_and(|types| types.as_ref().is_some_and(BTreeSet::is_empty)) {
        diags.attribute_error(
            AttributePath::root("credential_types"),
            "No credential types",
            format!(
                "credential_types is empty, so this resource would manage nothing. Name at least one of {}, or \
                 leave the argument out to manage all four.",
                CredentialType::NAMES.join(", ")
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_round_trip_through_items_and_summarise() {
        let items = vec![
            Credential::Password,
            Credential::AccessKey("AKIA2".into()),
            Credential::AccessKey("AKIA1".into()),
            Credential::MfaDevice("arn:mfa".into()),
        ];
        let sets = CredentialSets::of(items);
        assert_eq!(sets.items().len(), 4);
        assert_eq!(sets.items()[1], Credential::AccessKey("AKIA1".into()));
        let only_keys = sets.of_types(&BTreeSet::from([CredentialType::AccessKeys]));
        assert_eq!(only_keys.items().len(), 2);
        assert!(!only_keys.password);
        assert_eq!(sets.summary(), "password, 2 access keys, 1 MFA device");
        assert_eq!(CredentialSets::default().summary(), "no root credentials");
    }

    #[test]
    fn planned_sets_are_known_only_when_every_kind_is() {
        let sets = CredentialSets::of([Credential::Password]);
        let mut planned = PlannedSets::from(&sets);
        assert_eq!(planned.known(), Some(sets));
        planned.mfa_serials = Known::Unknown;
        assert_eq!(planned.known(), None);
        assert_eq!(planned.password, Known::Value(true));
    }
}
