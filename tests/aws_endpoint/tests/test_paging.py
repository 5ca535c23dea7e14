"""Paging as AWS pages today: Organizations ListAccounts / ListAccountsForParent /
ListOrganizationalUnitsForParent (MaxResults 1..20, opaque NextToken) and IAM
ListAccessKeys / ListMFADevices / ListSigningCertificates in root sessions (MaxItems
1..1000, default 100, Marker, IsTruncated), plus the scenario's page_size knob."""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET
from typing import Any, Callable

import botocore.config
import pytest
from botocore.exceptions import ClientError

from conftest import DEV, MGMT, boto3_session, error_code, standard_scenario

MANY = 47  # members; with the management account 48 accounts: pages of 20, 20, 8


def many_accounts(n: int = MANY, start: int = 600000000000) -> list[dict[str, Any]]:
    return [{"id": str(start + i), "name": f"acct-{i}"} for i in range(n)]


def orgs_client(endpoint: Any, validate: bool = True) -> Any:
    creds = endpoint.mgmt_creds()
    return boto3_session().client(
        "organizations", endpoint_url=endpoint.url, region_name="us-east-1",
        aws_access_key_id=creds["AWS_ACCESS_KEY_ID"], aws_secret_access_key=creds["AWS_SECRET_ACCESS_KEY"],
        config=botocore.config.Config(parameter_validation=validate,
                                      retries={"mode": "standard", "total_max_attempts": 1}))


def pages(call: Callable[..., dict[str, Any]], key: str, token: str | None = None,
          **kwargs: Any) -> list[list[dict[str, Any]]]:
    out = []
    while True:
        response = call(**kwargs, **({"NextToken": token} if token else {}))
        assert "NextToken" not in response or response["NextToken"], response
        out.append(response[key])
        token = response.get("NextToken")
        if token is None:
            return out
        assert len(out) < 500, "paging does not end"


# --- Organizations -------------------------------------------------------------------------

def test_list_accounts_pages_at_20_and_sees_every_account_once(endpoint):
    endpoint.seed(standard_scenario(accounts=many_accounts(), delegated_administrators=[]))
    orgs = endpoint.client("organizations")
    listed = pages(orgs.list_accounts, "Accounts")
    assert [len(p) for p in listed] == [20, 20, 8]
    ids = [a["Id"] for p in listed for a in p]
    assert len(ids) == len(set(ids)) == MANY + 1
    assert set(ids) == {MGMT} | {a["id"] for a in many_accounts()}
    # all these accounts joined within the same second: the token is not keyed by time
    assert len({a["JoinedTimestamp"].replace(microsecond=0) for p in listed for a in p}) <= 2
    # MaxResults below the maximum, and the SDK paginator
    assert [len(p) for p in pages(orgs.list_accounts, "Accounts", MaxResults=7)] == [7] * 6 + [6]
    paginated = [a["Id"] for page in orgs.get_paginator("list_accounts").paginate() for a in page["Accounts"]]
    assert paginated == ids
    # a token is stable: asking twice gives the same next page
    first = orgs.list_accounts()
    again = [orgs.list_accounts(NextToken=first["NextToken"])["Accounts"] for _ in range(2)]
    assert again[0] == again[1] and [a["Id"] for a in again[0]] == ids[20:40]


def test_tokens_survive_accounts_joining_and_leaving_between_pages(endpoint):
    endpoint.seed(standard_scenario(accounts=many_accounts(30), delegated_administrators=[]))
    orgs = endpoint.client("organizations")
    first = orgs.list_accounts(MaxResults=10)
    first_ids = [a["Id"] for a in first["Accounts"]]
    # one account of the first page leaves, one not yet listed leaves, a new one joins
    orgs.remove_account_from_organization(AccountId=first_ids[3])
    orgs.remove_account_from_organization(AccountId="600000000020")
    created = orgs.create_account(AccountName="late", Email="late@example.com")["CreateAccountStatus"]["AccountId"]
    rest = [a["Id"] for p in pages(orgs.list_accounts, "Accounts", token=first["NextToken"]) for a in p]
    assert not set(rest) & set(first_ids)
    assert "600000000020" not in rest and rest[-1] == created
    # 31 accounts: the one that left after being listed stays listed, the unlisted one that
    # left is not listed, the one that joined is
    assert len(first_ids) + len(rest) == 31 - 1 + 1


