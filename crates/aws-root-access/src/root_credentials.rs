//! Root credentials of member accounts: audit them, delete them, allow password
//! recovery. Each operation runs in a root session limited to its task
//! (reads: IAMAuditRootUserCredentials; deletions: IAMDeleteRootUserCredentials;
//! password recovery: IAMCreateRootUserPassword). No call names a UserName:
//! inside a root session the root user is implied.

use std::fmt;
use std::str::FromStr;

use aws_sdk_iam::primitives::{DateTime, DateTimeFormat};
use aws_sdk_iam::types::SummaryKeyType;
use futures::StreamExt;

use std::future::Future;

use super::clients::{AwsClients, RootClient};
use super::error::{AwsError, Classify, ErrorKind};
use super::task_policy::TaskPolicy;

/// IAM in a member account's root session.
type RootIam<'a> = RootClient<'a, aws_sdk_iam::Client>;

/// The four kinds of root credentials a member account can have.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
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
            Credential::MfaDevice(serial) => write!(f, "MFA device {serial}"),
        }
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

/// Audits `account`'s root credentials in an IAMAuditRootUserCredentials
/// session: GetAccountSummary says which kinds exist, then only those are
/// listed (an account without root credentials costs one call).
pub async fn audit(aws: &AwsClients, account: &str) -> Result<RootCredentials, AwsError> {
    let iam = aws
        .root_iam(account, TaskPolicy::IamAuditRootUserCredentials)
        .await?;
    let summary = iam
        .call(|iam| async move {
            iam.get_account_summary()
                .send()
                .await
                .classify("iam:GetAccountSummary")
        })
        .await?;
    let map = summary.summary_map.unwrap_or_default();
    let present = |key: SummaryKeyType| map.get(&key).copied().unwrap_or(0) > 0;
    let (access_keys, signing_certificates, mfa_devices) = tokio::try_join!(
        async {
            if present(SummaryKeyType::AccountAccessKeysPresent) {
                list_access_keys(&iam).await
            } else {
                Ok(Vec::new())
            }
        },
        async {
            if present(SummaryKeyType::AccountSigningCertificatesPresent) {
                list_signing_certificates(&iam).await
            } else {
                Ok(Vec::new())
            }
        },
        async {
            if present(SummaryKeyType::AccountMfaEnabled) {
                list_mfa_devices(&iam).await
            } else {
                Ok(Vec::new())
            }
        },
    )?;
    Ok(RootCredentials {
        password: present(SummaryKeyType::AccountPasswordPresent),
        access_keys,
        signing_certificates,
        mfa_devices,
    })
}

/// Audits many accounts concurrently, as many at a time as the provider's
/// bound on calls in flight; results come back sorted by account id.
pub async fn audit_many(
    aws: &AwsClients,
    accounts: Vec<String>,
) -> Vec<(String, Result<RootCredentials, AwsError>)> {
    let mut results: Vec<_> = futures::stream::iter(accounts)
        .map(|account| async move {
            let result = audit(aws, &account).await;
            (account, result)
        })
        .buffer_unordered(aws.max_concurrent_requests())
        .collect()
        .await;
    results.sort_by(|a, b| a.0.cmp(&b.0));
    results
}

/// Deletes every root credential of `types` in `account`, in one
/// IAMDeleteRootUserCredentials session: list all four kinds (an error here
/// stops before anything is deleted), then delete those of `types`. Returns
/// what the account had before (all four kinds) and what the run did.
pub async fn delete_all(
    aws: &AwsClients,
    account: &str,
    types: &[CredentialType],
) -> Result<(RootCredentials, Deletion), AwsError> {
    let iam = aws
        .root_iam(account, TaskPolicy::IamDeleteRootUserCredentials)
        .await?;
    let before = inventory(&iam).await?;
    let deletion = delete_each(&iam, before.of_types(types).items()).await;
    Ok((before, deletion))
}

/// Deletes exactly `credentials` in `account` (one IAMDeleteRootUserCredentials
/// session, no listing).
pub async fn delete_these(
    aws: &AwsClients,
    account: &str,
    credentials: Vec<Credential>,
) -> Result<Deletion, AwsError> {
    if credentials.is_empty() {
        return Ok(Deletion::default());
    }
    let iam = aws
        .root_iam(account, TaskPolicy::IamDeleteRootUserCredentials)
        .await?;
    Ok(delete_each(&iam, credentials).await)
}

