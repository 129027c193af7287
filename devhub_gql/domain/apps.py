"""Registering apps: creation, the listing and registration fields, scopes and client secrets."""

from __future__ import annotations

import secrets as random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from devhub_gql.domain import revisions, secrets
from devhub_gql.domain.accounts import Viewer
from devhub_gql.domain.catalog import BASE_SCOPE, CATEGORY_SLUGS, SCOPE_NAMES, normalize_scope_set
from devhub_gql.domain.errors import ErrorCode, Forbidden, NotFound, UserError, UserErrors
from devhub_gql.domain.marketplace import assign_slug, listing_changed
from devhub_gql.domain.validation import (
    check_email,
    check_length,
    check_url,
    check_youtube_url,
    clean_text,
    normalize_email,
)
from devhub_gql.models import App, AppScope, AppStatus, AppType, CompanyKind

CLIENT_SECRET_PREFIX = "dhcs"
DEFAULT_SECRET_GRACE = timedelta(hours=24)
MAX_SECRET_GRACE = timedelta(days=7)
MAX_LISTING_IMAGES = 5

FieldKind = Literal["text", "url", "email", "youtube", "url_list", "flag", "category"]


@dataclass(frozen=True)
class FieldRule:
    kind: FieldKind
    max_length: int | None = None
    required: bool = False  # can never be cleared


# Every registration and listing field a developer edits, with the rule it is checked by on save.
FIELD_RULES: Mapping[str, FieldRule] = {
    "name": FieldRule("text", 100, required=True),
    "callback_url": FieldRule("url", required=True),
    "category": FieldRule("category"),
    "summary": FieldRule("text", 150),
    "icon_url": FieldRule("url"),
    "listing_image_urls": FieldRule("url_list"),
    "description": FieldRule("text", 1500),
    "video_url": FieldRule("youtube"),
    "setup_instructions": FieldRule("text", 1500),
    "website_url": FieldRule("url"),
    "terms_of_service_url": FieldRule("url"),
    "privacy_policy_url": FieldRule("url"),
    "pricing_url": FieldRule("url"),
    "support_url": FieldRule("url"),
    "documentation_url": FieldRule("url"),
    "support_email": FieldRule("email"),
    "contact_email": FieldRule("email"),
    "installation_url": FieldRule("url"),
    "use_case": FieldRule("text", 350),
    "test_account_notes": FieldRule("text", 1500),
    "partner_terms_accepted": FieldRule("flag"),
}


@dataclass(frozen=True)
class AppWithSecret:
    app: App
    client_secret: str


def _clean_field(field: str, rule: FieldRule, value: Any) -> tuple[Any, list[UserError]]:
    """The value as stored, and what is wrong with it."""
    if rule.kind == "flag":
        return bool(value), []
    if rule.kind == "url_list":
        urls = [url for url in (clean_text(v) for v in value or []) if url]
        problems = [e for url in urls for e in check_url(field, url)]
        if len(urls) > MAX_LISTING_IMAGES:
            problems.append(
                UserError(field, ErrorCode.TOO_MANY, f"At most {MAX_LISTING_IMAGES} images.")
            )
        return urls, problems
    cleaned = clean_text(value)
    if cleaned is None:
        if rule.required:
            return None, [UserError(field, ErrorCode.REQUIRED, "This field is required.")]
        return None, []
    match rule.kind:
        case "text":
            return cleaned, check_length(field, cleaned, rule.max_length or 0)
        case "url":
            return cleaned, check_url(field, cleaned)
        case "youtube":
            return cleaned, check_youtube_url(field, cleaned)
        case "email":
            problems = check_email(field, cleaned)
            return (cleaned if problems else normalize_email(cleaned)), problems
        case "category":
            if cleaned not in CATEGORY_SLUGS:
                return cleaned, [UserError(field, ErrorCode.UNKNOWN_CATEGORY, "Unknown category.")]
            return cleaned, []
    raise AssertionError(rule.kind)


def clean_fields(changes: Mapping[str, Any]) -> dict[str, Any]:
    """Validate every given field at once; raise all problems together."""
    cleaned: dict[str, Any] = {}
    problems: list[UserError] = []
    for field, value in changes.items():
        stored, field_problems = _clean_field(field, FIELD_RULES[field], value)
        cleaned[field] = stored
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


def visible_apps(viewer: Viewer) -> QuerySet[App]:
    """The apps the viewer's company develops, newest first; deleted ones are gone."""
    return App.filter(company_id=viewer.company_id, deleted_at=None).order_by("-created_at", "-id")


async def get_app(viewer: Viewer, app_id: int) -> App:
    """An app of the viewer's company; another company's app is indistinguishable from none."""
    app = await visible_apps(viewer).filter(id=app_id).first()
    if app is None:
        raise NotFound("No app with this id.")
    return app


async def create_app(
    viewer: Viewer, *, app_type: AppType, name: str, callback_url: str, now: datetime
) -> AppWithSecret:
    if viewer.user.company.kind != CompanyKind.SANDBOX:
        raise Forbidden("Apps are developed in sandbox companies only.")
    fields = clean_fields({"name": name, "callback_url": callback_url})
    client_secret = secrets.new_secret(CLIENT_SECRET_PREFIX)
    async with in_transaction():
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
    async with in_transaction():
        app = await get_app(viewer, app_id)
        if problems:
            raise UserErrors(problems)
        if app.status == AppStatus.IN_REVIEW:
            raise UserErrors.single(
                None, ErrorCode.APP_IN_REVIEW, "The app is in review; withdraw it to edit it."
            )
        critical = {f: cleaned.pop(f) for f in revisions.CRITICAL_FIELDS if f in cleaned}
        if new_scopes is not None:
            critical["scopes"] = new_scopes
        if app.status in revisions.GUARDED_STATUSES:
            await revisions.stage_critical_changes(app, critical, now)
        else:
            await revisions.apply_critical_values(app, critical, now)
        renamed = "name" in cleaned and cleaned["name"] != app.name
        for field, value in cleaned.items():
            setattr(app, field, value)
        app.updated_at = now
        await app.save()
        if renamed:
            await assign_slug(app, now)
        if app.status in revisions.GUARDED_STATUSES:
            await listing_changed()
    return app


async def rotate_client_secret(
    viewer: Viewer, app_id: int, *, grace: timedelta, now: datetime
) -> AppWithSecret:
    """A new secret; the old one keeps working for `grace` so deployed apps can switch over."""
    client_secret = secrets.new_secret(CLIENT_SECRET_PREFIX)
    async with in_transaction():
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
    return AppWithSecret(app=app, client_secret=client_secret)


def client_secret_matches(app: App, client_secret: str, now: datetime) -> bool:
    """The current secret, or the previous one during its grace period."""
    if secrets.digest_matches(client_secret, app.client_secret_digest):
        return True
    return (
        app.previous_secret_expires_at is not None
        and now < app.previous_secret_expires_at
        and secrets.digest_matches(client_secret, app.previous_secret_digest)
    )
