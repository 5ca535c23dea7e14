"""Everything rootsim keeps next to moto's own backends.

moto keeps organizations, IAM users, buckets and queues.  What moto has no
model for lives here: the IAM organization features, the member accounts'
root-user credentials, the root sessions issued by AssumeRoot, call counters,
injected faults and the simulated clock.  One process-wide instance, guarded
by one re-entrant lock (the server is threaded).
"""

from __future__ import annotations

import base64
import datetime as _dt
import itertools
import os
import secrets
import string
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

FEATURE_CREDENTIALS = "RootCredentialsManagement"
FEATURE_SESSIONS = "RootSessions"
ALL_FEATURES = (FEATURE_CREDENTIALS, FEATURE_SESSIONS)

_UPPER_DIGITS = string.ascii_uppercase + string.digits

# The five values of Organizations' Account.State (the only lifecycle field AWS
# returns since Account.Status was retired on 2026-09-09).
ACCOUNT_STATES = ("PENDING_ACTIVATION", "ACTIVE", "SUSPENDED", "PENDING_CLOSURE", "CLOSED")
# Response shapes of Account: "2026" = State only (AWS today), "2025" = Status and State,
# "2024" = Status only (before AWS added State in 2025; what a client's fallback reads).
ACCOUNT_SHAPES = ("2024", "2025", "2026")
ACCOUNT_SHAPE_ENV = "ROOTSIM_ACCOUNT_SHAPE"
# Services whose list operations honour the page-size knob (scenario "page_size").
PAGED_SERVICES = ("organizations", "iam")

_sequence = itertools.count(1)


def next_seq() -> int:
    """A process-wide increasing number: the stable position of a listed item
    (pagination tokens and markers name the last item returned by it)."""
    return next(_sequence)


def default_account_shape() -> str:
    """The Account shape when a scenario does not choose one: ROOTSIM_ACCOUNT_SHAPE
    (2024 | 2025 | 2026) from the endpoint's environment, else 2026."""
    value = os.environ.get(ACCOUNT_SHAPE_ENV, "").strip()
    if not value:
        return "2026"
    if value not in ACCOUNT_SHAPES:
        raise ValueError(f"{ACCOUNT_SHAPE_ENV}={value!r} is not valid; use one of {', '.join(ACCOUNT_SHAPES)}")
    return value


def random_id(prefix: str, length: int) -> str:
    return prefix + "".join(secrets.choice(_UPPER_DIGITS) for _ in range(length - len(prefix)))


def iso(ts: _dt.datetime) -> str:
    return ts.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class RootAccessKey:
    access_key_id: str
    status: str
    create_date: _dt.datetime
    seq: int = field(default_factory=next_seq, compare=False, repr=False)

    def to_json(self) -> dict[str, Any]:
        return {"access_key_id": self.access_key_id, "status": self.status,
                "create_date": iso(self.create_date)}


@dataclass
class RootCertificate:
    certificate_id: str
    status: str
    upload_date: _dt.datetime
    body: str
    seq: int = field(default_factory=next_seq, compare=False, repr=False)

    def to_json(self) -> dict[str, Any]:
        return {"certificate_id": self.certificate_id, "status": self.status,
                "upload_date": iso(self.upload_date)}


# The MFA kinds a root user can register (up to MFA_MAX_PER_USER of any combination):
# a virtual authenticator app (serial = its ARN, arn:aws:iam::<id>:mfa/<name>), a hardware
# TOTP token (serial = the token's serial, e.g. GAHT12345678), a passkey or security key
# (FIDO; serial = arn:aws:iam::<id>:u2f/root/<name>-<suffix>).
MFA_KINDS = ("virtual", "hardware", "passkey")
MFA_MAX_PER_USER = 8


@dataclass
class RootMfaDevice:
    serial_number: str
    enable_date: _dt.datetime
    kind: str = "virtual"
    seq: int = field(default_factory=next_seq, compare=False, repr=False)

    @property
    def virtual(self) -> bool:
        return self.kind == "virtual"

    def to_json(self) -> dict[str, Any]:
        return {"serial_number": self.serial_number, "type": self.kind, "virtual": self.virtual,
                "enable_date": iso(self.enable_date)}


