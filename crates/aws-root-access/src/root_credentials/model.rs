//! Root credentials as data: the four kinds, what an account has, and what a
//! deletion did. No AWS call is made here.

use std::fmt;
use std::str::FromStr;

use crate::error::AwsError;

/// The four kinds of root credentials a member account can have. Serialized
/// by the names users write ([`CredentialType::NAMES`]).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum CredentialType {
    Password,
    AccessKeys,
    SigningCertificates,
    MfaDevices,
}

impl CredentialType {
    pub const ALL: [CredentialType; 4] = [
        CredentialType::Password,
        CredentialType::AccessKeys,
        CredentialType::SigningCertificates,
        CredentialType::MfaDevices,
    ];

    /// The names users write, in the order of [`CredentialType::ALL`].
    pub const NAMES: [&'static str; 4] = [
        "password",
        "access_keys",
        "signing_certificates",
        "mfa_devices",
    ];

    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

impl fmt::Display for CredentialType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for CredentialType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CredentialType::ALL
            .into_iter()
            .find(|t| t.name() == s)
            .ok_or_else(|| {
                format!(
                    "{s:?} is not a credential type; use {}",
                    CredentialType::NAMES.join(", ")
                )
            })
    }
}

/// A root access key (the id only: the secret is never readable).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessKey {
    pub id: String,
    /// `Active` or `Inactive`.
    pub status: String,
}

/// A root X.509 signing certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigningCertificate {
    pub id: String,
    /// `Active` or `Inactive`.
    pub status: String,
}

/// What root credentials an account has. Lists are sorted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RootCredentials {
    /// A console password (login profile) exists.
    pub password: bool,
    pub access_keys: Vec<AccessKey>,
    pub signing_certificates: Vec<SigningCertificate>,
    /// Serial numbers (ARNs for virtual devices) of the MFA devices.
    pub mfa_devices: Vec<String>,
}

impl RootCredentials {
    pub fn is_empty(&self) -> bool {
        self.items().is_empty()
    }

    /// Each credential on its own, in a fixed order.
    pub fn items(&self) -> Vec<Credential> {
        let mut out = Vec::new();
        if self.password {
            out.push(Credential::Password);
        }
        out.extend(
            self.access_keys
                .iter()
                .map(|k| Credential::AccessKey(k.id.clone())),
        );
        out.extend(
            self.signing_certificates
                .iter()
                .map(|c| Credential::SigningCertificate(c.id.clone())),
        );
        out.extend(self.mfa_devices.iter().cloned().map(Credential::MfaDevice));
        out
    }

    /// Only the credentials of `types`.
    pub fn of_types(&self, types: &[CredentialType]) -> RootCredentials {
        let has = |t| types.contains(&t);
        RootCredentials {
            password: self.password && has(CredentialType::Password),
            access_keys: if has(CredentialType::AccessKeys) {
                self.access_keys.clone()
            } else {
                Vec::new()
            },
            signing_certificates: if has(CredentialType::SigningCertificates) {
                self.signing_certificates.clone()
            } else {
                Vec::new()
            },
            mfa_devices: if has(CredentialType::MfaDevices) {
                self.mfa_devices.clone()
            } else {
                Vec::new()
            },
        }
    }

    /// These credentials without `gone`.
    pub fn without(&self, gone: &[Credential]) -> RootCredentials {
        RootCredentials {
            password: self.password && !gone.contains(&Credential::Password),
            access_keys: self
                .access_keys
                .iter()
                .filter(|k| !gone.contains(&Credential::AccessKey(k.id.clone())))
                .cloned()
                .collect(),
            signing_certificates: self
                .signing_certificates
                .iter()
                .filter(|c| !gone.contains(&Credential::SigningCertificate(c.id.clone())))
                .cloned()
                .collect(),
            mfa_devices: self
                .mfa_devices
                .iter()
                .filter(|m| !gone.contains(&Credential::MfaDevice((*m).clone())))
                .cloned()
                .collect(),
        }
    }
}

/// One root credential.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credential {
    Password,
    AccessKey(String),
    SigningCertificate(String),
    MfaDevice(String),
}

impl Credential {
    pub fn credential_type(&self) -> CredentialType {
        match self {
            Credential::Password => CredentialType::Password,
            Credential::AccessKey(_) => CredentialType::AccessKeys,
            Credential::SigningCertificate(_) => CredentialType::SigningCertificates,
            Credential::MfaDevice(_) => CredentialType::MfaDevices,
        }
    }
}

