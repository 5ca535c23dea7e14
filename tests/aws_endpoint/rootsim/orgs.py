"""A view of moto's Organizations backend as the IAM root-access features need it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from moto.organizations.models import (
    FakeDelegatedAdministrator,
    FakeServiceAccess,
    OrganizationsBackend,
    organizations_backends,
)

from .accounts import account_state, legacy_status

IAM_PRINCIPAL = "iam.amazonaws.com"
PARTITION = "aws"


def enable_iam_principal() -> None:
    """moto's lists of trusted / delegatable services lack IAM."""
    if IAM_PRINCIPAL not in FakeServiceAccess.TRUSTED_SERVICES:
        FakeServiceAccess.TRUSTED_SERVICES.append(IAM_PRINCIPAL)
    if IAM_PRINCIPAL not in FakeDelegatedAdministrator.SUPPORTED_SERVICES:
        FakeDelegatedAdministrator.SUPPORTED_SERVICES.append(IAM_PRINCIPAL)


@dataclass
class OrgView:
    backend: OrganizationsBackend

    @property
    def org(self) -> Any:
        return self.backend.org

    @property
    def id(self) -> str:
        return self.backend.org.id  # type: ignore[union-attr]

    @property
    def management_account_id(self) -> str:
        return self.backend.account_id

    @property
    def all_features(self) -> bool:
        return self.backend.org.feature_set == "ALL"  # type: ignore[union-attr]

    def account(self, account_id: str) -> Any:
        return next((a for a in self.backend.accounts if a.id == account_id), None)

    def trusted(self, principal: str = IAM_PRINCIPAL) -> bool:
        return any(s["ServicePrincipal"] == principal for s in self.backend.services)

    def delegated_admins(self, principal: str | None = IAM_PRINCIPAL) -> set[str]:
        return {a.account.id for a in self.backend.admins
                if principal is None or principal in a.services}

    def describe(self) -> dict[str, Any]:
        root_id = next((ou.id for ou in self.backend.ou if ou.id.startswith("r-")), None)
        return {
            "id": self.id,
            "feature_set": self.org.feature_set,
            "management_account_id": self.management_account_id,
            "root_id": root_id,
            # "state": Account.State (None = not reported); "status": the pre-2026 Status it maps to;
            # "parent_id": the root or OU the account is directly under
            "accounts": [{"id": a.id, "name": a.name, "email": a.email, "state": account_state(a),
                          "status": legacy_status(account_state(a)), "parent_id": a.parent_id}
                         for a in self.backend.accounts],
            "organizational_units": [{"id": ou.id, "name": ou.name, "parent_id": ou.parent_id}
                                     for ou in self.backend.ou if ou.id != root_id],
            "trusted_access": [s["ServicePrincipal"] for s in self.backend.services],
            "delegated_administrators": [
                {"account_id": a.account.id, "services": sorted(a.services)} for a in self.backend.admins
            ],
        }


def org_for_account(account_id: str) -> tuple[OrgView | None, str | None]:
    """(organization, 'management' | 'member') for an account, or (None, None)."""
    own = organizations_backends[account_id][PARTITION]
    if own.org is not None:
        return OrgView(own), "management"
    owner = organizations_backends.master_accounts.get(account_id)
    if owner:
        mgmt = organizations_backends[owner[0]][owner[1]]
        if mgmt.org is not None and any(a.id == account_id for a in mgmt.accounts):
            return OrgView(mgmt), "member"
    return None, None


def all_organizations() -> list[OrgView]:
    views = []
    for account_id in list(organizations_backends.keys()):
        backend = organizations_backends[account_id][PARTITION]
        if backend.org is not None:
            views.append(OrgView(backend))
    return views
