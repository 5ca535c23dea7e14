"""The choke point every emulated AWS request passes before moto handles it.

In order: count the call, apply injected faults (latency, throttling, 5xx),
check a root session's token, expiry and task-policy scope, then the
service-specific rules (locking resource policies, Organizations callers).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlparse

from moto.iam.models import iam_backends
from moto.s3.models import s3_backends
from moto.sqs.models import sqs_backends
from moto.sts.models import sts_backends

from . import scp, wire
from .orgs import IAM_PRINCIPAL, org_for_account
from .policy import Principal, explicit_deny
from .state import STATE, RootSession
from .tasks import (
    ALWAYS_ALLOWED,
    S3_OBJECT_OPERATIONS,
    S3_OWNER_ROOT_ALWAYS,
    SQS_OWNER_ROOT_ALWAYS,
    iam_action,
    task_denies,
)

PARTITION = "aws"


@dataclass
class Caller:
    account_id: str
    access_key_id: str
    session: RootSession | None
    principal: Principal


def identify(account_id: str, access_key_id: str) -> Caller:
    session = STATE.sessions.get(access_key_id)
    if session is not None:
        return Caller(account_id, access_key_id, session, Principal(session.account_id, session.arn))
    arn = f"arn:aws:sts::{account_id}:user/moto"  # moto's answer for unsigned requests (auth.py refuses unknown keys)
    user = iam_backends[account_id][PARTITION].get_user_from_access_key_id(access_key_id)
    if user is not None:
        arn = user.arn
    else:
        role = sts_backends[account_id][PARTITION].get_assumed_role_from_access_key(access_key_id)
        if role is not None:
            arn = role.arn
    return Caller(account_id, access_key_id, None, Principal(account_id, arn))


def session_token_of(headers: Any, url: str) -> str | None:
    token = headers.get("X-Amz-Security-Token")
    if token:
        return token
    values = parse_qs(urlparse(url).query).get("X-Amz-Security-Token")
    return values[0] if values else None


def not_authorized(who: Principal, action: str, resource: str | None, why: str,
                   quote: bool = False) -> str:
    shown = f'"{resource}"' if quote and resource else resource
    on = f" on resource: {shown}" if resource else ""
    return f"User: {who.arn} is not authorized to perform: {action}{on} {why}"


# IAM operations that act on a user (the caller itself when UserName is omitted; in a root
# session: the root user, arn:aws:iam::<id>:root).  Their authorization resource is that user.
IAM_USER_OPERATIONS = frozenset({
    "GetUser", "GetLoginProfile", "CreateLoginProfile", "DeleteLoginProfile", "UpdateLoginProfile",
    "ChangePassword", "ListAccessKeys", "CreateAccessKey", "DeleteAccessKey", "UpdateAccessKey",
    "GetAccessKeyLastUsed", "ListSigningCertificates", "UploadSigningCertificate",
    "UpdateSigningCertificate", "DeleteSigningCertificate", "ListMFADevices", "EnableMFADevice",
    "DeactivateMFADevice", "ResyncMFADevice", "ListSSHPublicKeys", "ListServiceSpecificCredentials",
})
_ASSUMED_ROLE = re.compile(r"^arn:([\w-]+):sts::(\d{12}):assumed-role/(.+)/[^/]+$")
_ROOT_TARGET = re.compile(r"^(?:(\d{12})|arn:aws:iam::(\d{12}):(?:root|user/.+|role/.+))$")


def request_resource(resp: Any, service: str, operation: str, caller: Caller) -> str:
    """The ARN a request is authorized against (what policies' Resource is matched with and
    what "on resource:" names); "*" when rootsim does not model it."""
    account = caller.account_id
    if service == "iam":
        serial = resp._get_param("SerialNumber")
        if operation == "DeleteVirtualMFADevice" and serial:
            return serial if serial.startswith("arn:") else f"arn:aws:iam::{account}:mfa/{serial}"
        user = resp._get_param("UserName")
        if user:
            return f"arn:aws:iam::{account}:user/{user}"
        if operation in IAM_USER_OPERATIONS:
            if caller.session is not None:
                return f"arn:aws:iam::{account}:root"
            if ":user/" in caller.principal.arn:
                return caller.principal.arn
        return "*"
    if service == "sts":
        if operation == "AssumeRoot":
            match = _ROOT_TARGET.match(resp._get_param("TargetPrincipal") or "")
            if match:
                return f"arn:aws:iam::{match.group(1) or match.group(2)}:root"
        if operation == "AssumeRole" and resp._get_param("RoleArn"):
            return str(resp._get_param("RoleArn"))
        return "*"
    if service == "sqs":
        region = getattr(resp, "region", "us-east-1")
        queue_url = resp._get_param("QueueUrl")
        if queue_url:
            parts = [p for p in urlparse(queue_url).path.split("/") if p]
            if len(parts) >= 2:
                return f"arn:aws:sqs:{region}:{parts[-2]}:{parts[-1]}"
        name = resp._get_param("QueueName")
        if name and operation in ("GetQueueUrl", "CreateQueue"):
            owner = resp._get_param("QueueOwnerAWSAccountId") or account
            return f"arn:aws:sqs:{region}:{owner}:{name}"
        return "*"
    return "*"


def policy_principal_arn(caller: Caller) -> str:
    """aws:PrincipalArn: the root ARN in a root session, the user ARN, or for a role session the
    role's ARN (not the assumed-role session ARN)."""
    match = _ASSUMED_ROLE.match(caller.principal.arn)
    if match:
        return f"arn:{match.group(1)}:iam::{match.group(2)}:role/{match.group(3)}"
    return caller.principal.arn


