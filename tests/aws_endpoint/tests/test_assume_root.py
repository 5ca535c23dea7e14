"""STS AssumeRoot: validation, who may call it, feature gating, session scope and expiry."""

from __future__ import annotations

import datetime as dt

import botocore.config
import pytest
from botocore.exceptions import ClientError

from conftest import ADMIN, DEV, LEGACY, LOCKED_BUCKET, MGMT, OUTSIDE, PROD, TASK, boto3_session, error_code, standard_scenario

TASKS = ["IAMAuditRootUserCredentials", "IAMCreateRootUserPassword", "IAMDeleteRootUserCredentials",
         "S3UnlockBucketPolicy", "SQSUnlockQueuePolicy"]


def unvalidated_sts(ep):
    """An STS client that sends what it is given (no client-side parameter validation)."""
    creds = ep.mgmt_creds()
    return boto3_session().client(
        "sts", endpoint_url=ep.url, region_name="us-east-1",
        aws_access_key_id=creds["AWS_ACCESS_KEY_ID"], aws_secret_access_key=creds["AWS_SECRET_ACCESS_KEY"],
        config=botocore.config.Config(parameter_validation=False, retries={"mode": "standard", "total_max_attempts": 1}))


def test_validation_errors(ep):
    sts = unvalidated_sts(ep)
    cases = [
        dict(TargetPrincipal=DEV, TaskPolicyArn={"arn": TASK + "S3UnlockBucketPolicy"}, DurationSeconds=901),
        dict(TargetPrincipal=DEV, TaskPolicyArn={"arn": TASK + "S3UnlockBucketPolicy"}, DurationSeconds=-1),
        dict(TargetPrincipal="1234", TaskPolicyArn={"arn": TASK + "S3UnlockBucketPolicy"}),
        dict(TargetPrincipal="not-an-account-id", TaskPolicyArn={"arn": TASK + "S3UnlockBucketPolicy"}),
        dict(TargetPrincipal=DEV, TaskPolicyArn={"arn": "arn:aws:iam::aws:policy/AdministratorAccess"}),
        dict(TargetPrincipal=DEV, TaskPolicyArn={"arn": TASK + "IAMDoEverything"}),
        dict(TaskPolicyArn={"arn": TASK + "S3UnlockBucketPolicy"}),
        dict(TargetPrincipal=DEV),
    ]
    for kwargs in cases:
        with pytest.raises(ClientError) as excinfo:
            sts.assume_root(**kwargs)
        assert error_code(excinfo) == ("ValidationError", 400), kwargs
    assert ep.aws_error("sts", "assume-root", "--target-principal", DEV, "--task-policy-arn",
                        f"arn={TASK}S3UnlockBucketPolicy", "--duration-seconds", "1000") == "ValidationError"
    assert ep.control("GET", "/sessions")["sessions"] == []


def test_duration_default_explicit_and_zero(ep):
    ep.assume_root(DEV, "S3UnlockBucketPolicy")
    ep.assume_root(DEV, "S3UnlockBucketPolicy", DurationSeconds=120)
    zero = ep.assume_root(DEV, "S3UnlockBucketPolicy", DurationSeconds=0)
    sessions = ep.control("GET", "/sessions")["sessions"]
    lengths = [(dt.datetime.fromisoformat(s["expiration"].replace("Z", "+00:00"))
                - dt.datetime.fromisoformat(s["issued_at"].replace("Z", "+00:00"))).total_seconds()
               for s in sessions]
    assert lengths == [900, 120, 0]
    with pytest.raises(ClientError) as excinfo:
        ep.client("sts", zero).get_caller_identity()
    assert error_code(excinfo) == ("ExpiredToken", 403)


def test_target_principal_as_arn(ep):
    root = ep.client("sts").assume_root(TargetPrincipal=f"arn:aws:iam::{DEV}:root",
                                        TaskPolicyArn={"arn": TASK + "IAMAuditRootUserCredentials"})
    creds = root["Credentials"]
    sts = ep.client("sts", {"AWS_ACCESS_KEY_ID": creds["AccessKeyId"],
                            "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
                            "AWS_SESSION_TOKEN": creds["SessionToken"]})
    assert sts.get_caller_identity()["Arn"] == f"arn:aws:iam::{DEV}:root"


@pytest.mark.parametrize("target", [MGMT, LEGACY, OUTSIDE, "999999999999"])
def test_bad_targets_are_denied(ep, target):
    with pytest.raises(ClientError) as excinfo:
        ep.assume_root(target, "S3UnlockBucketPolicy")
    assert error_code(excinfo) == ("AccessDenied", 403)