@dataclass
class RootCredentials:
    """The root user of one account: what the console calls root credentials."""

    login_profile: _dt.datetime | None = None  # creation date, None = no password
    access_keys: dict[str, RootAccessKey] = field(default_factory=dict)
    certificates: dict[str, RootCertificate] = field(default_factory=dict)
    mfa_devices: dict[str, RootMfaDevice] = field(default_factory=dict)
    # virtual MFA devices that were deactivated but not deleted yet (serial -> device; they
    # stay in ListVirtualMFADevices as Unassigned until DeleteVirtualMFADevice)
    unassigned_virtual_mfa: dict[str, RootMfaDevice] = field(default_factory=dict)
    user_created: _dt.datetime = field(
        default_factory=lambda: _dt.datetime(2020, 1, 1, tzinfo=_dt.timezone.utc))

    def to_json(self) -> dict[str, Any]:
        return {
            "login_profile": None if self.login_profile is None
            else {"create_date": iso(self.login_profile)},
            "access_keys": [k.to_json() for k in self.access_keys.values()],
            "signing_certificates": [c.to_json() for c in self.certificates.values()],
            "mfa_devices": [m.to_json() for m in self.mfa_devices.values()],
            "unassigned_virtual_mfa_devices": sorted(self.unassigned_virtual_mfa),
            "present": {
                "password": self.login_profile is not None,
                "access_keys": bool(self.access_keys),
                "signing_certificates": bool(self.certificates),
                "mfa": bool(self.mfa_devices),
            },
        }


@dataclass
class RootSession:
    access_key_id: str
    secret_access_key: str
    session_token: str
    account_id: str
    task: str
    issued_at: _dt.datetime
    expiration: _dt.datetime
    caller_account_id: str
    caller_arn: str

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account_id}:root"

    def to_json(self, now: _dt.datetime, secrets: bool = False) -> dict[str, Any]:
        view = {"access_key_id": self.access_key_id, "account_id": self.account_id,
                "task": self.task, "issued_at": iso(self.issued_at),
                "expiration": iso(self.expiration), "expired": now >= self.expiration,
                "caller_account_id": self.caller_account_id, "caller_arn": self.caller_arn}
        if secrets:
            # Only for tests that prove these values never reach Terraform's files.
            view["secret_access_key"] = self.secret_access_key
            view["session_token"] = self.session_token
        return view


@dataclass
class FaultRule:
    id: int
    service: str
    action: str = "*"
    account: str | None = None
    throttle: int = 0
    errors: int = 0
    status: int = 500
    latency_ms: int = 0
    # Root sessions to end early: the matching request's root session expires on
    # arrival (as when AWS ends a session before its Expiration), so this request
    # and every later one with that session get ExpiredToken.
    expire_sessions: int = 0
    # IAM 409 conflicts: the next n matching requests that pass authorization are answered
    # with `code` (ConcurrentModification or EntityTemporarilyUnmodifiable) and change nothing
    conflict: int = 0
    code: str = ""
    message: str = ""
    fired_throttle: int = 0
    fired_errors: int = 0
    fired_conflict: int = 0
    delayed: int = 0

    def matches(self, account: str, service: str, action: str) -> bool:
        return (self.service in ("*", service)
                and self.action in ("*", action)
                and self.account in (None, account))

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "service": self.service, "action": self.action,
                "account": self.account, "throttle_remaining": self.throttle,
                "errors_remaining": self.errors, "status": self.status,
                "latency_ms": self.latency_ms, "fired_throttle": self.fired_throttle,
                "fired_errors": self.fired_errors, "delayed": self.delayed,
                "expire_sessions_remaining": self.expire_sessions,
                "conflict_remaining": self.conflict, "code": self.code or None,
                "message": self.message or None, "fired_conflict": self.fired_conflict}


