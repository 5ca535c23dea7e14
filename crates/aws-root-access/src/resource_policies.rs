//! Resource policies that lock everyone out of a bucket or a queue, read and
//! removed (or replaced) through a root session of the owning account:
//! S3 bucket policies in an S3UnlockBucketPolicy session, SQS queue policies
//! in an SQSUnlockQueuePolicy session. Also the identifiers these calls take
//! (bucket names, queue URLs) and how policies are compared.
//!
//! Finding a bucket's region: the unlock session may call only
//! Get/Put/DeleteBucketPolicy and ListAllMyBuckets, so GetBucketLocation is
//! out of reach (and a locking policy may deny it anyway). A request sent to
//! the wrong region is answered by S3 with a redirect (301 PermanentRedirect,
//! or 400 for some signature errors) carrying the bucket's region in the
//! `x-amz-bucket-region` header; [`get_bucket_policy`] follows it once.

use aws_sdk_s3::error::SdkError;

use super::clients::AwsClients;
use super::error::{AwsError, Classify, ErrorKind};

/// Header in which S3 names a bucket's region on a wrong-region answer.
const BUCKET_REGION_HEADER: &str = "x-amz-bucket-region";

// ---- policies ----

/// Whether two policy documents say the same thing: equal as JSON values
/// (whitespace and key order do not matter), or equal as text when either is
/// not JSON.
pub fn same_policy(a: &str, b: &str) -> bool {
    match (
        serde_json::from_str::<serde_json::Value>(a),
        serde_json::from_str::<serde_json::Value>(b),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Checks that a policy document is a JSON object, explaining what is wrong.
pub fn check_policy_json(text: &str) -> Result<(), String> {
    use serde_json::Value;
    match serde_json::from_str::<Value>(text) {
        // IAM's policy grammar requires a Statement: one object or a
        // non-empty list. (The local SQS stores a policy without statements
        // as no policy at all, which would read back as a lock.)
        Ok(Value::Object(policy)) => match policy.get("Statement") {
            Some(Value::Object(_)) => Ok(()),
            Some(Value::Array(statements)) if !statements.is_empty() => Ok(()),
            _ => Err(
                "the policy has no statements (\"Statement\" must be a statement or a non-empty list of them). \
                 A policy without statements allows and denies nothing: to leave no policy at all, leave \
                 replacement_policy out"
                    .to_string(),
            ),
        },
        Ok(_) => Err(
            "the policy must be a JSON object such as {\"Version\": \"2012-10-17\", \"Statement\": [...]}"
                .to_string(),
        ),
        Err(e) => Err(format!(
            "the policy is not valid JSON ({e}); write it with jsonencode({{...}}) or an \
             aws_iam_policy_document data source"
        )),
    }
}

// ---- S3 buckets ----

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

/// Checks an AWS region code such as `eu-west-1` or `us-gov-west-1`.
pub fn check_region(region: &str) -> Result<(), String> {
    if is_region(region) {
        Ok(())
    } else {
        Err(format!(
            "{region:?} is not an AWS region code: write it like us-east-1 or eu-central-2"
        ))
    }
}

fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && parts[0].len() == 2
        && parts[0].bytes().all(|b| b.is_ascii_lowercase())
        && parts
            .last()
            .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
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

// ---- SQS queues ----

/// A queue URL taken apart: `https://sqs.<region>.amazonaws.com/<account>/<name>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueUrl {
    pub url: String,
    pub account_id: String,
    pub name: String,
    /// From the host name of an AWS URL; `None` for other hosts (a custom
    /// endpoint), which mean the provider's region.
    pub region: Option<String>,
}

impl QueueUrl {
    /// Parses and checks a queue URL, explaining what is wrong.
    pub fn parse(url: &str) -> Result<QueueUrl, String> {
        let shape = "write it as https://sqs.<region>.amazonaws.com/<account id>/<queue name>, as \
                     `aws sqs get-queue-url` prints it";
        let fail = |why: &str| Err(format!("{url:?} is not an SQS queue URL: {why}; {shape}"));
        let Some(rest) = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
        else {
            return fail("it must start with https://");
        };
        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
        if host.is_empty() {
            return fail("it has no host name");
        }
        let parts: Vec<&str> = path.split('/').collect();
        let [account_id, name] = parts.as_slice() else {
            return fail("the path must be /<account id>/<queue name>");
        };
        if super::ids::check_account_id(account_id).is_err() {
            return fail(&format!("{account_id:?} is not a 12-digit account id"));
        }
        let base = name.strip_suffix(".fifo").unwrap_or(name);
        let name_ok = !base.is_empty()
            && name.len() <= 80
            && base
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !name_ok {
            return fail(&format!(
                "{name:?} is not a queue name (1 to 80 letters, digits, hyphens and underscores, \
                 optionally ending in .fifo)"
            ));
        }
        Ok(QueueUrl {
            url: url.to_string(),
            account_id: account_id.to_string(),
            name: name.to_string(),
            region: region_of_host(host),
        })
    }
}

/// The region in an SQS host name: `sqs.<region>.amazonaws.com`,
/// `sqs-fips.<region>...`, `vpce-....sqs.<region>.vpce.amazonaws.com`, the
/// legacy `<region>.queue.amazonaws.com`, and `queue.amazonaws.com`
/// (us-east-1). Other hosts name no region.
fn region_of_host(host: &str) -> Option<String> {
    let host = host.split(':').next().unwrap_or(host).to_ascii_lowercase();
    if host == "queue.amazonaws.com" {
        return Some("us-east-1".to_string());
    }
    let labels: Vec<&str> = host.split('.').collect();
    let aws = labels.iter().any(|l| *l == "amazonaws" || *l == "api");
    if !aws {
        return None;
    }
    labels.iter().find(|l| is_region(l)).map(|l| l.to_string())
}

/// Reads a queue's policy as the owning account's root user. `None`: no policy.
/// A missing queue is an error of kind [`ErrorKind::NotFound`].
pub async fn get_queue_policy(
    aws: &AwsClients,
    queue: &QueueUrl,
) -> Result<Option<String>, AwsError> {
    let sqs = aws
        .root_sqs(&queue.account_id, queue.region.as_deref())
        .await?;
    let out = sqs
        .call(|sqs| async move {
            sqs.get_queue_attributes()
                .queue_url(&queue.url)
                .attribute_names(aws_sdk_sqs::types::QueueAttributeName::Policy)
                .send()
                .await
                .classify("sqs:GetQueueAttributes")
        })
        .await?;
    Ok(out
        .attributes
        .and_then(|mut a| a.remove(&aws_sdk_sqs::types::QueueAttributeName::Policy))
        .filter(|p| !p.is_empty()))
}

/// Sets a queue's policy as the owning account's root user; `None` removes it
/// (SetQueueAttributes with an empty `Policy`).
pub async fn set_queue_policy(
    aws: &AwsClients,
    queue: &QueueUrl,
    policy: Option<&str>,
) -> Result<(), AwsError> {
    let sqs = aws
        .root_sqs(&queue.account_id, queue.region.as_deref())
        .await?;
    sqs.call(|sqs| async move {
        sqs.set_queue_attributes()
            .queue_url(&queue.url)
            .attributes(
                aws_sdk_sqs::types::QueueAttributeName::Policy,
                policy.unwrap_or_default(),
            )
            .send()
            .await
            .map(|_| ())
            .classify("sqs:SetQueueAttributes")
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_compare_as_json() {
        assert!(same_policy(
            r#"{"Version":"2012-10-17","Statement":[]}"#,
            "{\n  \"Statement\": [],\n  \"Version\": \"2012-10-17\"\n}"
        ));
        assert!(!same_policy(r#"{"a":[1,2]}"#, r#"{"a":[2,1]}"#));
        assert!(same_policy("not json", "not json"));
        assert!(!same_policy("not json", "{}"));
        assert!(check_policy_json(r#"{"Statement": [{"Effect": "Allow"}]}"#).is_ok());
        assert!(check_policy_json(r#"{"Statement": {"Effect": "Allow"}}"#).is_ok());
        for none in [
            r#"{"Statement": []}"#,
            r#"{"Version": "2012-10-17"}"#,
            r#"{"Statement": "x"}"#,
        ] {
            assert!(
                check_policy_json(none)
                    .is_err_and(|e| e.contains("no statements")
                        && e.contains("leave replacement_policy out")),
                "{none}"
            );
        }
        assert!(
            check_policy_json("[1]")
                .unwrap_err()
                .contains("JSON object")
        );
        assert!(
            check_policy_json("{")
                .unwrap_err()
                .contains("not valid JSON")
        );
    }

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

    #[test]
    fn regions() {
        for ok in [
            "us-east-1",
            "eu-central-2",
            "us-gov-west-1",
            "cn-north-1",
            "us-isob-east-1",
        ] {
            assert!(check_region(ok).is_ok(), "{ok}");
        }
        for bad in ["", "us-east", "useast1", "US-EAST-1", "us--1", "eu-west-1a"] {
            assert!(check_region(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn queue_urls() {
        let q =
            QueueUrl::parse("https://sqs.eu-west-1.amazonaws.com/111122223333/jobs.fifo").unwrap();
        assert_eq!(q.account_id, "111122223333");
        assert_eq!(q.name, "jobs.fifo");
        assert_eq!(q.region.as_deref(), Some("eu-west-1"));
        let region = |u: &str| QueueUrl::parse(u).unwrap().region;
        assert_eq!(
            region("https://queue.amazonaws.com/111122223333/q").as_deref(),
            Some("us-east-1")
        );
        assert_eq!(
            region("https://ap-south-1.queue.amazonaws.com/111122223333/q").as_deref(),
            Some("ap-south-1")
        );
        assert_eq!(
            region("https://sqs.cn-north-1.amazonaws.com.cn/111122223333/q").as_deref(),
            Some("cn-north-1")
        );
        assert_eq!(
            region("https://vpce-0abc-xyz.sqs.us-west-2.vpce.amazonaws.com/111122223333/q")
                .as_deref(),
            Some("us-west-2")
        );
        assert_eq!(region("http://127.0.0.1:4566/111122223333/q"), None);
        for (bad, why) in [
            ("sqs.us-east-1.amazonaws.com/111122223333/q", "https://"),
            (
                "https://sqs.us-east-1.amazonaws.com/q",
                "/<account id>/<queue name>",
            ),
            ("https://sqs.us-east-1.amazonaws.com/1234/q", "12-digit"),
            (
                "https://sqs.us-east-1.amazonaws.com/111122223333/a b",
                "not a queue name",
            ),
            (
                "https://sqs.us-east-1.amazonaws.com/111122223333/",
                "not a queue name",
            ),
            ("https:///111122223333/q", "no host"),
            ("arn:aws:sqs:us-east-1:111122223333:q", "https://"),
        ] {
            let err = QueueUrl::parse(bad).unwrap_err();
            assert!(err.contains(why), "{bad}: {err}");
        }
    }
}
