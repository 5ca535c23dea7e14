"""Reset, seed and inspect whole scenarios (used by the control API)."""

from __future__ import annotations

import datetime as _dt
import json
import re
import secrets
import string
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator

import moto.organizations.utils as org_utils
from moto.core import DEFAULT_ACCOUNT_ID
from moto.iam.models import iam_backends
from moto.moto_api._internal.models import moto_api_backend
from moto.organizations.models import organizations_backends
from moto.s3.models import s3_backends
from moto.sqs.models import sqs_backends

from .accounts import (
    AccountStateError,
    account_state,
    legacy_status,
    set_account_state,
    state_from_spec,
)
from .orgs import IAM_PRINCIPAL, PARTITION, all_organizations, org_for_account
from .policy import deny_all_bucket_policy, deny_all_queue_policy, parse
from . import scp
from .errors import ScenarioError
from .units import UnitSpec, _create_units, _creation_order, organizational_units_from
from .state import (
    ACCOUNT_SHAPES,
    ALL_FEATURES,
    MFA_KINDS,
    MFA_MAX_PER_USER,
    PAGED_SERVICES,
    STATE,
    RootAccessKey,
    RootCertificate,
    RootCredentials,
    RootMfaDevice,
    random_id,
)

ADMIN_USER = "rootsim-admin"
_SERIAL = re.compile(r"^[\w+=/:,.@-]+$")
ACCOUNT_RE = re.compile(r"^\d{12}$")
DUMMY_CERTIFICATE = (
    "-----BEGIN CERTIFICATE-----\n"
    "TUlJQ2RUQ0NBZDZnQXdJQkFnSUpBTHJvb3RzaW0tZHVtbXktY2VydGlmaWNhdGU=\n"
    "-----END CERTIFICATE-----"
)


def reset_all() -> None:
    with STATE.lock:
        moto_api_backend.reset()
        organizations_backends.master_accounts.clear()
        s3_backends.bucket_accounts.clear()
        STATE.clear()


@contextmanager
def _fixed_account_id(account_id: str) -> Iterator[None]:
    original = org_utils.make_random_account_id
    org_utils.make_random_account_id = lambda: account_id  # type: ignore[assignment]
    try:
        yield
    finally:
        org_utils.make_random_account_id = original  # type: ignore[assignment]


def _items(value: Any) -> list[dict[str, Any]]:
    if value is None or value is False:
        return []
    if value is True:
        return [{}]
    if isinstance(value, int):
        return [{} for _ in range(value)]
    if isinstance(value, list):
        return [v if isinstance(v, dict) else {} for v in value]
    raise ScenarioError(f"expected a count or a list, got {value!r}")


MFA_ITEM_KEYS = ("type", "virtual", "serial_number", "name", "enable_date")
_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_MFA_NAME = re.compile(r"^[\w+=,.@-]{1,128}$")


def _mfa_kind(where: str, item: dict[str, Any]) -> str:
    kind = item.get("type")
    if kind is None:
        return "virtual" if item.get("virtual", True) else "hardware"
    if kind not in MFA_KINDS:
        raise ScenarioError(f"{where}.type must be one of {', '.join(MFA_KINDS)}, got {kind!r}")
    if "virtual" in item and bool(item["virtual"]) != (kind == "virtual"):
        raise ScenarioError(f"{where}: \"virtual\": {item['virtual']!r} contradicts \"type\": {kind!r}")
    return kind


def mfa_serial(account_id: str, kind: str, name: str) -> str:
    """A serial number as AWS shows it for each kind."""
    if kind == "virtual":
        return f"arn:aws:iam::{account_id}:mfa/{name}"
    if kind == "passkey":
        suffix = "".join(secrets.choice(_BASE32) for _ in range(26))
        return f"arn:aws:iam::{account_id}:u2f/root/{name}-{suffix}"
    return "GAHT" + "".join(secrets.choice(string.digits) for _ in range(8))


