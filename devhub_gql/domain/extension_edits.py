"""Adding, changing and removing an app's extensions: all problems of one save at once, the
per-app limits over the whole list, and the review rule (live at once on a draft or a live private
app; in the pending revision on an approved or published one)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from devhub_gql import events
from devhub_gql.domain import extension_checks, revisions, versions
from devhub_gql.domain.accounts import Viewer
from devhub_gql.domain.apps import get_app
from devhub_gql.domain.errors import ErrorCode, NotFound, UserError, UserErrors
from devhub_gql.domain.extensions import (
    Extension,
    ExtensionKind,
    as_list,
    definition_of,
    extensions_of,
    limit_problems,
    new_key,
    replace_live,
)
from devhub_gql.models import App, AppStatus


async def _locked_app(viewer: Viewer, app_id: int) -> App:
    """The app, its row locked for the rest of the transaction: concurrent edits of one app's
    extensions take turns, so the per-app limits hold against all of them (PostgreSQL; SQLite's
    transactions never overlap)."""
    await get_app(viewer, app_id)  # who may, with the same answer as every other command
    return await App.filter(id=app_id).select_for_update().get()


async def working_extensions(app: App) -> list[Extension]:
    """What the developer edits: the pending revision's list where one is open, else the live."""
    revision = await revisions.open_revision(app.id)
    if revision is not None and revisions.EXTENSIONS in revision.changes:
        return [Extension.from_dict(item) for item in revision.changes[revisions.EXTENSIONS]]
    return await extensions_of(app.id)


async def save(
    app: App, extensions: list[Extension], now: datetime, problems: list[UserError]
) -> None:
    """The new list: live at once on a draft or a live private app, else in the pending
    revision (where a list equal to the live one leaves nothing to review). Refused with the
    definition's `problems` and the limits' together."""
    if app.status == AppStatus.IN_REVIEW:
        raise UserErrors.single(
            None, ErrorCode.APP_IN_REVIEW, "The app is in review; withdraw it to edit it."
        )
    if problems := [*problems, *limit_problems(extensions)]:
        raise UserErrors(problems)
    if app.status in revisions.GUARDED_STATUSES:
        await revisions.stage_critical_changes(
            app, {revisions.EXTENSIONS: as_list(extensions)}, now
        )
    else:
        await replace_live(app, extensions)
        app.updated_at = now
        await app.save(update_fields=["updated_at"])
    await versions.app_changed(app)


async def add_extension(
    viewer: Viewer,
    app_id: int,
    kind: ExtensionKind,
    given: Mapping[str, Any],
    *,
    secret_key: str,
    allow_private: bool,
    now: datetime,
) -> tuple[App, Extension]:
    definition, problems = definition_of(
        kind, given, {}, secret_key=secret_key, allow_private=allow_private
    )
    async with events.transaction():
        app = await _locked_app(viewer, app_id)
        added = Extension(new_key(), kind, definition)
        await save(app, [*await working_extensions(app), added], now, problems)
    return app, added


def _find(extensions: list[Extension], key: str) -> int:
    for index, extension in enumerate(extensions):
        if extension.key == key:
            return index
    raise NotFound("No extension with this id.")


async def update_extension(
    viewer: Viewer,
    app_id: int,
    key: str,
    given: Mapping[str, Any],
    *,
    secret_key: str,
    allow_private: bool,
    now: datetime,
) -> tuple[App, Extension]:
    """Change the given fields (null clears an optional one); the kind stays."""
    async with events.transaction():
        app = await _locked_app(viewer, app_id)
        extensions = await working_extensions(app)
        index = _find(extensions, key)
        old = extensions[index]
        definition, problems = definition_of(
            old.kind, given, old.definition, secret_key=secret_key, allow_private=allow_private
        )
        extensions[index] = Extension(key, old.kind, definition)
        await save(app, extensions, now, problems)
    return app, extensions[index]


async def remove_extension(viewer: Viewer, app_id: int, key: str, *, now: datetime) -> App:
    async with events.transaction():
        app = await _locked_app(viewer, app_id)
        extensions = await working_extensions(app)
        del extensions[_find(extensions, key)]
        await save(app, extensions, now, [])
    return app


def is_live(app: App) -> bool:
    """Whether the app's extension edits take effect at once (no pending revision)."""
    return app.status not in revisions.GUARDED_STATUSES


async def check_extension(
    viewer: Viewer,
    app_id: int,
    key: str,
    *,
    secret_key: str,
    allow_private: bool,
    timeout_seconds: float,
    now: datetime,
) -> extension_checks.ExtensionCheck:
    """The submission's automated check of one extension (as edited, pending or live), on
    demand: the developer sees every problem before submitting."""
    app = await get_app(viewer, app_id)
    extensions = await working_extensions(app)
    extension = extensions[_find(extensions, key)]
    checker = extension_checks.Checker(
        app.client_id, secret_key, allow_private, timeout_seconds, now
    )
    return await checker.check(extension)
