"""IAM's 409 "try again later" errors, injected through the faults API.

Two wire codes (botocore IAM model, AWS IAM API reference), both HTTP 409, Type Sender:

* ``ConcurrentModification``: DeactivateMFADevice, DeleteSigningCertificate, DeleteVirtualMFADevice
  (and other IAM operations whose reference lists it).
* ``EntityTemporarilyUnmodifiable``: DeactivateMFADevice, DeleteLoginProfile (and others).

DeleteAccessKey documents neither (only NoSuchEntity, LimitExceeded, ServiceFailure), so a fault
asking for one of them on DeleteAccessKey is refused rather than producing an answer AWS never gives.
Which operation may return which code is read from the botocore model moto ships, so the list
follows the model instead of being copied here.

AWS does not document the message texts; the defaults are the descriptions the API reference gives
for the two errors, and a fault may set its own ``message``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

CONFLICT_CODES = ("ConcurrentModification", "EntityTemporarilyUnmodifiable")
DEFAULT_MESSAGES = {
    "ConcurrentModification": (
        "The request was rejected because multiple requests to change this object were submitted "
        "simultaneously. Wait a few minutes and submit your request again."),
    "EntityTemporarilyUnmodifiable": (
        "The request was rejected because it referenced an entity that is temporarily unmodifiable, "
        "such as a user name that was deleted and then recreated. The error indicates that the request "
        "is likely to succeed if you try again after waiting several minutes."),
}
CONFLICT_STATUS = 409


@lru_cache(maxsize=1)
def _iam_model() -> Any:
    import botocore.session

    return botocore.session.get_session().get_service_model("iam")


@lru_cache(maxsize=512)
def operation_codes(operation: str) -> frozenset[str]:
    """The conflict codes the IAM model lists for an operation (empty if unknown)."""
    model = _iam_model()
    if operation not in model.operation_names:
        return frozenset()
    codes = {shape.metadata.get("error", {}).get("code") for shape in
             model.operation_model(operation).error_shapes}
    return frozenset(c for c in CONFLICT_CODES if c in codes)


def operation_can_return(service: str, operation: str, code: str) -> bool:
    return service == "iam" and code in operation_codes(operation)


def operations_returning(code: str) -> list[str]:
    return sorted(op for op in _iam_model().operation_names if code in operation_codes(op))


def _normalise(code: Any) -> str:
    text = str(code or "ConcurrentModification")
    if text.endswith("Exception"):
        text = text[: -len("Exception")]
    if text not in CONFLICT_CODES:
        raise ValueError(f"code must be one of {', '.join(CONFLICT_CODES)} (the IAM wire codes; the "
                         f"botocore exception names with 'Exception' are accepted too), got {code!r}")
    return text


def check_conflict_spec(service: str, action: str, spec: dict[str, Any]) -> tuple[str, str]:
    """Validates the conflict part of a fault; returns (code, message)."""
    if service != "iam":
        raise ValueError('conflict faults are IAM errors: use "service": "iam"')
    code = _normalise(spec.get("code"))
    if action != "*" and code not in operation_codes(action):
        allowed = operation_codes(action)
        listed = ", ".join(sorted(allowed)) if allowed else "neither of them"
        raise ValueError(
            f"IAM {action} does not return {code} (its API reference and the botocore model list "
            f"{listed}); operations that return {code}: {', '.join(operations_returning(code))}")
    message = spec.get("message")
    if message is not None and (not isinstance(message, str) or not message):
        raise ValueError("message must be a non-empty string")
    return code, message or DEFAULT_MESSAGES[code]