def test_list_accounts_for_parent_pages_over_the_root_and_an_ou(endpoint):
    endpoint.seed(standard_scenario(accounts=many_accounts(), delegated_administrators=[]))
    orgs = endpoint.client("organizations")
    root = orgs.list_roots()["Roots"][0]["Id"]
    ou = orgs.create_organizational_unit(ParentId=root, Name="workloads")["OrganizationalUnit"]["Id"]
    nested = orgs.create_organizational_unit(ParentId=ou, Name="prod")["OrganizationalUnit"]["Id"]
    moved = [a["id"] for a in many_accounts()][5:30]  # 25 accounts into the OU
    for account in moved:
        orgs.move_account(AccountId=account, SourceParentId=root, DestinationParentId=ou)
    orgs.move_account(AccountId="600000000040", SourceParentId=root, DestinationParentId=nested)

    in_ou = pages(orgs.list_accounts_for_parent, "Accounts", ParentId=ou)
    assert [len(p) for p in in_ou] == [20, 5]
    assert [a["Id"] for p in in_ou for a in p] == moved
    org_id = endpoint.control("GET", "/state")["organizations"][0]["id"]
    assert in_ou[0][0]["Paths"] == [f"{org_id}/{root}/{ou}/{moved[0]}/"]
    in_nested = pages(orgs.list_accounts_for_parent, "Accounts", ParentId=nested)
    assert [[a["Id"] for a in p] for p in in_nested] == [["600000000040"]]
    assert in_nested[0][0]["Paths"] == [f"{org_id}/{root}/{ou}/{nested}/600000000040/"]
    in_root = [a["Id"] for p in pages(orgs.list_accounts_for_parent, "Accounts", ParentId=root, MaxResults=20)
               for a in p]
    assert len(in_root) == len(set(in_root)) == MANY + 1 - 25 - 1
    assert not set(in_root) & set(moved)
    # a token belongs to its operation and parent
    token = orgs.list_accounts_for_parent(ParentId=ou)["NextToken"]
    for call in (lambda: orgs.list_accounts_for_parent(ParentId=root, NextToken=token),
                 lambda: orgs.list_accounts(NextToken=token)):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_code(excinfo) == ("InvalidInputException", 400)
        assert excinfo.value.response["Reason"] == "INVALID_NEXT_TOKEN"
    with pytest.raises(ClientError) as excinfo:
        orgs.list_accounts_for_parent(ParentId="ou-zzzz-zzzzzzzz")
    assert error_code(excinfo) == ("ParentNotFoundException", 400)


def test_organizational_units_page_at_20(endpoint):
    endpoint.seed(standard_scenario(accounts=[], delegated_administrators=[]))
    orgs = endpoint.client("organizations")
    root = orgs.list_roots()["Roots"][0]["Id"]
    created = [orgs.create_organizational_unit(ParentId=root, Name=f"ou-{i}")["OrganizationalUnit"]["Id"]
               for i in range(23)]
    child = orgs.create_organizational_unit(ParentId=created[0], Name="child")["OrganizationalUnit"]["Id"]
    listed = pages(orgs.list_organizational_units_for_parent, "OrganizationalUnits", ParentId=root)
    assert [len(p) for p in listed] == [20, 3]
    assert [u["Id"] for p in listed for u in p] == created
    org_id = endpoint.control("GET", "/state")["organizations"][0]["id"]
    assert listed[0][0]["Path"] == f"{org_id}/{root}/{created[0]}/"
    children = orgs.list_organizational_units_for_parent(ParentId=created[0])
    assert [u["Id"] for u in children["OrganizationalUnits"]] == [child] and "NextToken" not in children


