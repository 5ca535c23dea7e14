"""Issue 22 point 9: the endpoint refuses what AWS refuses.  An access key it never
issued gets the service's "unknown key" error, a known key signed with a wrong secret
gets the signature error, in each service's protocol; the right pair works."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import botocore.config
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from conftest import ADMIN, DEV, LOCKED_BUCKET, LOCKED_QUEUE, MGMT, boto3_session

UNKNOWN_KEY = "AKIAUNKNOWNKEY000001"
TOKEN_INVALID = "The security token included in the request is invalid."
SIGNATURE = ("The request signature we calculated does not match the signature you provided. "
             "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
S3_UNKNOWN = "The AWS Access Key Id you provided does not exist in our records."
S3_SIGNATURE = ("The request signature we calculated does not match the signature you provided. "
                "Check your key and signing method.")

# service -> (a read-only call, unknown-key answer, wrong-secret answer); answers are (code, status, message)
CALLS = {
    "sts": (lambda c: c.get_caller_identity(),
            ("InvalidClientTokenId", 403, TOKEN_INVALID), ("SignatureDoesNotMatch", 403, SIGNATURE)),
    "iam": (lambda c: c.list_users(),
            ("InvalidClientTokenId", 403, TOKEN_INVALID), ("SignatureDoesNotMatch", 403, SIGNATURE)),
    "organizations": (lambda c: c.describe_organization(),
                      ("UnrecognizedClientException", 400, TOKEN_INVALID),
                      ("InvalidSignatureException", 400, SIGNATURE)),
    "sqs": (lambda c: c.list_queues(),
            ("InvalidClientTokenId", 403, TOKEN_INVALID), ("SignatureDoesNotMatch", 403, SIGNATURE)),
    "s3": (lambda c: c.list_buckets(),
           ("InvalidAccessKeyId", 403, S3_UNKNOWN), ("SignatureDoesNotMatch", 403, S3_SIGNATURE)),
}


def with_secret(creds: dict[str, str], secret: str) -> dict[str, str]:
    return {**creds, "AWS_SECRET_ACCESS_KEY": secret}


def refused(call) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as excinfo:
        call()
    response = excinfo.value.response
    return (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"],
            response["Error"]["Message"])


def refusal(call) -> dict:
    with pytest.raises(ClientError) as excinfo:
        call()
    return excinfo.value.response


@pytest.mark.parametrize("service", sorted(CALLS))
def test_unknown_access_key(ep, service):
    call, unknown, _ = CALLS[service]
    client = ep.client(service, {"AWS_ACCESS_KEY_ID": UNKNOWN_KEY, "AWS_SECRET_ACCESS_KEY": "wrong"})
    assert refused(lambda: call(client)) == unknown


@pytest.mark.parametrize("service", sorted(CALLS))
def test_wrong_secret_of_a_known_key(ep, service):
    call, _, wrong = CALLS[service]
    for creds in (ep.mgmt_creds(), ep.user_creds(DEV), ep.user_creds(DEV, "alice"), ep.user_creds(ADMIN)):
        client = ep.client(service, with_secret(creds, creds["AWS_SECRET_ACCESS_KEY"] + "x"))
        assert refused(lambda: call(client)) == wrong, creds["AWS_ACCESS_KEY_ID"]


@pytest.mark.parametrize("service", sorted(CALLS))
def test_right_key_and_secret_work(ep, service):
    call, _, _ = CALLS[service]
    for creds in (ep.mgmt_creds(), ep.user_creds(DEV), ep.user_creds(DEV, "alice"), ep.user_creds(ADMIN)):
        call(ep.client(service, creds))


def test_sqs_errors_carry_the_query_compatible_code(ep):
    """SQS answers in AWS JSON 1.0; SDKs read the code from x-amzn-query-error."""
    headers = refusal(lambda: ep.client("sqs", {"AWS_ACCESS_KEY_ID": UNKNOWN_KEY, "AWS_SECRET_ACCESS_KEY": "x"})
                      .list_queues())["ResponseMetadata"]["HTTPHeaders"]
    assert headers["x-amzn-query-error"] == "InvalidClientTokenId;Sender"
    assert headers["content-type"] == "application/x-amz-json-1.0"
    headers = refusal(lambda: ep.client("sqs", with_secret(ep.mgmt_creds(), "wrong"))
                      .list_queues())["ResponseMetadata"]["HTTPHeaders"]
    assert headers["x-amzn-query-error"] == "SignatureDoesNotMatch;Sender"


def test_s3_errors_name_the_key(ep):
    response = refusal(lambda: ep.client("s3", {"AWS_ACCESS_KEY_ID": UNKNOWN_KEY, "AWS_SECRET_ACCESS_KEY": "x"})
                       .list_objects_v2(Bucket="dev-open-bucket"))
    assert response["Error"]["AWSAccessKeyId"] == UNKNOWN_KEY
    alice = ep.user_creds(DEV, "alice")
    response = refusal(lambda: ep.client("s3", with_secret(alice, "wrong")).get_object(Bucket="dev-open-bucket",
                                                                                      Key="a.txt"))
    error = response["Error"]
    assert error["Code"] == "SignatureDoesNotMatch" and error["AWSAccessKeyId"] == alice["AWS_ACCESS_KEY_ID"]
    assert error["StringToSign"].startswith("AWS4-HMAC-SHA256\n") and error["CanonicalRequest"].startswith("GET\n")
    # HEAD answers carry no body: only the status tells
    assert refused(lambda: ep.client("s3", with_secret(alice, "wrong")).head_bucket(Bucket="dev-open-bucket"))[:2] \
        == ("403", 403)


def test_root_session_with_wrong_secret_is_refused(ep):
    root = ep.assume_root(DEV, "S3UnlockBucketPolicy")
    assert ep.client("sts", root).get_caller_identity()["Arn"] == f"arn:aws:iam::{DEV}:root"
    ep.client("s3", root).get_bucket_policy(Bucket=LOCKED_BUCKET)
    wrong = with_secret(root, root["AWS_SECRET_ACCESS_KEY"][:-1] + "?")
    assert refused(lambda: ep.client("sts", wrong).get_caller_identity()) == CALLS["sts"][2]
    assert refused(lambda: ep.client("s3", wrong).get_bucket_policy(Bucket=LOCKED_BUCKET)) == CALLS["s3"][2]
    assert refused(lambda: ep.client("iam", wrong).get_user()) == CALLS["iam"][2]
    # the bucket policy is still there: the refused calls did nothing
    assert ep.account(DEV)["buckets"][LOCKED_BUCKET]["policy"] is not None
    sqs_root = ep.assume_root(DEV, "SQSUnlockQueuePolicy")
    queue_url = ep.seeded["accounts"][DEV]["queues"][LOCKED_QUEUE]
    assert refused(lambda: ep.client("sqs", with_secret(sqs_root, "x")).get_queue_attributes(
        QueueUrl=queue_url, AttributeNames=["Policy"])) == CALLS["sqs"][2]
    ep.client("sqs", sqs_root).get_queue_attributes(QueueUrl=queue_url, AttributeNames=["Policy"])


def test_assume_role_credentials_are_verified(ep):
    """The provider's assume_role: STS AssumeRole keys are known, with their own secret."""
    assumed = ep.client("sts").assume_role(RoleArn=f"arn:aws:iam::{ADMIN}:role/root-access-admin",
                                           RoleSessionName="acc-test")["Credentials"]
    creds = {"AWS_ACCESS_KEY_ID": assumed["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": assumed["SecretAccessKey"],
             "AWS_SESSION_TOKEN": assumed["SessionToken"]}
    assert ep.client("sts", creds).get_caller_identity()["Account"] == ADMIN
    ep.client("organizations", creds).list_accounts()
    assert refused(lambda: ep.client("organizations", with_secret(creds, "x")).list_accounts()) \
        == CALLS["organizations"][2]


def test_deactivated_and_deleted_keys_are_unknown(ep):
    iam = ep.client("iam")
    alice = ep.user_creds(DEV, "alice")
    member_iam = ep.client("iam", ep.user_creds(DEV))
    member_iam.update_access_key(UserName="alice", AccessKeyId=alice["AWS_ACCESS_KEY_ID"], Status="Inactive")
    assert refused(lambda: ep.client("sts", alice).get_caller_identity()) == CALLS["sts"][1]
    assert refused(lambda: ep.client("s3", alice).list_buckets()) == CALLS["s3"][1]
    member_iam.update_access_key(UserName="alice", AccessKeyId=alice["AWS_ACCESS_KEY_ID"], Status="Active")
    ep.client("sts", alice).get_caller_identity()
    # a key created through IAM works at once; deleted, it is unknown
    created = iam.create_access_key(UserName="rootsim-admin")["AccessKey"]
    fresh = {"AWS_ACCESS_KEY_ID": created["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": created["SecretAccessKey"]}
    assert ep.client("sts", fresh).get_caller_identity()["Account"] == MGMT
    iam.delete_access_key(UserName="rootsim-admin", AccessKeyId=created["AccessKeyId"])
    assert refused(lambda: ep.client("iam", fresh).list_users()) == CALLS["iam"][1]


def test_refused_requests_are_not_counted_and_change_nothing(ep):
    ep.control("DELETE", "/calls")
    with pytest.raises(ClientError):
        ep.client("s3", with_secret(ep.user_creds(DEV), "x")).delete_bucket_policy(Bucket=LOCKED_BUCKET)
    with pytest.raises(ClientError):
        ep.client("iam", {"AWS_ACCESS_KEY_ID": UNKNOWN_KEY, "AWS_SECRET_ACCESS_KEY": "x"}).create_user(UserName="eve")
    assert ep.calls()["total"] == 0
    assert "eve" not in ep.account(MGMT)["users"]


def test_aws_cli(ep):
    mgmt = ep.mgmt_creds()
    assert ep.aws_json("sts", "get-caller-identity", creds=mgmt)["Account"] == MGMT
    unknown = {"AWS_ACCESS_KEY_ID": UNKNOWN_KEY, "AWS_SECRET_ACCESS_KEY": "wrong"}
    assert ep.aws_error("sts", "get-caller-identity", creds=unknown) == "InvalidClientTokenId"
    assert ep.aws_error("organizations", "describe-organization", creds=unknown) == "UnrecognizedClientException"
    assert ep.aws_error("s3api", "list-buckets", creds=unknown) == "InvalidAccessKeyId"
    wrong = with_secret(mgmt, "x")
    assert ep.aws_error("iam", "list-users", creds=wrong) == "SignatureDoesNotMatch"
    assert ep.aws_error("organizations", "list-accounts", creds=wrong) == "InvalidSignatureException"
    assert ep.aws_error("sqs", "list-queues", creds=wrong) == "SignatureDoesNotMatch"
    assert ep.aws_error("s3", "ls", creds=wrong) == "SignatureDoesNotMatch"
    # S3 with an object key that needs encoding, uploaded in parts, then read back
    alice = ep.user_creds(DEV, "alice")
    source = ep.home + "/object.bin"
    with open(source, "wb") as handle:
        handle.write(b"0123456789abcdef" * (600 * 1024))  # 9.6 MiB: a multipart upload
    ep.aws("s3", "cp", source, "s3://dev-open-bucket/a dir/o+b~j!ect.bin", creds=alice)
    listed = ep.aws_json("s3api", "list-objects-v2", "--bucket", "dev-open-bucket", "--prefix", "a dir/", creds=alice)
    assert [o["Key"] for o in listed["Contents"]] == ["a dir/o+b~j!ect.bin"]
    assert ep.aws_error("s3api", "get-object", "--bucket", "dev-open-bucket", "--key", "a dir/o+b~j!ect.bin",
                        ep.home + "/copy.bin", creds=with_secret(alice, "x")) == "SignatureDoesNotMatch"


def s3v4(ep, creds):
    return boto3_session().client(
        "s3", endpoint_url=ep.url, region_name="us-east-1", aws_access_key_id=creds["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=creds["AWS_SECRET_ACCESS_KEY"], aws_session_token=creds.get("AWS_SESSION_TOKEN"),
        config=botocore.config.Config(signature_version="s3v4", s3={"addressing_style": "path"}))


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_presigned_urls(ep):
    alice = ep.user_creds(DEV, "alice")
    params = {"Bucket": "dev-open-bucket", "Key": "a.txt"}
    ep.client("s3", alice).put_object(Body=b"A", **params)
    # SigV4 in the query string: verified like a signed header
    assert fetch(s3v4(ep, alice).generate_presigned_url("get_object", Params=params)) == (200, "A")
    status, body = fetch(s3v4(ep, with_secret(alice, "x")).generate_presigned_url("get_object", Params=params))
    assert status == 403 and ET.fromstring(body).find("Code").text == "SignatureDoesNotMatch"
    # SigV2 (what botocore presigns with by default): the key is checked, the signature is not
    unknown = {"AWS_ACCESS_KEY_ID": UNKNOWN_KEY, "AWS_SECRET_ACCESS_KEY": "x"}
    status, body = fetch(ep.client("s3", unknown).generate_presigned_url("get_object", Params=params))
    assert status == 403 and ET.fromstring(body).find("Code").text == "InvalidAccessKeyId"
    assert fetch(ep.client("s3", alice).generate_presigned_url("get_object", Params=params)) == (200, "A")


def signed(ep, service, creds, body, headers, host=None):
    """A request signed as SDKs sign it, sent over one kept-alive connection."""
    request = AWSRequest(method="POST", url=ep.url + "/", data=body, headers=dict(headers, **(
        {"Host": host} if host else {})))
    SigV4Auth(Credentials(creds["AWS_ACCESS_KEY_ID"], creds["AWS_SECRET_ACCESS_KEY"],
                          creds.get("AWS_SESSION_TOKEN")), service, "us-east-1").add_auth(request)
    return request


def test_raw_requests_on_one_connection(ep):
    """The Host header carries the port; refused requests' bodies are drained so the
    next request on the same connection is read correctly."""
    parsed = urllib.parse.urlparse(ep.url)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
    form = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    body = "Action=ListUsers&Version=2010-05-08&" + "Padding=" + "p" * 5000
    try:
        mgmt = ep.mgmt_creds()
        unknown = {"AWS_ACCESS_KEY_ID": UNKNOWN_KEY, "AWS_SECRET_ACCESS_KEY": "x"}
        for creds, code in ((mgmt, None), (unknown, "InvalidClientTokenId"), (mgmt, None),
                            (with_secret(mgmt, "wrong"), "SignatureDoesNotMatch"), (mgmt, None)):
            request = signed(ep, "iam", creds, body, form)
            connection.request("POST", "/", body=body, headers=dict(request.headers))
            response = connection.getresponse()
            text = response.read().decode()
            if code is None:
                assert response.status == 200 and "ListUsersResponse" in text, text
            else:
                assert response.status == 403 and ET.fromstring(text).find(".//{*}Code").text == code, text
    finally:
        connection.close()
    # Organizations in JSON 1.1: 400 and __type
    headers = {"X-Amz-Target": "AWSOrganizationsV20161128.DescribeOrganization",
               "Content-Type": "application/x-amz-json-1.1"}
    request = signed(ep, "organizations", {"AWS_ACCESS_KEY_ID": UNKNOWN_KEY, "AWS_SECRET_ACCESS_KEY": "x"},
                     "{}", headers)
    http_request = urllib.request.Request(ep.url + "/", data=b"{}", method="POST", headers=dict(request.headers))
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        urllib.request.urlopen(http_request, timeout=30)
    assert excinfo.value.code == 400
    assert json.loads(excinfo.value.read()) == {"__type": "UnrecognizedClientException", "Message": TOKEN_INVALID}


def test_unsigned_requests_are_left_to_moto(ep):
    """No signature at all: nothing to verify; moto answers as before (its default account)."""
    ep.client("s3", ep.user_creds(DEV, "alice")).put_object(Bucket="dev-open-bucket", Key="public.txt", Body=b"P",
                                                            ACL="public-read")
    assert fetch(ep.url + "/dev-open-bucket/public.txt") == (200, "P")


def test_sqs_query_protocol(ep):
    """SQS's older query protocol (form body) is answered in query XML."""
    form = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    body = "Action=ListQueues&Version=2012-11-05"
    for creds, code in (({"AWS_ACCESS_KEY_ID": UNKNOWN_KEY, "AWS_SECRET_ACCESS_KEY": "x"}, "InvalidClientTokenId"),
                        (with_secret(ep.user_creds(DEV), "x"), "SignatureDoesNotMatch"), (ep.user_creds(DEV), None)):
        request = signed(ep, "sqs", creds, body, form)
        http_request = urllib.request.Request(ep.url + "/", data=body.encode(), method="POST",
                                              headers=dict(request.headers))
        try:
            with urllib.request.urlopen(http_request, timeout=30) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            status, text = exc.code, exc.read().decode()
        if code is None:
            assert status == 200, text
        else:
            tree = ET.fromstring(text)
            assert status == 403 and tree.tag == "{http://queue.amazonaws.com/doc/2012-11-05/}ErrorResponse"
            assert tree.find(".//{*}Code").text == code
