"""Organizational units of a scenario: validated, then created parents first
and the listed accounts moved into them, as AWS Organizations does."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import ScenarioError

# CreateOrganizationalUnit: Name is 1..128 characters; OUs nest at most five levels below the root
# (deeper -> ConstraintViolationException OU_DEPTH_LIMIT_EXCEEDED).
OU_NAME_MAX = 128
OU_MAX_DEPTH = 5
OU_KEYS = ("name", "parent", "accounts")


@dataclass
class UnitSpec:
    """One item of the scenario's ``organizational_units``, validated."""

    name: str
    parent: str | None
    accounts: list[str] = field(default_factory=list)


def _unit_spec(index: int, item: Any) -> UnitSpec:
    """One object of organizational_units, its keys checked (messages name its index and name)."""
    where = f"organizational_units[{index}]"
    if not isinstance(item, dict):
        raise ScenarioError(f'{where} must be an object like {{"name": "Workloads", "parent": null, '
                            f'"accounts": ["111111111111"]}}, got {item!r}')
    unknown = set(item) - set(OU_KEYS)
    if unknown:
        raise ScenarioError(f"{where}: unknown keys {sorted(unknown)}; a unit takes {', '.join(OU_KEYS)}")
    name = item.get("name")
    if not isinstance(name, str) or not 1 <= len(name) <= OU_NAME_MAX:
        raise ScenarioError(f"{where}.name must be a string of 1 to {OU_NAME_MAX} characters "
                            f"(an OU name), got {name!r}")
    where = f"{where} ({name})"
    parent = item.get("parent")
    if parent is not None and not isinstance(parent, str):
        raise ScenarioError(f"{where}.parent must be null (directly under the root) or the name of "
                            f"another unit in organizational_units, got {parent!r}")
    accounts = item.get("accounts")
    accounts = [] if accounts is None else accounts
    if not isinstance(accounts, list) or not all(isinstance(a, str) for a in accounts):
        raise ScenarioError(f"{where}.accounts must be a list of account ids (strings), got {accounts!r}")
    return UnitSpec(name, parent, list(accounts))


def organizational_units_from(value: Any, organization: bool, members: set[str],
                              outside: set[str]) -> list[UnitSpec]:
    """The scenario's ``organizational_units``, validated, in creation order (every parent
    before its children).  `members`: the ids of the organization's accounts (management
    included); `outside`: the scenario's accounts with ``in_organization: false``."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ScenarioError(f"organizational_units must be a list of objects like {{\"name\": \"Workloads\", "
                            f"\"parent\": null, \"accounts\": [...]}}, got {value!r}")
    if value and not organization:
        raise ScenarioError("organizational_units needs an organization; this scenario has \"organization\": null")
    units: dict[str, UnitSpec] = {}
    owner: dict[str, str] = {}  # account id -> the unit it is listed under
    for index, item in enumerate(value):
        unit = _unit_spec(index, item)
        if unit.name in units:
            raise ScenarioError(f"organizational_units: the name {unit.name!r} is used twice; unit names "
                                "must be unique within a scenario")
        units[unit.name] = unit
        for account_id in unit.accounts:
            where = f"organizational_units[{index}] ({unit.name}).accounts"
            if account_id in outside:
                raise ScenarioError(f"{where}: account {account_id} is not in the organization "
                                    "(\"in_organization\": false); only its accounts can be moved into a unit")
            if account_id not in members:
                raise ScenarioError(f"{where}: {account_id!r} is not an account of this scenario (the ids "
                                    "in \"accounts\", or the management_account_id)")
            if account_id in owner:
                where_else = "twice under it" if owner[account_id] == unit.name else \
                    f"under both {owner[account_id]!r} and {unit.name!r}"
                raise ScenarioError(f"organizational_units: account {account_id} is listed {where_else}; "
                                    "an account has exactly one parent")
            owner[account_id] = unit.name
    for unit in units.values():
        if unit.parent is not None and unit.parent not in units:
            raise ScenarioError(f"organizational_units: the parent {unit.parent!r} of {unit.name!r} is not a unit "
                                f"of this list (known: {', '.join(repr(n) for n in units)}); use null for a unit "
                                "directly under the root")
    return _creation_order(units)


def _creation_order(units: dict[str, UnitSpec]) -> list[UnitSpec]:
    """Parents before children (otherwise in the order given); a cycle or a unit more than
    OU_MAX_DEPTH levels below the root is a ScenarioError."""
    order: list[UnitSpec] = []
    depth: dict[str, int] = {}
    for name in units:
        chain: list[str] = []
        current: str | None = name
        while current is not None and current not in depth:
            if current in chain:
                cycle = chain[chain.index(current):] + [current]
                raise ScenarioError(
                    "organizational_units: the parents form a cycle (" + " -> ".join(cycle) + "; each arrow "
                    "points to the unit's parent); every chain of parents must end at a unit with "
                    "\"parent\": null")
            chain.append(current)
            current = units[current].parent
        for unit_name in reversed(chain):
            parent = units[unit_name].parent
            depth[unit_name] = 1 + (depth[parent] if parent is not None else 0)
            if depth[unit_name] > OU_MAX_DEPTH:
                raise ScenarioError(
                    f"organizational_units: {unit_name!r} would be {depth[unit_name]} levels below the root; "
                    f"AWS nests OUs at most {OU_MAX_DEPTH} levels deep (OU_DEPTH_LIMIT_EXCEEDED)")
            order.append(units[unit_name])
    return order


def _create_units(backend: Any, units: list[UnitSpec]) -> dict[str, str]:
    """Creates the units under the organization's root and moves their accounts from the
    root into them, as CreateOrganizationalUnit and MoveAccount do; {name: OU id}."""
    root_id = backend.org.root_id
    ids: dict[str, str] = {}
    for unit in units:
        parent_id = ids[unit.parent] if unit.parent is not None else root_id
        created = backend.create_organizational_unit(Name=unit.name, ParentId=parent_id)
        ids[unit.name] = created["OrganizationalUnit"]["Id"]
        for account_id in unit.accounts:
            backend.move_account(AccountId=account_id, SourceParentId=root_id, DestinationParentId=ids[unit.name])
    return ids