def request_context(caller: Caller, resource: str) -> dict[str, str]:
    """The global condition keys rootsim sets (lower-case names).  aws:AssumedRoot is present,
    with the value "true", only in AssumeRoot sessions; aws:PrincipalArn is
    arn:aws:iam::<member>:root there."""
    arn = policy_principal_arn(caller)
    context = {"aws:principalarn": arn, "aws:principalaccount": caller.principal.account_id}
    if caller.session is not None:
        context["aws:assumedroot"] = "true"
        context["aws:principaltype"] = "Account"
    elif ":user/" in arn:
        context["aws:principaltype"] = "User"
    elif ":role/" in arn:
        context["aws:principaltype"] = "AssumedRole"
    view, _ = org_for_account(caller.principal.account_id)
    if view is not None:
        context["aws:principalorgid"] = view.id
    parts = resource.split(":", 5)
    if len(parts) == 6 and parts[4]:
        context["aws:resourceaccount"] = parts[4]
    return context


def precheck(service: str, operation: str, caller: Caller, headers: Any, url: str,
             resource: str | None = None) -> wire.Response | None:
    """Common part of the gate; returns an error response or None to go on.

    Order: counter, injected latency / throttling / 5xx, root-session token and expiry, then
    authorization (SCPs of the account the call acts in, then the root session's task policy),
    then injected IAM conflicts (only for requests that would otherwise proceed)."""
    STATE.count(caller.account_id, service, operation)
    latency_ms, outcome, status = STATE.take_fault(caller.account_id, service, operation,
                                                   root_session=caller.session is not None)
    if latency_ms:
        time.sleep(latency_ms / 1000.0)
    if outcome == "throttle":
        return wire.error(service, headers, "Throttle")
    if outcome == "error":
        return wire.server_error(service, headers, status)

    session = caller.session
    if session is not None:
        if outcome == "expire_session":
            with STATE.lock:
                session.expiration = min(session.expiration, STATE.now())
        if session_token_of(headers, url) != session.session_token:
            return wire.error(service, headers, "InvalidToken")
        if STATE.now() >= session.expiration:
            return wire.error(service, headers, "ExpiredToken")
    action = iam_action(service, operation)
    if action in ALWAYS_ALLOWED:
        return None
    target = resource or "*"
    context = request_context(caller, target)
    quote = service == "s3"  # S3 quotes the resource ARN in its access-denied messages
    denial = scp.evaluate(caller.account_id, action, target, context)
    if denial is not None:
        return wire.error(service, headers, "AccessDenied", not_authorized(
            caller.principal, action, resource, denial.reason(action), quote))
    if session is not None and task_denies(session.task, action, target, context):
        message = None if service == "s3" else not_authorized(
            caller.principal, action, resource, "with an explicit deny in a session policy")
        return wire.error(service, headers, "AccessDenied", message)
    if service == "iam":
        conflict = STATE.take_conflict(caller.account_id, service, operation)
        if conflict is not None:
            code, message = conflict
            return wire.render("iam", "query", code, 409, message)
    return None


