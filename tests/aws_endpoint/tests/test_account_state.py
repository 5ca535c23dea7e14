"""Organizations Account shape since AWS retired Account.Status (2026-09-09): State only by
default, the 2025 shape (Status and State) on request, unknown and omitted states, the
state control route, and AssumeRoot refusing every state but ACTIVE."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from typing import Any

import botocore.config
import pytest
from botocore.exceptions import ClientError

from conftest import ADMIN, DEV, ENDPOINT_DIR, LEGACY, MGMT, OUTSIDE, PROD, REPO, boto3_session, error_code, standard_scenario

sys.path.insert(0, str(ENDPOINT_DIR))
from rootsim import state as rootsim_state  # noqa: E402  (unit test of the default selection)

STATES = ["PENDING_ACTIVATION", "ACTIVE", "SUSPENDED", "PENDING_CLOSURE", "CLOSED"]
PATH_RE = re.compile(r"^o-[a-z0-9]{10,32}/r-[0-9a-z]{4,32}(/ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})*/\d{12}/$")


class RawOrganizations:
    """An Organizations client that also keeps every raw JSON body it received, so the
    assertions see the wire and not only what this botocore version parses."""

    def __init__(self, endpoint: Any, creds: dict[str, str] | None = None, validate: bool = True) -> None:
        creds = creds if creds is not None else endpoint.mgmt_creds()
        self.client = boto3_session().client(
            "organizations", endpoint_url=endpoint.url, region_name="us-east-1",
            aws_access_key_id=creds["AWS_ACCESS_KEY_ID"], aws_secret_access_key=creds["AWS_SECRET_ACCESS_KEY"],
            config=botocore.config.Config(parameter_validation=validate,
                                          retries={"mode": "standard", "total_max_attempts": 1}))
        self.bodies: list[Any] = []
        self.client.meta.events.register("after-call.organizations", self._keep)

    def _keep(self, http_response: Any, **_: Any) -> None:
        self.bodies.append(json.loads(http_response.text or "{}"))

    def raw(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        getattr(self.client, operation)(**kwargs)
        return self.bodies[-1]


def raw_accounts_of_all_three(endpoint: Any, account_ids: list[str]) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """{operation: {account id: [raw Account objects]}} for DescribeAccount, ListAccounts and
    ListAccountsForParent (root), all pages."""
    orgs = RawOrganizations(endpoint)
    seen: dict[str, dict[str, list[dict[str, Any]]]] = {"DescribeAccount": {}, "ListAccounts": {},
                                                        "ListAccountsForParent": {}}
    for account_id in account_ids:
        seen["DescribeAccount"].setdefault(account_id, []).append(
            orgs.raw("describe_account", AccountId=account_id)["Account"])
    root = orgs.client.list_roots()["Roots"][0]["Id"]
    for operation, kwargs in (("ListAccounts", {}), ("ListAccountsForParent", {"ParentId": root})):
        token = None
        while True:
            body = orgs.raw("list_accounts" if operation == "ListAccounts" else "list_accounts_for_parent",
                            **kwargs, **({"NextToken": token} if token else {}))
            for account in body["Accounts"]:
                seen[operation].setdefault(account["Id"], []).append(account)
            token = body.get("NextToken")
            if not token:
                break
    return seen


MEMBERS = [MGMT, DEV, ADMIN, PROD, LEGACY]


def test_default_shape_has_state_and_no_status_in_all_three_calls(ep):
    assert ep.seeded["account_shape"] == "2026"
    seen = raw_accounts_of_all_three(ep, MEMBERS)
    for operation, accounts in seen.items():
        assert sorted(accounts) == sorted(MEMBERS), operation
        for account_id, objects in accounts.items():
            assert len(objects) == 1, (operation, account_id)
            account = objects[0]
            assert "Status" not in account, (operation, account)
            assert set(account) == {"Id", "Arn", "Email", "Name", "State", "Paths", "JoinedMethod",
                                    "JoinedTimestamp"}, (operation, account)
            assert account["State"] == ("SUSPENDED" if account_id == LEGACY else "ACTIVE")
            assert len(account["Paths"]) == 1 and PATH_RE.match(account["Paths"][0]), account["Paths"]
            assert account["Paths"][0].endswith(f"/{account_id}/")
            assert account["Paths"][0].startswith(ep.seeded["organization"]["id"] + "/")
    # and this botocore parses State (it knows the member)
    parsed = ep.client("organizations").describe_account(AccountId=LEGACY)["Account"]
    assert parsed["State"] == "SUSPENDED" and "Status" not in parsed


def test_legacy_shape_via_seed(endpoint):
    seeded = endpoint.seed(standard_scenario(account_shape="2025"))
    assert seeded["account_shape"] == "2025"
    seen = raw_accounts_of_all_three(endpoint, MEMBERS)
    for operation, accounts in seen.items():
        for account_id, (account,) in accounts.items():
            expected = "SUSPENDED" if account_id == LEGACY else "ACTIVE"
            assert (account["Status"], account["State"]) == (expected, expected), (operation, account)
            assert set(account) == {"Id", "Arn", "Email", "Name", "Status", "State", "JoinedMethod",
                                    "JoinedTimestamp"}, (operation, account)
    assert endpoint.control("GET", "/state")["account_shape"] == "2025"
    # a reset returns to the process default
    endpoint.control("POST", "/reset")
    assert endpoint.control("GET", "/state")["account_shape"] == "2026"


def _state_scenario(**overrides: Any) -> dict[str, Any]:
    accounts = [{"id": f"11111111110{i}", "state": state} for i, state in enumerate(STATES)]
    accounts += [{"id": "111111111120", "state": None}, {"id": "111111111121", "state": "omit"},
                 {"id": "111111111122", "state": "QUARANTINED"}]
    return standard_scenario(accounts=accounts, delegated_administrators=[], **overrides)


def test_every_state_and_unknown_data_in_the_2026_shape(endpoint):
    endpoint.seed(_state_scenario())
    ids = [f"11111111110{i}" for i in range(5)] + ["111111111120", "111111111121", "111111111122"]
    seen = raw_accounts_of_all_three(endpoint, ids)
    for operation, accounts in seen.items():
        for index, state in enumerate(STATES):
            (account,) = accounts[f"11111111110{index}"]
            assert account["State"] == state and "Status" not in account, (operation, account)
        for omitted in ("111111111120", "111111111121"):
            (account,) = accounts[omitted]
            assert "State" not in account and "Status" not in account, (operation, account)
        (account,) = accounts["111111111122"]
        assert account["State"] == "QUARANTINED" and "Status" not in account
    orgs = endpoint.client("organizations")
    assert orgs.describe_account(AccountId="111111111122")["Account"]["State"] == "QUARANTINED"
    assert "State" not in orgs.describe_account(AccountId="111111111120")["Account"]


def test_every_state_in_the_2025_shape(endpoint):
    """Status, which had no PENDING_ACTIVATION or CLOSED, reads ACTIVE and SUSPENDED for them."""
    endpoint.seed(_state_scenario(account_shape="2025"))
    legacy = {"PENDING_ACTIVATION": "ACTIVE", "ACTIVE": "ACTIVE", "SUSPENDED": "SUSPENDED",
              "PENDING_CLOSURE": "PENDING_CLOSURE", "CLOSED": "SUSPENDED"}
    orgs = RawOrganizations(endpoint)
    for index, state in enumerate(STATES):
        account = orgs.raw("describe_account", AccountId=f"11111111110{index}")["Account"]
        assert (account["State"], account["Status"]) == (state, legacy[state])
    for omitted in ("111111111120", "111111111121"):
        account = orgs.raw("describe_account", AccountId=omitted)["Account"]
        assert "State" not in account and "Status" not in account
    account = orgs.raw("describe_account", AccountId="111111111122")["Account"]
    assert account["State"] == "QUARANTINED" and "Status" not in account


def test_status_only_in_the_2024_shape(endpoint):
    """Before AWS added State (2025), Account carried Status alone."""
    endpoint.seed(_state_scenario(account_shape="2024"))
    legacy = {"PENDING_ACTIVATION": "ACTIVE", "ACTIVE": "ACTIVE", "SUSPENDED": "SUSPENDED",
              "PENDING_CLOSURE": "PENDING_CLOSURE", "CLOSED": "SUSPENDED"}
    orgs = RawOrganizations(endpoint)
    for index, state in enumerate(STATES):
        account = orgs.raw("describe_account", AccountId=f"11111111110{index}")["Account"]
        assert account["Status"] == legacy[state] and "State" not in account
    listed = {a["Id"]: a for a in orgs.raw("list_accounts")["Accounts"]}
    assert all("State" not in a for a in listed.values())


def test_status_alias_in_scenarios(endpoint):
    seeded = endpoint.seed(standard_scenario(accounts=[
        {"id": DEV, "status": "SUSPENDED"}, {"id": PROD, "status": "PENDING_CLOSURE"},
        {"id": ADMIN, "state": "ACTIVE", "status": "ACTIVE"}]))
    assert (seeded["accounts"][DEV]["state"], seeded["accounts"][DEV]["status"]) == ("SUSPENDED", "SUSPENDED")
    orgs = endpoint.client("organizations")
    assert orgs.describe_account(AccountId=DEV)["Account"]["State"] == "SUSPENDED"
    assert orgs.describe_account(AccountId=PROD)["Account"]["State"] == "PENDING_CLOSURE"


@pytest.mark.parametrize("scenario,message", [
    ({"account_shape": "2027"}, "account_shape must be"),
    ({"account_shape": True}, "account_shape must be"),
    ({"accounts": [{"id": DEV, "state": 7}]}, "accounts[0] (111111111111).state must be one of"),
    ({"accounts": [{"id": DEV, "state": ""}]}, ".state must be one of"),
    ({"accounts": [{"id": DEV, "status": "CLOSED"}]}, "use \\\"state\\\" for"),
    ({"accounts": [{"id": DEV, "status": "GONE"}]}, ".status must be one of ACTIVE, SUSPENDED, PENDING_CLOSURE"),
    ({"accounts": [{"id": DEV, "state": "ACTIVE", "status": "SUSPENDED"}]}, "not both"),
    ({"page_size": {"organizations": 0}}, "page_size.organizations must be an integer >= 1"),
    ({"page_size": {"ec2": 3}}, "unknown service 'ec2'"),
    ({"page_size": 5}, "page_size must be an object"),
])
def test_scenario_validation_errors_are_clear(endpoint, scenario, message):
    endpoint.seed()
    with pytest.raises(AssertionError) as excinfo:
        endpoint.control("POST", "/seed", scenario)
    assert "400" in str(excinfo.value) and message in str(excinfo.value), str(excinfo.value)
    # nothing was reset by the rejected scenario
    assert endpoint.control("GET", "/state")["organizations"]


def test_default_shape_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv("ROOTSIM_ACCOUNT_SHAPE", raising=False)
    assert rootsim_state.default_account_shape() == "2026"
    monkeypatch.setenv("ROOTSIM_ACCOUNT_SHAPE", "2025")
    assert rootsim_state.default_account_shape() == "2025"
    monkeypatch.setenv("ROOTSIM_ACCOUNT_SHAPE", " 2026 ")
    assert rootsim_state.default_account_shape() == "2026"
    monkeypatch.setenv("ROOTSIM_ACCOUNT_SHAPE", "2024")
    assert rootsim_state.default_account_shape() == "2024"
    monkeypatch.setenv("ROOTSIM_ACCOUNT_SHAPE", "2023")
    with pytest.raises(ValueError, match="ROOTSIM_ACCOUNT_SHAPE='2023' is not valid; use one of 2024, 2025, 2026"):
        rootsim_state.default_account_shape()


def _start(extra_env: dict[str, str], stderr: Any = subprocess.DEVNULL) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(ENDPOINT_DIR), **extra_env)
    env.pop("MOTO_ACCOUNT_ID", None)
    return subprocess.Popen([sys.executable, "-m", "rootsim", "--exit-on-stdin-close"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=stderr, text=True, env=env, cwd=str(REPO))


def test_environment_variable_makes_the_whole_endpoint_answer_in_the_2025_shape(endpoint):
    process = _start({"ROOTSIM_ACCOUNT_SHAPE": "2025"})
    try:
        line = process.stdout.readline()
        assert line, "the endpoint exited before reporting ready"
        other = type(endpoint)(json.loads(line), process)
        seeded = other.seed(standard_scenario())
        assert seeded["account_shape"] == "2025"
        account = RawOrganizations(other).raw("describe_account", AccountId=LEGACY)["Account"]
        assert (account["Status"], account["State"]) == ("SUSPENDED", "SUSPENDED")
        listed = RawOrganizations(other).raw("list_accounts")["Accounts"]
        assert all("Status" in a and "State" in a for a in listed)
        # a scenario may still choose today's shape
        other.seed(standard_scenario(account_shape="2026"))
        account = RawOrganizations(other).raw("describe_account", AccountId=LEGACY)["Account"]
        assert "Status" not in account and account["State"] == "SUSPENDED"
    finally:
        process.stdin.close()
        process.wait(timeout=20)


def test_invalid_environment_variable_stops_the_endpoint_with_a_message():
    process = _start({"ROOTSIM_ACCOUNT_SHAPE": "1999"}, stderr=subprocess.PIPE)
    try:
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 2 and out == ""
    assert "ROOTSIM_ACCOUNT_SHAPE='1999' is not valid; use one of 2024, 2025, 2026" in err


def test_state_route_and_control_api_views(ep):
    assert (ep.seeded["accounts"][MGMT]["state"], ep.seeded["accounts"][DEV]["state"]) == ("ACTIVE", "ACTIVE")
    assert (ep.seeded["accounts"][LEGACY]["state"], ep.seeded["accounts"][OUTSIDE]["state"]) == ("SUSPENDED", None)
    assert ep.control("GET", f"/accounts/{DEV}/state") == {
        "account_id": DEV, "organization_id": ep.seeded["organization"]["id"], "role": "member",
        "state": "ACTIVE", "status": "ACTIVE"}
    assert ep.control("PUT", f"/accounts/{DEV}/state", {"state": "PENDING_CLOSURE"})["state"] == "PENDING_CLOSURE"
    orgs = ep.client("organizations")
    assert orgs.describe_account(AccountId=DEV)["Account"]["State"] == "PENDING_CLOSURE"
    # the control API's views carry "state" and the pre-2026 "status" it maps to
    state = ep.control("GET", "/state")
    accounts = {a["id"]: a for a in state["organizations"][0]["accounts"]}
    assert (accounts[DEV]["state"], accounts[DEV]["status"]) == ("PENDING_CLOSURE", "PENDING_CLOSURE")
    assert (accounts[LEGACY]["state"], accounts[LEGACY]["status"]) == ("SUSPENDED", "SUSPENDED")
    assert (state["accounts"][DEV]["state"], state["accounts"][DEV]["status"]) == ("PENDING_CLOSURE", "PENDING_CLOSURE")
    assert ep.account(OUTSIDE)["state"] is None
    # closed, omitted, verbatim, and the status alias
    assert ep.control("PUT", f"/accounts/{DEV}/state", {"state": "CLOSED"})["status"] == "SUSPENDED"
    omitted = ep.control("PUT", f"/accounts/{DEV}/state", {"state": None})
    assert (omitted["state"], omitted["status"]) == (None, None)
    assert ep.control("GET", f"/accounts/{DEV}/state") == omitted
    assert "State" not in orgs.describe_account(AccountId=DEV)["Account"]
    assert ep.control("PUT", f"/accounts/{DEV}/state", {"state": "omit"})["state"] is None
    assert ep.control("PUT", f"/accounts/{DEV}/state", {"state": "DORMANT"})["state"] == "DORMANT"
    assert orgs.describe_account(AccountId=DEV)["Account"]["State"] == "DORMANT"
    assert ep.control("PUT", f"/accounts/{DEV}/state", {"status": "ACTIVE"})["state"] == "ACTIVE"
    # errors
    for account, body, message in [
        (DEV, {}, "the body must be"),
        (DEV, {"state": 1}, "body.state must be one of"),
        (DEV, {"status": "CLOSED"}, "body.status must be one of"),
        (DEV, {"state": "ACTIVE", "colour": "red"}, "unknown keys ['colour']"),
        (OUTSIDE, {"state": "SUSPENDED"}, "555555555555 is not in any organization"),
    ]:
        with pytest.raises(AssertionError) as excinfo:
            ep.control("PUT", f"/accounts/{account}/state", body)
        assert "400" in str(excinfo.value) and message in str(excinfo.value), str(excinfo.value)


@pytest.mark.parametrize("state", ["SUSPENDED", "PENDING_ACTIVATION", "CLOSED", "PENDING_CLOSURE", "QUARANTINED", None])
def test_assume_root_is_refused_for_every_state_but_active(ep, state):
    session = ep.assume_root(DEV, "S3UnlockBucketPolicy")  # while ACTIVE
    ep.control("PUT", f"/accounts/{DEV}/state", {"state": state})
    for task in ("S3UnlockBucketPolicy", "IAMAuditRootUserCredentials"):
        with pytest.raises(ClientError) as excinfo:
            ep.assume_root(DEV, task)
        assert error_code(excinfo) == ("AccessDenied", 403)
        shown = state if state is not None else "unknown"
        assert f"the target account's state is {shown}" in excinfo.value.response["Error"]["Message"]
    assert ep.calls()["assume_root"] == {DEV: {"S3UnlockBucketPolicy": 1}}
    assert ep.client("sts", session).get_caller_identity()["Account"] == DEV  # issued sessions are untouched
    ep.control("PUT", f"/accounts/{DEV}/state", {"state": "ACTIVE"})
    ep.assume_root(DEV, "S3UnlockBucketPolicy")


def test_seeded_states_refuse_assume_root(endpoint):
    endpoint.seed(_state_scenario())
    for index, state in enumerate(STATES):
        account = f"11111111110{index}"
        if state == "ACTIVE":
            endpoint.assume_root(account, "IAMAuditRootUserCredentials")
            continue
        with pytest.raises(ClientError) as excinfo:
            endpoint.assume_root(account, "IAMAuditRootUserCredentials")
        assert error_code(excinfo) == ("AccessDenied", 403), state
    for account in ("111111111120", "111111111121", "111111111122"):
        with pytest.raises(ClientError) as excinfo:
            endpoint.assume_root(account, "IAMAuditRootUserCredentials")
        assert error_code(excinfo) == ("AccessDenied", 403), account


def test_demo_scenario_uses_the_new_state_model(endpoint):
    sys.path.insert(0, str(ENDPOINT_DIR))
    from rootsim.scenario import DEMO_SCENARIO
    seeded = endpoint.seed(DEMO_SCENARIO)
    assert seeded["accounts"]["444444444444"]["state"] == "SUSPENDED"
    account = RawOrganizations(endpoint).raw("describe_account", AccountId="444444444444")["Account"]
    assert account["State"] == "SUSPENDED" and "Status" not in account
