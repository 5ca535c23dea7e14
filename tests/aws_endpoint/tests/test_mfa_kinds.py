"""Every MFA kind a root user can register: virtual authenticator apps, hardware TOTP tokens,
passkeys and security keys (FIDO); up to 8 per root user, listed with IAM paging, deactivated
by serial number alone in a root session; virtual devices stay in the account unassigned."""

from __future__ import annotations

import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from conftest import DEV, error_code, standard_scenario

VIRTUAL = re.compile(rf"^arn:aws:iam::{DEV}:mfa/[\w+=,.@-]+$")
HARDWARE = re.compile(r"^GAHT\d{8}$")
PASSKEY = re.compile(rf"^arn:aws:iam::{DEV}:u2f/root/[\w+=,.@-]+-[A-Z2-7]{{26}}$")

DEVICES = [
    {"type": "passkey", "name": "yubikey"},
    {"type": "hardware"},
    {"type": "virtual"},
    {"virtual": True, "serial_number": f"arn:aws:iam::{DEV}:mfa/backup-phone"},  # the older form
    {"virtual": False, "serial_number": "GAKT12345678"},
    {"type": "passkey"},
]


def seed_with(endpoint: Any, devices: Any) -> dict[str, Any]:
    scenario = standard_scenario()
    scenario["accounts"][0]["root_credentials"] = {"mfa_devices": devices}
    return endpoint.seed(scenario)


def all_pages(call: Any, key: str, **kwargs: Any) -> list[list[dict[str, Any]]]:
    pages, marker = [], None
    while True:
        response = call(**kwargs, **({"Marker": marker} if marker else {}))
        pages.append(response[key])
        if not response["IsTruncated"]:
            assert "Marker" not in response
            return pages
        marker = response["Marker"]


def test_every_kind_is_seeded_listed_and_paged(endpoint):
    seeded = seed_with(endpoint, DEVICES)
    devices = seeded["accounts"][DEV]["root_credentials"]["mfa_devices"]
    assert [d["type"] for d in devices] == ["passkey", "hardware", "virtual", "virtual", "hardware", "passkey"]
    serials = [d["serial_number"] for d in devices]
    assert PASSKEY.match(serials[0]) and serials[0].startswith(f"arn:aws:iam::{DEV}:u2f/root/yubikey-")
    assert HARDWARE.match(serials[1])
    assert serials[2] == f"arn:aws:iam::{DEV}:mfa/root-account-mfa-device"
    assert serials[3:5] == [f"arn:aws:iam::{DEV}:mfa/backup-phone", "GAKT12345678"]
    assert PASSKEY.match(serials[5]) and "/root/passkey-2-" in serials[5]

    iam = endpoint.client("iam", endpoint.assume_root(DEV, "IAMAuditRootUserCredentials"))
    pages = all_pages(iam.list_mfa_devices, "MFADevices", MaxItems=4)
    assert [len(p) for p in pages] == [4, 2]
    assert [d["SerialNumber"] for p in pages for d in p] == serials
    assert all("EnableDate" in d for p in pages for d in p)
    assert iam.get_account_summary()["SummaryMap"]["AccountMFAEnabled"] == 1
    # the aws CLI pages through them on its own
    listed = endpoint.aws_json("iam", "list-mfa-devices", "--max-items", "10", "--page-size", "1",
                               creds=endpoint.assume_root(DEV, "IAMAuditRootUserCredentials"))
    assert [d["SerialNumber"] for d in listed["MFADevices"]] == serials


def test_deactivating_every_kind_leaves_the_virtual_ones_unassigned(endpoint):
    seed_with(endpoint, [{"type": "virtual"}, {"type": "hardware"}, {"type": "passkey", "name": "titan"}])
    admin = endpoint.client("iam", endpoint.user_creds(DEV))
    assigned = admin.list_virtual_mfa_devices(AssignmentStatus="Assigned")["VirtualMFADevices"]
    assert [(d["SerialNumber"], d["User"]["Arn"], d["User"]["UserId"]) for d in assigned] == [
        (f"arn:aws:iam::{DEV}:mfa/root-account-mfa-device", f"arn:aws:iam::{DEV}:root", DEV)]

    iam = endpoint.client("iam", endpoint.assume_root(DEV, "IAMDeleteRootUserCredentials"))
    for device in iam.list_mfa_devices()["MFADevices"]:
        iam.deactivate_mfa_device(SerialNumber=device["SerialNumber"])  # no UserName: the root user
    assert iam.list_mfa_devices()["MFADevices"] == []
    audit = endpoint.client("iam", endpoint.assume_root(DEV, "IAMAuditRootUserCredentials"))
    assert audit.get_account_summary()["SummaryMap"]["AccountMFAEnabled"] == 0

    unassigned = admin.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"]
    assert unassigned == [{"SerialNumber": f"arn:aws:iam::{DEV}:mfa/root-account-mfa-device"}]
    assert admin.list_virtual_mfa_devices(AssignmentStatus="Assigned")["VirtualMFADevices"] == []
    state = endpoint.account(DEV)["root_credentials"]
    assert state["unassigned_virtual_mfa_devices"] == [f"arn:aws:iam::{DEV}:mfa/root-account-mfa-device"]
    assert state["present"]["mfa"] is False

    # the root session may not delete it (IAMDeleteRootUserCredentials denies mfa/ resources) ...
    with pytest.raises(ClientError) as excinfo:
        iam.delete_virtual_mfa_device(SerialNumber=unassigned[0]["SerialNumber"])
    assert error_code(excinfo) == ("AccessDenied", 403)
    assert excinfo.value.response["Error"]["Message"] == (
        f"User: arn:aws:iam::{DEV}:root is not authorized to perform: iam:DeleteVirtualMFADevice on resource: "
        f"{unassigned[0]['SerialNumber']} with an explicit deny in a session policy")
    # ... an IAM principal of the account may
    admin.delete_virtual_mfa_device(SerialNumber=unassigned[0]["SerialNumber"])
    assert admin.list_virtual_mfa_devices()["VirtualMFADevices"] == []
    with pytest.raises(ClientError) as excinfo:
        admin.delete_virtual_mfa_device(SerialNumber=unassigned[0]["SerialNumber"])
    assert error_code(excinfo) == ("NoSuchEntity", 404)


