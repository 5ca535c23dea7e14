"""Locking bucket and queue policies, and the policy evaluator itself."""

from __future__ import annotations

import json
import sys

import pytest
from botocore.exceptions import ClientError

from conftest import DEV, ENDPOINT_DIR, LOCKED_BUCKET, LOCKED_QUEUE, PROD, error_code

sys.path.insert(0, str(ENDPOINT_DIR))
from rootsim.policy import Principal, explicit_deny  # noqa: E402


def denied(call):
    with pytest.raises(ClientError) as excinfo:
        call()
    return error_code(excinfo)


def test_deny_all_bucket_policy_blocks_every_principal(ep):
    for creds in (ep.user_creds(DEV, "alice"), ep.user_creds(DEV), ep.mgmt_creds()):
        s3 = ep.client("s3", creds)
        for call in (lambda: s3.list_objects_v2(Bucket=LOCKED_BUCKET),
                     lambda: s3.list_objects(Bucket=LOCKED_BUCKET),
                     lambda: s3.get_object(Bucket=LOCKED_BUCKET, Key="a.txt"),
                     lambda: s3.put_object(Bucket=LOCKED_BUCKET, Key="b.txt", Body=b"B"),
                     lambda: s3.delete_object(Bucket=LOCKED_BUCKET, Key="a.txt"),
                     lambda: s3.get_bucket_policy(Bucket=LOCKED_BUCKET),
                     lambda: s3.delete_bucket_policy(Bucket=LOCKED_BUCKET),
                     lambda: s3.delete_bucket(Bucket=LOCKED_BUCKET)):
            assert denied(call) == ("AccessDenied", 403)
        with pytest.raises(ClientError) as excinfo:
            s3.head_bucket(Bucket=LOCKED_BUCKET)
        assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    state = ep.account(DEV)["buckets"][LOCKED_BUCKET]
    assert state["objects"] == ["a.txt"] and state["policy"]["Statement"][0]["Effect"] == "Deny"
    alice = ep.client("s3", ep.user_creds(DEV, "alice"))
    alice.put_object(Bucket="dev-open-bucket", Key="k", Body=b"v")
    assert alice.get_object(Bucket="dev-open-bucket", Key="k")["Body"].read() == b"v"


def test_owner_root_can_replace_the_policy_other_roots_cannot(ep):
    other = ep.client("s3", ep.assume_root(PROD, "S3UnlockBucketPolicy"))
    assert denied(lambda: other.delete_bucket_policy(Bucket=LOCKED_BUCKET)) == ("AccessDenied", 403)

    root = ep.client("s3", ep.assume_root(DEV, "S3UnlockBucketPolicy"))
    fixed = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteBucket",
        "Resource": f"arn:aws:s3:::{LOCKED_BUCKET}"}]}
    root.put_bucket_policy(Bucket=LOCKED_BUCKET, Policy=json.dumps(fixed))
    assert ep.account(DEV)["buckets"][LOCKED_BUCKET]["policy"] == fixed
    alice = ep.client("s3", ep.user_creds(DEV, "alice"))
    assert [o["Key"] for o in alice.list_objects_v2(Bucket=LOCKED_BUCKET)["Contents"]] == ["a.txt"]
    assert denied(lambda: alice.delete_bucket(Bucket=LOCKED_BUCKET)) == ("AccessDenied", 403)


def test_deny_all_queue_policy_hides_and_blocks(ep):
    alice = ep.client("sqs", ep.user_creds(DEV, "alice"))
    locked_url = ep.seeded["accounts"][DEV]["queues"][LOCKED_QUEUE]
    assert alice.list_queues()["QueueUrls"] == [ep.seeded["accounts"][DEV]["queues"]["dev-open-queue"]]
    for call in (lambda: alice.get_queue_url(QueueName=LOCKED_QUEUE),
                 lambda: alice.get_queue_attributes(QueueUrl=locked_url, AttributeNames=["All"]),
                 lambda: alice.send_message(QueueUrl=locked_url, MessageBody="x"),
                 lambda: alice.receive_message(QueueUrl=locked_url),
                 lambda: alice.set_queue_attributes(QueueUrl=locked_url, Attributes={"Policy": ""}),
                 lambda: alice.delete_queue(QueueUrl=locked_url)):
        assert denied(call) == ("AccessDenied", 403)

    root = ep.client("sqs", ep.assume_root(DEV, "SQSUnlockQueuePolicy"))
    assert root.get_queue_url(QueueName=LOCKED_QUEUE)["QueueUrl"] == locked_url
    assert "Policy" in root.get_queue_attributes(QueueUrl=locked_url, AttributeNames=["All"])["Attributes"]
    root.set_queue_attributes(QueueUrl=locked_url, Attributes={"Policy": ""})
    assert ep.account(DEV)["queues"][LOCKED_QUEUE]["policy"] is None
    alice.send_message(QueueUrl=locked_url, MessageBody="x")


