"""The live version of an app's critical fields and the pending revision that changes them.

Critical fields (callback URL, scopes, installation URL, category, and the list of extensions) of
an approved or published app do not change the live app when edited: the new values wait in one
pending revision until a reviewer approves it and the developer merges it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from devhub_gql.domain import extensions, versions
from devhub_gql.domain.catalog import covers, in_catalogue_order
from devhub_gql.domain.errors import ErrorCode, UserErrors
from devhub_gql.domain.installations import require_reauthorization
from devhub_gql.domain.lifecycle import REVISIONS, Move, transition
from devhub_gql.domain.listing import CRITICAL, FIELDS, values_of
from devhub_gql.models import App, AppScope, AppStatus, AuditAction, PendingRevision, RevisionStatus

SCOPES = "scopes"  # critical too, though no listing field: the app's live scope set
EXTENSIONS = "extensions"  # the whole list of the app's extensions (extensions.as_list)
OPEN_REVISION = (RevisionStatus.DRAFT, RevisionStatus.IN_REVIEW, RevisionStatus.APPROVED)
# Statuses whose critical edits wait in a pending revision.
GUARDED_STATUSES = (AppStatus.APPROVED, AppStatus.PUBLISHED)


async def live_scopes(app_id: int) -> list[str]:
    names = await AppScope.filter(app_id=app_id).values_list("scope_id", flat=True)
    return in_catalogue_order(str(name) for name in names)


async def replace_scopes(app_id: int, names: list[str]) -> None:
    await AppScope.filter(app_id=app_id).exclude(scope_id__in=names).delete()
    existing = {
        str(name)
        for name in await AppScope.filter(app_id=app_id).values_list("scope_id", flat=True)
    }
    await AppScope.bulk_create(
        [AppScope(app_id=app_id, scope_id=name) for name in names if name not in existing]
    )


def live_values(
    app: App, scopes: list[str], live_extensions: list[extensions.Extension]
) -> dict[str, Any]:
    """The live values of everything a pending revision may change."""
    return {
        **values_of(app, CRITICAL),
        SCOPES: scopes,
        EXTENSIONS: extensions.as_list(live_extensions),
    }


async def live_state(app: App) -> dict[str, Any]:
    return live_values(app, await live_scopes(app.id), await extensions.extensions_of(app.id))


def compute_diff(live: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Scopes added and removed, extensions added, removed and changed, and every other changed
    field with its old and new value."""
    old_scopes, new_scopes = set(live[SCOPES]), set(changes.get(SCOPES, live[SCOPES]))
    return {
        **extensions.diff(live[EXTENSIONS], changes.get(EXTENSIONS, live[EXTENSIONS])),
        "scopes_added": in_catalogue_order(new_scopes - old_scopes),
        "scopes_removed": in_catalogue_order(old_scopes - new_scopes),
        "fields": [
            {"field": field.name, "old": live[field.name], "new": changes[field.name]}
            for field in CRITICAL
            if field.name in changes
        ],
    }


def pending_diff(
    app: App,
    scopes: list[str],
    live_extensions: list[extensions.Extension],
    revision: PendingRevision,
) -> dict[str, Any]:
    """What merging the revision would change in the live app as it is now."""
    return compute_diff(live_values(app, scopes, live_extensions), revision.changes)


def diff_is_empty(diff: dict[str, Any]) -> bool:
    return not any(
        diff[part]
        for part in (
            "scopes_added",
            "scopes_removed",
            "fields",
            "extensions_added",
            "extensions_removed",
            "extensions_changed",
        )
    )


async def open_revision(app_id: int) -> PendingRevision | None:
    return await PendingRevision.filter(app_id=app_id, status__in=OPEN_REVISION).first()


def _locked(revision: PendingRevision) -> UserErrors:
    if revision.status == RevisionStatus.IN_REVIEW:
        message = "The pending revision is in review; withdraw it first."
    else:
        message = "The pending revision is approved; merge or discard it first."
    return UserErrors.single(None, ErrorCode.REVISION_LOCKED, message)


async def stage_critical_changes(app: App, critical: dict[str, Any], now: datetime) -> None:
    """Record critical edits of a guarded app in its pending revision (opened on demand)."""
    if not critical:
        return
    revision = await open_revision(app.id)
    if revision is not None and revision.status != RevisionStatus.DRAFT:
        raise _locked(revision)
    live = await live_state(app)
    changes = dict(revision.changes) if revision else {}
    for field, value in critical.items():
        if value == live[field]:
            changes.pop(field, None)
        else:
            changes[field] = value
    if revision is None:
        if changes:
            await PendingRevision.create(
                app_id=app.id, changes=changes, created_at=now, updated_at=now
            )
        return
    revision.changes = changes
    revision.updated_at = now
    await revision.save(update_fields=["changes", "updated_at"])


async def apply_critical_values(app: App, values: dict[str, Any], now: datetime) -> None:
    """Write critical values to the live app (drafts, live private apps, merges).

    New scopes reach installations only through their users: each must re-authorize.
    """
    for name, value in values.items():
        if name == EXTENSIONS:
            await extensions.replace_live(
                app, [extensions.Extension.from_dict(item) for item in value]
            )
        elif name == SCOPES:
            grows = not covers(await live_scopes(app.id), value)
            await replace_scopes(app.id, value)
            await versions.public_changed()  # installers, of any company, see them
            if grows:
                await require_reauthorization(app.id, value, now=now)
        else:
            setattr(app, FIELDS[name].column, value)


async def merge(app: App, *, actor_id: int, now: datetime) -> dict[str, Any]:
    """Make an approved revision live; returns the diff it applied."""
    revision = await open_revision(app.id)
    if revision is None or app.status not in GUARDED_STATUSES:
        raise UserErrors.single(
            None, ErrorCode.NO_PENDING_REVISION, "There is no revision to merge."
        )
    diff = compute_diff(await live_state(app), revision.changes)
    await transition(
        AuditAction.REVISION_MERGED,
        Move(REVISIONS, revision.id, revision.status),
        app=app,
        actor_id=actor_id,
        now=now,
    )
    await apply_critical_values(app, revision.changes, now)
    app.updated_at = now
    await app.save()
    await versions.public_changed()
    return diff


async def discard(app: App, *, actor_id: int, now: datetime) -> None:
    revision = await open_revision(app.id)
    if revision is None:
        raise UserErrors.single(
            None, ErrorCode.NO_PENDING_REVISION, "There is no pending revision to discard."
        )
    if revision.status == RevisionStatus.IN_REVIEW:
        raise _locked(revision)
    await transition(
        AuditAction.REVISION_DISCARDED,
        Move(REVISIONS, revision.id, revision.status),
        app=app,
        actor_id=actor_id,
        now=now,
    )
