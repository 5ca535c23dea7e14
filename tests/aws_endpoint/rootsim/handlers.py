"""Operations moto lacks (STS AssumeRoot, the IAM organization features) and the
root-user answers of IAM calls made without UserName inside a root session."""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any, Callable
from urllib.parse import urlparse

from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult, EmptyResult, PaginatedResult
from moto.iam.exceptions import DeleteConflictException, EntityAlreadyExists, NotFoundException
from moto.iam.models import iam_backends
from moto.sts.exceptions import STSValidationError

from . import paging, wire
from .accounts import account_state
from .gate import Caller, identify, queue_hidden
from .orgs import IAM_PRINCIPAL, OrgView, org_for_account
from .state import FEATURE_CREDENTIALS, FEATURE_SESSIONS, STATE, RootSession, new_session_token, next_seq
from .tasks import TASK_FEATURE, task_from_arn

PARTITION = "aws"


class RootSimServiceError(ServiceException):
    """A modelled error; serialised by moto from the service's botocore model.

    Defined here (module name not starting with "moto") so moto looks the code up
    in the calling service's model.
    """


class IAMInvalidInput(RootSimServiceError):
    code = "InvalidInput"


def _caller(resp: Any) -> Caller:
    caller = getattr(resp, "_rootsim_caller", None)
    if caller is None:
        caller = identify(resp.current_account, resp.get_access_key())
    return caller


def _root_session(resp: Any) -> RootSession | None:
    """The root session when this IAM call targets the root user (no UserName)."""
    session = _caller(resp).session
    if session is None or resp._get_param("UserName"):
        return None
    return session


# --- IAM organization features -------------------------------------------------------------

def _feature_org(resp: Any, enabling: bool) -> OrgView:
    account = resp.current_account
    view, role = org_for_account(account)
    if view is None:
        raise RootSimServiceError("OrganizationNotFoundException",
                                  "The request failed because the account is not a member of an organization.")
    if not view.all_features:
        raise RootSimServiceError("OrganizationNotInAllFeaturesModeException",
                                  "The request failed because the organization does not have all features enabled.")
    is_admin = account in view.delegated_admins(IAM_PRINCIPAL)
    if role != "management" and not is_admin:
        raise RootSimServiceError(
            "AccountNotManagementOrDelegatedAdministratorException",
            "The request was rejected because the account is not the management account or the "
            "delegated administrator for IAM of the organization.")
    if enabling and role != "management":
        raise RootSimServiceError(
            "CallerIsNotManagementAccountException",
            "The request was rejected because only the management account of the organization can enable this feature.")
    if not view.trusted(IAM_PRINCIPAL):
        raise RootSimServiceError(
            "ServiceAccessNotEnabledException",
            "The request failed because trusted access for IAM (iam.amazonaws.com) is not enabled in AWS Organizations.")
    return view


def _features_result(view: OrgView) -> ActionResult:
    return ActionResult({"OrganizationId": view.id, "EnabledFeatures": STATE.features_of(view.id)})


def _feature_op(feature: str | None, enable: bool) -> Callable[[Any], ActionResult]:
    def operation(self: Any) -> ActionResult:
        view = _feature_org(self, enabling=enable and feature is not None)
        if feature is not None:
            with STATE.lock:
                enabled = STATE.features.setdefault(view.id, set())
                if enable:
                    enabled.add(feature)
                else:
                    enabled.discard(feature)
        return _features_result(view)
    return operation


# --- STS -----------------------------------------------------------------------------------

_TARGET_RE = re.compile(r"^(?:(\d{12})|arn:aws:iam::(\d{12}):(?:root|user/.+|role/.+))$")


def _validation(field: str, value: Any, constraint: str) -> STSValidationError:
    shown = "null" if value is None else f"'{value}'"
    return STSValidationError(
        f"1 validation error detected: Value {shown} at '{field}' failed to satisfy constraint: {constraint}")


