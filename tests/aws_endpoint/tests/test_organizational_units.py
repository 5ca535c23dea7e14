"""The scenario's organizational_units: OUs created under the root (parents first) with
their accounts moved in, read back through boto3 the way a client walks the tree
(ListOrganizationalUnitsForParent, ListAccountsForParent, ListChildren, ListParents,
DescribeOrganizationalUnit), with Organizations paging, and every ScenarioError."""

from __future__ import annotations

import re
from typing import Any, Callable

import pytest
from botocore.exceptions import ClientError

from conftest import ADMIN, DEV, LEGACY, MGMT, OUTSIDE, PROD, error_code, standard_scenario

OU_ID = re.compile(r"^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$")  # the OrganizationalUnitId pattern

TREE = [  # the child is listed before its parent: seeding creates parents first
    {"name": "Prod", "parent": "Workloads", "accounts": [PROD]},
    {"name": "Workloads", "parent": None, "accounts": [DEV, LEGACY]},
]


def pages(call: Callable[..., dict[str, Any]], key: str, **kwargs: Any) -> list[list[dict[str, Any]]]:
    out, token = [], None
    while True:
        response = call(**kwargs, **({"NextToken": token} if token else {}))
        out.append(response[key])
        token = response.get("NextToken")
        if token is None:
            return out
        assert token and len(out) < 100, "paging does not end"


def ids(listed: list[list[dict[str, Any]]]) -> list[str]:
    return [item["Id"] for page in listed for item in page]


def test_a_two_level_tree_is_listed_consistently(endpoint):
    seeded = endpoint.seed(standard_scenario(organizational_units=TREE))
    orgs = endpoint.client("organizations")
    root = orgs.list_roots()["Roots"][0]["Id"]
    org_id = seeded["organization"]["id"]
    units = seeded["organizational_units"]
    assert seeded["root_id"] == root and seeded["organization"]["root_id"] == root
    assert set(units) == {"Workloads", "Prod"} and all(OU_ID.match(u) for u in units.values())
    workloads, prod = units["Workloads"], units["Prod"]

    def unit(ou_id: str, name: str, path: str) -> dict[str, str]:
        return {"Id": ou_id, "Arn": f"arn:aws:organizations::{MGMT}:ou/{org_id}/{ou_id}", "Name": name,
                "Path": path}

    workloads_view = unit(workloads, "Workloads", f"{org_id}/{root}/{workloads}/")
    prod_view = unit(prod, "Prod", f"{org_id}/{root}/{workloads}/{prod}/")
    # OUs per parent
    for parent, expected in ((root, [workloads_view]), (workloads, [prod_view]), (prod, [])):
        response = orgs.list_organizational_units_for_parent(ParentId=parent)
        assert response["OrganizationalUnits"] == expected and "NextToken" not in response, parent
        children = orgs.list_children(ParentId=parent, ChildType="ORGANIZATIONAL_UNIT")
        assert children["Children"] == [{"Id": u["Id"], "Type": "ORGANIZATIONAL_UNIT"} for u in expected]
    assert orgs.describe_organizational_unit(OrganizationalUnitId=workloads)["OrganizationalUnit"] == workloads_view
    assert orgs.describe_organizational_unit(OrganizationalUnitId=prod)["OrganizationalUnit"] == prod_view
    # accounts per parent (in the order they joined), their paths, ListChildren agrees
    expected_accounts = {root: [MGMT, ADMIN], workloads: [DEV, LEGACY], prod: [PROD]}
    paths = {root: f"{org_id}/{root}/", workloads: f"{org_id}/{root}/{workloads}/",
             prod: f"{org_id}/{root}/{workloads}/{prod}/"}
    for parent, expected in expected_accounts.items():
        accounts = orgs.list_accounts_for_parent(ParentId=parent)
        assert [a["Id"] for a in accounts["Accounts"]] == expected and "NextToken" not in accounts, parent
        assert [a["Paths"] for a in accounts["Accounts"]] == [[paths[parent] + a + "/"] for a in expected]
        children = orgs.list_children(ParentId=parent, ChildType="ACCOUNT")["Children"]
        assert children == [{"Id": a, "Type": "ACCOUNT"} for a in expected]
        for account in expected:
            parent_type = "ROOT" if parent == root else "ORGANIZATIONAL_UNIT"
            assert orgs.list_parents(ChildId=account)["Parents"] == [{"Id": parent, "Type": parent_type}]
    assert orgs.list_parents(ChildId=workloads)["Parents"] == [{"Id": root, "Type": "ROOT"}]
    assert orgs.list_parents(ChildId=prod)["Parents"] == [{"Id": workloads, "Type": "ORGANIZATIONAL_UNIT"}]
    assert orgs.describe_account(AccountId=PROD)["Account"]["Paths"] == [paths[prod] + PROD + "/"]
    assert {a["Id"] for a in orgs.list_accounts()["Accounts"]} == {MGMT, ADMIN, DEV, LEGACY, PROD}
    # the control API shows the same tree
    org = endpoint.control("GET", "/state")["organizations"][0]
    assert {u["name"]: (u["id"], u["parent_id"]) for u in org["organizational_units"]} == {
        "Workloads": (workloads, root), "Prod": (prod, workloads)}
    assert {a["id"]: a["parent_id"] for a in org["accounts"]} == {
        MGMT: root, ADMIN: root, DEV: workloads, LEGACY: workloads, PROD: prod}
    # a delegated administrator reads the same tree
    delegated = endpoint.client("organizations", endpoint.user_creds(ADMIN))
    assert delegated.list_organizational_units_for_parent(ParentId=workloads)["OrganizationalUnits"] == [prod_view]
    assert [a["Id"] for a in delegated.list_accounts_for_parent(ParentId=prod)["Accounts"]] == [PROD]
    assert delegated.list_parents(ChildId=DEV)["Parents"] == [{"Id": workloads, "Type": "ORGANIZATIONAL_UNIT"}]