# --- services behind BaseResponse.call_action -------------------------------------------

ORG_ANY_MEMBER = frozenset({
    "DescribeOrganization", "LeaveOrganization", "AcceptHandshake", "DeclineHandshake",
    "DescribeHandshake", "ListHandshakesForAccount", "DescribeEffectivePolicy",
})
# read-only calls a delegated administrator (of any service) may make
ORG_DELEGATED_READS = frozenset({
    "DescribeAccount", "ListAccounts", "ListAccountsForParent", "ListRoots", "ListChildren",
    "ListParents", "ListOrganizationalUnitsForParent", "DescribeOrganizationalUnit",
    "ListDelegatedAdministrators", "ListDelegatedServicesForAccount",
    "ListAWSServiceAccessForOrganization", "ListPolicies", "ListPoliciesForTarget",
    "ListTargetsForPolicy", "DescribePolicy", "ListTagsForResource", "DescribeCreateAccountStatus",
    "ListCreateAccountStatus",
})


def organizations_rules(resp: Any, operation: str, caller: Caller) -> wire.Response | None:
    view, role = org_for_account(caller.account_id)
    if view is None:
        return None  # moto answers AWSOrganizationsNotInUseException / CreateOrganization works
    if role == "management":
        if (operation == "DisableAWSServiceAccess"
                and resp._get_param("ServicePrincipal") == IAM_PRINCIPAL
                and view.delegated_admins(IAM_PRINCIPAL)):
            return wire.render(
                "organizations", "json1.1", "ConstraintViolationException", 400,
                "You cannot disable trusted access for iam.amazonaws.com while an account is "
                "registered as its delegated administrator. Deregister the delegated administrator first.",
                "ConstraintViolationException")
        return None
    if operation in ORG_ANY_MEMBER:
        return None
    if operation in ORG_DELEGATED_READS and caller.account_id in view.delegated_admins(None):
        resp.current_account = view.management_account_id  # answer from the organization's data
        return None
    return wire.error("organizations", resp.headers, "AccessDenied",
                      "You don't have permissions to access this resource.")


def organizations_after(resp: Any, operation: str, caller: Caller, result: Any) -> None:
    if operation != "DisableAWSServiceAccess" or resp._get_param("ServicePrincipal") != IAM_PRINCIPAL:
        return
    if not isinstance(result, tuple) or int(result[0]) != 200:
        return
    view, role = org_for_account(caller.account_id)
    if view is not None and role == "management" and not view.trusted(IAM_PRINCIPAL):
        with STATE.lock:
            STATE.features.pop(view.id, None)  # the IAM features depend on trusted access


def queue_hidden(queue: Any, caller: Caller, action: str) -> bool:
    session = caller.session
    if session is not None and session.account_id == queue.account_id and action in SQS_OWNER_ROOT_ALWAYS:
        return False
    return explicit_deny(queue.policy, action, queue.queue_arn, caller.principal)


def sqs_rules(resp: Any, operation: str, caller: Caller) -> wire.Response | None:
    if operation in ("ListQueues", "CreateQueue"):
        return None  # ListQueues filters hidden queues itself (handlers.list_queues)
    if operation == "GetQueueUrl":
        name = resp._get_param("QueueName")
        url_account = resp._get_param("QueueOwnerAWSAccountId")
    else:
        queue_url = resp._get_param("QueueUrl")
        if not queue_url:
            return None
        name = resp._get_queue_name()
        parts = [p for p in urlparse(queue_url).path.split("/") if p]
        url_account = parts[-2] if len(parts) >= 2 else None
    queue = sqs_backends[caller.account_id][resp.region].queues.get(name)
    if queue is None:
        return None
    action = f"sqs:{operation}"
    if caller.session is not None and url_account and url_account != caller.session.account_id:
        return wire.error("sqs", resp.headers, "AccessDenied", not_authorized(
            caller.principal, action, f"arn:aws:sqs:{resp.region}:{url_account}:{name}",
            "because a root session can only act on its own account's queues"))
    if queue_hidden(queue, caller, action):
        return wire.error("sqs", resp.headers, "AccessDenied", not_authorized(
            caller.principal, action, queue.queue_arn,
            "with an explicit deny in a resource-based policy"))
    return None


