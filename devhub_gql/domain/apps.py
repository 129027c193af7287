"""Registering apps: creation, the listing and registration fields, scopes and client secrets."""

from __future__ import annotations

import secrets as random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise.queryset import QuerySet

from devhub_gql import events, sql
from devhub_gql.domain import revisions, secrets, versions
from devhub_gql.domain.accounts import Viewer
from devhub_gql.domain.catalog import (
    BASE_SCOPE,
    CATEGORY_SLUGS,
    SCOPE_NAMES,
    live_scopes_sql,
    normalize_scope_set,
    scope_names,
)
from devhub_gql.domain.errors import ErrorCode, Forbidden, NotFound, UserError, UserErrors
from devhub_gql.domain.listing import CRITICAL, FIELDS, LISTING, Kind, ListingField, reader
from devhub_gql.domain.marketplace import assign_slug
from devhub_gql.domain.validation import (
    check_email,
    check_length,
    check_url,
    check_youtube_url,
    clean_text,
    normalize_email,
)
from devhub_gql.models import (
    App,
    AppScope,
    AppStatus,
    AppType,
    Channel,
    CompanyKind,
    OutboxMessage,
)
from devhub_gql.notifications import NotificationKind, notify_app
from devhub_gql.outbox.signing import signing_secret

CLIENT_SECRET_PREFIX = "dhcs"
DEFAULT_SECRET_GRACE = timedelta(hours=24)
MAX_SECRET_GRACE = timedelta(days=7)


@dataclass(frozen=True)
class AppWithSecret:
    app: App
    client_secret: str


def _clean_field(field: ListingField, value: Any) -> tuple[Any, list[UserError]]:
    """The value as stored, and what is wrong with it."""
    name = field.name
    if field.kind == Kind.FLAG:
        return bool(value), []
    if field.kind == Kind.URL_LIST:
        urls = [url for url in (clean_text(v) for v in value or []) if url]
        problems = [e for url in urls for e in check_url(name, url)]
        if field.max_items is not None and len(urls) > field.max_items:
            problems.append(
                UserError(name, ErrorCode.TOO_MANY, f"At most {field.max_items} entries.")
            )
        return urls, problems
    cleaned = clean_text(value)
    if cleaned is None:
        if field.always_set:
            return None, [UserError(name, ErrorCode.REQUIRED, "This field is required.")]
        return None, []
    match field.kind:
        case Kind.TEXT:
            return cleaned, check_length(name, cleaned, field.max_length or 0)
        case Kind.URL:
            return cleaned, check_url(name, cleaned)
        case Kind.YOUTUBE_URL:
            return cleaned, check_youtube_url(name, cleaned)
        case Kind.EMAIL:
            problems = check_email(name, cleaned)
            return (cleaned if problems else normalize_email(cleaned)), problems
        case Kind.CATEGORY:
            if cleaned not in CATEGORY_SLUGS:
                return cleaned, [UserError(name, ErrorCode.UNKNOWN_CATEGORY, "Unknown category.")]
            return cleaned, []
    raise AssertionError(field.kind)


def clean_fields(changes: Mapping[str, Any]) -> dict[str, Any]:
    """Validate every given listing field at once; raise all problems together."""
    cleaned: dict[str, Any] = {}
    problems: list[UserError] = []
    for name, value in changes.items():
        stored, field_problems = _clean_field(FIELDS[name], value)
        cleaned[name] = stored
        problems += field_problems
    if problems:
        raise UserErrors(problems)
    return cleaned


def clean_scopes(names: list[str]) -> list[str]:
    problems = [
        UserError("scopes", ErrorCode.UNKNOWN_SCOPE, f"Unknown scope '{name}'.")
        for name in dict.fromkeys(names)
        if name not in SCOPE_NAMES
    ]
    if BASE_SCOPE not in names:
        problems.append(
            UserError("scopes", ErrorCode.BASE_SCOPE_REQUIRED, "The base scope cannot be removed.")
        )
    if problems:
        raise UserErrors(problems)
    return normalize_scope_set(names)


async def get_app(viewer: Viewer, app_id: int) -> App:
    """An app of the viewer's company; another company's app is indistinguishable from none.
    (The same rule as _VISIBLE below, for commands that change the app.)"""
    app = await App.filter(id=app_id, company_id=viewer.company_id, deleted_at=None).first()
    if app is None:
        raise NotFound("No app with this id.")
    return app