def test_tree_errors_are_the_modelled_ones(endpoint):
    seeded = endpoint.seed(standard_scenario(organizational_units=TREE))
    orgs = endpoint.client("organizations")
    root = seeded["root_id"]
    for call, expected in (
            (lambda: orgs.list_parents(ChildId="999999999999"), "ChildNotFoundException"),
            (lambda: orgs.list_parents(ChildId="ou-zzzz-zzzzzzzz"), "ChildNotFoundException"),
            (lambda: orgs.list_children(ParentId="ou-zzzz-zzzzzzzz", ChildType="ACCOUNT"), "ParentNotFoundException"),
            (lambda: orgs.describe_organizational_unit(OrganizationalUnitId="ou-zzzz-zzzzzzzz"),
             "OrganizationalUnitNotFoundException"),
            (lambda: orgs.describe_organizational_unit(OrganizationalUnitId=root),
             "OrganizationalUnitNotFoundException"),
            (lambda: orgs.list_children(ParentId=root, ChildType="POLICY"), "InvalidInputException")):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_code(excinfo) == (expected, 400)
    assert excinfo.value.response["Reason"] == "INVALID_ENUM"


def test_the_2025_shape_has_no_ou_path(endpoint):
    seeded = endpoint.seed(standard_scenario(organizational_units=TREE, account_shape="2025"))
    orgs = endpoint.client("organizations")
    workloads = seeded["organizational_units"]["Workloads"]
    listed = orgs.list_organizational_units_for_parent(ParentId=workloads)["OrganizationalUnits"]
    assert [sorted(u) for u in listed] == [["Arn", "Id", "Name"]]
    described = orgs.describe_organizational_unit(OrganizationalUnitId=workloads)["OrganizationalUnit"]
    assert sorted(described) == ["Arn", "Id", "Name"]
    assert [a["Id"] for a in orgs.list_accounts_for_parent(ParentId=workloads)["Accounts"]] == [DEV, LEGACY]


