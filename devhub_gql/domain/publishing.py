"""What the developer does with an app's status: publish, unpublish, go live, merge, delete."""

from __future__ import annotations

from datetime import datetime

from devhub_gql import events, outbound
from devhub_gql.domain import installations, revisions, versions
from devhub_gql.domain.accounts import Viewer
from devhub_gql.domain.apps import get_app
from devhub_gql.domain.errors import ErrorCode, UserErrors
from devhub_gql.domain.lifecycle import SUBMISSIONS, Move, check_app, move_app, transition
from devhub_gql.domain.validation import MAX_REASON_LENGTH, check_length, clean_text
from devhub_gql.models import App, AppStatus, AuditAction, Submission, SubmissionStatus


async def _move(viewer: Viewer, app_id: int, action: AuditAction, now: datetime) -> App:
    async with events.transaction():
        app = await get_app(viewer, app_id)
        await move_app(app, action, actor_id=viewer.user.id, now=now)
    return app


async def publish_app(viewer: Viewer, app_id: int, *, now: datetime) -> App:
    return await _move(viewer, app_id, AuditAction.PUBLISH, now)


async def unpublish_app(viewer: Viewer, app_id: int, *, now: datetime) -> App:
    """Hidden from the marketplace; still installed and installable by direct link."""
    return await _move(viewer, app_id, AuditAction.UNPUBLISH, now)


async def change_app_to_live(
    viewer: Viewer, app_id: int, *, now: datetime, allow_private: bool
) -> App:
    """A private app goes live for good once its callback URL answers."""
    app = await get_app(viewer, app_id)
    check_app(app, AuditAction.CHANGE_TO_LIVE)
    callback = await outbound.probe(app.callback_url, allow_private=allow_private)
    if not callback.answered:
        raise UserErrors.single("callback_url", ErrorCode.CALLBACK_UNREACHABLE, callback.message)
    return await _move(viewer, app_id, AuditAction.CHANGE_TO_LIVE, now)


async def merge_pending_revision(viewer: Viewer, app_id: int, *, now: datetime) -> App:
    async with events.transaction():
        app = await get_app(viewer, app_id)
        await revisions.merge(app, actor_id=viewer.user.id, now=now)
    return app


async def discard_pending_revision(viewer: Viewer, app_id: int, *, now: datetime) -> App:
    async with events.transaction():
        app = await get_app(viewer, app_id)
        await revisions.discard(app, actor_id=viewer.user.id, now=now)
    return app


async def delete_app(viewer: Viewer, app_id: int, *, reason: str, now: datetime) -> App:
    """Cannot be undone: every user's installation goes at once (each app notified); the rows and
    the audit trail stay, the app vanishes everywhere else."""
    reason_text = clean_text(reason)
    async with events.transaction():
        app = await get_app(viewer, app_id)  # who may, before what is wrong with the input
        if reason_text is None:
            raise UserErrors.single(
                "reason", ErrorCode.REASON_REQUIRED, "Say why the app is deleted."
            )
        if problems := check_length("reason", reason_text, MAX_REASON_LENGTH):
            raise UserErrors(problems)
        if app.status == AppStatus.PUBLISHED:
            raise UserErrors.single(
                None,
                ErrorCode.INVALID_TRANSITION,
                "A published app cannot be deleted; unpublish it first.",
            )
        deleted = (
            await App.filter(id=app.id, deleted_at=None)
            .exclude(status=AppStatus.PUBLISHED)
            .update(deleted_at=now, delete_reason=reason_text, updated_at=now)
        )
        if not deleted:
            raise UserErrors.single(
                None, ErrorCode.INVALID_TRANSITION, "The app changed meanwhile."
            )
        await installations.uninstall_everywhere(app, now=now)
        await versions.public_changed()
        pending = await Submission.filter(app_id=app.id, status=SubmissionStatus.PENDING)
        await transition(
            AuditAction.DELETE,
            None,
            app=app,
            actor_id=viewer.user.id,
            now=now,
            reason=reason_text,
            alongside=[
                Move(SUBMISSIONS, row.id, row.status, {"decided_at": now}) for row in pending
            ],
            from_status=app.status,
        )
    return app
