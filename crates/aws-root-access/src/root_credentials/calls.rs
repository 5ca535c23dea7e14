//! The single IAM calls of root-credential operations, each made inside the
//! caller's root session (`RootIam`): reads, listings that follow every
//! page, and one deletion per credential.

use std::future::Future;

use aws_sdk_iam::primitives::{DateTime, DateTimeFormat};

use super::RootIam;
use super::model::{AccessKey, Credential, RootCredentials, SigningCertificate};
use crate::error::{AwsError, Classify, ErrorKind};

/// All four kinds, listed concurrently.
pub(super) async fn inventory(iam: &RootIam<'_>) -> Result<RootCredentials, AwsError> {
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

pub(super) fn timestamp(t: &DateTime) -> String {
    t.fmt(DateTimeFormat::DateTime).unwrap_or_default()
}

pub(super) async fn get_login_profile(iam: &RootIam<'_>) -> Result<Option<String>, AwsError> {
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
pub(super) async fn all_pages<Page, Item, F, Fut>(
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

pub(super) async fn list_access_keys(iam: &RootIam<'_>) -> Result<Vec<AccessKey>, AwsError> {
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

pub(super) async fn list_signing_certificates(
    iam: &RootIam<'_>,
) -> Result<Vec<SigningCertificate>, AwsError> {
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

pub(super) async fn list_mfa_devices(iam: &RootIam<'_>) -> Result<Vec<String>, AwsError> {
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
pub(super) async fn delete_one(
    iam: aws_sdk_iam::Client,
    credential: Credential,
) -> Result<(), AwsError> {
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
