//! S3 bucket policies, read and removed (or replaced) as the bucket owner's
//! root user in an S3UnlockBucketPolicy session; bucket names and regions.
//!
//! Finding a bucket's region: the unlock session may call only
//! Get/Put/DeleteBucketPolicy and ListAllMyBuckets, so GetBucketLocation is
//! out of reach (and a locking policy may deny it anyway). A request sent to
//! the wrong region is answered by S3 with a redirect (301 PermanentRedirect,
//! or 400 for some signature errors) carrying the bucket's region in the
//! `x-amz-bucket-region` header; [`get_bucket_policy`] follows it once.

use aws_sdk_s3::error::SdkError;

use crate::clients::AwsClients;
use crate::error::{AwsError, Classify, ErrorKind};
use crate::partition::is_region;

/// Header in which S3 names a bucket's region on a wrong-region answer.
const BUCKET_REGION_HEADER: &str = "x-amz-bucket-region";

/// Checks an S3 bucket name against the naming rules of general purpose buckets.
pub fn check_bucket_name(name: &str) -> Result<(), String> {
    let fail = |why: &str| Err(format!("{name:?} is not a valid S3 bucket name: {why}"));
    if let Some(rest) = name.strip_prefix("s3://") {
        return fail(&format!(
            "write the bucket name alone, without s3:// ({rest:?})"
        ));
    }
    if let Some(rest) = name.strip_prefix("arn:") {
        let bucket = rest.rsplit(':').next().unwrap_or_default();
        return fail(&format!("write the bucket name, not its ARN ({bucket:?})"));
    }
    if !(3..=63).contains(&name.len()) {
        return fail("it must be 3 to 63 characters long");
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '.' || *c == '-'))
    {
        return fail(&format!(
            "{c:?} is not allowed; use lowercase letters, digits, dots and hyphens"
        ));
    }
    let edge_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if !edge_ok(name.chars().next()) || !edge_ok(name.chars().last()) {
        return fail("it must begin and end with a letter or a digit");
    }
    if name.contains("..") {
        return fail("it must not contain two adjacent dots");
    }
    if name.split('.').count() == 4 && name.split('.').all(|p| p.parse::<u8>().is_ok()) {
        return fail("it must not look like an IP address");
    }
    for prefix in ["xn--", "sthree-", "amzn-s3-demo-"] {
        if name.starts_with(prefix) {
            return fail(&format!("it must not start with {prefix:?}"));
        }
    }
    for suffix in ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] {
        if name.ends_with(suffix) {
            return fail(&format!("it must not end with {suffix:?}"));
        }
    }
    Ok(())
}

/// A bucket's policy and the region the bucket was found in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BucketPolicy {
    pub region: String,
    /// `None`: the bucket has no policy.
    pub policy: Option<String>,
}

