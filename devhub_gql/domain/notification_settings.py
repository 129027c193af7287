"""Which notifications a user gets: company members opt in to each kind; anyone, signed in or
following a signed unsubscribe link, may turn a kind off (security notices excepted)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from devhub_gql import events
from devhub_gql.domain import versions
from devhub_gql.domain.accounts import Viewer
from devhub_gql.domain.errors import ErrorCode, UserErrors
from devhub_gql.models import App, NotificationSetting, User
from devhub_gql.notifications import SECURITY, NotificationKind


@dataclass(frozen=True)
class Choice:
    kind: NotificationKind
    subscribed: bool
    can_unsubscribe: bool


async def choices(viewer: Viewer) -> list[Choice]:
    """Every kind for the viewer: security notices always on; the others as they chose
    (members start unsubscribed; an app's contact address gets them unless it unsubscribed)."""
    email = viewer.user.email
    rows = {row.kind: row.subscribed for row in await NotificationSetting.filter(email=email)}
    # The default is what notifications._recipients does: on for an app's contact address.
    is_contact = await App.filter(
        company_id=viewer.company_id, contact_email=email, deleted_at=None
    ).exists()
    return [
        Choice(kind, kind in SECURITY or rows.get(kind.value, is_contact), kind not in SECURITY)
        for kind in NotificationKind
    ]


async def set_choice(email: str, kind: NotificationKind, subscribed: bool, now: datetime) -> None:
    if kind in SECURITY and not subscribed:
        raise UserErrors.single(
            "kind", ErrorCode.NOT_ALLOWED_HERE, "Security notices cannot be turned off."
        )
    async with events.transaction():
        updated = await NotificationSetting.filter(email=email, kind=kind.value).update(
            subscribed=subscribed, updated_at=now
        )
        if not updated:
            await NotificationSetting.create(
                email=email, kind=kind.value, subscribed=subscribed, updated_at=now
            )
        # What the address's user reads of their choices is their company's data.
        users = await User.filter(email=email)
        await versions.companies_changed(user.company_id for user in users)