def assume_root(self: Any) -> ActionResult:
    host = (self.headers.get("Host") or "").split(":")[0]
    if host == "sts.amazonaws.com":  # AssumeRoot is not served by the global endpoint
        raise wire.WireError(wire.render("sts", "query", "InvalidAction", 400, "Unknown Operation"))

    target = self._get_param("TargetPrincipal")
    task_param = self._get_param("TaskPolicyArn")
    task_arn = task_param.get("arn") if isinstance(task_param, dict) else task_param
    raw_duration = self._get_param("DurationSeconds")

    if target is None:
        raise _validation("targetPrincipal", None, "Member must not be null")
    if len(target) < 12:
        raise _validation("targetPrincipal", target, "Member must have length greater than or equal to 12")
    if len(target) > 2048:
        raise _validation("targetPrincipal", target, "Member must have length less than or equal to 2048")
    if not task_arn:
        raise _validation("taskPolicyArn.arn" if isinstance(task_param, dict) else "taskPolicyArn",
                          None, "Member must not be null")
    if raw_duration is None:
        duration = 900
    else:
        try:
            duration = int(raw_duration)
        except (TypeError, ValueError):
            raise _validation("durationSeconds", raw_duration, "Member must be a number")
        if duration > 900:
            raise _validation("durationSeconds", duration, "Member must have value less than or equal to 900")
        if duration < 0:
            raise _validation("durationSeconds", duration, "Member must have value greater than or equal to 0")
    match = _TARGET_RE.match(target)
    if not match:
        raise STSValidationError(
            f"TargetPrincipal {target} is not a valid account ID or principal ARN of a member account.")
    target_account = match.group(1) or match.group(2)
    task = task_from_arn(task_arn)
    if task is None:
        raise STSValidationError(
            f"TaskPolicyArn {task_arn} is not one of the AWS managed root-task policies "
            "(arn:aws:iam::aws:policy/root-task/...).")

    caller = _caller(self)

    def denied(why: str) -> wire.WireError:
        return wire.WireError(wire.render(
            "sts", "query", "AccessDenied", 403,
            f"User: {caller.principal.arn} is not authorized to perform: sts:AssumeRoot on resource: "
            f"arn:aws:iam::{target_account}:root ({why})"))

    if caller.session is not None:
        raise denied("root user credentials cannot call AssumeRoot")
    view, role = org_for_account(caller.account_id)
    if view is None:
        raise denied("the caller is not in an organization")
    if role != "management" and caller.account_id not in view.delegated_admins(IAM_PRINCIPAL):
        raise denied("the caller is neither the management account nor the IAM delegated administrator")
    if target_account == view.management_account_id:
        raise denied("the target is the management account")
    member = view.account(target_account)
    if member is None:
        raise denied("the target is not a member account of the organization")
    state = account_state(member)
    if state != "ACTIVE":  # PENDING_ACTIVATION, SUSPENDED, PENDING_CLOSURE, CLOSED, unknown, none
        raise denied(f"the target account's state is {state}" if state is not None
                     else "the target account's state is unknown")
    feature = TASK_FEATURE[task]
    if not view.trusted(IAM_PRINCIPAL):
        raise denied("trusted access for iam.amazonaws.com is not enabled")
    if feature not in STATE.features_of(view.id):
        raise denied(f"centralized root access feature {feature} is not enabled")

    key = iam_backends[target_account][PARTITION].create_temp_access_key()
    now = STATE.now().replace(microsecond=0)
    session = RootSession(
        access_key_id=key.access_key_id, secret_access_key=key.secret_access_key,
        session_token=new_session_token(), account_id=target_account, task=task,
        issued_at=now, expiration=now + _dt.timedelta(seconds=duration),
        caller_account_id=caller.account_id, caller_arn=caller.principal.arn)
    with STATE.lock:
        STATE.sessions[session.access_key_id] = session
        STATE.assume_root[(target_account, task)] += 1
    return ActionResult({"Credentials": {
        "AccessKeyId": session.access_key_id,
        "SecretAccessKey": session.secret_access_key,
        "SessionToken": session.session_token,
        "Expiration": session.expiration,
    }})