@pytest.mark.parametrize("operation,kwargs", [
    ("list_accounts", {}),
    ("list_accounts_for_parent", {"ParentId": "ROOT"}),
    ("list_organizational_units_for_parent", {"ParentId": "ROOT"}),
])
def test_max_results_outside_1_to_20_is_rejected(ep, operation, kwargs):
    orgs = orgs_client(ep, validate=False)  # botocore checks only the minimum itself
    if kwargs.get("ParentId") == "ROOT":
        kwargs = {"ParentId": orgs.list_roots()["Roots"][0]["Id"]}
    bodies: list[Any] = []
    orgs.meta.events.register("after-call.organizations", lambda http_response, **_: bodies.append(http_response))
    for value, reason in ((21, "MAX_VALUE_EXCEEDED"), (1000, "MAX_VALUE_EXCEEDED"), (0, "MIN_VALUE_EXCEEDED"),
                          (-1, "MIN_VALUE_EXCEEDED")):
        with pytest.raises(ClientError) as excinfo:
            getattr(orgs, operation)(MaxResults=value, **kwargs)
        assert error_code(excinfo) == ("InvalidInputException", 400), value
        assert excinfo.value.response["Reason"] == reason
        raw = bodies[-1]
        assert raw.headers["Content-Type"] == "application/x-amz-json-1.1"
        assert raw.headers["x-amzn-ErrorType"] == "InvalidInputException"
        body = json.loads(raw.text)
        assert body["__type"] == "InvalidInputException" and body["Reason"] == reason and body["Message"]
    # the SDK's own check (MaxResults >= 1) is not the endpoint's business, but 20 passes both
    assert getattr(ep.client("organizations"), operation)(MaxResults=20, **kwargs)
    with pytest.raises(ClientError) as excinfo:
        getattr(ep.client("organizations"), operation)(MaxResults=21, **kwargs)
    assert error_code(excinfo) == ("InvalidInputException", 400)
    assert ep.calls()["calls"][MGMT]["organizations"]


def test_garbled_next_token_is_rejected(ep):
    orgs = ep.client("organizations")
    for token in ("garbage", "eyJhIjoxfQ", "x" * 50):
        with pytest.raises(ClientError) as excinfo:
            orgs.list_accounts(NextToken=token)
        assert error_code(excinfo) == ("InvalidInputException", 400)
        assert excinfo.value.response["Reason"] == "INVALID_NEXT_TOKEN"


def test_page_size_knob_caps_organizations_pages(endpoint):
    seeded = endpoint.seed(standard_scenario(accounts=many_accounts(), delegated_administrators=[],
                                             page_size={"organizations": 7}))
    assert seeded["page_size"] == {"organizations": 7}
    orgs = endpoint.client("organizations")
    listed = pages(orgs.list_accounts, "Accounts", MaxResults=20)
    assert [len(p) for p in listed] == [7] * 6 + [6]
    assert len({a["Id"] for p in listed for a in p}) == MANY + 1
    assert [len(p) for p in pages(orgs.list_accounts, "Accounts", MaxResults=3)][:2] == [3, 3]
    # the knob can be changed and removed without reseeding
    assert endpoint.control("PUT", "/page-size", {"organizations": 30}) == {"page_size": {"organizations": 30}}
    assert [len(p) for p in pages(orgs.list_accounts, "Accounts")] == [20, 20, 8]
    assert endpoint.control("PUT", "/page-size", {})["page_size"] == {}
    assert endpoint.control("GET", "/state")["page_size"] == {}
    with pytest.raises(AssertionError, match="400"):
        endpoint.control("PUT", "/page-size", {"iam": -1})


