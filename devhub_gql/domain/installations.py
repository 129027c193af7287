"""Who may install an app, installations, uninstalling, and re-authorization after scope changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tortoise.expressions import F
from tortoise.queryset import QuerySet

from devhub_gql import events
from devhub_gql.domain import install_events, versions
from devhub_gql.domain.accounts import Viewer
from devhub_gql.domain.catalog import ADMIN_SCOPE, covers
from devhub_gql.domain.errors import ErrorCode, NotFound, UserErrors
from devhub_gql.models import (
    AccessToken,
    App,
    AppStatus,
    AppType,
    Installation,
    InstallEventKind,
    RefreshToken,
    Role,
    User,
)
from devhub_gql.outbox import enqueue_uninstall_notice


class RefusalCode(StrEnum):
    """Why a user may not install an app they may see (each is also a UserErrorCode)."""

    ADMIN_REQUIRED = ErrorCode.ADMIN_REQUIRED.value
    INVALID_AUTHORIZATION_REQUEST = ErrorCode.INVALID_AUTHORIZATION_REQUEST.value


@dataclass(frozen=True)
class Refusal:
    code: RefusalCode
    message: str

    def as_user_errors(self) -> UserErrors:
        return UserErrors.single(None, ErrorCode(self.code.value), self.message)


ADMIN_ONLY = Refusal(
    RefusalCode.ADMIN_REQUIRED,
    "Only company admins can install an app that asks for the admin scope.",
)


def visible_to(app: App, user: User) -> bool:
    """Whether the user may install the app (and so learn of it on the consent screen).

    Published and approved public apps and live private apps: anyone. Drafts (and public apps in
    review): the developer's own company, to test. Deleted apps: nobody.
    """
    if app.deleted_at is not None:
        return False
    if app.type == AppType.PUBLIC and app.status in (AppStatus.APPROVED, AppStatus.PUBLISHED):
        return True
    if app.type == AppType.PRIVATE and app.status == AppStatus.LIVE:
        return True
    return app.company_id == user.company_id and app.status in (
        AppStatus.DRAFT,
        AppStatus.IN_REVIEW,
    )


def install_refusal(user: User, live_scopes: list[str]) -> Refusal | None:
    """Why this user may not install an app visible to them, or None when they may."""
    if ADMIN_SCOPE in live_scopes and user.role != Role.ADMIN:
        return ADMIN_ONLY
    return None


def needs_reauthorization(granted: list[str], live: list[str]) -> bool:
    """The app now asks for more than the user granted: only a new consent gives it that."""
    return not covers(granted, live)


def visible_installations(viewer: Viewer, *, include_uninstalled: bool) -> QuerySet[Installation]:
    """The viewer's own installations; a company admin sees the whole company's."""
    queryset = (
        Installation.filter(company_id=viewer.company_id)
        if viewer.is_admin
        else Installation.filter(user_id=viewer.user.id)
    )
    if not include_uninstalled:
        queryset = queryset.filter(uninstalled_at=None)
    return queryset.order_by("-installed_at", "-id")


async def get_installation(viewer: Viewer, installation_id: int) -> Installation:
    """One of the installations the viewer sees (installed or not); others are not found."""
    found = (
        await visible_installations(viewer, include_uninstalled=True)
        .filter(id=installation_id)
        .first()
    )
    if found is None:
        raise NotFound("No installation with this id.")
    return found


async def revoke_tokens(installation_ids: list[int], now: datetime) -> None:
    await RefreshToken.filter(installation_id__in=installation_ids, revoked_at=None).update(
        revoked_at=now
    )
    await AccessToken.filter(installation_id__in=installation_ids, revoked_at=None).update(
        revoked_at=now
    )


async def count_installation(app_id: int, change: int) -> None:
    """Keep the marketplace's installation count (a sort key) in step. It is public, so every
    install and uninstall bumps the public version: the installer's answers follow too."""
    await App.filter(id=app_id).update(installation_count=F("installation_count") + change)
    await versions.public_changed()


async def uninstall(
    installation: Installation,
    app: App,
    *,
    now: datetime,
    feedback: install_events.Feedback | None = None,
) -> bool:
    """Tokens dead at once, the row kept, the app notified, the day counted. False if already
    uninstalled."""
    # The app's row before the installation's (counting below needs it anyway): the order a code
    # exchange and a deletion take them in, so that none of them waits for another in a cycle.
    await App.filter(id=app.id).select_for_update().first()
    changed = await Installation.filter(id=installation.id, uninstalled_at=None).update(
        uninstalled_at=now, updated_at=now
    )
    if not changed:
        return False
    await revoke_tokens([installation.id], now)
    await count_installation(app.id, -1)
    await install_events.record(app.id, installation.id, InstallEventKind.UNINSTALL, now, feedback)
    await enqueue_uninstall_notice(app, installation, now=now)
    return True


async def uninstall_everywhere(app: App, *, now: datetime) -> int:
    """Deleting an app uninstalls it for every user; returns how many."""
    installations = await Installation.filter(app_id=app.id, uninstalled_at=None)
    for installation in installations:
        await uninstall(installation, app, now=now)
    return len(installations)


async def uninstall_by_user(
    viewer: Viewer,
    installation_id: int,
    *,
    now: datetime,
    feedback: install_events.Feedback | None = None,
) -> Installation:
    async with events.transaction():
        installation = await get_installation(viewer, installation_id)
        app = await App.get(id=installation.app_id)
        if not await uninstall(installation, app, now=now, feedback=feedback):
            raise UserErrors.single(
                None, ErrorCode.ALREADY_UNINSTALLED, "The app is already uninstalled."
            )
    return await Installation.get(id=installation.id)


async def require_reauthorization(app_id: int, live: list[str], *, now: datetime) -> None:
    """After the app's scopes grow: the access tokens of every user whose grant no longer covers
    them stop working; refresh tokens keep working, for the scopes the user granted."""
    rows = await Installation.filter(app_id=app_id, uninstalled_at=None).values_list("id", "scopes")
    stale = [row_id for row_id, granted in rows if needs_reauthorization(granted, live)]
    await Installation.filter(id__in=stale).update(updated_at=now)
    await AccessToken.filter(installation_id__in=stale, revoked_at=None).update(revoked_at=now)