def test_management_account_may_be_moved_and_seed_without_units(endpoint):
    seeded = endpoint.seed(standard_scenario(organizational_units=[{"name": "Admin", "parent": None,
                                                                    "accounts": [MGMT]}]))
    orgs = endpoint.client("organizations")
    assert orgs.list_parents(ChildId=MGMT)["Parents"] == [
        {"Id": seeded["organizational_units"]["Admin"], "Type": "ORGANIZATIONAL_UNIT"}]
    seeded = endpoint.seed()
    assert seeded["organizational_units"] == {}
    assert seeded["root_id"] == orgs.list_roots()["Roots"][0]["Id"]
    assert orgs.list_organizational_units_for_parent(ParentId=seeded["root_id"])["OrganizationalUnits"] == []
    seeded = endpoint.seed({"organization": None, "accounts": [{"id": DEV}]})
    assert seeded["organizational_units"] == {} and seeded["root_id"] is None


BIG = [str(610000000000 + i) for i in range(45)]  # 45 accounts in one unit: pages of 20, 20, 5


def paging_scenario(**overrides: Any) -> dict[str, Any]:
    units = [{"name": "Big", "parent": None, "accounts": BIG}]
    units += [{"name": f"Team-{i:02d}", "parent": "Big"} for i in range(22)]  # 22 child units: 20, 2
    return standard_scenario(accounts=[{"id": a, "name": f"big-{a[-2:]}"} for a in BIG] + [{"id": DEV}],
                             delegated_administrators=[], organizational_units=units, **overrides)


def test_more_than_20_accounts_under_one_unit_page_at_20(endpoint):
    seeded = endpoint.seed(paging_scenario())
    orgs = endpoint.client("organizations")
    big, root = seeded["organizational_units"]["Big"], seeded["root_id"]
    teams = [seeded["organizational_units"][f"Team-{i:02d}"] for i in range(22)]
    listed = pages(orgs.list_accounts_for_parent, "Accounts", ParentId=big)
    assert [len(p) for p in listed] == [20, 20, 5] and ids(listed) == BIG
    for max_results in (None, 20):
        kwargs = {"MaxResults": max_results} if max_results else {}
        children = pages(orgs.list_children, "Children", ParentId=big, ChildType="ACCOUNT", **kwargs)
        assert [len(p) for p in children] == [20, 20, 5] and ids(children) == BIG
    assert [len(p) for p in pages(orgs.list_accounts_for_parent, "Accounts", ParentId=big, MaxResults=7)] == \
        [7] * 6 + [3]
    units = pages(orgs.list_organizational_units_for_parent, "OrganizationalUnits", ParentId=big)
    assert [len(p) for p in units] == [20, 2] and ids(units) == teams
    ou_children = pages(orgs.list_children, "Children", ParentId=big, ChildType="ORGANIZATIONAL_UNIT")
    assert [len(p) for p in ou_children] == [20, 2] and ids(ou_children) == teams
    assert ids(pages(orgs.list_accounts_for_parent, "Accounts", ParentId=root)) == [MGMT, DEV]
    # the SDK paginators agree
    paginated = [c["Id"] for page in orgs.get_paginator("list_children").paginate(ParentId=big, ChildType="ACCOUNT")
                 for c in page["Children"]]
    assert paginated == BIG
    # a token belongs to its operation, parent and child type
    token = orgs.list_accounts_for_parent(ParentId=big)["NextToken"]
    child_token = orgs.list_children(ParentId=big, ChildType="ACCOUNT")["NextToken"]
    for call in (lambda: orgs.list_children(ParentId=big, ChildType="ACCOUNT", NextToken=token),
                 lambda: orgs.list_children(ParentId=big, ChildType="ORGANIZATIONAL_UNIT", NextToken=child_token),
                 lambda: orgs.list_children(ParentId=root, ChildType="ACCOUNT", NextToken=child_token),
                 lambda: orgs.list_parents(ChildId=BIG[0], NextToken=child_token)):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_code(excinfo) == ("InvalidInputException", 400)
        assert excinfo.value.response["Reason"] == "INVALID_NEXT_TOKEN"