@dataclass(frozen=True)
class AppView:
    """An app as the API shows it: its own columns, its company and its live scopes, read in
    one hand-written statement (a page of fifty costs what one app does)."""

    id: int
    type: AppType
    status: AppStatus
    client_id: str
    created_at: datetime
    updated_at: datetime
    company_id: int
    company_name: str
    company_kind: CompanyKind
    company_created_at: datetime
    scopes: list[str]  # catalogue order
    listing: dict[str, Any]  # by listing field name; the category as its slug


_VIEW_COLUMNS = ", ".join(
    [
        "a.id, a.type, a.status, a.client_id, a.created_at, a.updated_at, a.company_id",
        *(f"a.{field.column}" for field in LISTING),
        "c.name AS company_name, c.kind AS company_kind, c.created_at AS company_created_at",
    ]
)
# An app of the viewer's company that is not deleted: what developers see (as get_app).
_VISIBLE = "a.company_id = ? AND a.deleted_at IS NULL"
_NEWEST_FIRST = "ORDER BY a.created_at DESC, a.id DESC"


def _views_sql(where: str) -> str:
    return (
        f"SELECT {_VIEW_COLUMNS}, {live_scopes_sql('a')} AS scope_names"
        f" FROM app a JOIN company c ON c.id = a.company_id WHERE {where}"
    )


_read_listing = reader(LISTING)


def _view(found: dict[str, Any]) -> AppView:
    return AppView(
        id=int(found["id"]),
        type=AppType(found["type"]),
        status=AppStatus(found["status"]),
        client_id=found["client_id"],
        created_at=sql.moment(found["created_at"]),
        updated_at=sql.moment(found["updated_at"]),
        company_id=int(found["company_id"]),
        company_name=found["company_name"],
        company_kind=CompanyKind(found["company_kind"]),
        company_created_at=sql.moment(found["company_created_at"]),
        scopes=scope_names(found["scope_names"]),
        listing=_read_listing(found),
    )


async def visible_apps(
    viewer: Viewer,
    *,
    app_type: AppType | None = None,
    status: AppStatus | None = None,
    offset: int,
    limit: int,
) -> list[AppView]:
    """A page of the apps the viewer's company develops, newest first; deleted ones are gone."""
    where: list[str] = [_VISIBLE]
    params: list[Any] = [viewer.company_id]
    if app_type is not None:
        where.append("a.type = ?")
        params.append(app_type.value)
    if status is not None:
        where.append("a.status = ?")
        params.append(status.value)
    found = await sql.rows(
        f"{_views_sql(' AND '.join(where))} {_NEWEST_FIRST} LIMIT ? OFFSET ?",
        *params,
        limit,
        offset,
    )
    return [_view(row) for row in found]


async def visible_app(viewer: Viewer, app_id: int) -> AppView:
    """As get_app, read for showing."""
    found = await sql.row(_views_sql(f"{_VISIBLE} AND a.id = ?"), viewer.company_id, app_id)
    if found is None:
        raise NotFound("No app with this id.")
    return _view(found)


async def app_views(ids: Sequence[int]) -> list[AppView | None]:
    """Apps by id, deleted or not, whoever develops them (for reviewers, and for a mutation's
    answer once it has changed the app), in the ids' order."""
    if not ids:
        return []
    found = {
        int(row["id"]): _view(row)
        for row in await sql.rows(_views_sql(f"a.id {sql.one_of(ids)}"), *ids)
    }
    return [found.get(app_id) for app_id in ids]


async def create_app(
    viewer: Viewer, *, app_type: AppType, name: str, callback_url: str, now: datetime
) -> AppWithSecret:
    if viewer.user.company.kind != CompanyKind.SANDBOX:
        raise Forbidden("Apps are developed in sandbox companies only.")
    fields = clean_fields({"name": name, "callback_url": callback_url})
    client_secret = secrets.new_secret(CLIENT_SECRET_PREFIX)
    async with events.transaction():
        app = await App.create(
            company_id=viewer.company_id,
            created_by_id=viewer.user.id,
            type=app_type,
            status=AppStatus.DRAFT,
            client_id=random.token_hex(8),
            client_secret_digest=secrets.digest(client_secret),
            created_at=now,
            updated_at=now,
            **fields,
        )
        await AppScope.create(app=app, scope_id=BASE_SCOPE)
        await assign_slug(app, now)
        await versions.app_changed(app)
    return AppWithSecret(app=app, client_secret=client_secret)


