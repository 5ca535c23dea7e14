//! Resource policies that lock everyone out of a bucket or a queue, read and
//! removed (or replaced) through a root session of the owning account: S3
//! bucket policies in an S3UnlockBucketPolicy session (`s3`), SQS queue
//! policies in an SQSUnlockQueuePolicy session (`sqs`). This file: how
//! policy documents are compared and checked.

pub mod s3;
pub mod sqs;

pub use s3::{
    BucketPolicy, BucketRegion, check_bucket_name, delete_bucket_policy, get_bucket_policy,
    put_bucket_policy,
};
pub use sqs::{QueueUrl, get_queue_policy, set_queue_policy};

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
}