class SimState:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.clock_offset = 0.0
        self.clear()

    def clear(self) -> None:
        with self.lock:
            self.features: dict[str, set[str]] = {}  # organization id -> enabled features
            self.root: dict[str, RootCredentials] = {}  # account id -> root user
            self.sessions: dict[str, RootSession] = {}  # access key id -> session
            self.calls: dict[tuple[str, str, str], int] = defaultdict(int)
            self.assume_root: dict[tuple[str, str], int] = defaultdict(int)
            self.faults: list[FaultRule] = []
            self._fault_ids = 0
            self.clock_offset = 0.0
            # Account shape chosen by the scenario; None = the process default
            # (ROOTSIM_ACCOUNT_SHAPE, else 2026).
            self.account_shape: str | None = None
            # service -> most items per page, below the caller's maximum (None = no cap)
            self.page_size: dict[str, int] = {}
            # whether an SCP's explicit-deny message ends with ": <policy ARN>" (AWS's 2025
            # enhancement for same-account / same-organization requests)
            self.denial_policy_arn = True

    # response shapes and paging ---------------------------------------------
    def shape(self) -> str:
        with self.lock:
            return self.account_shape or default_account_shape()

    def page_cap(self, service: str) -> int | None:
        with self.lock:
            return self.page_size.get(service)

    # clock -----------------------------------------------------------------
    def now(self) -> _dt.datetime:
        return _dt.datetime.now(_dt.timezone.utc) + _dt.timedelta(seconds=self.clock_offset)

    # root users ------------------------------------------------------------
    def root_of(self, account_id: str) -> RootCredentials:
        with self.lock:
            if account_id not in self.root:
                self.root[account_id] = RootCredentials()
            return self.root[account_id]

    def peek_root(self, account_id: str) -> RootCredentials:
        with self.lock:
            return self.root.get(account_id) or RootCredentials()

    # features --------------------------------------------------------------
    def features_of(self, org_id: str) -> list[str]:
        with self.lock:
            enabled = self.features.get(org_id, set())
            return [f for f in ALL_FEATURES if f in enabled]

    # counters --------------------------------------------------------------
    def count(self, account: str, service: str, action: str) -> None:
        with self.lock:
            self.calls[(account, service, action)] += 1

    def calls_json(self) -> dict[str, Any]:
        with self.lock:
            nested: dict[str, dict[str, dict[str, int]]] = {}
            for (account, service, action), n in sorted(self.calls.items()):
                nested.setdefault(account, {}).setdefault(service, {})[action] = n
            roots: dict[str, dict[str, int]] = {}
            for (target, task), n in sorted(self.assume_root.items()):
                roots.setdefault(target, {})[task] = n
            return {"total": sum(self.calls.values()), "calls": nested,
                    "assume_root": roots,
                    "assume_root_total": sum(self.assume_root.values())}

    def reset_calls(self) -> None:
        with self.lock:
            self.calls.clear()
            self.assume_root.clear()

    # faults ----------------------------------------------------------------
    def add_fault(self, spec: dict[str, Any]) -> FaultRule:
        from .conflicts import check_conflict_spec  # botocore model lookups; imported lazily

        unknown = set(spec) - FAULT_KEYS
        if unknown:
            raise ValueError(f"unknown fault keys {sorted(unknown)}; known: {sorted(FAULT_KEYS)}")
        with self.lock:
            rule = FaultRule(
                id=self._fault_ids + 1,
                service=str(spec["service"]).lower(),
                action=str(spec.get("action") or "*"),
                account=spec.get("account"),
                throttle=int(spec.get("throttle", 0)),
                errors=int(spec.get("errors", 0)),
                status=int(spec.get("status", 500)),
                latency_ms=int(spec.get("latency_ms", 0)),
                expire_sessions=int(spec.get("expire_sessions", 0)),
                conflict=int(spec.get("conflict", 0)),
            )
            if not 500 <= rule.status <= 599:
                raise ValueError("status must be a 5xx code")
            if min(rule.throttle, rule.errors, rule.latency_ms, rule.expire_sessions, rule.conflict) < 0:
                raise ValueError("throttle, errors, latency_ms, expire_sessions and conflict must be >= 0")
            if rule.conflict or "code" in spec or "message" in spec:
                rule.code, rule.message = check_conflict_spec(rule.service, rule.action, spec)
            self._fault_ids += 1
            self.faults.append(rule)
            return rule

    def take_fault(self, account: str, service: str, action: str,
                   root_session: bool = False) -> tuple[int, str | None, int]:
        """Returns (latency_ms, 'throttle'|'error'|'expire_session'|None, status) for one
        request; 'expire_session' only for requests made with a root session."""
        with self.lock:
            latency = 0
            outcome: str | None = None
            status = 0
            for rule in self.faults:
                if not rule.matches(account, service, action):
                    continue
                if rule.latency_ms:
                    latency += rule.latency_ms
                    rule.delayed += 1
                if outcome is None and rule.throttle > 0:
                    rule.throttle -= 1
                    rule.fired_throttle += 1
                    outcome = "throttle"
                elif outcome is None and rule.errors > 0:
                    rule.errors -= 1
                    rule.fired_errors += 1
                    outcome, status = "error", rule.status
                elif outcome is None and root_session and rule.expire_sessions > 0:
                    rule.expire_sessions -= 1
                    outcome = "expire_session"
            return latency, outcome, status

    def take_conflict(self, account: str, service: str, action: str) -> tuple[str, str] | None:
        """(code, message) of the first matching rule with conflicts left whose code the
        operation can return (consumes one), or None.  Called once the request has passed
        authorization, just before the operation would change anything."""
        from .conflicts import operation_can_return

        with self.lock:
            for rule in self.faults:
                if rule.conflict <= 0 or not rule.matches(account, service, action):
                    continue
                if not operation_can_return(service, action, rule.code):
                    continue
                rule.conflict -= 1
                rule.fired_conflict += 1
                return rule.code, rule.message
            return None


FAULT_KEYS = frozenset({"service", "action", "account", "throttle", "errors", "status", "latency_ms",
                        "expire_sessions", "conflict", "code", "message"})

STATE = SimState()


def new_secret() -> str:
    alphabet = string.ascii_letters + string.digits + "+/"
    return "".join(secrets.choice(alphabet) for _ in range(40))


def new_session_token() -> str:
    return "IQoJb3JpZ2luX2VjE" + base64.b64encode(secrets.token_bytes(300)).decode("ascii")