def root_credentials_from(account_id: str, spec: dict[str, Any] | None) -> RootCredentials:
    spec = spec or {}
    if not isinstance(spec, dict):
        raise ScenarioError(f"root_credentials of {account_id} must be an object")
    now = STATE.now()
    root = RootCredentials()
    if spec.get("password"):
        root.login_profile = now
    for item in _items(spec.get("access_keys")):
        key_id = item.get("access_key_id") or random_id("AKIA", 20)
        root.access_keys[key_id] = RootAccessKey(key_id, item.get("status", "Active"), now)
    for item in _items(spec.get("signing_certificates")):
        cert_id = item.get("certificate_id") or random_id("", 32)
        root.certificates[cert_id] = RootCertificate(cert_id, item.get("status", "Active"), now,
                                                     DUMMY_CERTIFICATE)
    devices = _items(spec.get("mfa_devices"))
    if len(devices) > MFA_MAX_PER_USER:
        raise ScenarioError(f"root_credentials of {account_id}: {len(devices)} MFA devices; a root user can "
                            f"register at most {MFA_MAX_PER_USER} (of any combination of kinds)")
    counts = {kind: 0 for kind in MFA_KINDS}
    for index, item in enumerate(devices):
        where = f"root_credentials of {account_id}: mfa_devices[{index}]"
        unknown = set(item) - set(MFA_ITEM_KEYS)
        if unknown:
            raise ScenarioError(f"{where}: unknown keys {sorted(unknown)}; allowed: {', '.join(MFA_ITEM_KEYS)}")
        kind = _mfa_kind(where, item)
        counts[kind] += 1
        default_name = {"virtual": "root-account-mfa-device", "passkey": "passkey", "hardware": ""}[kind]
        name = item.get("name") or (default_name if counts[kind] == 1 else f"{default_name}-{counts[kind]}")
        if kind != "hardware" and not _MFA_NAME.match(name):
            raise ScenarioError(f"{where}.name {name!r}: 1..128 characters of letters, digits and _+=,.@-")
        serial = item.get("serial_number") or mfa_serial(account_id, kind, name)
        if not isinstance(serial, str) or not 9 <= len(serial) <= 256 or not _SERIAL.match(serial):
            raise ScenarioError(f"{where}.serial_number {serial!r}: 9..256 characters matching [\\w+=/:,.@-]+")
        if serial in root.mfa_devices:
            raise ScenarioError(f"{where}: serial number {serial} is used twice")
        enabled = now
        if item.get("enable_date"):
            try:
                enabled = _dt.datetime.fromisoformat(str(item["enable_date"]).replace("Z", "+00:00"))
            except ValueError:
                raise ScenarioError(f"{where}.enable_date must be an ISO 8601 timestamp") from None
        root.mfa_devices[serial] = RootMfaDevice(serial, enabled, kind)
    return root


def _policy_text(policy: Any, default: dict[str, Any]) -> str | None:
    if policy is None:
        return None
    if policy == "deny-all":
        return json.dumps(default)
    if isinstance(policy, str):
        return policy
    return json.dumps(policy)


def _create_user(account_id: str, name: str) -> dict[str, str]:
    iam = iam_backends[account_id][PARTITION]
    user = iam.create_user("us-east-1", name)
    key = iam.create_access_key(name)
    return {"user_name": name, "arn": user.arn, "access_key_id": key.access_key_id,
            "secret_access_key": key.secret_access_key}


def _populate(account_id: str, spec: dict[str, Any], region: str, endpoint: str) -> dict[str, Any]:
    out: dict[str, Any] = {"admin": _create_user(account_id, ADMIN_USER), "users": {}}
    for user in spec.get("users", []):
        name = user if isinstance(user, str) else user["name"]
        out["users"][name] = _create_user(account_id, name)
    if "root_credentials" in spec:
        with STATE.lock:
            STATE.root[account_id] = root_credentials_from(account_id, spec["root_credentials"])
    s3 = s3_backends[account_id][PARTITION]
    for bucket in spec.get("buckets", []):
        name = bucket if isinstance(bucket, str) else bucket["name"]
        bucket = {} if isinstance(bucket, str) else bucket
        s3.create_bucket(name, bucket.get("region") or region)
        policy = _policy_text(bucket.get("policy"), deny_all_bucket_policy(name))
        if policy:
            s3.put_bucket_policy(name, policy.encode("utf-8"))
        for key, body in (bucket.get("objects") or {}).items():
            s3.put_object(name, key, str(body).encode("utf-8"))
    sqs = sqs_backends[account_id][region]
    out["queues"] = {}
    for queue in spec.get("queues", []):
        name = queue if isinstance(queue, str) else queue["name"]
        queue = {} if isinstance(queue, str) else queue
        attributes = {k: str(v) for k, v in (queue.get("attributes") or {}).items()}
        policy = _policy_text(queue.get("policy"), deny_all_queue_policy(region, account_id, name))
        if policy:
            attributes["Policy"] = policy
        sqs.create_queue(name, **attributes)
        out["queues"][name] = f"{endpoint}/{account_id}/{name}"
    out["buckets"] = [b if isinstance(b, str) else b["name"] for b in spec.get("buckets", [])]
    out["root_credentials"] = STATE.peek_root(account_id).to_json()
    return out