async def update_app(
    viewer: Viewer,
    app_id: int,
    *,
    changes: Mapping[str, Any],
    scopes: list[str] | None,
    now: datetime,
) -> App:
    """Apply the given fields (absent ones stay); all are checked before any is saved.

    On an approved or published app, critical fields go to the pending revision instead.
    """
    problems: list[UserError] = []
    cleaned: dict[str, Any] = {}
    new_scopes: list[str] | None = None
    try:
        cleaned = clean_fields(changes)
    except UserErrors as exc:
        problems += exc.errors
    if scopes is not None:
        try:
            new_scopes = clean_scopes(scopes)
        except UserErrors as exc:
            problems += exc.errors
    async with events.transaction():
        app = await get_app(viewer, app_id)
        if problems:
            raise UserErrors(problems)
        if app.status == AppStatus.IN_REVIEW:
            raise UserErrors.single(
                None, ErrorCode.APP_IN_REVIEW, "The app is in review; withdraw it to edit it."
            )
        critical = {f.name: cleaned.pop(f.name) for f in CRITICAL if f.name in cleaned}
        if new_scopes is not None:
            critical["scopes"] = new_scopes
        if app.status in revisions.GUARDED_STATUSES:
            await revisions.stage_critical_changes(app, critical, now)
        else:
            await revisions.apply_critical_values(app, critical, now)
        renamed = "name" in cleaned and cleaned["name"] != app.name
        # What an app shows of itself to the users who installed it, whatever their company.
        shown_to_installers = any(
            cleaned[name] != getattr(app, name)
            for name in ("name", "icon_url", "summary")
            if name in cleaned
        )
        for name, value in cleaned.items():
            setattr(app, FIELDS[name].column, value)
        app.updated_at = now
        await app.save()
        if renamed:
            await assign_slug(app, now)
        await versions.app_changed(app)
        if app.status in revisions.GUARDED_STATUSES or shown_to_installers:
            await versions.public_changed()
    return app


async def rotate_client_secret(
    viewer: Viewer, app_id: int, *, grace: timedelta, now: datetime
) -> AppWithSecret:
    """A new secret; the old one keeps working for `grace` so deployed apps can switch over."""
    client_secret = secrets.new_secret(CLIENT_SECRET_PREFIX)
    async with events.transaction():
        app = await get_app(viewer, app_id)  # who may, before what is wrong with the input
        if not timedelta(0) <= grace <= MAX_SECRET_GRACE:
            raise UserErrors.single(
                "grace_period_hours",
                ErrorCode.OUT_OF_RANGE,
                "The grace period is between 0 and "
                f"{int(MAX_SECRET_GRACE.total_seconds() // 3600)} hours.",
            )
        app.previous_secret_digest = app.client_secret_digest if grace else None
        app.previous_secret_expires_at = now + grace if grace else None
        app.client_secret_digest = secrets.digest(client_secret)
        app.updated_at = now
        await app.save()
        await versions.app_changed(app)
        await notify_app(
            app,
            NotificationKind.CLIENT_SECRET_ROTATED,
            now=now,
            grace_hours=int(grace.total_seconds() // 3600),
        )
    return AppWithSecret(app=app, client_secret=client_secret)


def signing_secret_for(
    viewer: Viewer | None, company_id: int, client_id: str, secret_key: str
) -> str | None:
    """The secret that signs the notices of the app `client_id` of `company_id`: for its own
    company's developers only."""
    if viewer is None or viewer.company_id != company_id:
        return None
    return signing_secret(client_id, secret_key)


def notifications(app: App) -> QuerySet[OutboxMessage]:
    """The emails sent to the app's developers about it, newest first."""
    return OutboxMessage.filter(app_id=app.id, channel=Channel.EMAIL).order_by("-created_at", "-id")


def uninstall_notices(app: App) -> QuerySet[OutboxMessage]:
    """The notices sent to the app's callback URL, newest first."""
    return OutboxMessage.filter(app_id=app.id, channel=Channel.WEBHOOK).order_by(
        "-created_at", "-id"
    )


def client_secret_matches(app: App, client_secret: str, now: datetime) -> bool:
    """The current secret, or the previous one during its grace period."""
    if secrets.digest_matches(client_secret, app.client_secret_digest):
        return True
    return (
        app.previous_secret_expires_at is not None
        and now < app.previous_secret_expires_at
        and secrets.digest_matches(client_secret, app.previous_secret_digest)
    )
