//! Data source `rootaccess_member_root_credentials`: the root credentials one
//! member account has, read through an IAMAuditRootUserCredentials root session.

use async_trait::async_trait;
use serde::Serialize;

use crate::checks::ACCOUNT_ID;
use crate::errors::aws_diagnostic;
use crate::member_account::{AccountConfig, AccountFate, account_fate, check_target};
use aws_root_access::AwsClients;
use aws_root_access::root_credentials::{self, MfaKind, RootCredentials};
use tfplugin::{Attribute, DataSource, Diagnostics, Schema, Type};

pub struct MemberRootCredentials;

/// The audit of one account, in the shape both audit data sources share.
#[derive(Serialize)]
pub(crate) struct Audit {
    pub account_id: String,
    pub credentials_present: bool,
    pub password_present: bool,
    pub access_keys: Vec<AccessKey>,
    pub signing_certificates: Vec<SigningCertificate>,
    pub mfa_serials: Vec<String>,
    pub mfa_devices: Vec<MfaDevice>,
}

#[derive(Serialize)]
pub(crate) struct MfaDevice {
    serial_number: String,
    /// `virtual`, `passkey` (passkey or security key) or `hardware`.
    kind: &'static str,
}

#[derive(Serialize)]
pub(crate) struct AccessKey {
    access_key_id: String,
    status: String,
}

#[derive(Serialize)]
pub(crate) struct SigningCertificate {
    certificate_id: String,
    status: String,
}

impl Audit {
    pub fn new(account_id: &str, found: &RootCredentials) -> Audit {
        Audit {
            account_id: account_id.to_string(),
            credentials_present: !found.is_empty(),
            password_present: found.password,
            access_keys: found
                .access_keys
                .iter()
                .map(|k| AccessKey {
                    access_key_id: k.id.clone(),
                    status: k.status.clone(),
                })
                .collect(),
            signing_certificates: found
                .signing_certificates
                .iter()
                .map(|c| SigningCertificate {
                    certificate_id: c.id.clone(),
                    status: c.status.clone(),
                })
                .collect(),
            mfa_serials: found.mfa_devices.clone(),
            mfa_devices: found
                .mfa_devices
                .iter()
                .map(|serial| MfaDevice {
                    serial_number: serial.clone(),
                    kind: match MfaKind::of(serial) {
                        MfaKind::Virtual => "virtual",
                        MfaKind::Passkey => "passkey",
                        MfaKind::Hardware => "hardware",
                    },
                })
                .collect(),
        }
    }
}

/// The types of the audit attributes, shared with the organization-wide audit.
pub(crate) fn access_keys_type() -> Type {
    Type::list(Type::object([
        ("access_key_id", Type::String),
        ("status", Type::String),
    ]))
}

pub(crate) fn mfa_devices_type() -> Type {
    Type::list(Type::object([
        ("serial_number", Type::String),
        ("kind", Type::String),
    ]))
}

pub(crate) fn signing_certificates_type() -> Type {
    Type::list(Type::object([
        ("certificate_id", Type::String),
        ("status", Type::String),
    ]))
}

#[derive(Serialize)]
pub struct State {
    id: String,
    #[serde(flatten)]
    audit: Audit,
}

#[async_trait]
impl DataSource<AwsClients> for MemberRootCredentials {
    type Config = AccountConfig;
    type Model = State;

    fn type_name(&self) -> &'static str {
        "rootaccess_member_root_credentials"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            "The root user credentials of one member account: whether it has a password, its access keys, \
             signing certificates and MFA devices. Read in an `sts:AssumeRoot` session with the \
             `IAMAuditRootUserCredentials` task policy (organization feature `RootCredentialsManagement`): \
             `iam:GetAccountSummary`, then only the kinds that exist are listed. Secrets are never read. For \
             every member account at once use `rootaccess_org_root_credentials`.",
        )
        .attribute(
            Attribute::string("account_id")
                .required()
                .validator(ACCOUNT_ID)
                .describe("The 12-digit id of the member account to audit. The management account is refused."),
        )
        .attribute(Attribute::string("id").computed().describe("The account id."))
        .attribute(
            Attribute::bool("credentials_present")
                .computed()
                .describe("Whether the root user has any credential at all (password, access key, signing certificate or MFA device)."),
        )
        .attribute(
            Attribute::bool("password_present")
                .computed()
                .describe("Whether the root user has a password (login profile)."),
        )
        .attribute(
            Attribute::new("access_keys", access_keys_type())
                .computed()
                .describe("Root access keys, sorted by id: `access_key_id` and `status` (`Active` or `Inactive`)."),
        )
        .attribute(
            Attribute::new("signing_certificates", signing_certificates_type())
                .computed()
                .describe("Root X.509 signing certificates, sorted by id: `certificate_id` and `status`."),
        )
        .attribute(
            Attribute::new("mfa_serials", Type::list(Type::String))
                .computed()
                .describe("Serial numbers of the root MFA devices (ARNs for virtual devices), sorted."),
        )
        .attribute(
            Attribute::new("mfa_devices", mfa_devices_type())
                .computed()
                .describe(
                    "The root MFA devices, sorted by serial: `serial_number` and `kind`: `virtual` (an authenticator \
                     app), `passkey` (a passkey or FIDO security key) or `hardware` (a TOTP token), told from the \
                     serial number's form.",
                ),
        )
    }

    async fn read(
        &self,
        aws: &AwsClients,
        config: &AccountConfig,
        diags: &mut Diagnostics,
    ) -> Option<State> {
        let account = config.account_id.as_str();
        check_target(aws, account, diags).await;
        if diags.has_errors() {
            return None;
        }
        let found = match root_credentials::audit(aws, account).await {
            Ok(found) => found,
            Err(e) => {
                let doing = format!("audit the root credentials of account {account}");
                match account_fate(aws, account, &e).await {
                    AccountFate::Active => diags.extend(aws_diagnostic(&e, &doing)),
                    AccountFate::Left(reason)
                    | AccountFate::Unusable(reason)
                    | AccountFate::Unknown(reason) => {
                        diags.error(format!("Could not {doing}"), reason)
                    }
                }
                return None;
            }
        };
        let state = State {
            id: account.to_string(),
            audit: Audit::new(account, &found),
        };
        Some(state)
    }
}
