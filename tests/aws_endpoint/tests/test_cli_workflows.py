"""The by-hand aws CLI workflows of aws-root-access.md, replayed against the endpoint."""

from __future__ import annotations

import json
import re

from conftest import DEV, LOCKED_BUCKET, LOCKED_QUEUE, TASK, standard_scenario


def export(assumed: dict) -> dict[str, str]:
    """What a person does with the assume-root output: export the three variables."""
    credentials = assumed["Credentials"]
    return {"AWS_ACCESS_KEY_ID": credentials["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": credentials["SecretAccessKey"],
            "AWS_SESSION_TOKEN": credentials["SessionToken"]}


def test_s3_unlock_by_hand(endpoint):
    seeded = endpoint.seed(standard_scenario(features=[]))
    org_id = seeded["organization"]["id"]
    alice = endpoint.user_creds(DEV, "alice")

    # an ordinary principal of the member account is locked out of the bucket
    assert endpoint.aws_error("s3api", "list-objects", "--bucket", LOCKED_BUCKET, creds=alice) == "AccessDenied"
    assert endpoint.aws_error("s3api", "delete-bucket", "--bucket", LOCKED_BUCKET, creds=alice) == "AccessDenied"
    assert LOCKED_BUCKET in endpoint.account(DEV)["buckets"]

    # management account: enable both features
    out = endpoint.aws_json("iam", "enable-organizations-root-credentials-management")
    assert out == {"OrganizationId": org_id, "EnabledFeatures": ["RootCredentialsManagement"]}
    out = endpoint.aws_json("iam", "enable-organizations-root-sessions")
    assert out == {"OrganizationId": org_id, "EnabledFeatures": ["RootCredentialsManagement", "RootSessions"]}
    assert re.fullmatch(r"o-[a-z0-9]{10,32}", org_id)

    assumed = endpoint.aws_json("sts", "assume-root", "--target-principal", DEV, "--task-policy-arn",
                                f"arn={TASK}S3UnlockBucketPolicy")
    assert assumed["Credentials"]["AccessKeyId"].startswith("ASIA")
    root = export(assumed)
    identity = endpoint.aws_json("sts", "get-caller-identity", creds=root)
    assert identity["Arn"] == f"arn:aws:iam::{DEV}:root"
    assert identity["Account"] == DEV

    policy = json.loads(endpoint.aws_json("s3api", "get-bucket-policy", "--bucket", LOCKED_BUCKET,
                                          creds=root)["Policy"])
    assert policy["Statement"][0]["Effect"] == "Deny"
    endpoint.aws("s3api", "delete-bucket-policy", "--bucket", LOCKED_BUCKET, creds=root)
    assert endpoint.account(DEV)["buckets"][LOCKED_BUCKET]["policy"] is None
    # the root session stays limited to its task
    assert endpoint.aws_error("s3api", "list-objects", "--bucket", LOCKED_BUCKET, creds=root) == "AccessDenied"

    listed = endpoint.aws_json("s3api", "list-objects", "--bucket", LOCKED_BUCKET, creds=alice)
    assert [o["Key"] for o in listed["Contents"]] == ["a.txt"]


def test_sqs_unlock_by_hand(ep):
    alice = ep.user_creds(DEV, "alice")
    locked_url = ep.seeded["accounts"][DEV]["queues"][LOCKED_QUEUE]
    open_url = ep.seeded["accounts"][DEV]["queues"]["dev-open-queue"]

    assert ep.aws_json("sqs", "list-queues", creds=alice)["QueueUrls"] == [open_url]
    assert ep.aws_error("sqs", "get-queue-attributes", "--queue-url", locked_url, "--attribute-names", "All",
                        creds=alice) == "AccessDenied"
    assert ep.aws_error("sqs", "send-message", "--queue-url", locked_url, "--message-body", "x",
                        creds=alice) == "AccessDenied"

    root = export(ep.aws_json("sts", "assume-root", "--target-principal", DEV, "--task-policy-arn",
                              f"arn={TASK}SQSUnlockQueuePolicy"))
    assert sorted(ep.aws_json("sqs", "list-queues", creds=root)["QueueUrls"]) == sorted([locked_url, open_url])
    attributes = ep.aws_json("sqs", "get-queue-attributes", "--queue-url", locked_url,
                             "--attribute-names", "Policy", creds=root)["Attributes"]
    assert json.loads(attributes["Policy"])["Statement"][0]["Effect"] == "Deny"
    ep.aws("sqs", "set-queue-attributes", "--queue-url", locked_url, "--attributes", 'Policy=""', creds=root)
    assert ep.account(DEV)["queues"][LOCKED_QUEUE]["policy"] is None
    assert ep.aws_error("sqs", "send-message", "--queue-url", locked_url, "--message-body", "x",
                        creds=root) == "AccessDenied"

    assert sorted(ep.aws_json("sqs", "list-queues", creds=alice)["QueueUrls"]) == sorted([locked_url, open_url])
    assert ep.aws_json("sqs", "send-message", "--queue-url", locked_url, "--message-body", "x",
                       creds=alice)["MessageId"]


def test_delete_root_credentials_by_hand(ep):
    audit = export(ep.aws_json("sts", "assume-root", "--target-principal", DEV, "--task-policy-arn",
                               f"arn={TASK}IAMAuditRootUserCredentials"))
    summary = ep.aws_json("iam", "get-account-summary", creds=audit)["SummaryMap"]
    assert {k: summary[k] for k in ("AccountPasswordPresent", "AccountAccessKeysPresent",
                                    "AccountSigningCertificatesPresent", "AccountMFAEnabled")} == {
        "AccountPasswordPresent": 1, "AccountAccessKeysPresent": 1,
        "AccountSigningCertificatesPresent": 1, "AccountMFAEnabled": 1}

    root = export(ep.aws_json("sts", "assume-root", "--target-principal", DEV, "--task-policy-arn",
                              f"arn={TASK}IAMDeleteRootUserCredentials"))
    assert ep.aws_json("iam", "get-login-profile", creds=root)["LoginProfile"]["CreateDate"]
    ep.aws("iam", "delete-login-profile", creds=root)
    keys = ep.aws_json("iam", "list-access-keys", creds=root)["AccessKeyMetadata"]
    assert len(keys) == 2
    for key in keys:
        ep.aws("iam", "delete-access-key", "--access-key-id", key["AccessKeyId"], creds=root)
    for cert in ep.aws_json("iam", "list-signing-certificates", creds=root)["Certificates"]:
        ep.aws("iam", "delete-signing-certificate", "--certificate-id", cert["CertificateId"], creds=root)
    for device in ep.aws_json("iam", "list-mfa-devices", creds=root)["MFADevices"]:
        ep.aws("iam", "deactivate-mfa-device", "--serial-number", device["SerialNumber"], creds=root)
        # the root session may not delete the device (the task policy denies it on mfa/ resources);
        # it stays in the account, unassigned, until an IAM principal of the account deletes it
        assert ep.aws_error("iam", "delete-virtual-mfa-device", "--serial-number", device["SerialNumber"],
                            creds=root) == "AccessDenied"
        admin = ep.user_creds(DEV)
        unassigned = ep.aws_json("iam", "list-virtual-mfa-devices", "--assignment-status", "Unassigned",
                                 creds=admin)["VirtualMFADevices"]
        assert [d["SerialNumber"] for d in unassigned] == [device["SerialNumber"]]
        ep.aws("iam", "delete-virtual-mfa-device", "--serial-number", device["SerialNumber"], creds=admin)
    assert ep.aws_error("iam", "get-login-profile", creds=root) == "NoSuchEntity"
    # GetAccountSummary is not in IAMDeleteRootUserCredentials
    assert ep.aws_error("iam", "get-account-summary", creds=root) == "AccessDenied"

    state = ep.account(DEV)["root_credentials"]
    assert state["present"] == {"password": False, "access_keys": False,
                                "signing_certificates": False, "mfa": False}
    assert state["unassigned_virtual_mfa_devices"] == []

    # allow password recovery
    recovery = export(ep.aws_json("sts", "assume-root", "--target-principal", DEV, "--task-policy-arn",
                                  f"arn={TASK}IAMCreateRootUserPassword"))
    assert ep.aws_json("iam", "create-login-profile", creds=recovery)["LoginProfile"]["CreateDate"]
    assert ep.aws_error("iam", "create-login-profile", creds=recovery) == "EntityAlreadyExists"
    assert ep.account(DEV)["root_credentials"]["present"]["password"] is True
