//! The five AWS managed root-task policies that scope an `sts:AssumeRoot` session.

use std::fmt;
use std::str::FromStr;

use crate::partition::Partition;

/// What follows the partition in every root-task policy ARN.
const ARN_PATH: &str = ":iam::aws:policy/root-task/";

/// What a root session may do: exactly one of these per session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TaskPolicy {
    /// Read the member's root credentials.
    IamAuditRootUserCredentials,
    /// Create a login profile so the root mailbox owner can recover the password.
    IamCreateRootUserPassword,
    /// Delete the member's root password, access keys, certificates and MFA.
    IamDeleteRootUserCredentials,
    /// Read, replace or delete a bucket policy that locks everyone out.
    S3UnlockBucketPolicy,
    /// Read, replace or delete a queue policy that locks everyone out.
    SqsUnlockQueuePolicy,
}

impl TaskPolicy {
    pub const ALL: [TaskPolicy; 5] = [
        TaskPolicy::IamAuditRootUserCredentials,
        TaskPolicy::IamCreateRootUserPassword,
        TaskPolicy::IamDeleteRootUserCredentials,
        TaskPolicy::S3UnlockBucketPolicy,
        TaskPolicy::SqsUnlockQueuePolicy,
    ];

    /// The names, in the order AWS documents them.
    pub const NAMES: [&'static str; 5] = [
        "IAMAuditRootUserCredentials",
        "IAMCreateRootUserPassword",
        "IAMDeleteRootUserCredentials",
        "S3UnlockBucketPolicy",
        "SQSUnlockQueuePolicy",
    ];

    pub fn name(self) -> &'static str {
        // ALL and NAMES are in the same order.
        Self::NAMES[self as usize]
    }

    /// The actions the AWS managed policy allows (its published document,
    /// version of 2024-11-06: every other action is denied).
    pub fn actions(self) -> &'static [&'static str] {
        match self {
            TaskPolicy::IamAuditRootUserCredentials => &[
                "iam:GetAccessKeyLastUsed",
                "iam:GetAccountSummary",
                "iam:GetLoginProfile",
                "iam:GetUser",
                "iam:ListAccessKeys",
                "iam:ListMFADevices",
                "iam:ListSigningCertificates",
            ],
            TaskPolicy::IamCreateRootUserPassword => {
                &["iam:CreateLoginProfile", "iam:GetLoginProfile"]
            }
            TaskPolicy::IamDeleteRootUserCredentials => &[
                "iam:DeactivateMFADevice",
                "iam:DeleteAccessKey",
                "iam:DeleteLoginProfile",
                "iam:DeleteSigningCertificate",
                "iam:DeleteVirtualMFADevice",
                "iam:GetAccessKeyLastUsed",
                "iam:GetLoginProfile",
                "iam:GetUser",
                "iam:ListAccessKeys",
                "iam:ListMFADevices",
                "iam:ListSigningCertificates",
            ],
            TaskPolicy::S3UnlockBucketPolicy => &[
                "s3:DeleteBucketPolicy",
                "s3:GetBucketPolicy",
                "s3:ListAllMyBuckets",
                "s3:PutBucketPolicy",
            ],
            TaskPolicy::SqsUnlockQueuePolicy => &[
                "sqs:GetQueueAttributes",
                "sqs:GetQueueUrl",
                "sqs:ListQueues",
                "sqs:SetQueueAttributes",
            ],
        }
    }

    /// `arn:<partition>:iam::aws:policy/root-task/<name>`.
    pub fn arn(self, partition: Partition) -> String {
        format!("arn:{partition}{ARN_PATH}{}", self.name())
    }
}

impl fmt::Display for TaskPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is not one of the five task policies.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{given:?} is not a root-task policy; use one of {}", TaskPolicy::NAMES.join(", "))]
pub struct UnknownTaskPolicy {
    pub given: String,
}

impl FromStr for TaskPolicy {
    type Err = UnknownTaskPolicy;

    /// Accepts a policy name or its full ARN in any partition, exactly as
    /// AWS spells it.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let name = Partition::ALL
            .into_iter()
            .find_map(|p| s.strip_prefix(&format!("arn:{p}{ARN_PATH}")))
            .unwrap_or(s);
        TaskPolicy::ALL
            .into_iter()
            .find(|p| p.name() == name)
            .ok_or_else(|| UnknownTaskPolicy {
                given: s.to_string(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_arns() {
        for p in TaskPolicy::ALL {
            assert_eq!(p.name().parse::<TaskPolicy>(), Ok(p));
            for partition in Partition::ALL {
                assert_eq!(p.arn(partition).parse::<TaskPolicy>(), Ok(p));
            }
        }
        assert_eq!(
            TaskPolicy::S3UnlockBucketPolicy.arn(Partition::Aws),
            "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy"
        );
        assert_eq!(
            TaskPolicy::IamDeleteRootUserCredentials.arn(Partition::AwsCn),
            "arn:aws-cn:iam::aws:policy/root-task/IAMDeleteRootUserCredentials"
        );
        assert_eq!(
            TaskPolicy::SqsUnlockQueuePolicy.arn(Partition::AwsUsGov),
            "arn:aws-us-gov:iam::aws:policy/root-task/SQSUnlockQueuePolicy"
        );
        let err = "s3unlockbucketpolicy".parse::<TaskPolicy>().unwrap_err();
        assert!(err.to_string().contains("SQSUnlockQueuePolicy"));
    }
}
