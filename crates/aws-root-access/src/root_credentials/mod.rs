//! Root credentials of member accounts: audit them, delete them, allow password
//! recovery. Each operation runs in a root session limited to its task
//! (reads: IAMAuditRootUserCredentials; deletions: IAMDeleteRootUserCredentials;
//! password recovery: IAMCreateRootUserPassword). No call names a UserName:
//! inside a root session the root user is implied.

mod calls;
mod model;

use aws_sdk_iam::types::SummaryKeyType;
use futures::StreamExt;

use std::sync::Arc;

use crate::clients::AwsClients;
use crate::error::{AwsError, Classify, ErrorKind};
use crate::root_client::RootClient;
use crate::task_policy::TaskPolicy;
use calls::{
    delete_one, get_login_profile, inventory, list_access_keys, list_mfa_devices,
    list_signing_certificates, timestamp,
};
pub use model::{
    AccessKey, Credential, CredentialType, Deletion, Failure, MfaKind, RootCredentials,
    SigningCertificate,
};

/// IAM in a member account's root session.
type RootIam<'a> = RootClient<'a, aws_sdk_iam::Client>;

/// Audits reused within one provider process (one Terraform command): a
/// plan refreshes every `rootaccess_member_credentials_absent` and then
/// reads an audit data source over the same accounts, and the second audit
/// would only repeat the first. An entry lives [`AUDIT_REUSE`] and is
/// dropped as soon as this provider deletes or creates a root credential in
/// that account.
#[derive(Default)]
pub struct AuditCache(std::sync::Mutex<Audits>);

#[derive(Default)]
struct Audits {
    found: std::collections::HashMap<String, (std::time::Instant, RootCredentials)>,
    /// Changes this provider began or ended in each account: an audit is
    /// kept only if none did while it ran (another resource of the same
    /// account may change it concurrently, e.g. password recovery).
    changes: std::collections::HashMap<String, u64>,
}

/// How long an audit is reused: longer than a plan of a large organization
/// takes between the refresh and the data sources, far shorter than the
/// time between two commands.
pub const AUDIT_REUSE: std::time::Duration = std::time::Duration::from_secs(120);

impl AuditCache {
    fn recent(&self, account: &str) -> Option<RootCredentials> {
        let audits = self.0.lock().ok()?;
        let (at, found) = audits.found.get(account)?;
        (at.elapsed() < AUDIT_REUSE).then(|| found.clone())
    }

    fn changes(&self, account: &str) -> u64 {
        self.0
            .lock()
            .map(|a| a.changes.get(account).copied().unwrap_or(0))
            .unwrap_or(0)
    }

    /// Keeps an audit that began after `changes` changes of `account`.
    fn remember(&self, account: &str, changes: u64, found: &RootCredentials) {
        if let Ok(mut audits) = self.0.lock()
            && audits.changes.get(account).copied().unwrap_or(0) == changes
        {
            audits.found.insert(
                account.to_string(),
                (std::time::Instant::now(), found.clone()),
            );
        }
    }

    /// When this provider begins and when it ends a change of `account`'s
    /// root credentials: no audit from before stands.
    fn forget(&self, account: &str) {
        if let Ok(mut audits) = self.0.lock() {
            audits.found.remove(account);
            *audits.changes.entry(account.to_string()).or_insert(0) += 1;
        }
    }
}

/// A change of an account's root credentials, from now until it is dropped
/// (however the change ends): audits made meanwhile are not reused.
struct Change<'a> {
    cache: Arc<AuditCache>,
    account: &'a str,
}

impl<'a> Change<'a> {
    fn begin(aws: &AwsClients, account: &'a str) -> Change<'a> {
        let cache = aws.slot::<AuditCache>();
        cache.forget(account);
        Change { cache, account }
    }
}

impl Drop for Change<'_> {
    fn drop(&mut self) {
        self.cache.forget(self.account);
    }
}

/// `account`'s root credentials: a recent audit of this command
/// ([`AuditCache`]), or a new one.
pub async fn audit(aws: &AwsClients, account: &str) -> Result<RootCredentials, AwsError> {
    let audits = aws.slot::<AuditCache>();
    if let Some(found) = audits.recent(account) {
        return Ok(found);
    }
    let changes = audits.changes(account);
    let found = audit_now(aws, account).await?;
    audits.remember(account, changes, &found);
    Ok(found)
}

/// Audits `account`'s root credentials in an IAMAuditRootUserCredentials
/// session: GetAccountSummary says which kinds exist, then only those are
/// listed (an account without root credentials costs one call).
async fn audit_now(aws: &AwsClients, account: &str) -> Result<RootCredentials, AwsError> {
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
pub async fn delete_present(
    aws: &AwsClients,
    account: &str,
    types: &[CredentialType],
) -> Result<(RootCredentials, Deletion), AwsError> {
    let _change = Change::begin(aws, account);
    let iam = aws
        .root_iam(account, TaskPolicy::IamDeleteRootUserCredentials)
        .await?;
    let before = inventory(&iam).await?;
    let deletion = delete_concurrently(&iam, before.of_types(types).items()).await;
    Ok((before, deletion))
}

/// Deletes exactly `credentials` in `account` (one IAMDeleteRootUserCredentials
/// session, no listing).
pub async fn delete_listed(
    aws: &AwsClients,
    account: &str,
    credentials: Vec<Credential>,
) -> Result<Deletion, AwsError> {
    if credentials.is_empty() {
        return Ok(Deletion::default());
    }
    let _change = Change::begin(aws, account);
    let iam = aws
        .root_iam(account, TaskPolicy::IamDeleteRootUserCredentials)
        .await?;
    Ok(delete_concurrently(&iam, credentials).await)
}

/// Deletes each credential concurrently; one failure does not stop the others.
async fn delete_concurrently(iam: &RootIam<'_>, credentials: Vec<Credential>) -> Deletion {
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
    let _change = Change::begin(aws, account);
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
    let _change = Change::begin(aws, account);
    let iam = aws
        .root_iam(account, TaskPolicy::IamDeleteRootUserCredentials)
        .await?;
    match iam.call(|iam| delete_one(iam, Credential::Password)).await {
        Ok(()) => Ok(true),
        Err(e) if e.is(ErrorKind::NotFound) => Ok(false),
        Err(e) => Err(e),
    }
}