def test_who_may_call(ep):
    for caller in (PROD, OUTSIDE):
        with pytest.raises(ClientError) as excinfo:
            ep.assume_root(DEV, "S3UnlockBucketPolicy", creds=ep.user_creds(caller))
        assert error_code(excinfo) == ("AccessDenied", 403), caller
    assert ep.aws_error("sts", "assume-root", "--target-principal", DEV, "--task-policy-arn",
                        f"arn={TASK}S3UnlockBucketPolicy", creds=ep.user_creds(PROD)) == "AccessDenied"
    # the IAM delegated administrator and an IAM user of the management account may
    ep.assume_root(DEV, "S3UnlockBucketPolicy", creds=ep.user_creds(ADMIN))
    ep.assume_root(DEV, "S3UnlockBucketPolicy", creds=ep.user_creds(MGMT))
    # a root session may not
    root = ep.assume_root(DEV, "S3UnlockBucketPolicy")
    with pytest.raises(ClientError) as excinfo:
        ep.assume_root(PROD, "S3UnlockBucketPolicy", creds=root)
    assert error_code(excinfo) == ("AccessDenied", 403)
    assert ep.calls()["assume_root"] == {DEV: {"S3UnlockBucketPolicy": 3}}


@pytest.mark.parametrize("features,allowed", [
    (["RootCredentialsManagement"], {"IAMAuditRootUserCredentials", "IAMCreateRootUserPassword",
                                     "IAMDeleteRootUserCredentials"}),
    (["RootSessions"], {"S3UnlockBucketPolicy", "SQSUnlockQueuePolicy"}),
    ([], set()),
])
def test_feature_gating(endpoint, features, allowed):
    endpoint.seed(standard_scenario(features=features))
    for task in TASKS:
        if task in allowed:
            endpoint.assume_root(DEV, task)
        else:
            with pytest.raises(ClientError) as excinfo:
                endpoint.assume_root(DEV, task)
            assert error_code(excinfo) == ("AccessDenied", 403), task


def test_trusted_access_off_denies_even_with_features(endpoint):
    endpoint.seed(standard_scenario(trusted_access=[], delegated_administrators=[]))
    with pytest.raises(ClientError) as excinfo:
        endpoint.assume_root(DEV, "S3UnlockBucketPolicy")
    assert error_code(excinfo) == ("AccessDenied", 403)


def test_session_is_scoped_to_its_task(ep):
    s3_root = ep.assume_root(DEV, "S3UnlockBucketPolicy")
    assert LOCKED_BUCKET in [b["Name"] for b in ep.client("s3", s3_root).list_buckets()["Buckets"]]
    denied = [
        lambda: ep.client("s3", s3_root).list_objects_v2(Bucket="dev-open-bucket"),
        lambda: ep.client("s3", s3_root).create_bucket(Bucket="new-bucket"),
        lambda: ep.client("iam", s3_root).list_users(),
        lambda: ep.client("iam", s3_root).get_account_summary(),
        lambda: ep.client("sqs", s3_root).list_queues(),
        lambda: ep.client("organizations", s3_root).describe_organization(),
        lambda: ep.client("sts", s3_root).assume_role(RoleArn=f"arn:aws:iam::{DEV}:role/x", RoleSessionName="xx"),
    ]
    for call in denied:
        with pytest.raises(ClientError) as excinfo:
            call()
        code, status = error_code(excinfo)
        assert code in ("AccessDenied", "AccessDeniedException") and status == 403

    audit = ep.assume_root(DEV, "IAMAuditRootUserCredentials")
    iam = ep.client("iam", audit)
    assert iam.get_user()["User"]["Arn"] == f"arn:aws:iam::{DEV}:root"
    key_id = iam.list_access_keys()["AccessKeyMetadata"][0]["AccessKeyId"]
    assert iam.get_access_key_last_used(AccessKeyId=key_id)["AccessKeyLastUsed"]["ServiceName"] == "N/A"
    for call in (lambda: iam.delete_access_key(AccessKeyId=key_id), iam.delete_login_profile,
                 lambda: iam.list_access_keys(UserName="alice"), iam.list_users):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_code(excinfo) == ("AccessDenied", 403)
    assert len(ep.account(DEV)["root_credentials"]["access_keys"]) == 2

    sqs_root = ep.assume_root(DEV, "SQSUnlockQueuePolicy")
    with pytest.raises(ClientError) as excinfo:
        ep.client("s3", sqs_root).get_bucket_policy(Bucket=LOCKED_BUCKET)
    assert error_code(excinfo) == ("AccessDenied", 403)


def test_wrong_session_token_is_rejected(ep):
    root = dict(ep.assume_root(DEV, "S3UnlockBucketPolicy"))
    root["AWS_SESSION_TOKEN"] = "forged"
    with pytest.raises(ClientError) as excinfo:
        ep.client("sts", root).get_caller_identity()
    assert error_code(excinfo) == ("InvalidClientTokenId", 403)


