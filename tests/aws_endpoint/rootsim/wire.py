"""Error responses in each service's own wire protocol.

moto serialises errors that its botocore models know about.  The errors
rootsim adds at the gate (AccessDenied, ExpiredToken, throttling, 5xx) and at
authentication (unknown access key, signature mismatch: auth.py) are not
modelled for most services and need a specific HTTP status, so they are
rendered here:

* query (IAM, STS, SQS query):  <ErrorResponse><Error><Type/><Code/><Message/>
* REST-XML (S3):                <Error><Code/><Message/><RequestId/><HostId/>
* AWS JSON 1.0 (SQS):           {"__type": "...#Name", "message": ...} plus the
                                x-amzn-query-error header (SQS is awsQueryCompatible,
                                SDKs take the error code from that header)
* AWS JSON 1.1 (Organizations): {"__type": "Name", "Message": ...}
"""

from __future__ import annotations

import json
import uuid
from typing import Any
from xml.sax.saxutils import escape

from werkzeug.exceptions import HTTPException

Response = tuple[int, dict[str, str], str]

QUERY_NAMESPACES = {
    "iam": "https://iam.amazonaws.com/doc/2010-05-08/",
    "sts": "https://sts.amazonaws.com/doc/2011-06-15/",
    "sqs": "http://queue.amazonaws.com/doc/2012-11-05/",
}
S3_HOST_ID = "cm9vdHNpbS1sb2NhbC1hd3MtZW5kcG9pbnQtZm9yLXRlc3Rz"


def protocol_for(service: str, headers: Any) -> str:
    if service == "s3":
        return "rest-xml"
    if service == "organizations":
        return "json1.1"
    if service == "sqs":
        target = headers.get("X-Amz-Target") or headers.get("x-amz-target")
        ctype = headers.get("Content-Type", "") or ""
        if target or ctype.startswith("application/x-amz-json"):
            return "json1.0"
    return "query"


SIGNATURE_MESSAGE = ("The request signature we calculated does not match the signature you provided. "
                     "Check your AWS Secret Access Key and signing method. Consult the service documentation "
                     "for details.")

# kind -> protocol -> (code, http status, default message, json __type, fault)
_CATALOGUE: dict[str, dict[str, tuple[str, int, str, str, str]]] = {
    "AccessDenied": {
        "query": ("AccessDenied", 403, "Access denied", "", "Sender"),
        "rest-xml": ("AccessDenied", 403, "Access Denied", "", "Sender"),
        "json1.0": ("AccessDenied", 403, "Access to the resource is denied.",
                    "com.amazon.coral.service#AccessDeniedException", "Sender"),
        "json1.1": ("AccessDeniedException", 403, "You don't have permissions to access this resource.",
                    "AccessDeniedException", "Sender"),
    },
    "ExpiredToken": {
        "query": ("ExpiredToken", 403, "The security token included in the request is expired", "", "Sender"),
        "rest-xml": ("ExpiredToken", 400, "The provided token has expired.", "", "Sender"),
        "json1.0": ("ExpiredToken", 403, "The security token included in the request is expired",
                    "com.amazon.coral.service#ExpiredTokenException", "Sender"),
        "json1.1": ("ExpiredTokenException", 403, "The security token included in the request is expired",
                    "ExpiredTokenException", "Sender"),
    },
    "InvalidToken": {
        "query": ("InvalidClientTokenId", 403, "The security token included in the request is invalid.", "", "Sender"),
        "rest-xml": ("InvalidToken", 400, "The provided token is malformed or otherwise invalid.", "", "Sender"),
        "json1.0": ("InvalidClientTokenId", 403, "The security token included in the request is invalid.",
                    "com.amazon.coral.service#UnrecognizedClientException", "Sender"),
        "json1.1": ("UnrecognizedClientException", 400, "The security token included in the request is invalid.",
                    "UnrecognizedClientException", "Sender"),
    },
    # An access key the endpoint never issued (or one deactivated or deleted).
    "UnknownAccessKey": {
        "query": ("InvalidClientTokenId", 403, "The security token included in the request is invalid.", "", "Sender"),
        "rest-xml": ("InvalidAccessKeyId", 403, "The AWS Access Key Id you provided does not exist in our records.",
                     "", "Sender"),
        "json1.0": ("InvalidClientTokenId", 403, "The security token included in the request is invalid.",
                    "com.amazon.coral.service#UnrecognizedClientException", "Sender"),
        "json1.1": ("UnrecognizedClientException", 400, "The security token included in the request is invalid.",
                    "UnrecognizedClientException", "Sender"),
    },
    # A known access key, but the signature does not verify with its secret.
    "SignatureDoesNotMatch": {
        "query": ("SignatureDoesNotMatch", 403, SIGNATURE_MESSAGE, "", "Sender"),
        "rest-xml": ("SignatureDoesNotMatch", 403, "The request signature we calculated does not match the "
                     "signature you provided. Check your key and signing method.", "", "Sender"),
        "json1.0": ("SignatureDoesNotMatch", 403, SIGNATURE_MESSAGE,
                    "com.amazon.coral.service#InvalidSignatureException", "Sender"),
        "json1.1": ("InvalidSignatureException", 400, SIGNATURE_MESSAGE, "InvalidSignatureException", "Sender"),
    },
    "Throttle": {
        "query": ("Throttling", 400, "Rate exceeded", "", "Sender"),
        "rest-xml": ("SlowDown", 503, "Please reduce your request rate.", "", "Sender"),
        "json1.0": ("RequestThrottled", 400, "Rate exceeded", "com.amazonaws.sqs#RequestThrottled", "Sender"),
        "json1.1": ("TooManyRequestsException", 400,
                    "AWS Organizations can't complete your request because of request throttling. Try again later.",
                    "TooManyRequestsException", "Sender"),
    },
}

