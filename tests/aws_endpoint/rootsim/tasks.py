"""The five root-task policies, which organization feature gates each, and how
API operations map to the IAM actions those policies name."""

from __future__ import annotations

from typing import Any

from .policy import first_applying
from .state import FEATURE_CREDENTIALS, FEATURE_SESSIONS

TASK_PREFIX = "arn:aws:iam::aws:policy/root-task/"

# The five root-task policies, version v1 (2024-11-06), as AWS publishes them
# (arn:aws:iam::aws:policy/root-task/<NAME>; GetPolicyVersion).  Each is deny-only: a
# NotAction statement denies everything outside the task, and a second statement denies the
# task's own actions on anything but the root user (IAM), or to non-root callers (S3, SQS).
# A root session is evaluated against the document itself (gate.precheck): e.g. iam:ListAccessKeys
# must target arn:aws:iam::<id>:root, and iam:DeleteVirtualMFADevice, whose resource is the
# device (arn:aws:iam::<id>:mfa/<name>), is denied by IAMDeleteRootUserCredentials although
# the policy lists the action.
_IAM_AUDIT = ["iam:ListAccessKeys", "iam:ListSigningCertificates", "iam:GetLoginProfile",
              "iam:ListMFADevices", "iam:GetUser", "iam:GetAccessKeyLastUsed"]
_IAM_DELETE = ["iam:DeleteAccessKey", "iam:DeleteSigningCertificate", "iam:DeleteLoginProfile",
               "iam:DeactivateMFADevice", "iam:DeleteVirtualMFADevice", "iam:ListAccessKeys",
               "iam:ListSigningCertificates", "iam:GetLoginProfile", "iam:ListMFADevices", "iam:GetUser",
               "iam:GetAccessKeyLastUsed"]
_S3_UNLOCK = ["s3:DeleteBucketPolicy", "s3:PutBucketPolicy", "s3:GetBucketPolicy", "s3:ListAllMyBuckets"]
_SQS_UNLOCK = ["sqs:SetQueueAttributes", "sqs:GetQueueAttributes", "sqs:ListQueues", "sqs:GetQueueUrl"]
_ROOT_ARN = "arn:aws:iam::*:root"


def _deny_others(actions: list[str]) -> dict[str, Any]:
    return {"Sid": "DenyAllOtherActionsOnAnyResource", "Effect": "Deny", "NotAction": actions,
            "Resource": "*"}


TASK_POLICIES: dict[str, dict[str, Any]] = {
    "IAMAuditRootUserCredentials": {"Version": "2012-10-17", "Statement": [
        _deny_others(_IAM_AUDIT[:4] + ["iam:GetAccountSummary"] + _IAM_AUDIT[4:]),
        {"Sid": "DenyAuditingCredentialsOnNonRootUserResource", "Effect": "Deny",
         "Action": _IAM_AUDIT, "NotResource": _ROOT_ARN},
    ]},
    "IAMCreateRootUserPassword": {"Version": "2012-10-17", "Statement": [
        _deny_others(["iam:CreateLoginProfile", "iam:GetLoginProfile"]),
        {"Sid": "DenyCreatingPasswordOnNonRootUserResource", "Effect": "Deny",
         "Action": ["iam:CreateLoginProfile", "iam:GetLoginProfile"], "NotResource": _ROOT_ARN},
    ]},
    "IAMDeleteRootUserCredentials": {"Version": "2012-10-17", "Statement": [
        _deny_others(_IAM_DELETE),
        {"Sid": "DenyDeletingRootUserCredentialsOnNonRootUserResource", "Effect": "Deny",
         "Action": _IAM_DELETE, "NotResource": _ROOT_ARN},
    ]},
    "S3UnlockBucketPolicy": {"Version": "2012-10-17", "Statement": [
        _deny_others(_S3_UNLOCK),
        {"Sid": "DenyManagingBucketPolicyForNonRootCallers", "Effect": "Deny", "Action": _S3_UNLOCK,
         "Resource": "*", "Condition": {"StringNotLike": {"aws:PrincipalArn": _ROOT_ARN}}},
    ]},
    "SQSUnlockQueuePolicy": {"Version": "2012-10-17", "Statement": [
        _deny_others(_SQS_UNLOCK),
        {"Sid": "DenyGettingQueueAttributesOnNonOwnQueue", "Effect": "Deny",
         "Action": ["sqs:GetQueueAttributes"], "Resource": "arn:aws:sqs:*:*:*",
         "Condition": {"StringNotEqualsIfExists": {"aws:ResourceAccount": ["${aws:PrincipalAccount}"]}}},
        {"Sid": "DenyActionsForNonRootUser", "Effect": "Deny", "Action": _SQS_UNLOCK, "Resource": "*",
         "Condition": {"StringNotLike": {"aws:PrincipalArn": _ROOT_ARN}}},
    ]},
}

# Actions a root session may perform at all (the NotAction list of each policy's first statement).
TASK_ACTIONS: dict[str, frozenset[str]] = {
    name: frozenset(policy["Statement"][0]["NotAction"]) for name, policy in TASK_POLICIES.items()
}


def task_denies(task: str, action: str, resource: str, context: dict[str, str]) -> bool:
    """Whether the task policy's Deny statements cover this request."""
    return first_applying(TASK_POLICIES[task], "Deny", action, resource, context) is not None


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