def test_expiry_by_control_api(ep):
    s3_root = ep.assume_root(DEV, "S3UnlockBucketPolicy")
    sqs_root = ep.assume_root(DEV, "SQSUnlockQueuePolicy", DurationSeconds=300)
    ep.client("s3", s3_root).get_bucket_policy(Bucket=LOCKED_BUCKET)
    ep.control("POST", "/clock", {"advance_seconds": 290})
    ep.client("sqs", sqs_root).list_queues()
    ep.control("POST", "/clock", {"advance_seconds": 15})
    with pytest.raises(ClientError) as excinfo:
        ep.client("sqs", sqs_root).list_queues()
    assert error_code(excinfo) == ("ExpiredToken", 403)
    ep.client("s3", s3_root).get_bucket_policy(Bucket=LOCKED_BUCKET)  # 900 s session still valid

    assert ep.control("POST", "/sessions/expire", {})["expired"] == 1  # the 300 s one already was
    with pytest.raises(ClientError) as excinfo:
        ep.client("s3", s3_root).get_bucket_policy(Bucket=LOCKED_BUCKET)
    assert error_code(excinfo) == ("ExpiredToken", 400)
    assert ep.aws_error("sts", "get-caller-identity", creds=s3_root) == "ExpiredToken"
    assert all(s["expired"] for s in ep.control("GET", "/sessions")["sessions"])
    # a new session works again
    fresh = ep.assume_root(DEV, "S3UnlockBucketPolicy")
    assert ep.client("s3", fresh).get_bucket_policy(Bucket=LOCKED_BUCKET)["Policy"]


def test_root_user_iam_answers(ep):
    prod_root = ep.assume_root(PROD, "IAMDeleteRootUserCredentials")
    iam = ep.client("iam", prod_root)
    cases = [
        (iam.get_login_profile, ("NoSuchEntity", 404)),
        (iam.delete_login_profile, ("NoSuchEntity", 404)),
        (lambda: iam.delete_access_key(AccessKeyId="AKIAEXAMPLEEXAMPLE00"), ("NoSuchEntity", 404)),
        (lambda: iam.delete_signing_certificate(CertificateId="X" * 24), ("NoSuchEntity", 404)),
        (lambda: iam.deactivate_mfa_device(SerialNumber=f"arn:aws:iam::{PROD}:mfa/root-account-mfa-device"),
         ("NoSuchEntity", 404)),
    ]
    for call, expected in cases:
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_code(excinfo) == expected
    assert iam.list_access_keys()["AccessKeyMetadata"] == []
    assert iam.list_mfa_devices()["MFADevices"] == []

    dev = ep.client("iam", ep.assume_root(DEV, "IAMDeleteRootUserCredentials"))
    serial = dev.list_mfa_devices()["MFADevices"][0]["SerialNumber"]
    # IAMDeleteRootUserCredentials lists iam:DeleteVirtualMFADevice but denies it on every resource
    # other than arn:aws:iam::*:root, and the device's resource is its mfa/ ARN
    with pytest.raises(ClientError) as excinfo:
        dev.delete_virtual_mfa_device(SerialNumber=serial)
    assert error_code(excinfo) == ("AccessDenied", 403)
    assert "with an explicit deny in a session policy" in excinfo.value.response["Error"]["Message"]
    # an IAM principal of the account may delete it, once it is no longer assigned
    admin = ep.client("iam", ep.user_creds(DEV))
    with pytest.raises(ClientError) as excinfo:
        admin.delete_virtual_mfa_device(SerialNumber=serial)
    assert error_code(excinfo) == ("DeleteConflict", 409)

    recovery = ep.client("iam", ep.assume_root(PROD, "IAMCreateRootUserPassword"))
    with pytest.raises(ClientError) as excinfo:
        recovery.create_login_profile(Password="Sup3r-secret!")
    assert error_code(excinfo) == ("InvalidInput", 400)
    recovery.create_login_profile()
    with pytest.raises(ClientError) as excinfo:
        recovery.create_login_profile()
    assert error_code(excinfo) == ("EntityAlreadyExists", 409)
    assert recovery.get_login_profile()["LoginProfile"]["PasswordResetRequired"] is False


def test_ordinary_iam_users_keep_moto_behaviour(ep):
    iam = ep.client("iam", ep.user_creds(DEV, "alice"))
    assert iam.get_user()["User"]["UserName"] == "alice"
    assert len(iam.list_access_keys()["AccessKeyMetadata"]) == 1
    assert iam.list_mfa_devices()["MFADevices"] == []
    summary = iam.get_account_summary()["SummaryMap"]
    assert summary["AccountPasswordPresent"] == 1 and summary["AccountMFAEnabled"] == 1
