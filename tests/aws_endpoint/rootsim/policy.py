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
documented as a deviation: rootsim does not evaluate condition keys.
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