# 5xx: protocol -> status -> (code, message, json __type)
_SERVER_ERRORS = {
    "query": {500: ("InternalFailure", "The request processing has failed because of an unknown error, exception or failure.", ""),
              503: ("ServiceUnavailable", "Service is unable to handle request.", "")},
    "rest-xml": {500: ("InternalError", "We encountered an internal error. Please try again.", ""),
                 503: ("ServiceUnavailable", "Service is unable to handle request.", "")},
    "json1.0": {500: ("InternalFailure", "The request processing has failed because of an unknown error, exception or failure.",
                      "com.amazon.coral.service#InternalFailure"),
                503: ("ServiceUnavailable", "Service is unable to handle request.",
                      "com.amazon.coral.service#ServiceUnavailableException")},
    "json1.1": {500: ("ServiceException", "AWS Organizations can't complete your request because of an internal service error. Try again later.",
                      "ServiceException"),
                503: ("ServiceException", "AWS Organizations can't complete your request because of an internal service error. Try again later.",
                      "ServiceException")},
}


def render(service: str, protocol: str, code: str, status: int, message: str,
           json_type: str = "", fault: str = "Sender") -> Response:
    request_id = str(uuid.uuid4())
    headers = {"x-amzn-RequestId": request_id}
    if protocol == "rest-xml":
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                f"<Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
                f"<RequestId>{request_id[:16].upper()}</RequestId><HostId>{S3_HOST_ID}</HostId></Error>")
        headers["Content-Type"] = "application/xml"
        headers["x-amz-request-id"] = request_id[:16].upper()
    elif protocol == "json1.0":
        body = json.dumps({"__type": json_type or code, "message": message})
        headers["Content-Type"] = "application/x-amz-json-1.0"
        headers["x-amzn-query-error"] = f"{code};{fault}"
        headers["X-Amzn-ErrorType"] = (json_type or code).split("#")[-1]
    elif protocol == "json1.1":
        body = json.dumps({"__type": json_type or code, "Message": message})
        headers["Content-Type"] = "application/x-amz-json-1.1"
        headers["X-Amzn-ErrorType"] = json_type or code
    else:
        ns = QUERY_NAMESPACES.get(service, QUERY_NAMESPACES["iam"])
        body = (f'<ErrorResponse xmlns="{ns}"><Error><Type>{fault}</Type>'
                f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message></Error>"
                f"<RequestId>{request_id}</RequestId></ErrorResponse>")
        headers["Content-Type"] = "text/xml"
    return status, headers, body


def error(service: str, headers: Any, kind: str, message: str | None = None) -> Response:
    protocol = protocol_for(service, headers)
    code, status, default_message, json_type, fault = _CATALOGUE[kind][protocol]
    return render(service, protocol, code, status, message or default_message, json_type, fault)


def s3_details(body: str, details: dict[str, str]) -> str:
    """Adds S3's extra error elements (AWSAccessKeyId, StringToSign, ...) after <Message>."""
    extra = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in details.items())
    return body.replace("</Message>", "</Message>" + extra, 1)


def redirect(bucket: str, region: str) -> Response:
    """S3's answer to a request sent to the wrong region (HEAD requests get no body)."""
    status, headers, body = render(
        "s3", "rest-xml", "PermanentRedirect", 301,
        "The bucket you are attempting to access must be addressed using the specified endpoint. "
        "Please send all future requests to this endpoint.")
    body = body.replace("</Message>", f"</Message><Endpoint>{escape(bucket)}.s3.{escape(region)}.amazonaws.com"
                        f"</Endpoint><Bucket>{escape(bucket)}</Bucket>", 1)
    headers["x-amz-bucket-region"] = region
    return status, headers, body


def server_error(service: str, headers: Any, status: int) -> Response:
    protocol = protocol_for(service, headers)
    table = _SERVER_ERRORS[protocol]
    code, message, json_type = table.get(status, table[500])
    return render(service, protocol, code, status, message, json_type, "Receiver")


class WireError(HTTPException):
    """Raise from inside a moto response method to answer with a ready response.

    moto's call_action turns an HTTPException into (description, headers+status).
    """

    def __init__(self, response: Response) -> None:
        status, headers, body = response
        super().__init__(description=body)
        self.code = status
        self._headers = headers

    def get_headers(self, *args: Any, **kwargs: Any) -> list[tuple[str, str]]:  # type: ignore[override]
        return list(self._headers.items())
