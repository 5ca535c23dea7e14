"""IAM's 409 conflicts injected through the faults API: ConcurrentModification and
EntityTemporarilyUnmodifiable, per operation and account, only where IAM documents them, consumed
only by requests that pass authorization, and changing nothing."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from botocore.exceptions import ClientError

from conftest import DEV, PROD, error_code


def conflict(call: Any) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as excinfo:
        call()
    code, status = error_code(excinfo)
    return code, status, excinfo.value.response["Error"]["Message"]


def test_entity_temporarily_unmodifiable_on_delete_login_profile(ep):
    ep.control("POST", "/faults", {"service": "iam", "action": "DeleteLoginProfile", "account": DEV,
                                   "conflict": 1, "code": "EntityTemporarilyUnmodifiable"})
    iam = ep.client("iam", ep.assume_root(DEV, "IAMDeleteRootUserCredentials"))
    code, status, message = conflict(iam.delete_login_profile)
    assert (code, status) == ("EntityTemporarilyUnmodifiable", 409)
    assert "temporarily unmodifiable" in message
    assert ep.account(DEV)["root_credentials"]["present"]["password"] is True  # nothing changed
    iam.delete_login_profile()  # the retry goes through
    assert ep.account(DEV)["root_credentials"]["present"]["password"] is False
    fault = ep.control("GET", "/faults")["faults"][0]
    assert (fault["fired_conflict"], fault["conflict_remaining"], fault["code"]) == (
        1, 0, "EntityTemporarilyUnmodifiable")


@pytest.mark.parametrize("action,call", [
    ("DeactivateMFADevice", lambda iam, dev: iam.deactivate_mfa_device(
        SerialNumber=dev["mfa_devices"][0]["serial_number"])),
    ("DeleteSigningCertificate", lambda iam, dev: iam.delete_signing_certificate(
        CertificateId=dev["signing_certificates"][0]["certificate_id"])),
])
def test_concurrent_modification_is_the_default_code(ep, action, call):
    ep.control("POST", "/faults", {"service": "iam", "action": action, "conflict": 2})
    iam = ep.client("iam", ep.assume_root(DEV, "IAMDeleteRootUserCredentials"))
    dev = ep.account(DEV)["root_credentials"]
    for _ in range(2):
        code, status, message = conflict(lambda: call(iam, dev))
        assert (code, status) == ("ConcurrentModification", 409)
        assert message.startswith("The request was rejected because multiple requests to change this object")
    assert ep.account(DEV)["root_credentials"] == dev
    call(iam, dev)
    # the aws CLI retries neither code by default: it reports it
    ep.control("POST", "/faults", {"service": "iam", "action": action, "conflict": 1, "message": "busy, retry"})
    root = ep.assume_root(DEV, "IAMDeleteRootUserCredentials")
    cli = ["iam", "deactivate-mfa-device", "--serial-number", "GAHT00000000"] if action == "DeactivateMFADevice" \
        else ["iam", "delete-signing-certificate", "--certificate-id", "X" * 24]
    result = ep.aws(*cli, creds=root, check=False)
    assert "(ConcurrentModification)" in result.stderr and "busy, retry" in result.stderr


def test_deactivate_mfa_device_documents_both_codes_and_the_wire_form_is_query_xml(ep):
    ep.control("POST", "/faults", {"service": "iam", "action": "DeactivateMFADevice",
                                   "code": "EntityTemporarilyUnmodifiableException", "conflict": 1})
    root = ep.assume_root(DEV, "IAMDeleteRootUserCredentials")
    serial = ep.account(DEV)["root_credentials"]["mfa_devices"][0]["serial_number"]
    iam = ep.client("iam", root)
    # the raw answer: HTTP 409, <Type>Sender</Type>, <Code>EntityTemporarilyUnmodifiable</Code>
    captured: dict[str, Any] = {}
    iam.meta.events.register("after-call.iam.DeactivateMFADevice",
                             lambda http_response, **_: captured.update(body=http_response.text,
                                                                        status=http_response.status_code))
    assert conflict(lambda: iam.deactivate_mfa_device(SerialNumber=serial))[:2] == (
        "EntityTemporarilyUnmodifiable", 409)
    assert captured["status"] == 409
    assert "<Type>Sender</Type><Code>EntityTemporarilyUnmodifiable</Code>" in captured["body"]


def test_conflicts_are_scoped_to_account_and_operation_and_wildcards_pick_capable_operations(ep):
    ep.control("POST", "/faults", {"service": "iam", "action": "*", "account": DEV, "conflict": 5,
                                   "code": "EntityTemporarilyUnmodifiable"})
    prod = ep.client("iam", ep.user_creds(PROD))
    prod.create_login_profile(UserName="rootsim-admin", Password="Sup3r-secret-1!")
    prod.delete_login_profile(UserName="rootsim-admin")  # another account: not affected
    iam = ep.client("iam", ep.assume_root(DEV, "IAMDeleteRootUserCredentials"))
    keys = iam.list_access_keys()["AccessKeyMetadata"]  # ListAccessKeys cannot return the code
    iam.delete_access_key(AccessKeyId=keys[0]["AccessKeyId"])  # nor can DeleteAccessKey
    assert conflict(iam.delete_login_profile)[:2] == ("EntityTemporarilyUnmodifiable", 409)
    assert ep.control("GET", "/faults")["faults"][0]["conflict_remaining"] == 4


def test_a_request_refused_by_authorization_does_not_consume_a_conflict(ep):
    ep.control("POST", "/faults", {"service": "iam", "action": "DeleteLoginProfile", "conflict": 1,
                                   "code": "EntityTemporarilyUnmodifiable"})
    audit = ep.client("iam", ep.assume_root(DEV, "IAMAuditRootUserCredentials"))
    assert conflict(audit.delete_login_profile)[:2] == ("AccessDenied", 403)
    assert ep.control("GET", "/faults")["faults"][0]["conflict_remaining"] == 1


@pytest.mark.parametrize("spec,fragment", [
    ({"service": "iam", "action": "DeleteAccessKey", "conflict": 1}, "DeleteAccessKey does not return"),
    ({"service": "iam", "action": "DeleteLoginProfile", "conflict": 1, "code": "ConcurrentModification"},
     "EntityTemporarilyUnmodifiable"),
    ({"service": "iam", "action": "DeleteSigningCertificate", "conflict": 1,
      "code": "EntityTemporarilyUnmodifiable"}, "does not return"),
    ({"service": "s3", "conflict": 1}, "IAM errors"),
    ({"service": "iam", "conflict": 1, "code": "Conflict"}, "code must be one of"),
    ({"service": "iam", "conflict": -1}, ">= 0"),
    ({"service": "iam", "conflicts": 1}, "unknown fault keys"),
])
def test_conflicts_iam_never_answers_are_refused(ep, spec, fragment):
    request = urllib.request.Request(ep.url + "/_rootsim/faults", data=json.dumps(spec).encode(),
                                     method="POST")
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        urllib.request.urlopen(request, timeout=30)
    body = excinfo.value.read().decode()
    assert excinfo.value.code == 400 and fragment in body, body
    assert ep.control("GET", "/faults")["faults"] == []
