"""Who signed the request, and with the right secret? (AWS Signature Version 4)

moto accepts any access key (unknown ones act as its default account) and any
secret.  AWS does not, so for the services rootsim gates (STS, IAM, SQS,
Organizations, S3) every request signed with SigV4 is checked here, before moto
or the gate sees it:

* the access key must be one this endpoint issued and that is still active: the
  management account's static key (ready line, /health), a moto IAM user's key
  (seeds, CreateAccessKey), an STS AssumeRole key, a root session (AssumeRoot),
  moto's fixed GetSessionToken / GetFederationToken key.  Otherwise the
  service's "unknown key" error (InvalidClientTokenId, UnrecognizedClientException,
  S3 InvalidAccessKeyId);
* the signature is recomputed with that key's secret; a mismatch is answered with
  SignatureDoesNotMatch (Organizations: InvalidSignatureException).

The signature is recomputed from the request as it arrived (method, raw path and
query string, the signed headers' values, the body or x-amz-content-sha256).
Where clients may legitimately canonicalise a little differently (S3 paths are
encoded once, other services' twice; query strings sent already encoded or not),
each plausible form is tried: a wrong secret fails them all.

Not verified (accepted as before): requests without any signature (moto's
default account), SigV2 signatures (only the key is checked), requests missing
x-amz-date/Date.  Clock skew, presigned-URL expiry, S3 chunk signatures and the
body against x-amz-content-sha256 are not checked.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import hmac
import io
import re
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, Iterable
from urllib.parse import quote, unquote, unquote_plus

from botocore.utils import normalize_url_path
from moto.iam.models import iam_backends
from werkzeug.datastructures import EnvironHeaders

from . import wire
from .state import STATE

# Static test keys of the management account (the ready line, /health).  moto maps
# access keys that no IAM user holds to its default account (123456789012), which
# the scenarios make the organization's management account.
MANAGEMENT_ACCESS_KEY_ID = "AKIAROOTSIMEXAMPLE01"
MANAGEMENT_SECRET_ACCESS_KEY = "rootsim/management/EXAMPLEKEY/not-a-secret"
# moto's GetSessionToken and GetFederationToken always hand out this pair.
MOTO_SESSION_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
MOTO_SESSION_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"

STATIC_KEYS = {
    MANAGEMENT_ACCESS_KEY_ID: MANAGEMENT_SECRET_ACCESS_KEY,
    MOTO_SESSION_ACCESS_KEY_ID: MOTO_SESSION_SECRET_ACCESS_KEY,
}

# The services whose requests are authenticated (SigV4 signing names).
AUTHENTICATED_SERVICES = frozenset({"sts", "iam", "organizations", "sqs", "s3"})

ALGORITHM = "AWS4-HMAC-SHA256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
_CREDENTIAL = re.compile(r"^(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/(?P<service>[^/]+)/aws4_request$")
_V2_HEADER = re.compile(r"^AWS (?P<key>[^:\s]+):")


@dataclass
class Signature:
    """What the client claims: key, scope, signed headers, signature."""

    access_key_id: str
    scope: str  # <date>/<region>/<service>/aws4_request
    service: str
    signed_headers: list[str]
    signature: str
    amz_date: str | None
    presigned: bool


# --- which key, which secret ----------------------------------------------------------------

def secret_of(access_key_id: str) -> str | None:
    """The secret of a key this endpoint issued and that is active; None if unknown."""
    session = STATE.sessions.get(access_key_id)
    if session is not None:
        return session.secret_access_key
    if access_key_id in STATIC_KEYS:
        return STATIC_KEYS[access_key_id]
    # moto keeps IAM user keys and STS temporary keys (AssumeRole, AssumeRoot) in
    # each account's IAM backend; look only at backends that exist (no lazy creation).
    for account in list(dict.values(iam_backends)):
        for backend in list(dict.values(account)):
            key = backend.access_keys.get(access_key_id)
            if key is not None:
                return key.secret_access_key if getattr(key, "status", "Active") == "Active" else None
    return None


# --- reading the request ---------------------------------------------------------------------

def _parse_header(authorization: str, headers: Any) -> Signature | None:
    fields: dict[str, str] = {}
    for part in authorization[len(ALGORITHM):].split(","):
        name, _, value = part.strip().partition("=")
        fields[name.strip()] = value.strip()
    credential = _CREDENTIAL.match(fields.get("Credential", ""))
    if credential is None or "SignedHeaders" not in fields or "Signature" not in fields:
        return None
    amz_date = headers.get("X-Amz-Date") or _from_http_date(headers.get("Date"))
    return Signature(credential["key"], fields["Credential"].split("/", 1)[1], credential["service"],
                     [h.strip().lower() for h in fields["SignedHeaders"].split(";") if h.strip()],
                     fields["Signature"], amz_date, presigned=False)


def _parse_presigned(params: dict[str, str]) -> Signature | None:
    credential = _CREDENTIAL.match(params.get("X-Amz-Credential", ""))
    if credential is None or "X-Amz-Signature" not in params:
        return None
    return Signature(credential["key"], params["X-Amz-Credential"].split("/", 1)[1], credential["service"],
                     [h.strip().lower() for h in params.get("X-Amz-SignedHeaders", "host").split(";") if h.strip()],
                     params["X-Amz-Signature"], params.get("X-Amz-Date"), presigned=True)


def _from_http_date(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).astimezone(_dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    except (TypeError, ValueError):
        return None


def _query_pairs(query: str) -> list[tuple[str, str]]:
    pairs = []
    for item in query.split("&"):
        if item:
            name, _, value = item.partition("=")
            pairs.append((name, value))
    return pairs


def _header_value(environ: dict[str, Any], name: str) -> str:
    if name == "content-type":
        raw = environ.get("CONTENT_TYPE", "")
    elif name == "content-length":
        raw = environ.get("CONTENT_LENGTH", "")
    else:
        raw = environ.get("HTTP_" + name.upper().replace("-", "_"), "")
    return " ".join(str(raw).split())


def raw_path(environ: dict[str, Any]) -> str:
    """The path as the client sent it (before werkzeug percent-decoded it)."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if not raw:
        return quote(environ.get("PATH_INFO", "") or "/", safe="/~")
    path = raw.split("?", 1)[0]
    if "://" in path:  # an absolute request target (a proxy's form)
        path = "/" + path.split("://", 1)[1].partition("/")[2]
    return path or "/"


