"""Raw wire checks: the requests the AWS SDK for Rust will send, and each
service's error format (query XML, REST-XML, AWS JSON 1.0 with
x-amzn-query-error, AWS JSON 1.1)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from conftest import DEV, LOCKED_BUCKET, LOCKED_QUEUE, TASK

SQS_JSON = "application/x-amz-json-1.0"


class Reply:
    def __init__(self, status, headers, text):
        self.status_code, self.headers, self.text = status, headers, text

    def json(self):
        return json.loads(self.text)


def http(method, url, body, headers):
    request = urllib.request.Request(url, data=body.encode() if body else None, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Reply(response.status, response.headers, response.read().decode())
    except urllib.error.HTTPError as exc:
        return Reply(exc.code, exc.headers, exc.read().decode())


def send(ep, service, creds, method="POST", path="/", body="", headers=None, host=None):
    url = ep.url + path
    headers = dict(headers or {})
    if host:
        headers["Host"] = host
    request = AWSRequest(method=method, url=url, data=body, headers=headers)
    SigV4Auth(Credentials(creds["AWS_ACCESS_KEY_ID"], creds["AWS_SECRET_ACCESS_KEY"],
                          creds.get("AWS_SESSION_TOKEN")), service, "us-east-1").add_auth(request)
    return http(method, url, body, dict(request.headers))


def sqs_json(ep, creds, operation, payload):
    return send(ep, "sqs", creds, body=json.dumps(payload),
                headers={"X-Amz-Target": f"AmazonSQS.{operation}", "Content-Type": SQS_JSON})


def query(ep, service, creds, params, host=None):
    return send(ep, service, creds, body=urlencode(params),
                headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}, host=host)


def xml_error(response):
    root = ET.fromstring(response.text)
    code = root.find(".//{*}Code")
    return code.text if code is not None else None


def assume_root_raw(ep, task, duration=None):
    params = {"Action": "AssumeRoot", "Version": "2011-06-15", "TargetPrincipal": DEV,
              "TaskPolicyArn.arn": TASK + task}
    if duration is not None:
        params["DurationSeconds"] = str(duration)
    response = query(ep, "sts", ep.mgmt_creds(), params)
    assert response.status_code == 200, response.text
    ns = {"s": "https://sts.amazonaws.com/doc/2011-06-15/"}
    root = ET.fromstring(response.text)
    credentials = root.find("s:AssumeRootResult/s:Credentials", ns)
    return {"AWS_ACCESS_KEY_ID": credentials.find("s:AccessKeyId", ns).text,
            "AWS_SECRET_ACCESS_KEY": credentials.find("s:SecretAccessKey", ns).text,
            "AWS_SESSION_TOKEN": credentials.find("s:SessionToken", ns).text,
            "expiration": credentials.find("s:Expiration", ns).text}


def test_assume_root_query_wire_form(ep):
    creds = assume_root_raw(ep, "SQSUnlockQueuePolicy", duration=600)
    assert creds["AWS_ACCESS_KEY_ID"].startswith("ASIA") and creds["expiration"].endswith("Z")
    # the global endpoint does not serve AssumeRoot
    response = query(ep, "sts", ep.mgmt_creds(), {"Action": "AssumeRoot", "Version": "2011-06-15",
                                                  "TargetPrincipal": DEV, "TaskPolicyArn.arn": TASK + "S3UnlockBucketPolicy"},
                     host="sts.amazonaws.com")
    assert response.status_code == 400 and xml_error(response) == "InvalidAction"


def test_sqs_json_protocol_unlock_and_errors(ep):
    alice = ep.user_creds(DEV, "alice")
    locked_url = ep.seeded["accounts"][DEV]["queues"][LOCKED_QUEUE]

    response = sqs_json(ep, alice, "GetQueueAttributes", {"QueueUrl": locked_url, "AttributeNames": ["All"]})
    assert response.status_code == 403
    assert response.headers["Content-Type"] == SQS_JSON
    assert response.headers["x-amzn-query-error"] == "AccessDenied;Sender"
    body = response.json()
    assert body["__type"].endswith("AccessDeniedException") and "explicit deny" in body["message"]

    response = sqs_json(ep, alice, "ListQueues", {})
    assert response.status_code == 200 and locked_url not in response.json().get("QueueUrls", [])

    root = assume_root_raw(ep, "SQSUnlockQueuePolicy")
    response = sqs_json(ep, root, "ListQueues", {})
    assert locked_url in response.json()["QueueUrls"]
    response = sqs_json(ep, root, "SetQueueAttributes", {"QueueUrl": locked_url, "Attributes": {"Policy": ""}})
    assert response.status_code == 200, response.text
    assert ep.account(DEV)["queues"][LOCKED_QUEUE]["policy"] is None
    response = sqs_json(ep, root, "SendMessage", {"QueueUrl": locked_url, "MessageBody": "x"})
    assert response.status_code == 403 and response.headers["x-amzn-query-error"] == "AccessDenied;Sender"

    ep.control("POST", "/sessions/expire", {})
    response = sqs_json(ep, root, "ListQueues", {})
    assert response.status_code == 403 and response.headers["x-amzn-query-error"] == "ExpiredToken;Sender"
    assert response.json()["__type"].endswith("ExpiredTokenException")


def test_sqs_query_protocol_still_served(ep):
    alice = ep.user_creds(DEV, "alice")
    locked_url = ep.seeded["accounts"][DEV]["queues"][LOCKED_QUEUE]
    response = query(ep, "sqs", alice, {"Action": "GetQueueAttributes", "Version": "2012-11-05",
                                        "QueueUrl": locked_url, "AttributeName.1": "All"})
    assert response.status_code == 403 and xml_error(response) == "AccessDenied"


def test_query_xml_errors(ep):
    root = assume_root_raw(ep, "S3UnlockBucketPolicy")
    response = query(ep, "iam", root, {"Action": "ListUsers", "Version": "2010-05-08"})
    assert response.status_code == 403 and response.headers["Content-Type"].startswith("text/xml")
    tree = ET.fromstring(response.text)
    assert tree.tag == "{https://iam.amazonaws.com/doc/2010-05-08/}ErrorResponse"
    assert xml_error(response) == "AccessDenied"
    response = query(ep, "iam", ep.user_creds(DEV), {"Action": "EnableOrganizationsRootSessions",
                                                      "Version": "2010-05-08"})
    assert response.status_code == 400
    assert xml_error(response) == "AccountNotManagementOrDelegatedAdministratorException"


def test_s3_rest_xml_errors_path_style(ep):
    alice = ep.user_creds(DEV, "alice")
    response = send(ep, "s3", alice, method="GET", path=f"/{LOCKED_BUCKET}?list-type=2")
    assert response.status_code == 403 and response.headers["Content-Type"] == "application/xml"
    tree = ET.fromstring(response.text)
    assert tree.tag == "Error" and tree.find("Code").text == "AccessDenied"
    root = assume_root_raw(ep, "S3UnlockBucketPolicy")
    response = send(ep, "s3", root, method="DELETE", path=f"/{LOCKED_BUCKET}?policy")
    assert response.status_code == 204
    assert ep.account(DEV)["buckets"][LOCKED_BUCKET]["policy"] is None
    response = send(ep, "s3", alice, method="GET", path=f"/{LOCKED_BUCKET}?list-type=2")
    assert response.status_code == 200 and "a.txt" in response.text


def test_organizations_json_errors(ep):
    root = assume_root_raw(ep, "S3UnlockBucketPolicy")
    response = send(ep, "organizations", root, body="{}", headers={
        "X-Amz-Target": "AWSOrganizationsV20161128.DescribeOrganization",
        "Content-Type": "application/x-amz-json-1.1"})
    assert response.status_code == 403
    assert response.json()["__type"] == "AccessDeniedException"
    assert response.headers["Content-Type"] == "application/x-amz-json-1.1"
