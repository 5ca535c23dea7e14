"""Service control policies: seeded or created through Organizations, evaluated for every call
made in a member account (root sessions included), never for the management account; explicit
Deny with conditions on aws:PrincipalArn / aws:AssumedRoot, the Allow side (FullAWSAccess
detached), AWS's wording per service, and the control routes."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from conftest import ADMIN, DEV, LOCKED_BUCKET, MGMT, PROD, TASK, error_code, standard_scenario

SCP_ARN = r"arn:aws:organizations::123456789012:policy/o-[a-z0-9]+/service_control_policy/p-[a-z0-9]+"


def scenario(policies: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return standard_scenario(
        organizational_units=[{"name": "Workloads", "accounts": [DEV]}],
        policies=policies, **extra)


def denied(call: Any) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as excinfo:
        call()
    code, status = error_code(excinfo)
    return code, status, excinfo.value.response["Error"].get("Message", "")


def test_landing_zone_guardrail_denies_root_sessions_with_the_policy_arn(endpoint):
    seeded = endpoint.seed(scenario([{"name": "deny-root", "content": "deny-root-user",
                                      "targets": ["Workloads"]}]))
    policy = seeded["policies"]["deny-root"]
    assert policy["targets"] == [seeded["organizational_units"]["Workloads"]]
    # AssumeRoot is made by the management account: SCPs never bind it
    root = endpoint.assume_root(DEV, "IAMAuditRootUserCredentials")
    iam = endpoint.client("iam", root)
    code, status, message = denied(iam.list_access_keys)
    assert (code, status) == ("AccessDenied", 403)
    assert message == (f"User: arn:aws:iam::{DEV}:root is not authorized to perform: iam:ListAccessKeys on "
                       f"resource: arn:aws:iam::{DEV}:root with an explicit deny in a service control policy: "
                       f"{policy['arn']}")
    # GetCallerIdentity cannot be denied by any policy
    assert endpoint.client("sts", root).get_caller_identity()["Arn"] == f"arn:aws:iam::{DEV}:root"
    # the CLI shows the same error code
    assert endpoint.aws_error("iam", "get-account-summary", creds=root) == "AccessDenied"
    # a member outside the OU is not bound; the member's IAM users are not the root user
    assert endpoint.client("iam", endpoint.assume_root(PROD, "IAMAuditRootUserCredentials")).list_access_keys()
    assert endpoint.client("iam", endpoint.user_creds(DEV, "alice")).list_access_keys()["AccessKeyMetadata"]
    # refused calls are counted like any other (root session and alice both act in DEV)
    assert endpoint.calls()["calls"][DEV]["iam"]["ListAccessKeys"] == 2
    assert re.fullmatch(SCP_ARN, policy["arn"]), policy["arn"]


def test_the_exemption_for_root_sessions_lets_privileged_tasks_through(endpoint):
    endpoint.seed(scenario([{"name": "deny-root", "content": "deny-root-user-except-assumed-root",
                             "targets": ["root"]}]))
    iam = endpoint.client("iam", endpoint.assume_root(DEV, "IAMDeleteRootUserCredentials"))
    keys = iam.list_access_keys()["AccessKeyMetadata"]
    for key in keys:
        iam.delete_access_key(AccessKeyId=key["AccessKeyId"])
    assert endpoint.account(DEV)["root_credentials"]["access_keys"] == []
    state = endpoint.control("GET", "/policies")
    assert state["enabled"] is True
    names = {p["name"]: p for p in state["policies"]}
    assert names["deny-root"]["content"]["Statement"][0]["Condition"] == {
        "ArnLike": {"aws:PrincipalArn": ["arn:aws:iam::*:root"]}, "Null": {"aws:AssumedRoot": "true"}}
    assert names["FullAWSAccess"]["aws_managed"] is True


def test_each_service_answers_an_scp_denial_in_its_own_protocol(endpoint):
    seeded = endpoint.seed(scenario([{"name": "deny-root", "content": "deny-root-user", "targets": [DEV]}],
                                    denial_policy_arn=False))
    assert seeded["denial_policy_arn"] is False
    s3_root = endpoint.assume_root(DEV, "S3UnlockBucketPolicy")
    code, status, message = denied(lambda: endpoint.client("s3", s3_root).get_bucket_policy(Bucket=LOCKED_BUCKET))
    assert (code, status) == ("AccessDenied", 403)
    assert message == (f"User: arn:aws:iam::{DEV}:root is not authorized to perform: s3:GetBucketPolicy on "
                       f'resource: "arn:aws:s3:::{LOCKED_BUCKET}" with an explicit deny in a service control policy')
    sqs_root = endpoint.assume_root(DEV, "SQSUnlockQueuePolicy")
    code, status, message = denied(endpoint.client("sqs", sqs_root).list_queues)
    assert (code, status) == ("AccessDenied", 403)
    assert message.endswith("sqs:ListQueues on resource: * with an explicit deny in a service control policy")
    # the query protocol answers through the CLI too
    assert endpoint.aws_error("sqs", "list-queues", creds=sqs_root) == "AccessDenied"


@pytest.mark.parametrize("condition,root_denied,alice_denied", [
    ({"Bool": {"aws:AssumedRoot": "true"}}, True, False),
    ({"BoolIfExists": {"aws:AssumedRoot": "false"}}, False, True),
    ({"Null": {"aws:AssumedRoot": "false"}}, True, False),
    ({"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"}}, True, False),
    ({"StringEquals": {"aws:PrincipalArn": f"arn:aws:iam::{DEV}:user/alice"}}, False, True),
    ({"ArnEquals": {"aws:PrincipalArn": f"arn:aws:iam::{DEV}:root"}}, True, False),
    ({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"}}, False, True),
    ({"StringNotEquals": {"aws:PrincipalAccount": DEV}}, False, False),
    # an operator rootsim does not evaluate: the statement never applies
    ({"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}, False, False),
])
def test_conditions_on_principal_and_assumed_root(endpoint, condition, root_denied, alice_denied):
    endpoint.seed(scenario([{"name": "conditional", "targets": ["Workloads"], "content": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Action": "iam:List*", "Resource": "*", "Condition": condition}]}}]))
    root = endpoint.client("iam", endpoint.assume_root(DEV, "IAMAuditRootUserCredentials"))
    alice = endpoint.client("iam", endpoint.user_creds(DEV, "alice"))
    for client, expected in ((root, root_denied), (alice, alice_denied)):
        if expected:
            assert denied(client.list_access_keys)[:2] == ("AccessDenied", 403)
        else:
            client.list_access_keys()
        client.get_user()  # iam:GetUser is not iam:List*


def test_action_and_resource_patterns(endpoint):
    endpoint.seed(scenario([{"name": "narrow", "targets": [DEV], "content": {"Statement": [
        {"Effect": "Deny", "NotAction": ["iam:Get*", "sts:*"], "Resource": "*"},
        {"Effect": "Deny", "Action": "iam:GetLoginProfile", "Resource": f"arn:aws:iam::{DEV}:user/*"},
    ]}}]))
    alice = endpoint.client("iam", endpoint.user_creds(DEV, "alice"))
    assert denied(alice.list_access_keys)[:2] == ("AccessDenied", 403)
    alice.get_user()
    code, _, message = denied(lambda: alice.get_login_profile(UserName="alice"))
    assert code == "AccessDenied" and f"on resource: arn:aws:iam::{DEV}:user/alice" in message
    root = endpoint.client("iam", endpoint.assume_root(DEV, "IAMAuditRootUserCredentials"))
    root.get_login_profile()  # its resource is arn:aws:iam::<id>:root, not a user/ ARN


def test_the_allow_side_needs_an_allow_at_every_level(endpoint):
    endpoint.seed(scenario(
        [{"name": "s3-only", "targets": ["Workloads"], "content": {"Statement": [
            {"Effect": "Allow", "Action": ["s3:*", "sts:*"], "Resource": "*"}]}}],
        detach_full_aws_access=["Workloads"]))
    alice = endpoint.user_creds(DEV, "alice")
    code, status, message = denied(endpoint.client("iam", alice).list_access_keys)
    assert (code, status) == ("AccessDenied", 403)
    assert message == (f"User: arn:aws:iam::{DEV}:user/alice is not authorized to perform: iam:ListAccessKeys on "
                       f"resource: arn:aws:iam::{DEV}:user/alice because no service control policy allows the "
                       "iam:ListAccessKeys action")
    assert endpoint.client("s3", alice).list_objects_v2(Bucket="dev-open-bucket")["KeyCount"] == 0
    # with nothing attached at a level, nothing is allowed below it
    endpoint.control("PUT", "/policies", {"policies": [], "detach_full_aws_access": [DEV]})
    assert denied(endpoint.client("s3", alice).list_buckets)[:2] == ("AccessDenied", 403)
    assert endpoint.client("iam", endpoint.user_creds(PROD)).list_users()["Users"]


def test_the_management_account_is_never_bound(endpoint):
    endpoint.seed(standard_scenario(policies=[{"name": "deny-all", "targets": ["root", MGMT], "content": {
        "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}}]))
    assert endpoint.client("iam").list_organizations_features()["EnabledFeatures"]
    assert endpoint.client("organizations").describe_organization()["Organization"]["Id"]
    assert endpoint.client("sts").assume_root(TargetPrincipal=DEV, TaskPolicyArn={"arn": TASK + "S3UnlockBucketPolicy"})
    # ... while every member is
    assert denied(endpoint.client("organizations", endpoint.user_creds(PROD)).describe_organization)[:2] == (
        "AccessDeniedException", 403)


def test_scps_attached_through_organizations_apply_once_the_type_is_enabled(ep):
    org = ep.client("organizations")
    root_id = org.list_roots()["Roots"][0]["Id"]
    policy = org.create_policy(Name="deny-root", Description="guardrail", Type="SERVICE_CONTROL_POLICY",
                               Content=json.dumps({"Version": "2012-10-17", "Statement": [{
                                   "Effect": "Deny", "Action": "*", "Resource": "*",
                                   "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"}}}]}))
    policy_id = policy["Policy"]["PolicySummary"]["Id"]
    org.attach_policy(PolicyId=policy_id, TargetId=DEV)
    iam = ep.client("iam", ep.assume_root(DEV, "IAMAuditRootUserCredentials"))
    assert iam.list_access_keys()  # a new organization has SCPs disabled
    assert ep.control("GET", "/policies")["enabled"] is False
    org.enable_policy_type(RootId=root_id, PolicyType="SERVICE_CONTROL_POLICY")
    code, _, message = denied(iam.list_access_keys)
    assert code == "AccessDenied" and message.endswith(policy["Policy"]["PolicySummary"]["Arn"])
    targets = org.list_policies_for_target(TargetId=DEV, Filter="SERVICE_CONTROL_POLICY")["Policies"]
    assert {p["Name"] for p in targets} == {"FullAWSAccess", "deny-root"}
    org.detach_policy(PolicyId=policy_id, TargetId=DEV)
    assert iam.list_access_keys()


def test_assume_root_is_evaluated_against_the_callers_scps_only(endpoint):
    seeded = endpoint.seed(scenario([
        {"name": "deny-root", "content": "deny-root-user", "targets": ["Workloads"]},
        {"name": "no-assume-root", "targets": [ADMIN], "content": {"Statement": [
            {"Effect": "Deny", "Action": "sts:AssumeRoot", "Resource": "*"}]}},
    ]))
    # the target's guardrail does not stop the management account's AssumeRoot
    assert endpoint.assume_root(DEV, "IAMAuditRootUserCredentials")["AWS_SESSION_TOKEN"]
    # the IAM delegated administrator is a member: its own SCPs bind its AssumeRoot calls
    admin = endpoint.user_creds(ADMIN)
    code, status, message = denied(lambda: endpoint.assume_root(DEV, "IAMAuditRootUserCredentials", creds=admin))
    assert (code, status) == ("AccessDenied", 403)
    assert message == (f"User: arn:aws:iam::{ADMIN}:user/rootsim-admin is not authorized to perform: sts:AssumeRoot "
                       f"on resource: arn:aws:iam::{DEV}:root with an explicit deny in a service control policy: "
                       f"{seeded['policies']['no-assume-root']['arn']}")
    assert endpoint.calls()["assume_root"] == {DEV: {"IAMAuditRootUserCredentials": 1}}


def test_put_and_delete_policies_replace_the_guardrails(ep):
    iam = ep.client("iam", ep.assume_root(DEV, "IAMAuditRootUserCredentials"))
    result = ep.control("PUT", "/policies", {"policies": [
        {"name": "deny-root", "content": "deny-root-user", "targets": [DEV]}]})
    assert result["enabled"] is True and set(result["created"]) == {"deny-root"}
    assert denied(iam.list_access_keys)[0] == "AccessDenied"
    ep.control("PUT", "/policies", {"policies": [
        {"name": "deny-root", "content": "deny-root-user-except-assumed-root", "targets": [DEV]}]})
    assert iam.list_access_keys()
    ep.control("PUT", "/policies", {"policies": [
        {"name": "deny-root", "content": "deny-root-user", "targets": [DEV]}], "denial_policy_arn": False})
    assert denied(iam.list_access_keys)[2].endswith("with an explicit deny in a service control policy")
    cleared = ep.control("DELETE", "/policies")
    assert [p["name"] for p in cleared["policies"]] == ["FullAWSAccess"]
    assert iam.list_access_keys()
    ep.control("PUT", "/policies", {"enabled": False})
    assert ep.control("GET", "/policies")["enabled"] is False
    state = ep.control("GET", "/state")["organizations"][0]["service_control_policies"]
    assert state["enabled"] is False


@pytest.mark.parametrize("overrides,fragment", [
    ({"organization": {"feature_set": "CONSOLIDATED_BILLING"},
      "policies": [{"name": "p", "content": "deny-root-user", "targets": ["root"]}]}, "ALL features"),
    ({"policies": [{"name": "p", "content": "deny-root-user", "targets": ["Nowhere"]}]}, "Nowhere"),
    ({"policies": [{"name": "p", "content": "no-such-shorthand", "targets": []}]}, "shorthand"),
    ({"policies": [{"name": "p", "content": {"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "*"}]}}]},
     "Principal"),
    ({"policies": [{"name": f"p{i}", "content": "deny-root-user", "targets": [DEV]} for i in range(5)]},
     "POLICY_NUMBER_LIMIT_EXCEEDED"),
    ({"policies": [{"name": "p", "content": {"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*",
                                                           "Sid": "x" * 6000}]}}]}, "5120"),
    ({"denial_policy_arn": "yes"}, "denial_policy_arn"),
])
def test_bad_policy_scenarios_are_refused_before_anything_changes(ep, overrides, fragment):
    before = ep.control("GET", "/state")
    with pytest.raises(AssertionError) as excinfo:
        ep.control("POST", "/seed", standard_scenario(**overrides))
    assert "400" in str(excinfo.value) and fragment in str(excinfo.value), str(excinfo.value)
    assert ep.control("GET", "/state")["organizations"][0]["id"] == before["organizations"][0]["id"]