def read_body(environ: dict[str, Any]) -> bytes:
    """Reads the whole body and puts it back so moto reads the same bytes."""
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    if environ.get("wsgi.input_terminated"):
        body = stream.read()
    else:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        body = stream.read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


# --- the canonical request and the signature -----------------------------------------------

def _unique(values: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen


def canonical_uris(path: str, service: str) -> list[str]:
    """S3 signs the path URI-encoded once; the other services encode the (already
    encoded) path again, after removing dot segments.  Both readings are tried."""
    once = quote(unquote(path), safe="/~")
    if service == "s3":
        return _unique([path, once])
    return _unique([quote(normalize_url_path(path), safe="/~"), path, once])


def canonical_queries(query: str, presigned: bool) -> list[str]:
    pairs = [(n, v) for n, v in _query_pairs(query)
             if not (presigned and unquote(n) == "X-Amz-Signature")]

    def encoded(decode: Any) -> str:
        return "&".join(f"{n}={v}" for n, v in sorted(
            (quote(decode(n), safe="-_.~"), quote(decode(v), safe="-_.~")) for n, v in pairs))

    as_sent = "&".join(f"{n}={v}" for n, v in sorted(pairs))
    return _unique([encoded(unquote), as_sent, encoded(unquote_plus)])


def signing_key(secret: str, scope: str) -> bytes:
    key = ("AWS4" + secret).encode("utf-8")
    for part in scope.split("/"):
        key = hmac.new(key, part.encode("utf-8"), hashlib.sha256).digest()
    return key


def string_to_sign(amz_date: str, scope: str, canonical_request: str) -> str:
    return "\n".join([ALGORITHM, amz_date, scope,
                      hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()])


@dataclass
class Mismatch:
    canonical_request: str
    string_to_sign: str


def verify(environ: dict[str, Any], sig: Signature, secret: str) -> Mismatch | None:
    """None when one plausible canonical form of the request carries the client's
    signature under `secret`; otherwise the first form tried (for the S3 error body)."""
    assert sig.amz_date is not None
    headers = EnvironHeaders(environ)
    header_block = "".join(f"{name}:{_header_value(environ, name)}\n" for name in sig.signed_headers)
    signed = ";".join(sig.signed_headers)
    declared = headers.get("X-Amz-Content-SHA256")
    if declared and not sig.presigned:
        payloads = [declared]
    else:
        body_hash = hashlib.sha256(read_body(environ)).hexdigest()
        payloads = _unique(([UNSIGNED_PAYLOAD, body_hash] if sig.presigned else [body_hash, UNSIGNED_PAYLOAD])
                           + ([declared] if declared else []))
    key = signing_key(secret, sig.scope)
    method = environ.get("REQUEST_METHOD", "GET").upper()
    first: Mismatch | None = None
    for uri in canonical_uris(raw_path(environ), sig.service):
        for query in canonical_queries(environ.get("QUERY_STRING", ""), sig.presigned):
            for payload in payloads:
                request = "\n".join([method, uri, query, header_block, signed, payload])
                to_sign = string_to_sign(sig.amz_date, sig.scope, request)
                expected = hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
                if hmac.compare_digest(expected, sig.signature.lower()):
                    return None
                if first is None:
                    first = Mismatch(request, to_sign)
    return first


# --- the check --------------------------------------------------------------------------------

def _signature_of(environ: dict[str, Any], headers: Any) -> tuple[Signature | None, str | None]:
    """(SigV4 signature, or None) and the access key id of any signature."""
    authorization = headers.get("Authorization") or ""
    if authorization.startswith(ALGORITHM + " "):
        sig = _parse_header(authorization, headers)
        return sig, sig.access_key_id if sig else None
    params = {unquote_plus(n): unquote_plus(v) for n, v in _query_pairs(environ.get("QUERY_STRING", ""))}
    if params.get("X-Amz-Algorithm") == ALGORITHM:
        sig = _parse_presigned(params)
        return sig, sig.access_key_id if sig else None
    v2 = _V2_HEADER.match(authorization)
    if v2 is not None:
        return None, v2["key"]
    return None, params.get("AWSAccessKeyId")


def _v2_service(environ: dict[str, Any], headers: Any) -> str | None:
    """The service of a SigV2 request this endpoint can tell: only S3 takes the
    `Authorization: AWS <key>:<signature>` header and the AWSAccessKeyId/Expires/
    Signature query; other SigV2 requests are left to moto."""
    if (headers.get("Authorization") or "").startswith("AWS "):
        return "s3"
    names = {unquote_plus(n) for n, _ in _query_pairs(environ.get("QUERY_STRING", ""))}
    if {"AWSAccessKeyId", "Signature", "Expires"} <= names and "SignatureVersion" not in names:
        return "s3"
    return None


def check(environ: dict[str, Any]) -> wire.Response | None:
    """An error response when AWS would refuse the request's credentials, else None."""
    headers = EnvironHeaders(environ)
    sig, access_key_id = _signature_of(environ, headers)
    if sig is not None:
        service = sig.service
    elif access_key_id is not None:
        service = _v2_service(environ, headers)
    else:
        return None  # unsigned (or a signature we cannot read): as moto answers it
    if service not in AUTHENTICATED_SERVICES or not access_key_id:
        return None
    secret = secret_of(access_key_id)
    if secret is None:
        return unknown_key(service, headers, access_key_id)
    if sig is None or sig.amz_date is None:
        return None  # SigV2, or no request time to sign with: the key is known, accept
    mismatch = verify(environ, sig, secret)
    if mismatch is None:
        return None
    return bad_signature(service, headers, access_key_id, sig.signature, mismatch)


def unknown_key(service: str, headers: Any, access_key_id: str) -> wire.Response:
    status, out, body = wire.error(service, headers, "UnknownAccessKey")
    if service == "s3":
        body = wire.s3_details(body, {"AWSAccessKeyId": access_key_id})
    return status, out, body


def bad_signature(service: str, headers: Any, access_key_id: str, signature: str,
                  mismatch: Mismatch) -> wire.Response:
    status, out, body = wire.error(service, headers, "SignatureDoesNotMatch")
    if service == "s3":
        # S3 tells what it signed, so a client can compare.
        body = wire.s3_details(body, {"AWSAccessKeyId": access_key_id,
                                      "StringToSign": mismatch.string_to_sign,
                                      "SignatureProvided": signature,
                                      "CanonicalRequest": mismatch.canonical_request})
    return status, out, body