def account_shape_from(value: Any) -> str:
    shape = str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else None
    if shape not in ACCOUNT_SHAPES:
        raise ScenarioError(
            f"account_shape must be \"2026\" (State only, as AWS answers since 2026-09-09) or "
            f"\"2025\" (Status and State) or \"2024\" (Status only, before State existed), got {value!r}")
    return shape  # type: ignore[return-value]


def page_size_from(value: Any) -> dict[str, int]:
    """{"organizations": n, "iam": n}: most items per page (n >= 1; null = no cap)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ScenarioError(f"page_size must be an object like {{\"organizations\": 7, \"iam\": 1}}, got {value!r}")
    caps: dict[str, int] = {}
    for service, cap in value.items():
        if service not in PAGED_SERVICES:
            raise ScenarioError(f"page_size: unknown service {service!r}; known: {', '.join(PAGED_SERVICES)}")
        if cap is None:
            continue
        if isinstance(cap, bool) or not isinstance(cap, int) or cap < 1:
            raise ScenarioError(f"page_size.{service} must be an integer >= 1 (or null for no cap), got {cap!r}")
        caps[service] = cap
    return caps


def _account_states(accounts: list[dict[str, Any]]) -> dict[str, str | None]:
    states: dict[str, str | None] = {}
    for index, account in enumerate(accounts):
        try:
            states[account["id"]] = state_from_spec(account, f"accounts[{index}] ({account['id']})")
        except AccountStateError as exc:
            raise ScenarioError(str(exc)) from None
    return states


def seed(spec: dict[str, Any], endpoint: str, region: str = "us-east-1") -> dict[str, Any]:
    if not isinstance(spec, dict):
        raise ScenarioError("the scenario must be a JSON object")
    management = str(spec.get("management_account_id") or DEFAULT_ACCOUNT_ID)
    accounts = spec.get("accounts") or []
    if not isinstance(accounts, list) or not all(isinstance(a, dict) for a in accounts):
        raise ScenarioError("accounts must be a list of objects")
    for account in [management] + [a.get("id") for a in accounts]:
        if not isinstance(account, str) or not ACCOUNT_RE.match(account):
            raise ScenarioError(f"account ids must be 12-digit strings, got {account!r}")
    features = spec.get("features") or []
    unknown = set(features) - set(ALL_FEATURES)
    if unknown:
        raise ScenarioError(f"unknown features {sorted(unknown)}; known: {list(ALL_FEATURES)}")
    organization = spec.get("organization", {"feature_set": "ALL"})
    # everything is validated before the endpoint is touched
    states = _account_states(accounts)
    shape = account_shape_from(spec["account_shape"]) if spec.get("account_shape") is not None else None
    page_size = page_size_from(spec.get("page_size")) if "page_size" in spec else None
    in_org = {a["id"] for a in accounts if a.get("in_organization", True)}
    units = organizational_units_from(
        spec.get("organizational_units"), organization is not None, {management} | in_org,
        {a["id"] for a in accounts} - in_org)
    for account in [{"id": management, **(spec.get("management") or {})}] + accounts:
        if "root_credentials" in account:
            root_credentials_from(account["id"], account["root_credentials"])  # validation only
    policy_specs, detach_full, denial_arn = _policies_from(spec, organization, units, {management} | in_org)

    with STATE.lock:
        if spec.get("reset", True):
            reset_all()
        if shape is not None:
            STATE.account_shape = shape
        if page_size is not None:
            STATE.page_size = page_size
        result: dict[str, Any] = {"endpoint": endpoint, "region": region,
                                  "management_account_id": management,
                                  "account_shape": STATE.shape(), "page_size": dict(STATE.page_size),
                                  "accounts": {}}
        org_backend = organizations_backends[management][PARTITION]
        if organization is not None:
            feature_set = (organization or {}).get("feature_set", "ALL")
            if feature_set not in ("ALL", "CONSOLIDATED_BILLING"):
                raise ScenarioError("feature_set must be ALL or CONSOLIDATED_BILLING")
            org_backend.create_organization(region=region, FeatureSet=feature_set)
            for account in accounts:
                if not account.get("in_organization", True):
                    continue
                with _fixed_account_id(account["id"]):
                    org_backend.create_account(
                        AccountName=account.get("name", f"member-{account['id']}"),
                        Email=account.get("email", f"root+{account['id']}@example.com"))
                set_account_state(org_backend.get_account_by_id(account["id"]), states[account["id"]])
            result["root_id"] = org_backend.org.root_id  # type: ignore[union-attr]
            result["organizational_units"] = _create_units(org_backend, units)
            for principal in spec.get("trusted_access", []):
                org_backend.enable_aws_service_access(ServicePrincipal=principal)
            for admin in spec.get("delegated_administrators", []):
                if isinstance(admin, str):
                    admin = {"account_id": admin}
                org_backend.register_delegated_administrator(
                    AccountId=admin["account_id"],
                    ServicePrincipal=admin.get("service_principal", IAM_PRINCIPAL))
            STATE.features[org_backend.org.id] = set(features)  # type: ignore[union-attr]
            result["policies"] = {}
            if policy_specs is not None:
                try:
                    result["policies"] = scp.apply(org_for_account(management)[0], policy_specs, detach_full)
                except scp.PolicyError as exc:
                    raise ScenarioError(str(exc)) from None
            result["organization"] = _org_json(org_for_account(management)[0])
        else:
            result["organization"] = None
            result["root_id"] = None
            result["organizational_units"] = {}
            result["policies"] = {}
        if denial_arn is not None:
            STATE.denial_policy_arn = denial_arn
        result["denial_policy_arn"] = STATE.denial_policy_arn

        management_state = "ACTIVE" if organization is not None else None
        result["accounts"][management] = {
            "role": "management", "state": management_state, "status": legacy_status(management_state),
            **_populate(management, spec.get("management") or {}, region, endpoint)}
        for account in accounts:
            role = "member" if organization is not None and account.get("in_organization", True) else "outside"
            state = states[account["id"]] if role == "member" else None
            result["accounts"][account["id"]] = {
                "role": role, "state": state, "status": legacy_status(state),
                **_populate(account["id"], account, region, endpoint)}
        return result


def _policies_from(spec: dict[str, Any], organization: Any, units: list[UnitSpec],
                   accounts: set[str]) -> tuple[list[scp.PolicySpec] | None, list[str], bool | None]:
    """Validates "policies", "detach_full_aws_access" and "denial_policy_arn" (before anything is
    reset).  policies None (absent) = SCPs stay disabled, as in a new organization."""
    denial = spec.get("denial_policy_arn")
    if denial is not None and not isinstance(denial, bool):
        raise ScenarioError(f"denial_policy_arn must be true or false, got {denial!r}")
    if "policies" not in spec and "detach_full_aws_access" not in spec:
        return None, [], denial
    if organization is None:
        raise ScenarioError("policies need an organization; this scenario has \"organization\": null")
    if (organization or {}).get("feature_set", "ALL") != "ALL":
        raise ScenarioError("policies (SCPs) need an organization with ALL features; "
                            "CONSOLIDATED_BILLING organizations have none")
    known = {"root"} | {u.name for u in units} | accounts
    try:
        specs = scp.specs_from(spec.get("policies") or [], known)
        detach = scp.detach_list(spec.get("detach_full_aws_access"), known)
    except scp.PolicyError as exc:
        raise ScenarioError(str(exc)) from None
    counts: dict[str, int] = {}
    for item in specs:
        for target in set(item.targets):
            counts[target] = counts.get(target, 1 if target not in detach else 0) + 1
    for target, count in counts.items():
        if count > scp.SCP_MAX_PER_TARGET:
            raise ScenarioError(f"policies: {target!r} would have {count} SCPs attached (FullAWSAccess "
                                f"included unless detached); AWS allows {scp.SCP_MAX_PER_TARGET} "
                                "(ConstraintViolationException POLICY_NUMBER_LIMIT_EXCEEDED)")
    return specs, detach, denial


def _org_json(view: Any) -> dict[str, Any] | None:
    if view is None:
        return None
    data = view.describe()
    data["features"] = STATE.features_of(view.id)
    data["service_control_policies"] = scp.describe(view)
    return data


def account_json(account_id: str) -> dict[str, Any]:
    out: dict[str, Any] = {"account_id": account_id}
    view, role = org_for_account(account_id)
    out["organization_id"] = view.id if view else None
    out["role"] = role
    member = view.account(account_id) if view else None
    # Account.State as Organizations reports it (None: not in an organization, or omitted)
    out["state"] = account_state(member) if member is not None else None
    out["status"] = legacy_status(out["state"])
    out["root_credentials"] = STATE.peek_root(account_id).to_json()
    users = []
    if account_id in iam_backends:
        users = sorted(iam_backends[account_id][PARTITION].users)
    out["users"] = users
    out["buckets"] = {}
    if account_id in s3_backends:
        for name, bucket in s3_backends[account_id][PARTITION].buckets.items():
            out["buckets"][name] = {"region": bucket.region_name, "policy": parse(bucket.policy),
                                    "objects": sorted(bucket.keys.keys())}
    out["queues"] = {}
    if account_id in sqs_backends:
        for region, backend in list(sqs_backends[account_id].items()):
            for name, queue in backend.queues.items():
                out["queues"][name] = {"region": region, "arn": queue.queue_arn,
                                       "policy": parse(queue.policy)}
    return out


def account_state_json(account_id: str) -> dict[str, Any]:
    view, role = org_for_account(account_id)
    member = view.account(account_id) if view is not None else None
    if member is None:
        raise ScenarioError(f"account {account_id} is not in any organization (only accounts of an "
                            "organization have a State)")
    state = account_state(member)
    return {"account_id": account_id, "organization_id": view.id, "role": role,  # type: ignore[union-attr]
            "state": state, "status": legacy_status(state)}


def put_account_state(account_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """PUT /accounts/<id>/state: {"state": ...} (same values as in a scenario; "status" is an alias)."""
    if "state" not in body and "status" not in body:
        raise ScenarioError('the body must be {"state": "<one of PENDING_ACTIVATION, ACTIVE, SUSPENDED, '
                            'PENDING_CLOSURE, CLOSED>" | null | "omit" | "<verbatim value>"}')
    unknown = set(body) - {"state", "status"}
    if unknown:
        raise ScenarioError(f"unknown keys {sorted(unknown)}; the body takes only \"state\" (or \"status\")")
    try:
        state = state_from_spec(body, "body")
    except AccountStateError as exc:
        raise ScenarioError(str(exc)) from None
    with STATE.lock:
        view, _ = org_for_account(account_id)
        member = view.account(account_id) if view is not None else None
        if member is None:
            raise ScenarioError(f"account {account_id} is not in any organization (only accounts of an "
                                "organization have a State)")
        set_account_state(member, state)
    return account_state_json(account_id)


def known_accounts() -> list[str]:
    accounts: set[str] = set(STATE.root)
    for view in all_organizations():
        accounts.update(a.id for a in view.backend.accounts)
    for account_id in list(iam_backends.keys()):
        if iam_backends[account_id][PARTITION].users:
            accounts.add(account_id)
    for account_id in list(s3_backends.keys()):
        if s3_backends[account_id][PARTITION].buckets:
            accounts.add(account_id)
    for account_id in list(sqs_backends.keys()):
        if any(b.queues for b in list(sqs_backends[account_id].values())):
            accounts.add(account_id)
    return sorted(accounts)


def state_json() -> dict[str, Any]:
    now = STATE.now()
    with STATE.lock:
        return {
            "now": now.isoformat(),
            "clock_offset_seconds": STATE.clock_offset,
            "account_shape": STATE.shape(),
            "page_size": dict(STATE.page_size),
            "organizations": [_org_json(v) for v in all_organizations()],
            "accounts": {a: account_json(a) for a in known_accounts()},
            "sessions": [s.to_json(now) for s in STATE.sessions.values()],
        }


# `python -m rootsim --seed-demo`: an organization as a person finds it before
# using the provider -- trusted access on, both features still off.
DEMO_SCENARIO: dict[str, Any] = {
    "organization": {"feature_set": "ALL"},
    "trusted_access": [IAM_PRINCIPAL],
    "delegated_administrators": ["222222222222"],
    "features": [],
    "accounts": [
        {"id": "111111111111", "name": "workload-dev",
         "root_credentials": {"password": True, "access_keys": 1, "mfa_devices": 1,
                              "signing_certificates": 1},
         "buckets": [{"name": "dev-locked-bucket", "policy": "deny-all",
                      "objects": {"hello.txt": "hello"}}],
         "queues": [{"name": "dev-locked-queue", "policy": "deny-all"}]},
        {"id": "222222222222", "name": "security-tooling"},
        {"id": "333333333333", "name": "workload-prod", "root_credentials": {"password": True}},
        {"id": "444444444444", "name": "legacy", "state": "SUSPENDED"},
    ],
}
