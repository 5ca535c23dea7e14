"""IAM organization features, trusted access and delegated administration: every error case."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from conftest import ADMIN, DEV, MGMT, OUTSIDE, PROD, error_code, standard_scenario

FEATURE_OPS = [
    "enable_organizations_root_credentials_management",
    "enable_organizations_root_sessions",
    "disable_organizations_root_credentials_management",
    "disable_organizations_root_sessions",
    "list_organizations_features",
]
READ_AND_DISABLE = FEATURE_OPS[2:]
ENABLE = FEATURE_OPS[:2]


def assert_all_fail(iam, operations, code):
    for operation in operations:
        with pytest.raises(ClientError) as excinfo:
            getattr(iam, operation)()
        assert error_code(excinfo) == (code, 400), operation


def test_no_organization(endpoint):
    endpoint.seed({"organization": None, "accounts": [{"id": DEV}]})
    assert_all_fail(endpoint.client("iam"), FEATURE_OPS, "OrganizationNotFoundException")
    assert_all_fail(endpoint.client("iam", endpoint.user_creds(DEV)), FEATURE_OPS, "OrganizationNotFoundException")
    assert endpoint.aws_error("iam", "list-organizations-features") == "OrganizationNotFoundException"


def test_not_all_features(endpoint):
    endpoint.seed(standard_scenario(organization={"feature_set": "CONSOLIDATED_BILLING"}))
    assert_all_fail(endpoint.client("iam"), FEATURE_OPS, "OrganizationNotInAllFeaturesModeException")


def test_trusted_access_off(endpoint):
    endpoint.seed(standard_scenario(trusted_access=[], delegated_administrators=[], features=[]))
    assert_all_fail(endpoint.client("iam"), FEATURE_OPS, "ServiceAccessNotEnabledException")
    assert endpoint.aws_error("iam", "enable-organizations-root-sessions") == "ServiceAccessNotEnabledException"


def test_caller_neither_management_nor_delegated_admin(ep):
    assert_all_fail(ep.client("iam", ep.user_creds(PROD)), FEATURE_OPS,
                    "AccountNotManagementOrDelegatedAdministratorException")
    assert ep.aws_error("iam", "list-organizations-features", creds=ep.user_creds(PROD)) == \
        "AccountNotManagementOrDelegatedAdministratorException"
    assert_all_fail(ep.client("iam", ep.user_creds(OUTSIDE)), FEATURE_OPS, "OrganizationNotFoundException")


def test_delegated_admin_lists_and_disables_but_cannot_enable(ep):
    iam = ep.client("iam", ep.user_creds(ADMIN))
    org_id = ep.seeded["organization"]["id"]
    assert_all_fail(iam, ENABLE, "CallerIsNotManagementAccountException")
    assert ep.aws_error("iam", "enable-organizations-root-credentials-management",
                        creds=ep.user_creds(ADMIN)) == "CallerIsNotManagementAccountException"
    listed = iam.list_organizations_features()
    assert (listed["OrganizationId"], listed["EnabledFeatures"]) == (org_id, ["RootCredentialsManagement", "RootSessions"])
    assert iam.disable_organizations_root_sessions()["EnabledFeatures"] == ["RootCredentialsManagement"]
    assert ep.control("GET", "/state")["organizations"][0]["features"] == ["RootCredentialsManagement"]


def test_management_enable_disable_is_idempotent_and_reports_state_after(ep):
    iam = ep.client("iam")
    assert iam.disable_organizations_root_credentials_management()["EnabledFeatures"] == ["RootSessions"]
    assert iam.disable_organizations_root_credentials_management()["EnabledFeatures"] == ["RootSessions"]
    assert iam.disable_organizations_root_sessions()["EnabledFeatures"] == []
    assert iam.list_organizations_features()["EnabledFeatures"] == []
    assert iam.enable_organizations_root_sessions()["EnabledFeatures"] == ["RootSessions"]
    assert iam.enable_organizations_root_sessions()["EnabledFeatures"] == ["RootSessions"]
    assert ep.control("GET", "/state")["organizations"][0]["features"] == ["RootSessions"]


def test_trusted_access_and_delegated_admin_workflow(endpoint):
    endpoint.seed(standard_scenario(trusted_access=[], delegated_administrators=[], features=[]))
    endpoint.aws("organizations", "enable-aws-service-access", "--service-principal", "iam.amazonaws.com")
    access = endpoint.aws_json("organizations", "list-aws-service-access-for-organization")
    assert [s["ServicePrincipal"] for s in access["EnabledServicePrincipals"]] == ["iam.amazonaws.com"]
    endpoint.aws("organizations", "register-delegated-administrator", "--account-id", ADMIN,
                 "--service-principal", "iam.amazonaws.com")
    iam = endpoint.client("iam")
    iam.enable_organizations_root_sessions()

    # Organizations refuses to drop IAM trusted access while an IAM delegated admin exists
    assert endpoint.aws_error("organizations", "disable-aws-service-access", "--service-principal",
                              "iam.amazonaws.com") == "ConstraintViolationException"
    org = endpoint.control("GET", "/state")["organizations"][0]
    assert org["trusted_access"] == ["iam.amazonaws.com"]
    assert org["delegated_administrators"] == [{"account_id": ADMIN, "services": ["iam.amazonaws.com"]}]

    orgs = endpoint.client("organizations")
    orgs.deregister_delegated_administrator(AccountId=ADMIN, ServicePrincipal="iam.amazonaws.com")
    orgs.disable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    org = endpoint.control("GET", "/state")["organizations"][0]
    assert org["trusted_access"] == [] and org["features"] == []
    with pytest.raises(ClientError) as excinfo:
        iam.list_organizations_features()
    assert error_code(excinfo) == ("ServiceAccessNotEnabledException", 400)


def test_organizations_member_callers(ep):
    member = ep.client("organizations", ep.user_creds(PROD))
    assert member.describe_organization()["Organization"]["MasterAccountId"] == MGMT
    with pytest.raises(ClientError) as excinfo:
        member.list_accounts()
    assert error_code(excinfo) == ("AccessDeniedException", 403)
    with pytest.raises(ClientError) as excinfo:
        member.enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    assert error_code(excinfo) == ("AccessDeniedException", 403)
    # the IAM delegated administrator can read the organization (e.g. to enumerate members)
    admin = ep.client("organizations", ep.user_creds(ADMIN))
    accounts = {a["Id"]: a["State"] for a in admin.list_accounts()["Accounts"]}
    assert accounts == {MGMT: "ACTIVE", DEV: "ACTIVE", ADMIN: "ACTIVE", PROD: "ACTIVE", "444444444444": "SUSPENDED"}
