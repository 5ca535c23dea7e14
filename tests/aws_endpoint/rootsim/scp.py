"""Service control policies: stored by moto's Organizations backend, evaluated here.

What AWS documents (Organizations User Guide, "SCP evaluation"; IAM User Guide, policy
evaluation logic) and rootsim follows:

* SCPs bound every principal of a member account, its root user included, and so every call made
  in an AssumeRoot session.  The management account is never bound by them.
* They apply only once the SERVICE_CONTROL_POLICY type is enabled on the organization's root
  (EnablePolicyType; organizations in CONSOLIDATED_BILLING mode have none).  While disabled,
  nothing is evaluated.
* Deny: an explicit Deny in any SCP attached to the root, any OU on the account's path, or the
  account denies ("with an explicit deny in a service control policy").
* Allow: at every level (root, each OU, the account) at least one attached SCP must allow the
  action; otherwise it is denied implicitly ("because no service control policy allows the
  <action> action").  AWS attaches the managed FullAWSAccess (p-FullAWSAccess, Allow * on *) to
  the root, every OU and every account, so this only bites when it is detached.

Conditions, wildcards and the operators evaluated are those of ``policy.statement_applies``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from moto.organizations import utils as org_utils

from .orgs import OrgView, org_for_account
from .policy import parse, statement_applies, statements
from .state import STATE

SCP_TYPE = "SERVICE_CONTROL_POLICY"
FULL_ACCESS_ID = org_utils.DEFAULT_SCP_POLICY_ID  # "p-FullAWSAccess"
SCP_MAX_CHARS = 5120  # Organizations quota: maximum size of an SCP document
SCP_MAX_PER_TARGET = 5  # Organizations quota: SCPs attached directly to one root, OU or account
ROOT_PRINCIPALS = ["arn:aws:iam::*:root"]

# Shorthands for "content": the landing-zone guardrail that denies the root user everything, with
# and without the exemption for centralized root access sessions (aws-samples
# service-control-policy-examples, "Prevent root credentials management in member accounts").
SHORTHANDS: dict[str, dict[str, Any]] = {
    "deny-root-user": {"Version": "2012-10-17", "Statement": [{
        "Sid": "DenyRootUser", "Effect": "Deny", "Action": "*", "Resource": "*",
        "Condition": {"ArnLike": {"aws:PrincipalArn": ROOT_PRINCIPALS}}}]},
    "deny-root-user-except-assumed-root": {"Version": "2012-10-17", "Statement": [{
        "Sid": "DenyRootUserExceptAssumedRoot", "Effect": "Deny", "Action": "*", "Resource": "*",
        "Condition": {"ArnLike": {"aws:PrincipalArn": ROOT_PRINCIPALS},
                      "Null": {"aws:AssumedRoot": "true"}}}]},
    "full-aws-access": {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "*", "Resource": "*"}]},
}


class PolicyError(ValueError):
    """A bad policies specification (answered 400 by the control API)."""


# --- evaluation ----------------------------------------------------------------------------

@dataclass
class Denial:
    explicit: bool
    policy_arn: str | None = None  # the SCP whose Deny applied (explicit denials only)

    def reason(self, action: str) -> str:
        if not self.explicit:
            return f"because no service control policy allows the {action} action"
        suffix = f": {self.policy_arn}" if self.policy_arn and STATE.denial_policy_arn else ""
        return f"with an explicit deny in a service control policy{suffix}"


def _root(view: OrgView) -> Any:
    return next((ou for ou in view.backend.ou if ou.id.startswith("r-")), None)


def enabled(view: OrgView) -> bool:
    root = _root(view)
    return bool(view.all_features and root is not None and any(
        t.get("Type") == SCP_TYPE and t.get("Status") == "ENABLED" for t in root.policy_types))


def path_of(view: OrgView, account_id: str) -> list[Any]:
    """The targets from the organization's root down to the account: [root, OU..., account]."""
    account = view.account(account_id)
    if account is None:
        return []
    by_id = {ou.id: ou for ou in view.backend.ou}
    chain: list[Any] = [account]
    parent = by_id.get(account.parent_id)
    seen: set[str] = set()
    while parent is not None and parent.id not in seen:
        seen.add(parent.id)
        chain.append(parent)
        parent = by_id.get(parent.parent_id)
    return list(reversed(chain))


def _scps(target: Any) -> list[Any]:
    return [p for p in target.attached_policies if p.type == SCP_TYPE]


def evaluate(account_id: str, action: str, resource: str, context: dict[str, str]) -> Denial | None:
    """None when the SCPs let the call through (or do not apply), else the Denial."""
    view, role = org_for_account(account_id)
    if view is None or role != "member" or not enabled(view):
        return None
    levels = [_scps(target) for target in path_of(view, account_id)]
    for policies in levels:  # explicit Deny anywhere on the path wins; root first
        for policy in policies:
            for statement in statements(policy.content):
                if statement.get("Effect") == "Deny" and statement_applies(statement, action, resource, context):
                    return Denial(True, policy.arn)
    for policies in levels:  # then every level must allow
        if not any(statement.get("Effect") == "Allow" and statement_applies(statement, action, resource, context)
                   for policy in policies for statement in statements(policy.content)):
            return Denial(False)
    return None