def test_partial_queue_policy(endpoint):
    deny_send = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Principal": {"AWS": ["*"]}, "Action": ["sqs:SendMessage*"],
        "Resource": "*"}]}
    endpoint.seed({"accounts": [{"id": DEV, "users": ["alice"],
                                 "queues": [{"name": "q", "policy": deny_send}]}]})
    alice = endpoint.client("sqs", endpoint.user_creds(DEV, "alice"))
    url = endpoint.seeded["accounts"][DEV]["queues"]["q"]
    assert alice.list_queues()["QueueUrls"] == [url]
    alice.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
    assert denied(lambda: alice.send_message(QueueUrl=url, MessageBody="x")) == ("AccessDenied", 403)


WHO = Principal("111111111111", "arn:aws:iam::111111111111:user/alice")
BUCKET = "arn:aws:s3:::b"


@pytest.mark.parametrize("statement,action,resource,expected", [
    ({"Effect": "Deny", "Principal": "*", "Action": "s3:*"}, "s3:ListBucket", BUCKET, True),
    ({"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "S3:List*"}, "s3:ListBucket", BUCKET, True),
    ({"Effect": "Deny", "Principal": {"AWS": ["arn:aws:iam::111111111111:root"]}, "Action": "*"}, "s3:GetObject", BUCKET, True),
    ({"Effect": "Deny", "Principal": {"AWS": "111111111111"}, "Action": "*"}, "s3:GetObject", BUCKET, True),
    ({"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::111111111111:user/alice"}, "Action": "*"}, "s3:GetObject", BUCKET, True),
    ({"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::111111111111:user/bob"}, "Action": "*"}, "s3:GetObject", BUCKET, False),
    ({"Effect": "Deny", "Principal": {"AWS": "222222222222"}, "Action": "*"}, "s3:GetObject", BUCKET, False),
    ({"Effect": "Deny", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "*"}, "s3:GetObject", BUCKET, False),
    ({"Effect": "Allow", "Principal": "*", "Action": "*"}, "s3:GetObject", BUCKET, False),
    ({"Effect": "Deny", "Principal": "*", "Action": "s3:Get?bject"}, "s3:GetObject", BUCKET, True),
    ({"Effect": "Deny", "Principal": "*", "Action": "s3:Put*"}, "s3:GetObject", BUCKET, False),
    ({"Effect": "Deny", "Principal": "*", "NotAction": "s3:GetBucketPolicy"}, "s3:GetBucketPolicy", BUCKET, False),
    ({"Effect": "Deny", "Principal": "*", "NotAction": "s3:GetBucketPolicy"}, "s3:ListBucket", BUCKET, True),
    ({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}, "s3:ListBucket", BUCKET, False),
    ({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}, "s3:GetObject", BUCKET + "/k", True),
    ({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "NotResource": "arn:aws:s3:::b"}, "s3:ListBucket", BUCKET, False),
    ({"Effect": "Deny", "Principal": "*", "Action": "s3:*",
      "Condition": {"Bool": {"aws:SecureTransport": "false"}}}, "s3:ListBucket", BUCKET, False),
])
def test_policy_evaluator(statement, action, resource, expected):
    assert explicit_deny(json.dumps({"Statement": [statement]}), action, resource, WHO) is expected
    assert explicit_deny({"Statement": statement}, action, resource, WHO) is expected


def test_policy_evaluator_ignores_garbage():
    assert explicit_deny(None, "s3:GetObject", BUCKET, WHO) is False
    assert explicit_deny("not json", "s3:GetObject", BUCKET, WHO) is False
    assert explicit_deny(b'{"Statement": []}', "s3:GetObject", BUCKET, WHO) is False


def test_bucket_in_another_region_redirects_requests_signed_for_the_wrong_one(endpoint):
    import urllib.error
    import urllib.request

    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    endpoint.seed({"accounts": [{"id": DEV, "users": ["alice"],
                                 "buckets": [{"name": "far-bucket", "region": "eu-west-1",
                                              "objects": {"k": "v"}}]}]})
    assert endpoint.account(DEV)["buckets"]["far-bucket"]["region"] == "eu-west-1"
    alice_creds = endpoint.user_creds(DEV, "alice")
    credentials = Credentials(alice_creds["AWS_ACCESS_KEY_ID"], alice_creds["AWS_SECRET_ACCESS_KEY"])

    def get(region):
        # signed for `region` (the endpoint verifies signatures, so sign it for real)
        signed = AWSRequest(method="GET", url=f"{endpoint.url}/far-bucket?policy")
        S3SigV4Auth(credentials, "s3", region).add_auth(signed)
        request = urllib.request.Request(signed.url, headers=dict(signed.headers))
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read().decode()

    status, headers, body = get("us-east-1")
    assert status == 301 and headers["x-amz-bucket-region"] == "eu-west-1"
    assert "<Code>PermanentRedirect</Code>" in body
    status, _, body = get("eu-west-1")
    assert status == 404 and "NoSuchBucketPolicy" in body
    # boto3 follows the redirect by itself: two requests, the second one answered.
    alice = endpoint.client("s3", endpoint.user_creds(DEV, "alice"))
    endpoint.control("DELETE", "/calls")
    assert [o["Key"] for o in alice.list_objects_v2(Bucket="far-bucket")["Contents"]] == ["k"]
    assert endpoint.calls()["calls"][DEV]["s3"]["ListObjectsV2"] == 2
