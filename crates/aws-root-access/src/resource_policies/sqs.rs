//! SQS queue policies, read and removed (or replaced) as the queue owner's
//! root user in an SQSUnlockQueuePolicy session; queue URLs and the regions
//! their hosts name.

use crate::clients::AwsClients;
use crate::error::{AwsError, Classify};
use crate::partition::is_region;

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
        if crate::ids::check_account_id(account_id).is_err() {
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