def test_deactivating_an_unknown_serial_and_with_a_user_name(endpoint):
    seed_with(endpoint, [{"type": "passkey"}])
    iam = endpoint.client("iam", endpoint.assume_root(DEV, "IAMDeleteRootUserCredentials"))
    with pytest.raises(ClientError) as excinfo:
        iam.deactivate_mfa_device(SerialNumber="GAHT00000000")
    assert error_code(excinfo) == ("NoSuchEntity", 404)
    serial = iam.list_mfa_devices()["MFADevices"][0]["SerialNumber"]
    with pytest.raises(ClientError) as excinfo:  # a root session acts on the root user only
        iam.deactivate_mfa_device(SerialNumber=serial, UserName="alice")
    assert error_code(excinfo) == ("AccessDenied", 403)
    assert len(iam.list_mfa_devices()["MFADevices"]) == 1


def test_virtual_devices_of_iam_users_and_of_the_root_user_page_together(endpoint):
    seed_with(endpoint, [{"type": "virtual"}, {"type": "virtual"}])
    admin = endpoint.client("iam", endpoint.user_creds(DEV))
    for name in ("alice-phone", "spare"):
        admin.create_virtual_mfa_device(VirtualMFADeviceName=name)
    pages = all_pages(admin.list_virtual_mfa_devices, "VirtualMFADevices", MaxItems=1)
    assert [d["SerialNumber"] for p in pages for d in p] == [
        f"arn:aws:iam::{DEV}:mfa/root-account-mfa-device", f"arn:aws:iam::{DEV}:mfa/root-account-mfa-device-2",
        f"arn:aws:iam::{DEV}:mfa/alice-phone", f"arn:aws:iam::{DEV}:mfa/spare"]
    assert len(admin.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"]) == 2
    with pytest.raises(ClientError) as excinfo:  # still assigned to the root user
        admin.delete_virtual_mfa_device(SerialNumber=f"arn:aws:iam::{DEV}:mfa/root-account-mfa-device")
    assert error_code(excinfo) == ("DeleteConflict", 409)
    admin.delete_virtual_mfa_device(SerialNumber=f"arn:aws:iam::{DEV}:mfa/spare")


def test_eight_devices_at_most_and_other_bad_items(ep):
    ep.control("PUT", f"/accounts/{DEV}/root-credentials", {"mfa_devices": [{"type": "hardware"}] * 8})
    assert len(ep.account(DEV)["root_credentials"]["mfa_devices"]) == 8
    for bad, fragment in [
        ({"mfa_devices": [{"type": "passkey"}] * 9}, "at most 8"),
        ({"mfa_devices": [{"type": "sms"}]}, "type must be one of"),
        ({"mfa_devices": [{"type": "passkey", "virtual": True}]}, "contradicts"),
        ({"mfa_devices": [{"type": "virtual", "name": "bad name"}]}, "name"),
        ({"mfa_devices": [{"serial_number": "GAHT1"}]}, "9..256"),
        ({"mfa_devices": [{"serial_number": "GAHT12345678"}, {"serial_number": "GAHT12345678"}]}, "twice"),
        ({"mfa_devices": [{"type": "virtual", "colour": "red"}]}, "unknown keys"),
    ]:
        with pytest.raises(AssertionError) as excinfo:
            ep.control("PUT", f"/accounts/{DEV}/root-credentials", bad)
        assert "400" in str(excinfo.value) and fragment in str(excinfo.value), (bad, str(excinfo.value))
    # a scenario with too many devices is refused before anything is reset
    before = ep.control("GET", "/state")["organizations"][0]["id"]
    scenario = standard_scenario()
    scenario["accounts"][0]["root_credentials"] = {"mfa_devices": 9}
    with pytest.raises(AssertionError) as excinfo:
        ep.control("POST", "/seed", scenario)
    assert "at most 8" in str(excinfo.value)
    assert ep.control("GET", "/state")["organizations"][0]["id"] == before