/// Where to look for a bucket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BucketRegion<'a> {
    /// In this region only: a bucket elsewhere is an error.
    Exactly(&'a str),
    /// Start here (or in the provider's region) and follow S3's redirect.
    Find(Option<&'a str>),
}

/// Reads a bucket's policy as `account`'s root user. A missing bucket is an
/// error of kind [`ErrorKind::NotFound`] with code `NoSuchBucket`.
pub async fn get_bucket_policy(
    aws: &AwsClients,
    account: &str,
    bucket: &str,
    region: BucketRegion<'_>,
) -> Result<BucketPolicy, AwsError> {
    let first = match region {
        BucketRegion::Exactly(r) => r.to_string(),
        BucketRegion::Find(r) => r.map_or_else(|| aws.region(), str::to_string),
    };
    match get_bucket_policy_in(aws, account, bucket, &first).await? {
        Located::Here(policy) => Ok(BucketPolicy {
            region: first,
            policy,
        }),
        Located::Elsewhere(actual) => {
            if matches!(region, BucketRegion::Exactly(_)) {
                return Err(AwsError::new(
                    "s3:GetBucketPolicy",
                    ErrorKind::Other,
                    "PermanentRedirect",
                    format!("bucket {bucket} is in region {actual}, not in {first}"),
                ));
            }
            match get_bucket_policy_in(aws, account, bucket, &actual).await? {
                Located::Here(policy) => Ok(BucketPolicy {
                    region: actual,
                    policy,
                }),
                Located::Elsewhere(other) => Err(AwsError::new(
                    "s3:GetBucketPolicy",
                    ErrorKind::Other,
                    "PermanentRedirect",
                    format!(
                        "S3 redirected the request for bucket {bucket} from {first} to {actual}, then to {other}"
                    ),
                )),
            }
        }
    }
}

enum Located {
    Here(Option<String>),
    Elsewhere(String),
}

async fn get_bucket_policy_in(
    aws: &AwsClients,
    account: &str,
    bucket: &str,
    region: &str,
) -> Result<Located, AwsError> {
    let s3 = aws.root_s3(account, Some(region)).await?;
    let result = s3
        .call(|s3| async move {
            match s3.get_bucket_policy().bucket(bucket).send().await {
                Ok(out) => Ok(Located::Here(out.policy.filter(|p| !p.is_empty()))),
                Err(e) => match redirect_region(&e, region) {
                    Some(actual) => Ok(Located::Elsewhere(actual)),
                    None => Err(AwsError::from_sdk("s3:GetBucketPolicy", e)),
                },
            }
        })
        .await;
    match result {
        Err(e) if e.code == "NoSuchBucketPolicy" => Ok(Located::Here(None)),
        other => other,
    }
}

/// The bucket's region named by a wrong-region answer, when it differs from
/// the region asked.
fn redirect_region<E>(
    err: &SdkError<E, aws_sdk_s3::config::http::HttpResponse>,
    asked: &str,
) -> Option<String> {
    let response = err.raw_response()?;
    let status = response.status().as_u16();
    if !((300..400).contains(&status) || status == 400) {
        return None;
    }
    response
        .headers()
        .get(BUCKET_REGION_HEADER)
        .filter(|r| *r != asked && is_region(r))
        .map(str::to_string)
}

/// Deletes a bucket's policy as `account`'s root user (`region`: the bucket's).
pub async fn delete_bucket_policy(
    aws: &AwsClients,
    account: &str,
    bucket: &str,
    region: &str,
) -> Result<(), AwsError> {
    let s3 = aws.root_s3(account, Some(region)).await?;
    s3.call(|s3| async move {
        s3.delete_bucket_policy()
            .bucket(bucket)
            .send()
            .await
            .map(|_| ())
            .classify("s3:DeleteBucketPolicy")
    })
    .await
}

/// Replaces a bucket's policy as `account`'s root user (`region`: the bucket's).
pub async fn put_bucket_policy(
    aws: &AwsClients,
    account: &str,
    bucket: &str,
    region: &str,
    policy: &str,
) -> Result<(), AwsError> {
    let s3 = aws.root_s3(account, Some(region)).await?;
    s3.call(|s3| async move {
        s3.put_bucket_policy()
            .bucket(bucket)
            .policy(policy)
            .send()
            .await
            .map(|_| ())
            .classify("s3:PutBucketPolicy")
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_names() {
        for ok in ["abc", "my.bucket-1", "a1b", &"a".repeat(63)] {
            assert!(check_bucket_name(ok).is_ok(), "{ok}");
        }
        for (bad, why) in [
            ("ab", "3 to 63"),
            ("My-Bucket", "'M' is not allowed"),
            ("my_bucket", "'_' is not allowed"),
            ("-abc", "begin and end"),
            ("abc.", "begin and end"),
            ("a..b", "adjacent dots"),
            ("192.168.5.4", "IP address"),
            ("xn--abc", "xn--"),
            ("abc-s3alias", "-s3alias"),
            ("s3://abc", "without s3://"),
            ("arn:aws:s3:::abc", "not its ARN"),
        ] {
            let err = check_bucket_name(bad).unwrap_err();
            assert!(err.contains(why), "{bad}: {err}");
        }
    }
}
