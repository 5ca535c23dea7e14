"""Organizations accounts as AWS describes them today.

AWS retired ``Account.Status`` on 2026-09-09: DescribeAccount, ListAccounts and
ListAccountsForParent return ``State`` (PENDING_ACTIVATION | ACTIVE | SUSPENDED |
PENDING_CLOSURE | CLOSED) and ``Paths``, no ``Status``.  moto 5.2.5 still answers with
the 2025 shape, so rootsim answers those three operations (and
ListOrganizationalUnitsForParent, ListChildren, ListParents and DescribeOrganizationalUnit,
for paging and for OU paths) itself:

* shape "2026" (default): Id, Arn, Email, Name, State, Paths, JoinedMethod, JoinedTimestamp
* shape "2025" (scenario ``account_shape`` or ROOTSIM_ACCOUNT_SHAPE): moto's pre-2026
  shape, Id, Arn, Email, Name, Status, State, JoinedMethod, JoinedTimestamp
* shape "2024": Status only, as before AWS added State (2025): what a client's fallback
  from State to Status reads
* an account's state may be None ("omit": neither State nor Status is sent) or any other
  string (sent verbatim as State; a value newer than the SDK).

An account's state lives on moto's FakeAccount (``.state``, None allowed); ``.status``
is kept at the matching pre-2026 value because moto's CloseAccount reads it.
"""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult
from moto.core.utils import unix_time
from moto.organizations.exceptions import AWSOrganizationsNotInUseException
from moto.organizations.models import (
    FakeAccount,
    FakeDelegatedAdministrator,
    FakeOrganizationalUnit,
    OrganizationsBackend,
)
from moto.organizations.responses import OrganizationsResponse

from . import paging
from .state import ACCOUNT_STATES, STATE, next_seq

# Account.Status (pre-2026) values, and the Status an account in each State carried.
# PENDING_ACTIVATION and CLOSED have no Status of their own; rootsim's choice (documented
# in the README): an unfinished sign-up reads ACTIVE, a closed account SUSPENDED, as the
# pre-2026 Status field could not tell them apart.  A state rootsim does not know
# (verbatim string) or an omitted state carries no Status.
STATUS_VALUES = ("ACTIVE", "SUSPENDED", "PENDING_CLOSURE")
LEGACY_STATUS = {
    "PENDING_ACTIVATION": "ACTIVE",
    "ACTIVE": "ACTIVE",
    "SUSPENDED": "SUSPENDED",
    "PENDING_CLOSURE": "PENDING_CLOSURE",
    "CLOSED": "SUSPENDED",
}
OMIT = "omit"


class AccountStateError(ValueError):
    """A state or status value a scenario or the control API may not use."""


def parse_state(value: Any, field: str = "state") -> str | None:
    """A "state" value: one of the five states, null / "omit" (no State, no Status),
    or any other non-empty string (sent verbatim)."""
    if value is None or value == OMIT:
        return None
    if not isinstance(value, str) or not value.strip():
        raise AccountStateError(
            f"{field} must be one of {', '.join(ACCOUNT_STATES)}, null or \"omit\" (the account "
            f"carries neither State nor Status), or another non-empty string (returned verbatim); "
            f"got {value!r}")
    return value


def parse_status(value: Any, field: str = "status") -> str:
    """The pre-2026 "status" key, kept as an alias: ACTIVE | SUSPENDED | PENDING_CLOSURE."""
    if value not in STATUS_VALUES:
        raise AccountStateError(
            f"{field} must be one of {', '.join(STATUS_VALUES)} (the pre-2026 Account.Status values), "
            f"got {value!r}; use \"state\" for {', '.join(ACCOUNT_STATES)}, null/\"omit\" or a verbatim value")
    return value


def state_from_spec(spec: dict[str, Any], where: str) -> str | None:
    """The state an account spec asks for ("state", or the "status" alias; default ACTIVE)."""
    has_state, has_status = "state" in spec, "status" in spec
    if has_state and has_status:
        state = parse_state(spec["state"], f"{where}.state")
        status = parse_status(spec["status"], f"{where}.status")
        if state != status:
            raise AccountStateError(
                f"{where}: give either \"state\" or its alias \"status\", not both with different "
                f"values ({spec['state']!r} vs {spec['status']!r})")
        return state
    if has_state:
        return parse_state(spec["state"], f"{where}.state")
    if has_status:
        return parse_status(spec["status"], f"{where}.status")
    return "ACTIVE"


def legacy_status(state: str | None) -> str | None:
    return LEGACY_STATUS.get(state) if state is not None else None


def account_state(fake: Any) -> str | None:
    return getattr(fake, "state", None)


def set_account_state(fake: Any, state: str | None) -> None:
    with STATE.lock:
        fake.state = state
        fake.status = legacy_status(state)


# --- the shape of an Account ----------------------------------------------------------------

