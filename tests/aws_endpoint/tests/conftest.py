"""Fixtures: one endpoint process for the whole session (started the way the
Rust harness starts it), a clean scenario per test, and helpers that run the
real aws CLI and boto3 against it with nothing from the machine leaking in."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import boto3
import botocore.config
import botocore.exceptions
import pytest

import aws_cli

ENDPOINT_DIR = Path(__file__).resolve().parents[1]
REPO = ENDPOINT_DIR.parents[1]
VENV_BIN = Path(sys.executable).parent
AWS_CLI = str(VENV_BIN / "aws")

MGMT = "123456789012"
DEV = "111111111111"       # ACTIVE member with root credentials, locked bucket and queue
ADMIN = "222222222222"     # ACTIVE member, IAM delegated administrator
PROD = "333333333333"      # ACTIVE member without root credentials
LEGACY = "444444444444"    # SUSPENDED member
OUTSIDE = "555555555555"   # not in the organization

TASK = "arn:aws:iam::aws:policy/root-task/"
LOCKED_BUCKET = "dev-locked-bucket"
LOCKED_QUEUE = "dev-locked-queue"


# One boto3 session for every client the tests make: a session caches the service models it
# has loaded, and a new session per client cost about 0.12 CPU seconds per client (clients
# still get their own credentials, configuration and event hooks).
_SESSION = boto3.session.Session()


def boto3_session() -> boto3.session.Session:
    return _SESSION


def standard_scenario(**overrides: Any) -> dict[str, Any]:
    scenario: dict[str, Any] = {
        "organization": {"feature_set": "ALL"},
        "trusted_access": ["iam.amazonaws.com"],
        "delegated_administrators": [ADMIN],
        "features": ["RootCredentialsManagement", "RootSessions"],
        "accounts": [
            {"id": DEV, "name": "dev",
             "root_credentials": {"password": True, "access_keys": 2, "mfa_devices": 1,
                                  "signing_certificates": 1},
             "users": ["alice"],
             "buckets": [{"name": LOCKED_BUCKET, "policy": "deny-all", "objects": {"a.txt": "A"}},
                         {"name": "dev-open-bucket"}],
             "queues": [{"name": LOCKED_QUEUE, "policy": "deny-all"}, {"name": "dev-open-queue"}]},
            {"id": ADMIN, "name": "security"},
            {"id": PROD, "name": "prod"},
            {"id": LEGACY, "name": "legacy", "status": "SUSPENDED"},
            {"id": OUTSIDE, "name": "outsider", "in_organization": False},
        ],
    }
    scenario.update(overrides)
    return scenario


class Endpoint:
    def __init__(self, info: dict[str, Any], process: subprocess.Popen[bytes]) -> None:
        self.info = info
        self.url = info["endpoint"]
        self.process = process
        self.seeded: dict[str, Any] = {}

    # control API ------------------------------------------------------------------------
    def control(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + "/_rootsim" + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            raise AssertionError(f"{method} {path}: {exc.code} {exc.read().decode()}") from exc

    def seed(self, scenario: dict[str, Any] | None = None) -> dict[str, Any]:
        self.seeded = self.control("POST", "/seed", scenario or standard_scenario())
        return self.seeded

    def account(self, account_id: str) -> dict[str, Any]:
        return self.control("GET", f"/accounts/{account_id}")

    def calls(self) -> dict[str, Any]:
        return self.control("GET", "/calls")

    # credentials --------------------------------------------------------------------------
    def mgmt_creds(self) -> dict[str, str]:
        return {"AWS_ACCESS_KEY_ID": self.info["access_key_id"],
                "AWS_SECRET_ACCESS_KEY": self.info["secret_access_key"]}

    def user_creds(self, account_id: str, user: str | None = None) -> dict[str, str]:
        data = self.seeded["accounts"][account_id]
        entry = data["admin"] if user is None else data["users"][user]
        return {"AWS_ACCESS_KEY_ID": entry["access_key_id"],
                "AWS_SECRET_ACCESS_KEY": entry["secret_access_key"]}

    # aws CLI ------------------------------------------------------------------------------
    def aws(self, *args: str, creds: dict[str, str] | None = None, max_attempts: int = 1,
            check: bool = True) -> subprocess.CompletedProcess[str]:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": self.home,
            "AWS_CONFIG_FILE": self.config_file,
            "AWS_SHARED_CREDENTIALS_FILE": self.credentials_file,
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_RETRY_MODE": "standard",
            "AWS_MAX_ATTEMPTS": str(max_attempts),
            "AWS_PAGER": "",
        }
        env.update(creds if creds is not None else self.mgmt_creds())
        result = aws_cli.run(AWS_CLI, ["--endpoint-url", self.url, "--output", "json", *args],
                             env=env, timeout=120)
        if check and result.returncode != 0:
            raise AssertionError(f"aws {' '.join(args)} failed ({result.returncode}): {result.stderr}")
        return result

    def aws_json(self, *args: str, **kwargs: Any) -> Any:
        out = self.aws(*args, **kwargs).stdout
        return json.loads(out) if out.strip() else None

    def aws_error(self, *args: str, **kwargs: Any) -> str:
        """Runs a CLI command that must fail; returns the AWS error code it printed."""
        result = self.aws(*args, check=False, **kwargs)
        assert result.returncode != 0, f"aws {' '.join(args)} unexpectedly succeeded: {result.stdout}"
        match = re.search(r"An error occurred \(([^)]+)\)", result.stderr)
        assert match, result.stderr
        return match.group(1)

    # boto3 ---------------------------------------------------------------------------------
    def client(self, service: str, creds: dict[str, str] | None = None, max_attempts: int = 1) -> Any:
        creds = creds if creds is not None else self.mgmt_creds()
        return boto3_session().client(
            service, endpoint_url=self.url, region_name="us-east-1",
            aws_access_key_id=creds["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=creds["AWS_SECRET_ACCESS_KEY"],
            aws_session_token=creds.get("AWS_SESSION_TOKEN"),
            config=botocore.config.Config(retries={"mode": "standard", "total_max_attempts": max_attempts},
                                          s3={"addressing_style": "path"}))

    def assume_root(self, target: str, task: str, creds: dict[str, str] | None = None,
                    **kwargs: Any) -> dict[str, str]:
        response = self.client("sts", creds).assume_root(
            TargetPrincipal=target, TaskPolicyArn={"arn": TASK + task}, **kwargs)
        credentials = response["Credentials"]
        return {"AWS_ACCESS_KEY_ID": credentials["AccessKeyId"],
                "AWS_SECRET_ACCESS_KEY": credentials["SecretAccessKey"],
                "AWS_SESSION_TOKEN": credentials["SessionToken"]}


def error_code(excinfo: pytest.ExceptionInfo[botocore.exceptions.ClientError]) -> tuple[str, int]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture(scope="session")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Any:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ENDPOINT_DIR)
    env.pop("MOTO_ACCOUNT_ID", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "rootsim", "--port", "0", "--exit-on-stdin-close"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, cwd=str(REPO))
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        process.kill()
        pytest.fail("the endpoint exited before reporting ready")
    ep = Endpoint(json.loads(line), process)
    home = tmp_path_factory.mktemp("aws-home")
    ep.home = str(home)
    ep.config_file = str(home / "config")
    ep.credentials_file = str(home / "credentials")
    Path(ep.config_file).write_text("")
    Path(ep.credentials_file).write_text("")
    yield ep
    assert process.stdin is not None
    process.stdin.close()  # --exit-on-stdin-close: this alone must stop it
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        raise


@pytest.fixture
def ep(endpoint: Endpoint) -> Endpoint:
    """The endpoint with the standard scenario freshly seeded (reset first)."""
    endpoint.seed()
    return endpoint
