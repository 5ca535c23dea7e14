"""Pagination the way AWS pages today, for the list operations rootsim answers itself.

Organizations (AWS JSON 1.1): ``MaxResults`` 1..20 (default and maximum 20),
``NextToken`` in, ``NextToken`` out (absent on the last page).  Out of range ->
``InvalidInputException`` (400) with ``Reason`` ``MIN_VALUE_EXCEEDED`` /
``MAX_VALUE_EXCEEDED``; a token this endpoint did not issue (or issued for another
operation, parent or organization) -> ``InvalidInputException`` ``INVALID_NEXT_TOKEN``.

IAM (query/XML): ``MaxItems`` 1..1000 (default 100), ``Marker`` in, ``IsTruncated`` and
``Marker`` out.  Out of range -> ``ValidationError`` (400, the framework's
"1 validation error detected: ..." wording).

Both services document that a page may hold fewer items than the maximum even when more
exist; the scenario's ``page_size`` knob (``STATE.page_size``) caps every page below the
caller's maximum so tests can force that.

Tokens and markers are opaque to callers: URL-safe base64 of a small JSON list naming the
operation, its scope and the sequence number (``state.next_seq``) of the last item
returned.  Items keep their sequence number for life, so a token stays valid when items
are added or removed between pages and items created in the same second are neither
skipped nor repeated.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from bisect import bisect_right
from typing import Any, Callable, Sequence, TypeVar

from moto.core.exceptions import ServiceException

from . import wire
from .state import STATE

T = TypeVar("T")

TOKEN_VERSION = "rs1"

ORG_MAX_RESULTS = 20  # Organizations MaxResults shape: min 1, max 20
IAM_MAX_ITEMS = 1000  # IAM maxItemsType: min 1, max 1000
IAM_DEFAULT_ITEMS = 100  # "If you do not include this parameter, the number of items defaults to 100."
IAM_MARKER_MAX = 320  # IAM markerType: length 1..320, pattern [\u0020-\u00FF]+
_IAM_MARKER_PATTERN = re.compile(r"^[\u0020-\u00FF]+$")


# --- tokens --------------------------------------------------------------------------------

def encode_token(*parts: Any) -> str:
    raw = json.dumps([TOKEN_VERSION, *parts], separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_token(token: Any, *scope: Any) -> int | None:
    """The sequence number a token resumes after, or None when it is not a token this
    endpoint issued for exactly this scope."""
    if not isinstance(token, str) or not token:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, binascii.Error, UnicodeError):
        return None
    if (not isinstance(data, list) or len(data) != len(scope) + 2 or data[0] != TOKEN_VERSION
            or data[1:-1] != list(scope) or not isinstance(data[-1], int)):
        return None
    return data[-1]


def seq_of(item: Any) -> int:
    return getattr(item, "_rootsim_seq", None) or getattr(item, "seq", 0)


def page_after(items: Sequence[T], after: int | None, limit: int,
               keep: Callable[[T], bool] | None = None) -> tuple[list[T], bool]:
    """Up to `limit` items (in sequence order) after sequence number `after`, and whether
    more remain.  `items` must be sorted by sequence number: the start is found by
    bisection, so an unfiltered page costs O(log n + limit)."""
    start = 0 if after is None else bisect_right(items, after, key=seq_of)
    page: list[T] = []
    for index in range(start, len(items)):
        item = items[index]
        if keep is not None and not keep(item):
            continue
        if len(page) == limit:
            return page, True
        page.append(item)
    return page, False


def _capped(service: str, limit: int) -> int:
    cap = STATE.page_cap(service)
    return min(limit, cap) if cap else limit


# --- Organizations -------------------------------------------------------------------------

class OrganizationsError(ServiceException):
    """A modelled Organizations error, serialised by moto from the botocore model
    (AWS JSON 1.1: {"__type", "Message", ...modelled members})."""


class OrgInvalidInput(OrganizationsError):
    code = "InvalidInputException"

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.Reason = reason  # the modelled member of InvalidInputException


MIN_VALUE_MESSAGE = "You provided a numeric parameter that has a smaller value than allowed."
MAX_VALUE_MESSAGE = "You provided a numeric parameter that has a larger value than allowed."
BAD_TOKEN_MESSAGE = ("Get the value for the NextToken parameter from the response to a previous "
                     "call of the operation.")


def org_limit(resp: Any) -> int:
    """Items for this page: MaxResults (validated, default 20) capped by the knob."""
    raw = resp._get_param("MaxResults")
    if raw is None:
        return _capped("organizations", ORG_MAX_RESULTS)
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise wire.WireError(wire.render(  # not modelled: what AWS JSON services answer for a wrong type
            "organizations", "json1.1", "SerializationException", 400,
            f"STRING_VALUE can not be converted to an Integer: {raw!r}", "SerializationException"))
    if raw < 1:
        raise OrgInvalidInput("MIN_VALUE_EXCEEDED", MIN_VALUE_MESSAGE)
    if raw > ORG_MAX_RESULTS:
        raise OrgInvalidInput("MAX_VALUE_EXCEEDED", MAX_VALUE_MESSAGE)
    return _capped("organizations", raw)


def org_cursor(resp: Any, *scope: Any) -> int | None:
    token = resp._get_param("NextToken")
    if token is None:
        return None
    after = decode_token(token, *scope)
    if after is None:
        raise OrgInvalidInput("INVALID_NEXT_TOKEN", BAD_TOKEN_MESSAGE)
    return after


def org_page(resp: Any, items: Sequence[T], scope: tuple[Any, ...],
             keep: Callable[[T], bool] | None = None) -> tuple[list[T], str | None]:
    """(page, NextToken or None) for one Organizations List* request."""
    limit = org_limit(resp)
    after = org_cursor(resp, *scope)
    page, more = page_after(items, after, limit, keep)
    token = encode_token(*scope, seq_of(page[-1])) if more and page else None
    return page, token


# --- IAM -----------------------------------------------------------------------------------

def _iam_validation(message: str) -> wire.WireError:
    return wire.WireError(wire.render("iam", "query", "ValidationError", 400,
                                      f"1 validation error detected: {message}"))


INVALID_MARKER_MESSAGE = "Invalid Marker: use the Marker value of the previous response unchanged."


def iam_limit(resp: Any) -> int:
    raw = resp._get_param("MaxItems")
    if raw is None:
        return _capped("iam", IAM_DEFAULT_ITEMS)
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise _iam_validation(f"Value '{raw}' at 'maxItems' failed to satisfy constraint: "
                              "Member must be a number") from None
    if value < 1:
        raise _iam_validation(f"Value '{value}' at 'maxItems' failed to satisfy constraint: "
                              "Member must have value greater than or equal to 1")
    if value > IAM_MAX_ITEMS:
        raise _iam_validation(f"Value '{value}' at 'maxItems' failed to satisfy constraint: "
                              f"Member must have value less than or equal to {IAM_MAX_ITEMS}")
    return _capped("iam", value)


def iam_cursor(resp: Any, *scope: Any) -> int | None:
    marker = resp._get_param("Marker")
    if marker is None:
        return None
    if len(marker) < 1:
        raise _iam_validation("Value '' at 'marker' failed to satisfy constraint: "
                              "Member must have length greater than or equal to 1")
    if len(marker) > IAM_MARKER_MAX:
        raise _iam_validation(f"Value '{marker}' at 'marker' failed to satisfy constraint: "
                              f"Member must have length less than or equal to {IAM_MARKER_MAX}")
    if not _IAM_MARKER_PATTERN.match(marker):
        raise _iam_validation(f"Value '{marker}' at 'marker' failed to satisfy constraint: "
                              "Member must satisfy regular expression pattern: [\\u0020-\\u00FF]+")
    after = decode_token(marker, *scope)
    if after is None:
        raise wire.WireError(wire.render("iam", "query", "ValidationError", 400, INVALID_MARKER_MESSAGE))
    return after


def iam_page(resp: Any, items: Sequence[T], scope: tuple[Any, ...]) -> tuple[list[T], dict[str, Any]]:
    """(page, {"IsTruncated": bool[, "Marker": str]}) for one IAM List* request."""
    limit = iam_limit(resp)
    after = iam_cursor(resp, *scope)
    ordered = sorted(items, key=seq_of)
    page, more = page_after(ordered, after, limit)
    paging: dict[str, Any] = {"IsTruncated": bool(more and page)}
    if more and page:
        paging["Marker"] = encode_token(*scope, seq_of(page[-1]))
    return page, paging