/// Deletes each credential concurrently; one failure does not stop the others.
async fn delete_each(iam: &RootIam<'_>, credentials: Vec<Credential>) -> Deletion {
    let outcomes =
        futures::future::join_all(credentials.into_iter().map(|credential| async move {
            let result = iam.call(|iam| delete_one(iam, credential.clone())).await;
            (credential, result)
        }))
        .await;
    let mut deletion = Deletion::default();
    for (credential, result) in outcomes {
        match result {
            Ok(()) => deletion.removed.push(credential),
            Err(e) if e.is(ErrorKind::NotFound) => deletion.already_gone.push(credential),
            Err(error) => deletion.failures.push(Failure { credential, error }),
        }
    }
    deletion
}

/// Whether `account`'s root user has a password (login profile), and when it
/// was created: read in an IAMAuditRootUserCredentials session.
pub async fn login_profile(aws: &AwsClients, account: &str) -> Result<Option<String>, AwsError> {
    let iam = aws
        .root_iam(account, TaskPolicy::IamAuditRootUserCredentials)
        .await?;
    get_login_profile(&iam).await
}

/// What allowing password recovery did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PasswordRecovery {
    /// A login profile without a password now exists (created at).
    Allowed { created: String },
    /// The root user already had a login profile (created at); nothing changed.
    AlreadyAllowed { created: String },
}

/// Lets the owner of `account`'s root mailbox recover the root password:
/// CreateLoginProfile without a password in an IAMCreateRootUserPassword session.
pub async fn allow_password_recovery(
    aws: &AwsClients,
    account: &str,
) -> Result<PasswordRecovery, AwsError> {
    let iam = aws
        .root_iam(account, TaskPolicy::IamCreateRootUserPassword)
        .await?;
    let created = iam
        .call(|iam| async move {
            iam.create_login_profile()
                .send()
                .await
                .classify("iam:CreateLoginProfile")
        })
        .await;
    match created {
        Ok(out) => Ok(PasswordRecovery::Allowed {
            created: out
                .login_profile
                .map(|p| timestamp(&p.create_date))
                .unwrap_or_default(),
        }),
        Err(e) if e.code == "EntityAlreadyExists" => {
            // The session policy allows GetLoginProfile too.
            let created = get_login_profile(&iam).await?.unwrap_or_default();
            Ok(PasswordRecovery::AlreadyAllowed { created })
        }
        Err(e) => Err(e),
    }
}

/// Deletes `account`'s root login profile in an IAMDeleteRootUserCredentials
/// session; `false` when there was none.
pub async fn delete_password(aws: &AwsClients, account: &str) -> Result<bool, AwsError> {
    let iam = aws
        .root_iam(account, TaskPolicy::IamDeleteRootUserCredentials)
        .await?;
    match iam.call(|iam| delete_one(iam, Credential::Password)).await {
        Ok(()) => Ok(true),
        Err(e) if e.is(ErrorKind::NotFound) => Ok(false),
        Err(e) => Err(e),
    }
}

// ---- single calls, each inside the caller's root session ----

/// All four kinds, listed concurrently.
async fn inventory(iam: &RootIam<'_>) -> Result<RootCredentials, AwsError> {
    let (password, access_keys, signing_certificates, mfa_devices) = tokio::try_join!(
        get_login_profile(iam),
        list_access_keys(iam),
        list_signing_certificates(iam),
        list_mfa_devices(iam),
    )?;
    Ok(RootCredentials {
        password: password.is_some(),
        access_keys,
        signing_certificates,
        mfa_devices,
    })
}

fn timestamp(t: &DateTime) -> String {
    t.fmt(DateTimeFormat::DateTime).unwrap_or_default()
}

