"""What a person's data download holds.

The core registers its own sections; feature apps add theirs with
``register_personal_data_section`` from their AppConfig.ready(), so the core never
imports them. In the same way, feature apps forget what they hold of a person who
deletes their account with ``register_account_deletion_handler``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.account.models import EmailAddress

from covenant.models import Membership, RoleGrant, User

Section = Callable[[User], Any]
_SECTIONS: dict[str, Section] = {}


def register_personal_data_section(name: str, collect: Section) -> None:
    _SECTIONS[name] = collect


def collect_personal_data(*, user: User) -> dict[str, Any]:
    return {name: collect(user) for name, collect in _SECTIONS.items()}


AccountDeletionHandler = Callable[[User], None]
_DELETION_HANDLERS: list[AccountDeletionHandler] = []


def register_account_deletion_handler(handler: AccountDeletionHandler) -> None:
    """``handler(user)`` runs inside delete_account's transaction, after the account
    itself is anonymised; an exception it raises undoes the whole deletion."""
    if handler not in _DELETION_HANDLERS:
        _DELETION_HANDLERS.append(handler)


def run_account_deletion_handlers(*, user: User) -> None:
    for handler in _DELETION_HANDLERS:
        handler(user)


def _account(user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "display_name": user.name,
        "preferred_language": user.preferred_language,
        "elders_mode": user.elders_mode,
        "phone": user.phone,
        "joined": user.date_joined.isoformat(),
        "last_login": user.last_login.isoformat() if user.last_login else None,
        "privacy_consent_at": (
            user.privacy_consent_at.isoformat() if user.privacy_consent_at else None
        ),
        "home_seen_at": user.home_seen_at.isoformat() if user.home_seen_at else None,
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user)
        ],
    }


def _memberships(user: User) -> list[dict[str, Any]]:
    memberships = Membership.objects.filter(user=user).select_related("household__building")
    return [
        {
            "building": membership.household.building.number,
            "floor": membership.household.floor,
            "unit": membership.household.unit,
            "relation": membership.relation,
            "status": membership.status,
            "message": membership.message,
            # The user's own proof, in their own export only.
            "proof_note": membership.proof_note,
            "requested_at": membership.requested_at.isoformat(),
            "decided_at": membership.decided_at.isoformat() if membership.decided_at else None,
            "rejection_reason": membership.rejection_reason,
        }
        for membership in memberships
    ]


def _roles(user: User) -> list[dict[str, Any]]:
    grants = RoleGrant.objects.filter(user=user).select_related("building")
    return [
        {
            "role": grant.role,
            "building": grant.building.number if grant.building else None,
            "floor_from": grant.floor_from,
            "floor_to": grant.floor_to,
            "granted_at": grant.created_at.isoformat(),
        }
        for grant in grants
    ]


register_personal_data_section("account", _account)
register_personal_data_section("memberships", _memberships)
register_personal_data_section("roles", _roles)