class OrgTree:
    """Entity paths of one organization ("o-.../r-.../ou-.../"), built once per request."""

    def __init__(self, backend: OrganizationsBackend) -> None:
        org = backend.org
        assert org is not None
        self.prefix = f"{org.id}/{org.root_id}/"
        self.root_id = org.root_id
        self.ous = {ou.id: ou for ou in backend.ou}
        self._paths: dict[str, str] = {}

    def parent_path(self, parent_id: str | None) -> str:
        if not parent_id or parent_id == self.root_id:
            return self.prefix
        cached = self._paths.get(parent_id)
        if cached is None:
            ou = self.ous.get(parent_id)
            parent = getattr(ou, "parent_id", None) if ou is not None else None
            cached = self.parent_path(parent) + f"{parent_id}/"
            self._paths[parent_id] = cached
        return cached

    def account_path(self, fake: Any) -> str:
        return self.parent_path(fake.parent_id) + f"{fake.id}/"


def account_view(fake: Any, tree: OrgTree | None, shape: str) -> dict[str, Any]:
    state = account_state(fake)
    view: dict[str, Any] = {"Id": fake.id, "Arn": fake.arn, "Email": fake.email, "Name": fake.name}
    if shape in ("2024", "2025"):
        status = legacy_status(state)
        if status is not None:
            view["Status"] = status
    if state is not None and shape != "2024":
        view["State"] = state
    if shape == "2026" and tree is not None:
        view["Paths"] = [tree.account_path(fake)]
    view["JoinedMethod"] = fake.joined_method
    view["JoinedTimestamp"] = unix_time(fake.create_time)
    return view


def delegated_admin_describe(self: Any) -> dict[str, Any]:
    """DelegatedAdministrator keeps Status beside State (its Status is not retired);
    values that are not set are left out instead of being sent as null."""
    fake = self.account
    state = account_state(fake)
    view: dict[str, Any] = {"Id": fake.id, "Arn": fake.arn, "Email": fake.email, "Name": fake.name}
    status = legacy_status(state)
    if status is not None:
        view["Status"] = status
    if state is not None:
        view["State"] = state
    view["JoinedMethod"] = fake.joined_method
    view["JoinedTimestamp"] = unix_time(fake.create_time)
    view["DelegationEnabledDate"] = unix_time(self.enabled_date)
    return view


# --- the operations ---------------------------------------------------------------------------

class OrgParentNotFound(paging.OrganizationsError):
    code = "ParentNotFoundException"
    message = "We can't find a root or OU with the ParentId that you specified."


class OrgChildNotFound(paging.OrganizationsError):
    code = "ChildNotFoundException"
    message = "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified."


class OrgUnitNotFound(paging.OrganizationsError):
    code = "OrganizationalUnitNotFoundException"
    message = "We can't find an organizational unit (OU) with the OrganizationalUnitId that you specified."


CHILD_TYPES = ("ACCOUNT", "ORGANIZATIONAL_UNIT")


def _backend(resp: Any) -> OrganizationsBackend:
    backend = resp.organizations_backend
    if backend.org is None:
        raise AWSOrganizationsNotInUseException()
    return backend


def _parent(resp: Any, tree: OrgTree) -> str:
    parent_id = resp._get_param("ParentId")
    if not parent_id:
        raise paging.OrgInvalidInput("INPUT_REQUIRED", "You must include a value for all required parameters.")
    if parent_id not in tree.ous:
        raise OrgParentNotFound()
    return parent_id


def describe_account(self: Any) -> ActionResult:
    account_id = self._get_param("AccountId")
    backend = _backend(self)
    fake = backend.get_account_by_id(account_id)  # AccountNotFoundException
    return ActionResult({"Account": account_view(fake, OrgTree(backend), STATE.shape())})


def _accounts_result(page: list[Any], token: str | None, tree: OrgTree) -> ActionResult:
    shape = STATE.shape()
    result: dict[str, Any] = {"Accounts": [account_view(a, tree, shape) for a in page]}
    if token is not None:
        result["NextToken"] = token
    return ActionResult(result)


def list_accounts(self: Any) -> ActionResult:
    paging.org_limit(self)  # input is validated before anything else
    backend = _backend(self)
    tree = OrgTree(backend)
    page, token = paging.org_page(self, backend.accounts, ("ListAccounts", backend.org.id))  # type: ignore[union-attr]
    return _accounts_result(page, token, tree)


def list_accounts_for_parent(self: Any) -> ActionResult:
    paging.org_limit(self)
    backend = _backend(self)
    tree = OrgTree(backend)
    parent_id = _parent(self, tree)
    page, token = paging.org_page(
        self, backend.accounts, ("ListAccountsForParent", backend.org.id, parent_id),  # type: ignore[union-attr]
        keep=lambda a: a.parent_id == parent_id)
    return _accounts_result(page, token, tree)


def ou_view(ou: Any, tree: OrgTree, shape: str) -> dict[str, Any]:
    """An OrganizationalUnit: Id, Arn, Name, and in the 2026 shape its entity ``Path``."""
    unit: dict[str, Any] = {"Id": ou.id, "Arn": ou.arn, "Name": ou.name}
    if shape == "2026":
        unit["Path"] = tree.parent_path(ou.id)
    return unit