def test_a_thousand_accounts_page_quickly(endpoint):
    started = time.monotonic()
    endpoint.seed(standard_scenario(accounts=many_accounts(1000, start=700000000000), delegated_administrators=[]))
    seeded_in = time.monotonic() - started
    orgs = endpoint.client("organizations")
    started = time.monotonic()
    ids = [a["Id"] for page in orgs.get_paginator("list_accounts").paginate() for a in page["Accounts"]]
    listed_in = time.monotonic() - started
    assert len(ids) == len(set(ids)) == 1001
    root = orgs.list_roots()["Roots"][0]["Id"]
    last = orgs.list_accounts_for_parent(ParentId=root)
    for _ in range(50):  # 1001 accounts: 50 pages of 20, then 1
        last = orgs.list_accounts_for_parent(ParentId=root, NextToken=last["NextToken"])
    assert "NextToken" not in last and len(last["Accounts"]) == 1
    assert seeded_in < 60 and listed_in < 20, (seeded_in, listed_in)


# --- IAM on the root user ----------------------------------------------------------------------

ROOT_CREDENTIALS = {"password": True, "access_keys": 3, "mfa_devices": 4, "signing_certificates": 3}


def iam_lists(client: Any) -> dict[str, tuple[Callable[..., dict[str, Any]], str, str]]:
    return {"ListAccessKeys": (client.list_access_keys, "AccessKeyMetadata", "AccessKeyId"),
            "ListMFADevices": (client.list_mfa_devices, "MFADevices", "SerialNumber"),
            "ListSigningCertificates": (client.list_signing_certificates, "Certificates", "CertificateId")}


def iam_pages(call: Callable[..., dict[str, Any]], key: str, **kwargs: Any) -> list[list[dict[str, Any]]]:
    out, marker = [], None
    while True:
        response = call(**kwargs, **({"Marker": marker} if marker else {}))
        out.append(response[key])
        if not response["IsTruncated"]:
            assert "Marker" not in response
            return out
        marker = response["Marker"]
        assert marker and len(out) < 100


def _seed_root_credentials(endpoint: Any, **overrides: Any) -> dict[str, Any]:
    scenario = standard_scenario(**overrides)
    scenario["accounts"][0]["root_credentials"] = ROOT_CREDENTIALS
    return endpoint.seed(scenario)