def test_page_size_knob_and_max_results_on_the_tree_operations(endpoint):
    seeded = endpoint.seed(paging_scenario(page_size={"organizations": 7}))
    orgs = endpoint.client("organizations")
    big = seeded["organizational_units"]["Big"]
    for call, key, kwargs in ((orgs.list_accounts_for_parent, "Accounts", {"ParentId": big}),
                              (orgs.list_children, "Children", {"ParentId": big, "ChildType": "ACCOUNT"})):
        listed = pages(call, key, MaxResults=20, **kwargs)
        assert [len(p) for p in listed] == [7] * 6 + [3] and ids(listed) == BIG
    units = pages(orgs.list_organizational_units_for_parent, "OrganizationalUnits", ParentId=big)
    assert [len(p) for p in units] == [7, 7, 7, 1]
    parents = orgs.list_parents(ChildId=BIG[0], MaxResults=1)
    assert parents["Parents"] == [{"Id": big, "Type": "ORGANIZATIONAL_UNIT"}] and "NextToken" not in parents
    for call in (lambda **kw: orgs.list_children(ParentId=big, ChildType="ACCOUNT", **kw),
                 lambda **kw: orgs.list_parents(ChildId=BIG[0], **kw)):
        with pytest.raises(ClientError) as excinfo:
            call(MaxResults=21)
        assert error_code(excinfo) == ("InvalidInputException", 400)
        assert excinfo.value.response["Reason"] == "MAX_VALUE_EXCEEDED"


@pytest.mark.parametrize("units,message", [
    ([{"name": "A", "parent": "Nope"}], "the parent 'Nope' of 'A' is not a unit of this list"),
    ([{"name": "A", "parent": "B"}, {"name": "B", "parent": "A"}], "the parents form a cycle (A -> B -> A;"),
    ([{"name": "A", "parent": "A"}], "the parents form a cycle (A -> A;"),
    ([{"name": "A", "parent": None, "accounts": ["999999999999"]}],
     "'999999999999' is not an account of this scenario"),
    ([{"name": "A", "parent": None, "accounts": [OUTSIDE]}], f"account {OUTSIDE} is not in the organization"),
    ([{"name": "A", "parent": None, "accounts": [DEV]}, {"name": "B", "parent": "A", "accounts": [PROD, DEV]}],
     f"account {DEV} is listed under both 'A' and 'B'"),
    ([{"name": "A", "parent": None, "accounts": [DEV, DEV]}], f"account {DEV} is listed twice under it"),
    ([{"name": "A", "parent": None}, {"name": "A", "parent": None}], "the name 'A' is used twice"),
    ([{"name": f"L{i}", "parent": f"L{i - 1}" if i else None} for i in range(6)],
     "'L5' would be 6 levels below the root"),
    ([{"name": "", "parent": None}], "organizational_units[0].name must be a string of 1 to 128"),
    ([{"name": "A", "parent": 3}], "organizational_units[0] (A).parent must be null"),
    ([{"name": "A", "accounts": DEV}], "organizational_units[0] (A).accounts must be a list"),
    ([{"name": "A", "children": []}], "unknown keys ['children']"),
    (["A"], "organizational_units[0] must be an object"),
    ({"name": "A"}, "organizational_units must be a list"),
])
def test_bad_units_are_scenario_errors(endpoint, units, message):
    seeded = endpoint.seed(standard_scenario(organizational_units=TREE))
    with pytest.raises(AssertionError) as excinfo:
        endpoint.control("POST", "/seed", standard_scenario(organizational_units=units))
    assert "400" in str(excinfo.value) and "ScenarioError" in str(excinfo.value), str(excinfo.value)
    assert message in str(excinfo.value), str(excinfo.value)
    # nothing was reset by the rejected scenario
    org = endpoint.control("GET", "/state")["organizations"][0]
    assert org["id"] == seeded["organization"]["id"]
    assert {u["name"] for u in org["organizational_units"]} == {"Workloads", "Prod"}


def test_units_need_an_organization(endpoint):
    with pytest.raises(AssertionError) as excinfo:
        endpoint.control("POST", "/seed", {"organization": None, "accounts": [{"id": DEV}],
                                           "organizational_units": [{"name": "A", "parent": None}]})
    assert "400" in str(excinfo.value) and "organizational_units needs an organization" in str(excinfo.value)