def list_organizational_units_for_parent(self: Any) -> ActionResult:
    paging.org_limit(self)
    backend = _backend(self)
    tree = OrgTree(backend)
    parent_id = _parent(self, tree)
    page, token = paging.org_page(
        self, backend.ou, ("ListOrganizationalUnitsForParent", backend.org.id, parent_id),  # type: ignore[union-attr]
        keep=lambda ou: ou.parent_id == parent_id and ou.id != tree.root_id)
    shape = STATE.shape()
    result: dict[str, Any] = {"OrganizationalUnits": [ou_view(ou, tree, shape) for ou in page]}
    if token is not None:
        result["NextToken"] = token
    return ActionResult(result)


def describe_organizational_unit(self: Any) -> ActionResult:
    """moto answers the root's own shape for a root id; AWS knows only OUs here."""
    backend = _backend(self)
    tree = OrgTree(backend)
    ou = tree.ous.get(self._get_param("OrganizationalUnitId") or "")
    if ou is None or ou.id == tree.root_id:
        raise OrgUnitNotFound()
    return ActionResult({"OrganizationalUnit": ou_view(ou, tree, STATE.shape())})


def list_children(self: Any) -> ActionResult:
    """ListChildren (Children: [{Id, Type}]) paged like the other List* operations;
    moto returns every child on one page."""
    paging.org_limit(self)
    child_type = self._get_param("ChildType")
    if not child_type:
        raise paging.OrgInvalidInput("INPUT_REQUIRED", "You must include a value for all required parameters.")
    if child_type not in CHILD_TYPES:
        raise paging.OrgInvalidInput("INVALID_ENUM", "You specified an invalid value.")
    backend = _backend(self)
    tree = OrgTree(backend)
    parent_id = _parent(self, tree)
    scope = ("ListChildren", backend.org.id, parent_id, child_type)  # type: ignore[union-attr]
    if child_type == "ACCOUNT":
        page, token = paging.org_page(self, backend.accounts, scope, keep=lambda a: a.parent_id == parent_id)
    else:
        page, token = paging.org_page(self, backend.ou, scope,
                                      keep=lambda ou: ou.parent_id == parent_id and ou.id != tree.root_id)
    result: dict[str, Any] = {"Children": [{"Id": child.id, "Type": child_type} for child in page]}
    if token is not None:
        result["NextToken"] = token
    return ActionResult(result)


def list_parents(self: Any) -> ActionResult:
    """ListParents (Parents: [{Id, Type: ROOT | ORGANIZATIONAL_UNIT}]): the one parent of an
    account or OU, with the same MaxResults/NextToken rules; an unknown child is
    ChildNotFoundException (moto: AccountNotFoundException / OrganizationalUnitNotFoundException)."""
    paging.org_limit(self)
    child_id = self._get_param("ChildId")
    if not child_id:
        raise paging.OrgInvalidInput("INPUT_REQUIRED", "You must include a value for all required parameters.")
    backend = _backend(self)
    tree = OrgTree(backend)
    child: Any = next((a for a in backend.accounts if a.id == child_id), None)
    if child is None and child_id != tree.root_id:
        child = tree.ous.get(child_id)
    parent = tree.ous.get(child.parent_id) if child is not None and child.parent_id else None
    if child is None or parent is None:
        raise OrgChildNotFound()
    page, token = paging.org_page(self, [parent], ("ListParents", backend.org.id, child_id))  # type: ignore[union-attr]
    result: dict[str, Any] = {"Parents": [{"Id": p.id, "Type": p.type} for p in page]}
    if token is not None:
        result["NextToken"] = token
    return ActionResult(result)


# --- installation -----------------------------------------------------------------------------

def _with_seq(original: Any) -> Any:
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self._rootsim_seq = next_seq()
    return __init__


def _locked(original: Any) -> Any:
    """moto builds an account / OU and then appends it; doing both under the lock keeps
    moto's lists in sequence order (paging bisects them)."""
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        with STATE.lock:
            return original(self, *args, **kwargs)
    method.__name__ = original.__name__
    return method


def install() -> None:
    FakeAccount.__init__ = _with_seq(FakeAccount.__init__)  # type: ignore[method-assign]
    FakeOrganizationalUnit.__init__ = _with_seq(FakeOrganizationalUnit.__init__)  # type: ignore[method-assign]
    for name in ("create_organization", "create_account", "create_organizational_unit"):
        setattr(OrganizationsBackend, name, _locked(getattr(OrganizationsBackend, name)))
    FakeDelegatedAdministrator.describe = delegated_admin_describe  # type: ignore[method-assign]
    OrganizationsResponse.describe_account = describe_account  # type: ignore[method-assign]
    OrganizationsResponse.list_accounts = list_accounts  # type: ignore[method-assign]
    OrganizationsResponse.list_accounts_for_parent = list_accounts_for_parent  # type: ignore[method-assign]
    OrganizationsResponse.list_organizational_units_for_parent = (  # type: ignore[method-assign]
        list_organizational_units_for_parent)
    OrganizationsResponse.describe_organizational_unit = describe_organizational_unit  # type: ignore[method-assign]
    OrganizationsResponse.list_children = list_children  # type: ignore[method-assign]
    OrganizationsResponse.list_parents = list_parents  # type: ignore[method-assign]