impl fmt::Display for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credential::Password => f.write_str("password (login profile)"),
            Credential::AccessKey(id) => write!(f, "access key {id}"),
            Credential::SigningCertificate(id) => write!(f, "signing certificate {id}"),
            Credential::MfaDevice(serial) => write!(f, "{} {serial}", MfaKind::of(serial)),
        }
    }
}

/// The kinds of root MFA device, told apart by their serial number as IAM
/// lists them: virtual devices by an ARN with `:mfa/`, passkeys and security
/// keys (FIDO) by an ARN with `:u2f/`, hardware TOTP tokens by a plain serial.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MfaKind {
    Virtual,
    Passkey,
    Hardware,
}

impl MfaKind {
    pub fn of(serial: &str) -> MfaKind {
        let resource = serial
            .strip_prefix("arn:")
            .and_then(|rest| rest.splitn(5, ':').nth(4));
        match resource {
            Some(r) if r.starts_with("mfa/") => MfaKind::Virtual,
            Some(r) if r.starts_with("u2f/") => MfaKind::Passkey,
            _ => MfaKind::Hardware,
        }
    }
}

impl fmt::Display for MfaKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MfaKind::Virtual => "virtual MFA device",
            MfaKind::Passkey => "passkey or security key",
            MfaKind::Hardware => "hardware MFA device",
        })
    }
}

/// A deletion that AWS refused or that failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub credential: Credential,
    pub error: AwsError,
}

/// What a deletion run did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Deletion {
    /// Deleted by this run.
    pub removed: Vec<Credential>,
    /// Already gone when this run tried to delete them (deleted meanwhile).
    pub already_gone: Vec<Credential>,
    /// Could not be deleted: they still exist.
    pub failures: Vec<Failure>,
}

#[cfg(test)]
mod tests {
    #[test]
    fn mfa_kinds_are_told_by_their_serial() {
        use super::MfaKind;
        assert_eq!(
            MfaKind::of("arn:aws:iam::111122223333:mfa/root-account-mfa-device"),
            MfaKind::Virtual
        );
        assert_eq!(
            MfaKind::of("arn:aws:iam::111122223333:u2f/root/yubikey-ABCDEFGHIJKLMNOP"),
            MfaKind::Passkey
        );
        assert_eq!(
            MfaKind::of("arn:aws-cn:iam::111122223333:u2f/root/passkey-1"),
            MfaKind::Passkey
        );
        assert_eq!(MfaKind::of("GAHT12345678"), MfaKind::Hardware);
        assert_eq!(
            super::Credential::MfaDevice("GAHT12345678".into()).to_string(),
            "hardware MFA device GAHT12345678"
        );
    }

    use super::*;

    fn sample() -> RootCredentials {
        RootCredentials {
            password: true,
            access_keys: vec![
                AccessKey {
                    id: "AKIA1".into(),
                    status: "Active".into(),
                },
                AccessKey {
                    id: "AKIA2".into(),
                    status: "Inactive".into(),
                },
            ],
            signing_certificates: vec![SigningCertificate {
                id: "C1".into(),
                status: "Active".into(),
            }],
            mfa_devices: vec!["arn:aws:iam::111111111111:mfa/root-account-mfa-device".into()],
        }
    }

    #[test]
    fn credential_type_names_round_trip() {
        for t in CredentialType::ALL {
            assert_eq!(t.name().parse::<CredentialType>(), Ok(t));
        }
        let err = "passwords".parse::<CredentialType>().unwrap_err();
        assert!(err.contains("access_keys"), "{err}");
    }

    #[test]
    fn selecting_types_and_removing_items() {
        let all = sample();
        let keys_only = all.of_types(&[CredentialType::AccessKeys]);
        assert!(!keys_only.password);
        assert_eq!(keys_only.access_keys.len(), 2);
        assert!(keys_only.signing_certificates.is_empty() && keys_only.mfa_devices.is_empty());
        assert_eq!(all.items().len(), 5);
        let left = all.without(&[Credential::Password, Credential::AccessKey("AKIA1".into())]);
        assert!(!left.password);
        assert_eq!(left.access_keys.len(), 1);
        assert_eq!(left.access_keys[0].id, "AKIA2");
        assert_eq!(left.items().len(), 3);
        assert!(RootCredentials::default().is_empty());
    }
}
