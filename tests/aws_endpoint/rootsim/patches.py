"""Hooks rootsim into moto (5.2.5).  moto has no plugin API; everything here is a
monkey patch applied once, before the server starts:

* BaseResponse.call_action  -> gate.call_action_gate (STS, IAM, SQS, Organizations)
* S3Response.bucket_response / key_response -> gate.s3_gate first
* new methods on the STS / IAM response classes (moto's dispatcher calls
  getattr(Response, snake_case(Action)) and serialises from botocore's model)
* IAM root-user variants of the credential calls, GetAccountSummary, SQS ListQueues,
  ListVirtualMFADevices / DeleteVirtualMFADevice aware of the root user's virtual devices
* iam.amazonaws.com added to moto's trusted / delegatable service principals
* Organizations DescribeAccount, ListAccounts, ListAccountsForParent and
  ListOrganizationalUnitsForParent answered by accounts.py (today's Account shape, AWS
  paging); sequence numbers on moto's accounts and OUs for stable NextTokens
* moto's per-request lookups of a response class's methods remembered per class (they only
  change here, before the first request): inspect.getmembers on every call was about 2 % of
  the endpoint's CPU in the acceptance tests
* two lookups of moto that cost O(accounts) on every request made O(1): a backend for an
  account (moto copied the list of every account's id first) and the account of an access key
  (moto searched every account's IAM keys). With 10,000 members they were 80 % of the
  endpoint's CPU; the answers are the same
"""

from __future__ import annotations

import functools
from typing import Any

import moto.core.responses
import moto.iam.models
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.base_backend import BackendDict
from moto.core.responses import BaseResponse
from moto.iam.responses import IamResponse
from moto.s3.responses import S3Response
from moto.sqs.responses import SQSResponse
from moto.sts.responses import TokenResponse

from . import accounts, auth, gate, handlers
from .orgs import enable_iam_principal

_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    _installed = True
    enable_iam_principal()
    accounts.install()

    original_call_action = BaseResponse.call_action

    def call_action(self: Any) -> Any:
        return gate.call_action_gate(self, original_call_action)

    BaseResponse.call_action = call_action  # type: ignore[method-assign]

    original_bucket = S3Response.bucket_response
    original_key = S3Response.key_response

    def bucket_response(self: Any, request: Any, full_url: str, headers: Any) -> Any:
        denied = gate.s3_gate(self, request, is_key=False)
        return denied if denied is not None else original_bucket(self, request, full_url, headers)

    def key_response(self: Any, request: Any, full_url: str, headers: Any) -> Any:
        denied = gate.s3_gate(self, request, is_key=True)
        return denied if denied is not None else original_key(self, request, full_url, headers)

    S3Response.bucket_response = bucket_response  # type: ignore[method-assign]
    S3Response.key_response = key_response  # type: ignore[method-assign]

    TokenResponse.assume_root = handlers.assume_root  # type: ignore[attr-defined]
    TokenResponse.get_caller_identity = handlers.get_caller_identity(  # type: ignore[method-assign]
        TokenResponse.get_caller_identity)

    for name, operation in handlers.FEATURE_OPERATIONS.items():
        setattr(IamResponse, name, operation)
    IamResponse.list_mfa_devices = handlers.iam_list_mfa_devices_for_user  # type: ignore[method-assign]
    IamResponse.list_virtual_mfa_devices = handlers.list_virtual_mfa_devices  # type: ignore[method-assign]
    IamResponse.delete_virtual_mfa_device = handlers.delete_virtual_mfa_device_for_users(  # type: ignore[method-assign]
        IamResponse.delete_virtual_mfa_device)
    for name in handlers.ROOT_IAM_HANDLERS:
        setattr(IamResponse, name, handlers.root_aware(name, getattr(IamResponse, name)))
    IamResponse.get_account_summary = handlers.get_account_summary  # type: ignore[method-assign]

    SQSResponse.list_queues = handlers.sqs_list_queues  # type: ignore[method-assign]

    moto.core.responses.method_names_from_class = functools.lru_cache(maxsize=None)(  # type: ignore[assignment]
        moto.core.responses.method_names_from_class)
    _constant_time_account_lookups()


def _constant_time_account_lookups() -> None:
    create_backend = BackendDict._create_account_specific_backend

    def create_if_missing(self: BackendDict, account_id: str) -> None:  # type: ignore[type-arg]
        # moto's own check is `account_id not in list(self.keys())`, then it registers the dict.
        if dict.__contains__(self, account_id) and self in BackendDict._instances:  # type: ignore[misc]
            return
        create_backend(self, account_id)

    BackendDict._create_account_specific_backend = create_if_missing  # type: ignore[method-assign]

    # The account of an access key: moto searches every account's IAM keys on every request.
    # Here the owner is remembered (session keys from their making) and checked on use; the
    # static keys (auth.STATIC_KEYS, in no IAM backend) are the default account's, as moto's
    # search ends for them, without searching.
    search_every_account = moto.iam.models.get_account_id_from
    owners: dict[str, str] = {}
    create_temp_access_key = moto.iam.models.IAMBackend.create_temp_access_key

    def create_session_key(self: Any) -> Any:
        # Every root session (and STS session) makes one: its owner is known here.
        key = create_temp_access_key(self)
        owners[key.physical_resource_id] = self.account_id
        return key

    def holds(account_id: str, access_key: str) -> bool:
        account = dict.get(moto.iam.models.iam_backends, account_id)
        return account is not None and any(access_key in account[partition].access_keys
                                           for partition in moto.iam.models.PARTITION_NAMES)

    def get_account_id_from(access_key: str) -> str:
        owner = owners.get(access_key)
        if owner is not None and holds(owner, access_key):
            return owner
        if access_key in auth.STATIC_KEYS:
            return DEFAULT_ACCOUNT_ID
        owner = search_every_account(access_key)
        if holds(owner, access_key):
            owners[access_key] = owner
        return owner

    moto.iam.models.IAMBackend.create_temp_access_key = create_session_key  # type: ignore[method-assign]
    moto.iam.models.get_account_id_from = get_account_id_from  # type: ignore[assignment]
