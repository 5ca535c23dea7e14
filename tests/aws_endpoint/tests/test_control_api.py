"""The control API: faults, call counters, state inspection, seeding, reset; and
the two ways the endpoint is started (python -m rootsim, scripts/aws-endpoint)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError

from conftest import ADMIN, DEV, ENDPOINT_DIR, LOCKED_BUCKET, LOCKED_QUEUE, MGMT, REPO, TASK, error_code


def test_throttling_is_retried_by_the_cli_and_counted(ep):
    ep.control("POST", "/faults", {"service": "sts", "action": "AssumeRoot", "throttle": 2})
    args = ("sts", "assume-root", "--target-principal", DEV, "--task-policy-arn", f"arn={TASK}S3UnlockBucketPolicy")
    assert ep.aws_json(*args, max_attempts=3)["Credentials"]["AccessKeyId"]
    calls = ep.calls()
    assert calls["calls"][MGMT]["sts"]["AssumeRoot"] == 3
    assert calls["assume_root"] == {DEV: {"S3UnlockBucketPolicy": 1}}
    ep.control("POST", "/faults", {"service": "sts", "action": "AssumeRoot", "throttle": 1})
    assert ep.aws_error(*args) == "Throttling"
    fault = ep.control("GET", "/faults")["faults"][0]
    assert (fault["fired_throttle"], fault["throttle_remaining"]) == (2, 0)


@pytest.mark.parametrize("service,call,expected", [
    ("iam", lambda c: c.list_organizations_features(), ("Throttling", 400)),
    ("s3", lambda c: c.list_buckets(), ("SlowDown", 503)),
    ("sqs", lambda c: c.list_queues(), ("RequestThrottled", 400)),
    ("organizations", lambda c: c.describe_organization(), ("TooManyRequestsException", 400)),
    ("sts", lambda c: c.get_caller_identity(), ("Throttling", 400)),
])
def test_each_service_throttles_in_its_own_words(ep, service, call, expected):
    ep.control("POST", "/faults", {"service": service, "throttle": 1})
    client = ep.client(service)
    with pytest.raises(ClientError) as excinfo:
        call(client)
    assert error_code(excinfo) == expected
    call(client)  # the next one goes through


def test_server_errors_then_recovery(ep):
    ep.control("POST", "/faults", {"faults": [
        {"service": "iam", "action": "ListOrganizationsFeatures", "errors": 1, "status": 503},
        {"service": "iam", "action": "ListOrganizationsFeatures", "errors": 1},
        {"service": "sqs", "action": "ListQueues", "errors": 1},
    ]})
    iam = ep.client("iam")
    for expected in (("ServiceUnavailable", 503), ("InternalFailure", 500)):
        with pytest.raises(ClientError) as excinfo:
            iam.list_organizations_features()
        assert error_code(excinfo) == expected
    assert iam.list_organizations_features()["EnabledFeatures"]
    with pytest.raises(ClientError) as excinfo:
        ep.client("sqs").list_queues()
    assert error_code(excinfo) == ("InternalFailure", 500)
    # an SDK with retries rides over a single 5xx
    ep.control("POST", "/faults", {"service": "iam", "action": "ListOrganizationsFeatures", "errors": 1})
    assert ep.client("iam", max_attempts=2).list_organizations_features()["EnabledFeatures"]


def test_latency_and_account_scoped_faults(ep):
    ep.control("POST", "/faults", {"service": "sts", "action": "GetCallerIdentity", "latency_ms": 400})
    ep.control("POST", "/faults", {"service": "s3", "account": DEV, "throttle": 5})
    sts = ep.client("sts")
    started = time.monotonic()
    sts.get_caller_identity()
    assert time.monotonic() - started >= 0.4
    iam = ep.client("iam")  # made before the clock starts: only the call is timed
    started = time.monotonic()
    iam.list_organizations_features()
    assert time.monotonic() - started < 0.4
    ep.client("s3").list_buckets()  # management account: not throttled
    with pytest.raises(ClientError) as excinfo:
        ep.client("s3", ep.user_creds(DEV)).list_buckets()
    assert error_code(excinfo) == ("SlowDown", 503)
    ep.control("DELETE", "/faults")
    ep.client("s3", ep.user_creds(DEV)).list_buckets()
    ep.control("POST", "/faults", {"service": "s3", "throttle": 5})
    ep.control("POST", "/reset")
    assert ep.control("GET", "/faults")["faults"] == []


def test_a_fault_can_end_root_sessions_early(ep):
    ep.control("POST", "/faults", {"service": "iam", "action": "ListAccessKeys", "expire_sessions": 1})
    root = ep.assume_root(DEV, "IAMAuditRootUserCredentials")
    iam = ep.client("iam", root)
    iam.get_account_summary()  # another action: the session is fine
    with pytest.raises(ClientError) as excinfo:
        iam.list_access_keys()
    assert error_code(excinfo)[0] == "ExpiredToken"
    # the session stays ended, for every action
    with pytest.raises(ClientError) as excinfo:
        iam.get_account_summary()
    assert error_code(excinfo)[0] == "ExpiredToken"
    # the rule is used up: a new session works
    fresh = ep.client("iam", ep.assume_root(DEV, "IAMAuditRootUserCredentials"))
    fresh.list_access_keys()
    assert ep.control("GET", "/faults")["faults"][0]["expire_sessions_remaining"] == 0
    # requests without a root session never consume it
    ep.control("DELETE", "/faults")
    ep.control("POST", "/faults", {"service": "iam", "expire_sessions": 1})
    ep.client("iam").list_organizations_features()
    assert ep.control("GET", "/faults")["faults"][0]["expire_sessions_remaining"] == 1


def test_fault_validation(ep):
    with pytest.raises(AssertionError, match="400"):
        ep.control("POST", "/faults", {"service": "s3", "errors": 1, "status": 404})
    with pytest.raises(AssertionError, match="400"):
        ep.control("POST", "/faults", {"action": "ListBuckets"})


def test_call_counters(ep):
    ep.control("DELETE", "/calls")
    alice = ep.user_creds(DEV, "alice")
    s3 = ep.client("s3", alice)
    for _ in range(3):
        s3.list_objects_v2(Bucket="dev-open-bucket")
    with pytest.raises(ClientError):
        s3.delete_bucket(Bucket=LOCKED_BUCKET)  # denied calls are counted too
    root = ep.assume_root(DEV, "SQSUnlockQueuePolicy", creds=ep.user_creds(ADMIN))
    ep.client("sqs", root).list_queues()
    ep.client("sqs", root).list_queues()
    calls = ep.calls()
    assert calls["calls"] == {
        DEV: {"s3": {"ListObjectsV2": 3, "DeleteBucket": 1}, "sqs": {"ListQueues": 2}},
        ADMIN: {"sts": {"AssumeRoot": 1}},
    }
    assert calls["total"] == 7
    assert calls["assume_root"] == {DEV: {"SQSUnlockQueuePolicy": 1}} and calls["assume_root_total"] == 1
    ep.control("DELETE", "/calls")
    assert ep.calls() == {"total": 0, "calls": {}, "assume_root": {}, "assume_root_total": 0}


def test_state_inspection(ep):
    state = ep.control("GET", "/state")
    org = state["organizations"][0]
    assert org["id"] == ep.seeded["organization"]["id"] and org["feature_set"] == "ALL"
    assert org["management_account_id"] == MGMT
    assert org["features"] == ["RootCredentialsManagement", "RootSessions"]
    assert org["trusted_access"] == ["iam.amazonaws.com"]
    assert org["delegated_administrators"] == [{"account_id": ADMIN, "services": ["iam.amazonaws.com"]}]
    statuses = {a["id"]: a["status"] for a in org["accounts"]}
    assert statuses["444444444444"] == "SUSPENDED" and statuses[DEV] == "ACTIVE"
    dev = state["accounts"][DEV]
    assert dev["role"] == "member" and dev["organization_id"] == org["id"]
    assert len(dev["root_credentials"]["access_keys"]) == 2
    assert dev["root_credentials"]["mfa_devices"][0]["serial_number"] == f"arn:aws:iam::{DEV}:mfa/root-account-mfa-device"
    assert dev["buckets"][LOCKED_BUCKET]["policy"]["Statement"][0]["Principal"] == "*"
    assert dev["queues"][LOCKED_QUEUE]["policy"]["Statement"][0]["Effect"] == "Deny"
    assert dev["queues"]["dev-open-queue"]["policy"] is None
    assert sorted(dev["users"]) == ["alice", "rootsim-admin"]
    assert state["accounts"]["555555555555"]["role"] is None


def test_put_root_credentials(ep):
    put = ep.control("PUT", f"/accounts/{DEV}/root-credentials",
                     {"access_keys": [{"access_key_id": "AKIAROOTKEYEXAMPLE01", "status": "Inactive"}]})
    assert put["present"] == {"password": False, "access_keys": True, "signing_certificates": False, "mfa": False}
    iam = ep.client("iam", ep.assume_root(DEV, "IAMAuditRootUserCredentials"))
    assert [(k["AccessKeyId"], k["Status"]) for k in iam.list_access_keys()["AccessKeyMetadata"]] == \
        [("AKIAROOTKEYEXAMPLE01", "Inactive")]
    summary = iam.get_account_summary()["SummaryMap"]
    assert (summary["AccountPasswordPresent"], summary["AccountAccessKeysPresent"]) == (0, 1)


def test_seed_rejects_bad_scenarios(endpoint):
    for bad in ({"accounts": [{"id": "12345"}]}, {"features": ["RootEverything"]},
                {"accounts": [{"id": DEV, "status": "GONE"}]}):
        with pytest.raises(AssertionError, match="400"):
            endpoint.control("POST", "/seed", bad)


def test_moto_reset_also_clears_rootsim_state(ep):
    ep.assume_root(DEV, "S3UnlockBucketPolicy")
    request = urllib.request.Request(ep.url + "/moto-api/reset", data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
    state = ep.control("GET", "/state")
    assert state["organizations"] == [] and state["sessions"] == [] and state["accounts"] == {}
    assert ep.calls()["total"] == 0


def test_unknown_control_route(endpoint):
    with pytest.raises(AssertionError, match="404"):
        endpoint.control("GET", "/nope")
    with pytest.raises(AssertionError, match="405"):
        endpoint.control("GET", "/seed")


def _read_ready_line(process):
    line = process.stdout.readline()
    assert line, process.stderr.read() if process.stderr else "no output"
    return json.loads(line)


def test_wrapper_script_prints_one_line_and_exits_when_stdin_closes():
    process = subprocess.Popen([str(REPO / "scripts" / "aws-endpoint"), "--exit-on-stdin-close", "--seed-demo"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True, cwd="/")
    try:
        info = _read_ready_line(process)
        assert set(info) >= {"endpoint", "region", "access_key_id", "secret_access_key",
                             "management_account_id", "control", "demo"}
        with urllib.request.urlopen(info["endpoint"] + "/_rootsim/health", timeout=30) as response:
            assert json.loads(response.read())["ok"] is True
        with urllib.request.urlopen(info["endpoint"] + "/_rootsim/state", timeout=30) as response:
            assert json.loads(response.read())["organizations"][0]["trusted_access"] == ["iam.amazonaws.com"]
        process.stdin.close()
        assert process.wait(timeout=20) == 0
        assert process.stdout.read() == ""  # nothing but the ready line on stdout
    finally:
        if process.poll() is None:
            process.kill()


def test_module_stops_on_sigterm():
    env = dict(os.environ, PYTHONPATH=str(ENDPOINT_DIR))
    process = subprocess.Popen([sys.executable, "-m", "rootsim"], stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        info = _read_ready_line(process)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
        with pytest.raises(urllib.error.URLError):
            urllib.request.urlopen(info["endpoint"] + "/_rootsim/health", timeout=5)
    finally:
        if process.poll() is None:
            process.kill()
