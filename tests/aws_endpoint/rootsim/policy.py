"""Resource-policy evaluation, limited to what locks people out: explicit Deny.

Allow statements are not evaluated (moto lets every principal of an account do
everything; cross-account grants are out of scope).  A Deny statement applies
when its Principal, Action and Resource all match:

* Principal: "*", {"AWS": "*"}, {"AWS": [..., "*"]}, an account id or
  arn:aws:iam::<id>:root (= every principal of that account), or the exact ARN
  of the caller.  Service/Federated principals never match an IAM caller.
* Action / NotAction: IAM wildcards (* and ?), case-insensitive.
* Resource / NotResource: wildcards, case-sensitive; a missing Resource matches.

Statements with a Condition or a NotPrincipal are ignored (never deny), which is
documented as a deviation: rootsim does not evaluate condition keys in resource policies.

Identity-side documents (service control policies, the root-task policies) are evaluated by
``statement_applies`` below, conditions included: see ``condition_holds`` for the operators
it knows.  A statement using any other operator never applies (neither allows nor denies).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any


@dataclass(frozen=True)
class Principal:
    account_id: str
    arn: str


@lru_cache(maxsize=1024)
def _pattern(glob: str, ignore_case: bool) -> re.Pattern[str]:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in glob)
    return re.compile(regex, re.IGNORECASE if ignore_case else 0)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _any_match(globs: Any, value: str, ignore_case: bool) -> bool:
    return any(_pattern(str(g), ignore_case).fullmatch(value) for g in _as_list(globs))


def _principal_matches(spec: Any, who: Principal) -> bool:
    if spec == "*":
        return True
    if not isinstance(spec, dict):
        return False
    for entry in _as_list(spec.get("AWS")):
        entry = str(entry)
        if entry == "*":
            return True
        if entry in (who.account_id, f"arn:aws:iam::{who.account_id}:root"):
            return True
        if entry == who.arn:
            return True
    return False


def parse(document: Any) -> dict[str, Any] | None:
    if document is None or document == "":
        return None
    if isinstance(document, bytes):
        document = document.decode("utf-8")
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return None
    return document if isinstance(document, dict) else None


def explicit_deny(document: Any, action: str, resource: str, who: Principal) -> bool:
    policy = parse(document)
    if not policy:
        return False
    for statement in _as_list(policy.get("Statement")):
        if not isinstance(statement, dict) or statement.get("Effect") != "Deny":
            continue
        if "Condition" in statement or "NotPrincipal" in statement:
            continue
        if not _principal_matches(statement.get("Principal"), who):
            continue
        if "NotAction" in statement:
            if _any_match(statement["NotAction"], action, True):
                continue
        elif not _any_match(statement.get("Action"), action, True):
            continue
        if "NotResource" in statement:
            if _any_match(statement["NotResource"], resource, False):
                continue
        elif "Resource" in statement and not _any_match(statement["Resource"], resource, False):
            continue
        return True
    return False


def deny_all_bucket_policy(bucket: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "DenyEveryone",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        }],
    }


def deny_all_queue_policy(region: str, account_id: str, queue: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "DenyEveryone",
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": "sqs:*",
            "Resource": f"arn:aws:sqs:{region}:{account_id}:{queue}",
        }],
    }


# --- identity-side evaluation (SCPs, root-task policies) ------------------------------------

class UnsupportedCondition(Exception):
    """A condition operator rootsim does not evaluate."""


_STRING_OPS = {"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
               "StringLike", "StringNotLike"}
_ARN_OPS = {"ArnEquals", "ArnNotEquals", "ArnLike", "ArnNotLike"}
_NEGATED = {"StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "ArnNotEquals", "ArnNotLike"}
SUPPORTED_OPERATORS = sorted(_STRING_OPS | _ARN_OPS | {"Bool", "Null"})
_VARIABLE = re.compile(r"\$\{([^}]*)\}")


def _substitute(value: str, context: dict[str, str]) -> str | None:
    """Policy variables (${aws:PrincipalAccount}, ${*}, ${?}, ${$}); None when a variable is
    not in the request context (the value then matches nothing)."""
    missing = False

    def replace(match: re.Match[str]) -> str:
        nonlocal missing
        name = match.group(1)
        if name in ("*", "?", "$"):
            return name
        found = context.get(name.lower())
        if found is None:
            missing = True
            return ""
        return found

    result = _VARIABLE.sub(replace, value)
    return None if missing else result


def _arn_like(pattern: str, value: str, wildcards: bool) -> bool:
    pattern_parts = pattern.split(":", 5)
    value_parts = value.split(":", 5)
    if len(pattern_parts) != 6 or len(value_parts) != 6:
        return False
    if wildcards:
        return all(_pattern(p, False).fullmatch(v) for p, v in zip(pattern_parts, value_parts))
    return pattern_parts == value_parts


def _value_matches(operator: str, expected: str, actual: str) -> bool:
    base = operator
    if base in ("StringEquals", "StringNotEquals"):
        return expected == actual
    if base in ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"):
        return expected.lower() == actual.lower()
    if base in ("StringLike", "StringNotLike"):
        return bool(_pattern(expected, False).fullmatch(actual))
    if base in ("ArnEquals", "ArnNotEquals"):
        return _arn_like(expected, actual, wildcards=False)
    if base in ("ArnLike", "ArnNotLike"):
        return _arn_like(expected, actual, wildcards=True)
    if base == "Bool":
        return expected.lower() == actual.lower()
    raise UnsupportedCondition(operator)


def _key_holds(operator: str, key: str, expected_values: Any, context: dict[str, str]) -> bool:
    if_exists = operator.endswith("IfExists") and operator != "IfExists"
    qualifier = ""
    if ":" in operator:
        qualifier, operator = operator.split(":", 1)
        if qualifier not in ("ForAnyValue", "ForAllValues"):
            raise UnsupportedCondition(qualifier + ":" + operator)
    base = operator[: -len("IfExists")] if if_exists else operator
    if base not in _STRING_OPS | _ARN_OPS | {"Bool", "Null"}:
        raise UnsupportedCondition(operator)
    actual = context.get(key.lower())
    expected = [str(v).lower() if isinstance(v, bool) else str(v) for v in _as_list(expected_values)]
    if base == "Null":
        if if_exists or qualifier:
            raise UnsupportedCondition(operator)
        wanted = {e.lower() for e in expected}
        return ("true" in wanted and actual is None) or ("false" in wanted and actual is not None)
    if actual is None:
        # a key missing from the request context: IfExists holds, negated operators hold
        # ("If the key ... is not present ... StringNotLike or ArnNotLike ... the condition is
        # true"), the others do not
        if qualifier:
            return qualifier == "ForAllValues"  # ForAnyValue needs a value, ForAllValues holds vacuously
        return if_exists or base in _NEGATED
    values = [v for v in (_substitute(e, context) for e in expected) if v is not None]
    matched = any(_value_matches(base, v, actual) for v in values)
    return not matched if base in _NEGATED else matched


def condition_holds(block: Any, context: dict[str, str]) -> bool:
    """All operators of a Condition block, and all keys under each, must hold (AND); the values
    listed for one key are alternatives (OR).  Context keys are compared case-insensitively by
    name.  Raises UnsupportedCondition for operators rootsim does not evaluate."""
    if not block:
        return True
    if not isinstance(block, dict):
        raise UnsupportedCondition(repr(block))
    for operator, keys in block.items():
        if not isinstance(keys, dict):
            raise UnsupportedCondition(operator)
        for key, expected in keys.items():
            if not _key_holds(str(operator), str(key), expected, context):
                return False
    return True


def statement_applies(statement: dict[str, Any], action: str, resource: str,
                      context: dict[str, str]) -> bool:
    """Whether an identity-side statement (no Principal) covers this request: Action/NotAction
    (case-insensitive wildcards), Resource/NotResource (case-sensitive wildcards; a missing
    Resource covers everything) and Condition.  Unsupported operators: the statement does not
    apply."""
    if "NotAction" in statement:
        if _any_match(statement["NotAction"], action, True):
            return False
    elif not _any_match(statement.get("Action"), action, True):
        return False
    if "NotResource" in statement:
        if _any_match(statement["NotResource"], resource, False):
            return False
    elif "Resource" in statement and not _any_match(statement["Resource"], resource, False):
        return False
    try:
        return condition_holds(statement.get("Condition"), context)
    except UnsupportedCondition:
        return False


def statements(document: Any) -> list[dict[str, Any]]:
    policy = parse(document)
    if not policy:
        return []
    return [s for s in _as_list(policy.get("Statement")) if isinstance(s, dict)]


def first_applying(document: Any, effect: str, action: str, resource: str,
                   context: dict[str, str]) -> dict[str, Any] | None:
    for statement in statements(document):
        if statement.get("Effect") == effect and statement_applies(statement, action, resource, context):
            return statement
    return None