# --- specifications (seed "policies", PUT /policies) ---------------------------------------

@dataclass
class PolicySpec:
    name: str
    content: str
    description: str = ""
    targets: list[str] = field(default_factory=list)


POLICY_KEYS = ("name", "content", "description", "targets", "type")


def _content(where: str, value: Any) -> str:
    if isinstance(value, str) and value in SHORTHANDS:
        document: Any = SHORTHANDS[value]
    elif isinstance(value, (dict, str)):
        document = parse(value) if isinstance(value, str) else value
        if document is None:
            raise PolicyError(f"{where}.content: {value!r} is neither a shorthand "
                              f"({', '.join(SHORTHANDS)}) nor a JSON policy document")
    else:
        raise PolicyError(f"{where}.content must be a shorthand ({', '.join(SHORTHANDS)}), a JSON object "
                          f"or a JSON string, got {value!r}")
    body = document.get("Statement") if isinstance(document, dict) else None
    items = body if isinstance(body, list) else [body]
    if not body or not all(isinstance(s, dict) for s in items):
        raise PolicyError(f"{where}.content: a policy needs a \"Statement\" (an object or a list of them)")
    for index, statement in enumerate(items):
        if statement.get("Effect") not in ("Allow", "Deny"):
            raise PolicyError(f"{where}.content.Statement[{index}]: Effect must be Allow or Deny")
        if ("Action" in statement) == ("NotAction" in statement):
            raise PolicyError(f"{where}.content.Statement[{index}]: exactly one of Action / NotAction")
        if "Principal" in statement or "NotPrincipal" in statement:
            raise PolicyError(f"{where}.content.Statement[{index}]: SCPs do not take Principal / NotPrincipal")
    text = value if isinstance(value, str) and value not in SHORTHANDS else json.dumps(document)
    if len(text) > SCP_MAX_CHARS:
        raise PolicyError(f"{where}.content is {len(text)} characters; an SCP may have at most {SCP_MAX_CHARS} "
                          "(AWS: ConstraintViolationException POLICY_CONTENT_LIMIT_EXCEEDED)")
    return text