def test_root_iam_lists_page_with_max_items_1(endpoint):
    seeded = _seed_root_credentials(endpoint)
    root = seeded["accounts"][DEV]["root_credentials"]
    expected = {"ListAccessKeys": [k["access_key_id"] for k in root["access_keys"]],
                "ListMFADevices": [m["serial_number"] for m in root["mfa_devices"]],
                "ListSigningCertificates": [c["certificate_id"] for c in root["signing_certificates"]]}
    iam = endpoint.client("iam", endpoint.assume_root(DEV, "IAMAuditRootUserCredentials"))
    for operation, (call, key, id_key) in iam_lists(iam).items():
        listed = iam_pages(call, key, MaxItems=1)
        assert [len(p) for p in listed] == [1] * len(expected[operation]), operation
        assert [item[id_key] for p in listed for item in p] == expected[operation], operation
        two = iam_pages(call, key, MaxItems=2)
        assert [len(p) for p in two] == [2] * (len(expected[operation]) // 2) + [1] * (len(expected[operation]) % 2)
        whole = call()
        assert whole["IsTruncated"] is False and "Marker" not in whole
        assert [item[id_key] for item in whole[key]] == expected[operation]
        paginated = [item[id_key] for page in iam.get_paginator(call.__name__).paginate(PaginationConfig={"PageSize": 1})
                     for item in page[key]]
        assert paginated == expected[operation], operation


def test_iam_page_size_knob(endpoint):
    seeded = _seed_root_credentials(endpoint, page_size={"iam": 1})
    assert seeded["page_size"] == {"iam": 1}
    iam = endpoint.client("iam", endpoint.assume_root(DEV, "IAMAuditRootUserCredentials"))
    for operation, (call, key, id_key) in iam_lists(iam).items():
        for kwargs in ({}, {"MaxItems": 1000}, {"MaxItems": 3}):
            listed = iam_pages(call, key, **kwargs)
            assert all(len(p) == 1 for p in listed), (operation, kwargs)
            assert len({item[id_key] for p in listed for item in p}) == len(listed)
    assert [len(p) for p in iam_pages(iam.list_mfa_devices, "MFADevices")] == [1, 1, 1, 1]


def test_iam_marker_survives_deleting_what_was_listed(endpoint):
    _seed_root_credentials(endpoint)
    iam = endpoint.client("iam", endpoint.assume_root(DEV, "IAMDeleteRootUserCredentials"))
    first = iam.list_access_keys(MaxItems=1)
    keys = [k["AccessKeyId"] for k in iam.list_access_keys()["AccessKeyMetadata"]]
    iam.delete_access_key(AccessKeyId=first["AccessKeyMetadata"][0]["AccessKeyId"])
    rest = [k["AccessKeyId"] for p in iam_pages(iam.list_access_keys, "AccessKeyMetadata", Marker=first["Marker"])
            for k in p]
    assert rest == keys[1:]
    first = iam.list_signing_certificates(MaxItems=1)
    certificates = [c["CertificateId"] for c in iam.list_signing_certificates()["Certificates"]]
    iam.delete_signing_certificate(CertificateId=certificates[1])  # one not listed yet goes away
    rest = iam.list_signing_certificates(Marker=first["Marker"])
    assert [c["CertificateId"] for c in rest["Certificates"]] == certificates[2:] and not rest["IsTruncated"]


def test_iam_max_items_and_marker_validation(endpoint):
    _seed_root_credentials(endpoint)
    creds = endpoint.assume_root(DEV, "IAMAuditRootUserCredentials")
    iam = boto3_session().client(
        "iam", endpoint_url=endpoint.url, region_name="us-east-1",
        aws_access_key_id=creds["AWS_ACCESS_KEY_ID"], aws_secret_access_key=creds["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=creds["AWS_SESSION_TOKEN"],
        config=botocore.config.Config(parameter_validation=False, retries={"total_max_attempts": 1}))
    raw: list[Any] = []
    iam.meta.events.register("after-call.iam", lambda http_response, **_: raw.append(http_response))
    cases = [({"MaxItems": 0}, "Value '0' at 'maxItems' failed to satisfy constraint: "
                               "Member must have value greater than or equal to 1"),
             ({"MaxItems": 1001}, "Value '1001' at 'maxItems' failed to satisfy constraint: "
                                  "Member must have value less than or equal to 1000"),
             ({"Marker": "not-a-marker"}, "Invalid Marker"),
             ({"Marker": "x" * 321}, "Member must have length less than or equal to 320")]
    for operation, (call, _, _) in iam_lists(iam).items():
        for kwargs, message in cases:
            with pytest.raises(ClientError) as excinfo:
                call(**kwargs)
            assert error_code(excinfo) == ("ValidationError", 400), (operation, kwargs)
            assert message in excinfo.value.response["Error"]["Message"], (operation, kwargs)
            error = ET.fromstring(raw[-1].text)
            ns = {"i": "https://iam.amazonaws.com/doc/2010-05-08/"}
            assert error.tag == "{https://iam.amazonaws.com/doc/2010-05-08/}ErrorResponse"
            assert error.findtext("i:Error/i:Type", namespaces=ns) == "Sender"
            assert error.findtext("i:Error/i:Code", namespaces=ns) == "ValidationError"
        # a marker of one operation is no marker of another
        marker = endpoint.client("iam", creds).list_access_keys(MaxItems=1)["Marker"]
        if operation != "ListAccessKeys":
            with pytest.raises(ClientError) as excinfo:
                call(Marker=marker)
            assert error_code(excinfo) == ("ValidationError", 400)
    assert [len(p) for p in iam_pages(iam.list_access_keys, "AccessKeyMetadata", MaxItems=1000)] == [3]