async fn get_login_profile(iam: &RootIam<'_>) -> Result<Option<String>, AwsError> {
    let result = iam
        .call(|iam| async move {
            iam.get_login_profile()
                .send()
                .await
                .classify("iam:GetLoginProfile")
        })
        .await;
    match result {
        Ok(out) => Ok(Some(
            out.login_profile
                .map(|p| timestamp(&p.create_date))
                .unwrap_or_default(),
        )),
        Err(e) if e.is(ErrorKind::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Every page of an IAM listing: IAM may return fewer items than asked for
/// even when more exist, so only `IsTruncated = false` (or no `Marker`)
/// ends it.
async fn all_pages<Page, Item, F, Fut>(
    iam: &RootIam<'_>,
    list: F,
    read: impl Fn(Page) -> (Vec<Item>, bool, Option<String>),
) -> Result<Vec<Item>, AwsError>
where
    F: Fn(aws_sdk_iam::Client, Option<String>) -> Fut,
    Fut: Future<Output = Result<Page, AwsError>>,
{
    let mut items = Vec::new();
    let mut marker = None;
    loop {
        let page = iam.call(|iam| list(iam, marker.clone())).await?;
        let (more_items, truncated, next) = read(page);
        items.extend(more_items);
        match next {
            Some(next) if truncated => marker = Some(next),
            _ => return Ok(items),
        }
    }
}

async fn list_access_keys(iam: &RootIam<'_>) -> Result<Vec<AccessKey>, AwsError> {
    let mut keys = all_pages(
        iam,
        |iam, marker| async move {
            iam.list_access_keys()
                .set_marker(marker)
                .send()
                .await
                .classify("iam:ListAccessKeys")
        },
        |page| {
            let keys = page
                .access_key_metadata()
                .iter()
                .filter_map(|k| {
                    Some(AccessKey {
                        id: k.access_key_id()?.to_string(),
                        status: k.status().map(|s| s.as_str()).unwrap_or("").to_string(),
                    })
                })
                .collect();
            (keys, page.is_truncated(), page.marker)
        },
    )
    .await?;
    keys.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(keys)
}

async fn list_signing_certificates(iam: &RootIam<'_>) -> Result<Vec<SigningCertificate>, AwsError> {
    let mut certificates = all_pages(
        iam,
        |iam, marker| async move {
            iam.list_signing_certificates()
                .set_marker(marker)
                .send()
                .await
                .classify("iam:ListSigningCertificates")
        },
        |page| {
            let certificates = page
                .certificates()
                .iter()
                .map(|c| SigningCertificate {
                    id: c.certificate_id().to_string(),
                    status: c.status().as_str().to_string(),
                })
                .collect();
            (certificates, page.is_truncated(), page.marker)
        },
    )
    .await?;
    certificates.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(certificates)
}

async fn list_mfa_devices(iam: &RootIam<'_>) -> Result<Vec<String>, AwsError> {
    let mut serials = all_pages(
        iam,
        |iam, marker| async move {
            iam.list_mfa_devices()
                .set_marker(marker)
                .send()
                .await
                .classify("iam:ListMFADevices")
        },
        |page| {
            let serials = page
                .mfa_devices()
                .iter()
                .map(|d| d.serial_number().to_string())
                .collect();
            (serials, page.is_truncated(), page.marker)
        },
    )
    .await?;
    serials.sort();
    Ok(serials)
}

/// One deletion. MFA devices are deactivated (detached from the root user);
/// a virtual device then remains as an unassigned device that signs nothing in.
async fn delete_one(iam: aws_sdk_iam::Client, credential: Credential) -> Result<(), AwsError> {
    match credential {
        Credential::Password => iam
            .delete_login_profile()
            .send()
            .await
            .map(|_| ())
            .classify("iam:DeleteLoginProfile"),
        Credential::AccessKey(id) => iam
            .delete_access_key()
            .access_key_id(id)
            .send()
            .await
            .map(|_| ())
            .classify("iam:DeleteAccessKey"),
        Credential::SigningCertificate(id) => iam
            .delete_signing_certificate()
            .certificate_id(id)
            .send()
            .await
            .map(|_| ())
            .classify("iam:DeleteSigningCertificate"),
        Credential::MfaDevice(serial) => iam
            .deactivate_mfa_device()
            .serial_number(serial)
            .send()
            .await
            .map(|_| ())
            .classify("iam:DeactivateMFADevice"),
    }
}

#[cfg(test)]
mod tests {
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