def specs_from(value: Any, known_targets: set[str]) -> list[PolicySpec]:
    """Validates a list of policy items.  known_targets: "root", OU names and account ids the
    targets may name (OU ids "ou-..." are accepted too and checked when applied)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise PolicyError('policies must be a list of {"name", "content", "targets"} objects')
    specs: list[PolicySpec] = []
    names: set[str] = set()
    for index, item in enumerate(value):
        where = f"policies[{index}]"
        if not isinstance(item, dict):
            raise PolicyError(f"{where} must be an object")
        unknown = set(item) - set(POLICY_KEYS)
        if unknown:
            raise PolicyError(f"{where}: unknown keys {sorted(unknown)}; allowed: {', '.join(POLICY_KEYS)}")
        if item.get("type", SCP_TYPE) != SCP_TYPE:
            raise PolicyError(f"{where}.type: only {SCP_TYPE} is modelled")
        name = item.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= 128:
            raise PolicyError(f"{where}.name must be a string of 1..128 characters")
        if name in names or name == "FullAWSAccess":
            raise PolicyError(f"{where}.name {name!r} is used twice (FullAWSAccess is AWS's own)")
        names.add(name)
        targets = item.get("targets", [])
        if not isinstance(targets, list) or not all(isinstance(t, str) for t in targets):
            raise PolicyError(f"{where}.targets must be a list of \"root\", OU names or ids, account ids")
        for target in targets:
            if target not in known_targets and not target.startswith(("ou-", "r-")):
                raise PolicyError(f"{where}.targets: {target!r} is not \"root\", an OU of the scenario or an "
                                  f"account of the organization (known: {', '.join(sorted(known_targets))})")
        description = item.get("description", "")
        if not isinstance(description, str):
            raise PolicyError(f"{where}.description must be a string")
        specs.append(PolicySpec(name, _content(where, item.get("content")), description, list(targets)))
    return specs


def detach_list(value: Any, known_targets: set[str]) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise PolicyError("detach_full_aws_access must be a list of \"root\", OU names or ids, account ids")
    for target in value:
        if target not in known_targets and not target.startswith(("ou-", "r-")):
            raise PolicyError(f"detach_full_aws_access: {target!r} is not \"root\", an OU of the scenario or an "
                              "account of the organization")
    return list(value)


def _resolve(view: OrgView, target: str) -> str:
    backend = view.backend
    if target == "root":
        return _root(view).id
    if any(ou.id == target for ou in backend.ou) or any(a.id == target for a in backend.accounts):
        return target
    named = [ou.id for ou in backend.ou if ou.name == target and not ou.id.startswith("r-")]
    if len(named) == 1:
        return named[0]
    if named:
        raise PolicyError(f"target {target!r}: more than one OU has that name; use its id")
    raise PolicyError(f"target {target!r} is not \"root\", an OU (name or id) or an account of the organization")


def _target(view: OrgView, target_id: str) -> Any:
    return next((t for t in list(view.backend.ou) + list(view.backend.accounts) if t.id == target_id), None)


def apply(view: OrgView, specs: list[PolicySpec], detach: list[str]) -> dict[str, Any]:
    """Enables SCPs on the root, replaces the customer SCPs with `specs` (FullAWSAccess attached
    everywhere except the `detach` targets) and returns {name: {"id", "arn", "targets"}}."""
    backend = view.backend
    resolved = {spec.name: [_resolve(view, t) for t in spec.targets] for spec in specs}
    detached = [_resolve(view, t) for t in detach]
    counts: dict[str, int] = {}
    for target_id in {t.id for t in list(backend.ou) + list(backend.accounts)}:
        counts[target_id] = 0 if target_id in detached else 1
    for targets in resolved.values():
        for target_id in set(targets):
            counts[target_id] = counts.get(target_id, 0) + 1
    for target_id, count in counts.items():
        if count > SCP_MAX_PER_TARGET:
            raise PolicyError(f"target {target_id} would have {count} SCPs attached; AWS allows "
                              f"{SCP_MAX_PER_TARGET} (ConstraintViolationException POLICY_NUMBER_LIMIT_EXCEEDED)")
    root = _root(view)
    if not any(t.get("Type") == SCP_TYPE for t in root.policy_types):
        root.add_policy_type(SCP_TYPE)
    # drop the previous customer SCPs
    for policy in [p for p in backend.policies if p.type == SCP_TYPE and not p.aws_managed]:
        for target in list(policy.attachments):
            backend.detach_policy(PolicyId=policy.id, TargetId=target.id)
        backend.delete_policy(PolicyId=policy.id)
    for target in list(backend.ou) + list(backend.accounts):
        if target.id in detached:
            backend.detach_policy(PolicyId=FULL_ACCESS_ID, TargetId=target.id)
        else:
            backend.attach_policy(PolicyId=FULL_ACCESS_ID, TargetId=target.id)
    out: dict[str, Any] = {}
    for spec in specs:
        created = backend.create_policy(Name=spec.name, Description=spec.description, Content=spec.content,
                                        Type=SCP_TYPE)["Policy"]["PolicySummary"]
        for target_id in dict.fromkeys(resolved[spec.name]):
            backend.attach_policy(PolicyId=created["Id"], TargetId=target_id)
        out[spec.name] = {"id": created["Id"], "arn": created["Arn"], "targets": list(dict.fromkeys(resolved[spec.name]))}
    return out


def disable(view: OrgView) -> None:
    root = _root(view)
    if any(t.get("Type") == SCP_TYPE for t in root.policy_types):
        root.remove_policy_type(SCP_TYPE)


def describe(view: OrgView | None) -> dict[str, Any]:
    """The SCP view of /state and GET /policies."""
    if view is None:
        return {"enabled": False, "policies": []}
    policies = []
    for policy in view.backend.policies:
        if policy.type != SCP_TYPE:
            continue
        policies.append({"id": policy.id, "arn": policy.arn, "name": policy.name,
                         "aws_managed": policy.aws_managed, "content": parse(policy.content),
                         "targets": [t.id for t in policy.attachments]})
    return {"enabled": enabled(view), "denial_policy_arn": STATE.denial_policy_arn, "policies": policies}


def management_view(account_id: str | None = None) -> OrgView:
    from .orgs import all_organizations

    views = all_organizations()
    if account_id is not None:
        view, _ = org_for_account(account_id)
        views = [view] if view is not None else []
    if not views:
        raise PolicyError("there is no organization (seed one first)")
    if len(views) > 1:
        raise PolicyError("more than one organization exists; name its management account with ?account=<id>")
    if not views[0].all_features:
        raise PolicyError("SCPs need an organization with ALL features (this one is CONSOLIDATED_BILLING)")
    return views[0]


def known_targets(view: OrgView) -> set[str]:
    return {"root"} | {ou.name for ou in view.backend.ou if not ou.id.startswith("r-")} | {
        a.id for a in view.backend.accounts}


def put(body: dict[str, Any]) -> dict[str, Any]:
    """PUT /policies: {"policies": [...], "detach_full_aws_access": [...], "enabled": true,
    "denial_policy_arn": true} replaces every customer SCP of the organization."""
    unknown = set(body) - {"policies", "detach_full_aws_access", "enabled", "denial_policy_arn", "account"}
    if unknown:
        raise PolicyError(f"unknown keys {sorted(unknown)}; the body takes policies, detach_full_aws_access, "
                          "enabled, denial_policy_arn")
    with STATE.lock:
        view = management_view(body.get("account"))
        targets = known_targets(view)
        specs = specs_from(body.get("policies", []), targets)
        detach = detach_list(body.get("detach_full_aws_access"), targets)
        if "denial_policy_arn" in body:
            STATE.denial_policy_arn = bool(body["denial_policy_arn"])
        if body.get("enabled", True) is False:
            apply(view, [], [])
            disable(view)
            return {"created": {}, **describe(view)}
        created = apply(view, specs, detach)
        return {"created": created, **describe(view)}
