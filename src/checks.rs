//! Attribute validators shared by resources, data sources, ephemeral
//! resources and actions: each wraps a check of the AWS layer so the same
//! rule (and the same message) applies everywhere.

use aws_root_access::ids::{check_account_id, check_parent_id};
use aws_root_access::partition::check_region;
use aws_root_access::resource_policies::{QueueUrl, check_bucket_name, check_policy_json};
use aws_root_access::task_policy::TaskPolicy;
use tfplugin::StringCheck;

pub const ACCOUNT_ID: StringCheck = StringCheck {
    description: "Must be a 12-digit AWS account id (a string: keep leading zeros).",
    check: check_account_id,
};

pub const PARENT_ID: StringCheck = StringCheck {
    description: "Must be an organizational unit id (`ou-...`) or the organization's root id (`r-...`).",
    check: check_parent_id,
};

pub const POLICY_JSON: StringCheck = StringCheck {
    description: "Must be a JSON policy document (an object) with at least one statement.",
    check: check_policy_json,
};

pub const BUCKET_NAME: StringCheck = StringCheck {
    description: "Must be a valid S3 bucket name (3 to 63 lowercase letters, digits, dots and hyphens).",
    check: check_bucket_name,
};

pub const REGION: StringCheck = StringCheck {
    description: "Must be an AWS region code such as `eu-west-1`.",
    check: check_region,
};

pub const QUEUE_URL: StringCheck = StringCheck {
    description: "Must be a queue URL, `https://sqs.<region>.amazonaws.com/<account id>/<queue name>`.",
    check: |s| QueueUrl::parse(s).map(|_| ()),
};

pub const TASK_POLICY: StringCheck = StringCheck {
    description: "One of `IAMAuditRootUserCredentials`, `IAMCreateRootUserPassword`, \
                  `IAMDeleteRootUserCredentials`, `S3UnlockBucketPolicy`, `SQSUnlockQueuePolicy`, or its ARN.",
    check: |s| {
        s.parse::<TaskPolicy>()
            .map(|_| ())
            .map_err(|e| e.to_string())
    },
};