def get_caller_identity(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def operation(self: Any) -> Any:
        session = _caller(self).session
        if session is None:
            return original(self)
        return ActionResult({"UserId": session.account_id, "Account": session.account_id, "Arn": session.arn})
    return operation


# --- IAM on the root user ------------------------------------------------------------------

def _no_login_profile() -> NotFoundException:
    return NotFoundException("Login Profile for User root cannot be found.")


def root_get_user(self: Any, s: RootSession) -> ActionResult:
    user: dict[str, Any] = {"UserId": s.account_id, "Arn": s.arn,
                            "CreateDate": STATE.root_of(s.account_id).user_created}
    return ActionResult({"User": user})


def root_get_login_profile(self: Any, s: RootSession) -> ActionResult:
    created = STATE.root_of(s.account_id).login_profile
    if created is None:
        raise _no_login_profile()
    return ActionResult({"LoginProfile": {"CreateDate": created, "PasswordResetRequired": False}})


def root_create_login_profile(self: Any, s: RootSession) -> ActionResult:
    if self._get_param("Password") is not None:
        raise IAMInvalidInput("Password must be omitted when CreateLoginProfile is called in a root session.")
    with STATE.lock:
        root = STATE.root_of(s.account_id)
        if root.login_profile is not None:
            raise EntityAlreadyExists("Login Profile for user root already exists.")
        root.login_profile = STATE.now()
        created = root.login_profile
    return ActionResult({"LoginProfile": {"CreateDate": created, "PasswordResetRequired": False}})


def root_delete_login_profile(self: Any, s: RootSession) -> ActionResult:
    with STATE.lock:
        root = STATE.root_of(s.account_id)
        if root.login_profile is None:
            raise _no_login_profile()
        root.login_profile = None
    return EmptyResult()


def root_list_access_keys(self: Any, s: RootSession) -> ActionResult:
    with STATE.lock:
        items = list(STATE.root_of(s.account_id).access_keys.values())
    page, more = paging.iam_page(self, items, ("ListAccessKeys", s.account_id))
    keys = [{"AccessKeyId": k.access_key_id, "Status": k.status, "CreateDate": k.create_date}
            for k in page]
    return ActionResult({"AccessKeyMetadata": keys, **more})


def root_delete_access_key(self: Any, s: RootSession) -> ActionResult:
    key_id = self._get_param("AccessKeyId")
    with STATE.lock:
        if STATE.root_of(s.account_id).access_keys.pop(key_id, None) is None:
            raise NotFoundException(f"The Access Key with id {key_id} cannot be found")
    return EmptyResult()


def root_get_access_key_last_used(self: Any, s: RootSession) -> ActionResult:
    key_id = self._get_param("AccessKeyId")
    if key_id not in STATE.root_of(s.account_id).access_keys:
        raise NotFoundException(f"The Access Key with id {key_id} cannot be found")
    return ActionResult({"AccessKeyLastUsed": {"ServiceName": "N/A", "Region": "N/A"}})


def root_list_signing_certificates(self: Any, s: RootSession) -> ActionResult:
    with STATE.lock:
        items = list(STATE.root_of(s.account_id).certificates.values())
    page, more = paging.iam_page(self, items, ("ListSigningCertificates", s.account_id))
    certs = [{"CertificateId": c.certificate_id, "CertificateBody": c.body, "Status": c.status,
              "UploadDate": c.upload_date}
             for c in page]
    return ActionResult({"Certificates": certs, **more})


def root_delete_signing_certificate(self: Any, s: RootSession) -> ActionResult:
    cert_id = self._get_param("CertificateId")
    with STATE.lock:
        if STATE.root_of(s.account_id).certificates.pop(cert_id, None) is None:
            raise NotFoundException(f"The Certificate with id {cert_id} cannot be found.")
    return EmptyResult()


def root_list_mfa_devices(self: Any, s: RootSession) -> ActionResult:
    with STATE.lock:
        items = list(STATE.root_of(s.account_id).mfa_devices.values())
    page, more = paging.iam_page(self, items, ("ListMFADevices", s.account_id))
    devices = [{"SerialNumber": m.serial_number, "EnableDate": m.enable_date} for m in page]
    return ActionResult({"MFADevices": devices, **more})


def root_deactivate_mfa_device(self: Any, s: RootSession) -> ActionResult:
    """Every kind (virtual, hardware TOTP, passkey / security key) is deactivated by its serial
    number alone; a virtual device then stays in the account, unassigned, until deleted."""
    serial = self._get_param("SerialNumber")
    with STATE.lock:
        root = STATE.root_of(s.account_id)
        device = root.mfa_devices.pop(serial, None)
        if device is None:
            raise NotFoundException(f"MFA Device with serial number {serial} does not exist.")
        if device.virtual:
            root.unassigned_virtual_mfa[serial] = device
    return EmptyResult()


def _delete_root_virtual_device(account_id: str, serial: str) -> bool:
    """Deletes an unassigned virtual device of the account's root user; False when the serial
    is none of the root user's devices.  DeleteConflict while it is still assigned."""
    with STATE.lock:
        root = STATE.peek_root(account_id)
        if serial in root.mfa_devices:
            raise DeleteConflictException("MFA device is still in use.")
        if serial not in root.unassigned_virtual_mfa:
            return False
        del STATE.root_of(account_id).unassigned_virtual_mfa[serial]
        return True


def root_delete_virtual_mfa_device(self: Any, s: RootSession) -> ActionResult:
    # Unreachable with the published task policies (IAMDeleteRootUserCredentials denies the
    # action on the device's mfa/ ARN, see tasks.py); kept so the answer stays right if it is
    # ever let through.
    serial = self._get_param("SerialNumber")
    if not _delete_root_virtual_device(s.account_id, serial):
        raise NotFoundException(f"VirtualMFADevice with serial number {serial} doesn't exist.")
    return EmptyResult()


def delete_virtual_mfa_device_for_users(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """An IAM principal of the account (not a root session) deleting a virtual device: the root
    user's deactivated devices are rootsim's, everything else is moto's."""
    def operation(self: Any) -> Any:
        serial = self._get_param("SerialNumber")
        if serial and _delete_root_virtual_device(self.current_account, serial):
            return EmptyResult()
        return original(self)
    return operation


def list_virtual_mfa_devices(self: Any) -> ActionResult:
    """moto's devices plus the root user's virtual devices (assigned: with User = the root
    user; deactivated: unassigned), paged with MaxItems / Marker like the other IAM lists."""
    status = self._get_param("AssignmentStatus") or "Any"
    if status not in ("Assigned", "Unassigned", "Any"):
        raise wire.WireError(wire.render(
            "iam", "query", "ValidationError", 400,
            f"1 validation error detected: Value '{status}' at 'assignmentStatus' failed to satisfy "
            "constraint: Member must satisfy enum value set: [Unassigned, Any, Assigned]"))
    account = self.current_account
    entries: list[tuple[int, dict[str, Any]]] = []
    with STATE.lock:
        root = STATE.peek_root(account)
        for device in root.mfa_devices.values():
            if device.virtual and status in ("Assigned", "Any"):
                entries.append((device.seq, {
                    "SerialNumber": device.serial_number, "EnableDate": device.enable_date,
                    "User": {"UserId": account, "Arn": f"arn:aws:iam::{account}:root",
                             "CreateDate": root.user_created}}))
        for device in root.unassigned_virtual_mfa.values():
            if status in ("Unassigned", "Any"):
                entries.append((device.seq, {"SerialNumber": device.serial_number}))
    for device in list(self.backend.virtual_mfa_devices.values()):
        if getattr(device, "_rootsim_seq", None) is None:
            device._rootsim_seq = next_seq()
        assigned = device.enable_date is not None
        if (status == "Assigned" and not assigned) or (status == "Unassigned" and assigned):
            continue
        item: dict[str, Any] = {"SerialNumber": device.serial_number}
        if assigned:
            item["EnableDate"] = device.enable_date
        if device.user is not None:
            user = device.user
            item["User"] = {"Path": user.path, "UserName": user.name, "UserId": user.id,
                            "Arn": user.arn, "CreateDate": user.create_date}
        entries.append((device._rootsim_seq, item))

    class _Entry:
        def __init__(self, seq: int, body: dict[str, Any]) -> None:
            self.seq, self.body = seq, body

    items = [_Entry(seq, body) for seq, body in entries]
    page, more = paging.iam_page(self, items, ("ListVirtualMFADevices", account, status))
    return ActionResult({"VirtualMFADevices": [e.body for e in page], **more})


ROOT_IAM_HANDLERS: dict[str, Callable[[Any, RootSession], ActionResult]] = {
    "get_user": root_get_user,
    "get_login_profile": root_get_login_profile,
    "create_login_profile": root_create_login_profile,
    "delete_login_profile": root_delete_login_profile,
    "list_access_keys": root_list_access_keys,
    "delete_access_key": root_delete_access_key,
    "get_access_key_last_used": root_get_access_key_last_used,
    "list_signing_certificates": root_list_signing_certificates,
    "delete_signing_certificate": root_delete_signing_certificate,
    "list_mfa_devices": root_list_mfa_devices,
    "deactivate_mfa_device": root_deactivate_mfa_device,
    "delete_virtual_mfa_device": root_delete_virtual_mfa_device,
}


def root_aware(name: str, original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    handler = ROOT_IAM_HANDLERS[name]

    def operation(self: Any) -> Any:
        session = _root_session(self)
        if session is None:
            return original(self)
        return handler(self, session)
    operation.__name__ = name
    return operation


def iam_list_mfa_devices_for_user(self: Any) -> ActionResult:
    """moto 5.2.5 computes the MFA list of an IAM user and then returns an empty result."""
    user_name = self._get_param("UserName")
    if not user_name:
        user = self.backend.get_user_from_access_key_id(self.get_access_key())
        if user is None:
            raise NotFoundException("The user with name None cannot be found.")
        user_name = user.name
    devices = self.backend.list_mfa_devices(user_name)
    return ActionResult({"MFADevices": [
        {"UserName": user_name, "SerialNumber": d.serial_number, "EnableDate": d.enable_date}
        for d in devices], "IsTruncated": False})


def get_account_summary(self: Any) -> ActionResult:
    summary = dict(self.backend.get_account_summary().summary_map)
    root = STATE.peek_root(self.current_account)
    summary["AccountPasswordPresent"] = int(root.login_profile is not None)
    summary["AccountAccessKeysPresent"] = int(bool(root.access_keys))
    summary["AccountSigningCertificatesPresent"] = int(bool(root.certificates))
    summary["AccountMFAEnabled"] = int(bool(root.mfa_devices))
    return ActionResult({"SummaryMap": summary})


# --- SQS -----------------------------------------------------------------------------------

def sqs_list_queues(self: Any) -> ActionResult:
    request_url = urlparse(self.uri)
    queues = self.sqs_backend.list_queues(self._get_param("QueueNamePrefix"))
    caller = _caller(self)
    urls = [q.url(request_url) for q in queues if not queue_hidden(q, caller, "sqs:ListQueues")]
    if self._get_param("MaxResults"):
        return PaginatedResult({"QueueUrls": urls})
    return ActionResult({"QueueUrls": urls[:1000]} if urls else {})


FEATURE_OPERATIONS = {
    "enable_organizations_root_credentials_management": _feature_op(FEATURE_CREDENTIALS, True),
    "disable_organizations_root_credentials_management": _feature_op(FEATURE_CREDENTIALS, False),
    "enable_organizations_root_sessions": _feature_op(FEATURE_SESSIONS, True),
    "disable_organizations_root_sessions": _feature_op(FEATURE_SESSIONS, False),
    "list_organizations_features": _feature_op(None, False),
}