def iam_rules(resp: Any, operation: str, caller: Caller) -> wire.Response | None:
    if caller.session is not None and resp._get_param("UserName"):
        action = f"iam:{operation}"
        user = resp._get_param("UserName")
        return wire.error("iam", resp.headers, "AccessDenied", not_authorized(
            caller.principal, action, f"arn:aws:iam::{caller.account_id}:user/{user}",
            "because a root session can only act on the root user"))
    return None


SERVICE_RULES = {"organizations": organizations_rules, "sqs": sqs_rules, "iam": iam_rules}
GATED_SERVICES = frozenset({"sts", "iam", "sqs", "organizations"})


def call_action_gate(resp: Any, original: Any) -> Any:
    service = resp.service_name
    if service not in GATED_SERVICES:
        return original(resp)
    operation = resp._get_action()
    if not operation:
        return original(resp)
    caller = identify(resp.current_account, resp.get_access_key())
    resp._rootsim_caller = caller
    denied = precheck(service, operation, caller, resp.headers, resp.uri,
                      request_resource(resp, service, operation, caller))
    if denied is None and service in SERVICE_RULES:
        denied = SERVICE_RULES[service](resp, operation, caller)
    if denied is not None:
        return denied
    result = original(resp)
    if service == "organizations":
        organizations_after(resp, operation, caller, result)
    return result


# --- S3 (its own dispatch, not call_action) ------------------------------------------------

_S3_FALLBACK = {
    ("GET", False): "ListObjects", ("HEAD", False): "HeadBucket", ("PUT", False): "CreateBucket",
    ("DELETE", False): "DeleteBucket", ("POST", False): "DeleteObjects",
    ("GET", True): "GetObject", ("HEAD", True): "HeadObject", ("PUT", True): "PutObject",
    ("DELETE", True): "DeleteObject", ("POST", True): "CreateMultipartUpload",
}


_SIGNING_REGION = re.compile(r"Credential=[^/,\s]+/\d{8}/([a-z0-9-]+)/s3/aws4_request")


def wrong_region(headers: Any, operation: str, bucket: Any) -> wire.Response | None:
    """S3 answers a request signed for another region than the bucket's with
    301 PermanentRedirect and the bucket's region in `x-amz-bucket-region`
    (moto serves every region on one endpoint and never does)."""
    match = _SIGNING_REGION.search(headers.get("Authorization") or "")
    region = getattr(bucket, "region_name", None)
    if match is None or region is None or match.group(1) == region or operation == "CreateBucket":
        return None
    return wire.redirect(bucket.name, region)


def s3_gate(resp: Any, request: Any, is_key: bool) -> wire.Response | None:
    resp.setup_class(request)
    bucket = resp.bucket_name or ""
    key = resp.parse_key_name() if is_key and bucket else ""
    operation = resp._get_action_from_method_and_request_uri(request)
    if not operation:
        if not bucket:
            operation = "ListBuckets"
        else:
            operation = _S3_FALLBACK.get((request.method, bool(key)), request.method)
    resource = None
    if bucket:
        resource = f"arn:aws:s3:::{bucket}/{key}" if operation in S3_OBJECT_OPERATIONS else f"arn:aws:s3:::{bucket}"
        if operation == "DeleteObjects":
            resource = f"arn:aws:s3:::{bucket}/*"
    caller = identify(resp.current_account, resp.access_key)
    denied = precheck("s3", operation, caller, resp.headers, resp.uri, resource)
    if denied is not None or not bucket:
        return denied
    owner = s3_backends.bucket_accounts.get(bucket)
    if owner is None:
        return None
    partition, owner_account = owner
    action = iam_action("s3", operation)
    fake_bucket = s3_backends[owner_account][partition].buckets.get(bucket)
    redirect = wrong_region(resp.headers, operation, fake_bucket)
    if redirect is not None:
        return redirect
    session = caller.session
    if session is not None and session.account_id != owner_account:
        return wire.error("s3", resp.headers, "AccessDenied")
    policy = getattr(fake_bucket, "policy", None)
    if not policy:
        return None
    if session is not None and action in S3_OWNER_ROOT_ALWAYS:
        return None  # the bucket owner's root can always manage the bucket policy
    if explicit_deny(policy, action, resource or "", caller.principal):
        return wire.error("s3", resp.headers, "AccessDenied")
    return None
