"""The five root-task policies, which organization feature gates each, and how
API operations map to the IAM actions those policies name."""

from __future__ import annotations

from .state import FEATURE_CREDENTIALS, FEATURE_SESSIONS

TASK_PREFIX = "arn:aws:iam::aws:policy/root-task/"

_AUDIT_READS = {
    "iam:GetUser", "iam:GetLoginProfile", "iam:ListAccessKeys", "iam:GetAccessKeyLastUsed",
    "iam:ListSigningCertificates", "iam:ListMFADevices",
}

# Actions a root session may perform (aws-root-access.md, "The five task policies").
TASK_ACTIONS: dict[str, frozenset[str]] = {
    "IAMAuditRootUserCredentials": frozenset(_AUDIT_READS | {"iam:GetAccountSummary"}),
    "IAMCreateRootUserPassword": frozenset({"iam:CreateLoginProfile", "iam:GetLoginProfile"}),
    "IAMDeleteRootUserCredentials": frozenset(_AUDIT_READS | {
        "iam:DeleteLoginProfile", "iam:DeleteAccessKey", "iam:DeleteSigningCertificate",
        "iam:DeactivateMFADevice", "iam:DeleteVirtualMFADevice",
    }),
    "S3UnlockBucketPolicy": frozenset({
        "s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:ListAllMyBuckets",
    }),
    "SQSUnlockQueuePolicy": frozenset({
        "sqs:GetQueueAttributes", "sqs:SetQueueAttributes", "sqs:ListQueues", "sqs:GetQueueUrl",
    }),
}

# Feature gating (decision, see README): the three IAM credential tasks need
# RootCredentialsManagement -- including password recovery (IAMCreateRootUserPassword),
# where the console documentation names RootSessions but live API captures show
# RootCredentialsManagement suffices; the two unlock tasks need RootSessions.
TASK_FEATURE: dict[str, str] = {
    "IAMAuditRootUserCredentials": FEATURE_CREDENTIALS,
    "IAMCreateRootUserPassword": FEATURE_CREDENTIALS,
    "IAMDeleteRootUserCredentials": FEATURE_CREDENTIALS,
    "S3UnlockBucketPolicy": FEATURE_SESSIONS,
    "SQSUnlockQueuePolicy": FEATURE_SESSIONS,
}

# Calls that no policy can deny.
ALWAYS_ALLOWED = frozenset({"sts:GetCallerIdentity"})


def task_from_arn(arn: str | None) -> str | None:
    if not arn or not arn.startswith(TASK_PREFIX):
        return None
    name = arn[len(TASK_PREFIX):]
    return name if name in TASK_ACTIONS else None


# S3 API operation -> IAM action
_S3_ACTIONS = {
    "ListBuckets": "s3:ListAllMyBuckets",
    "ListObjects": "s3:ListBucket",
    "ListObjectsV2": "s3:ListBucket",
    "HeadBucket": "s3:ListBucket",
    "ListObjectVersions": "s3:ListBucketVersions",
    "ListMultipartUploads": "s3:ListBucketMultipartUploads",
    "HeadObject": "s3:GetObject",
    "GetObject": "s3:GetObject",
    "GetObjectAttributes": "s3:GetObject",
    "CopyObject": "s3:PutObject",
    "CreateMultipartUpload": "s3:PutObject",
    "UploadPart": "s3:PutObject",
    "UploadPartCopy": "s3:PutObject",
    "CompleteMultipartUpload": "s3:PutObject",
    "AbortMultipartUpload": "s3:AbortMultipartUpload",
    "ListParts": "s3:ListMultipartUploadParts",
    "DeleteObjects": "s3:DeleteObject",
    "GetBucketCors": "s3:GetBucketCORS",
    "PutBucketCors": "s3:PutBucketCORS",
    "DeleteBucketCors": "s3:PutBucketCORS",
    "GetBucketLifecycleConfiguration": "s3:GetLifecycleConfiguration",
    "PutBucketLifecycleConfiguration": "s3:PutLifecycleConfiguration",
    "DeleteBucketLifecycle": "s3:PutLifecycleConfiguration",
    "DeleteBucketTagging": "s3:PutBucketTagging",
    "GetBucketNotificationConfiguration": "s3:GetBucketNotification",
    "PutBucketNotificationConfiguration": "s3:PutBucketNotification",
    "GetBucketAccelerateConfiguration": "s3:GetAccelerateConfiguration",
    "PutBucketAccelerateConfiguration": "s3:PutAccelerateConfiguration",
    "GetBucketEncryption": "s3:GetEncryptionConfiguration",
    "PutBucketEncryption": "s3:PutEncryptionConfiguration",
    "DeleteBucketEncryption": "s3:PutEncryptionConfiguration",
    "GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock",
    "PutPublicAccessBlock": "s3:PutBucketPublicAccessBlock",
    "DeletePublicAccessBlock": "s3:PutBucketPublicAccessBlock",
}

# S3 operations whose resource is an object (arn:aws:s3:::bucket/key)
S3_OBJECT_OPERATIONS = frozenset({
    "HeadObject", "GetObject", "GetObjectAttributes", "PutObject", "CopyObject", "DeleteObject",
    "DeleteObjects", "GetObjectAcl", "PutObjectAcl", "GetObjectTagging", "PutObjectTagging",
    "DeleteObjectTagging", "CreateMultipartUpload", "UploadPart", "UploadPartCopy",
    "CompleteMultipartUpload", "AbortMultipartUpload", "ListParts", "RestoreObject",
    "GetObjectRetention", "PutObjectRetention", "GetObjectLegalHold", "PutObjectLegalHold",
})

# What the bucket-owning account's root may always do, whatever the bucket policy says.
S3_OWNER_ROOT_ALWAYS = frozenset({"s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"})
# What the queue-owning account's root (SQSUnlockQueuePolicy) may still do.
SQS_OWNER_ROOT_ALWAYS = frozenset({"sqs:GetQueueAttributes", "sqs:SetQueueAttributes",
                                   "sqs:ListQueues", "sqs:GetQueueUrl"})


def iam_action(service: str, operation: str) -> str:
    if service == "s3":
        return _S3_ACTIONS.get(operation, f"s3:{operation}")
    return f"{service}:{operation}"
