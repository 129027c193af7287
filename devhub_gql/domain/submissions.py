"""Sending an app (or its pending revision) to review, and taking it back.

Submission checks every requirement at once and freezes a snapshot with the results of the
automated checks; the reviewer decides on exactly what was sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from devhub_gql import events, outbound
from devhub_gql.domain import extension_checks, revisions
from devhub_gql.domain.accounts import Viewer
from devhub_gql.domain.apps import get_app
from devhub_gql.domain.catalog import ADMIN_SCOPE, BASE_SCOPE
from devhub_gql.domain.errors import ErrorCode, NotFound, UserError, UserErrors
from devhub_gql.domain.extensions import Extension
from devhub_gql.domain.lifecycle import (
    REVISIONS,
    SUBMISSIONS,
    Move,
    check_app,
    move_app,
    transition,
)
from devhub_gql.domain.listing import REQUIRED_FOR_REVIEW, URLS, Kind, values_of
from devhub_gql.domain.validation import is_secure_url
from devhub_gql.models import (
    App,
    AuditAction,
    PendingRevision,
    RevisionStatus,
    Submission,
    SubmissionKind,
    SubmissionStatus,
)
from devhub_gql.notifications import NotificationKind, notify_app


async def snapshot_of(app: App) -> dict[str, Any]:
    """Every reviewable field of the app as a plain dict."""
    return {**values_of(app), **await revisions.live_state(app), "type": app.type.value}


def missing_requirements(view: dict[str, Any], *, allow_private: bool) -> list[UserError]:
    problems = [
        UserError(field.name, field.review_refusal.code, field.review_refusal.message)
        for field in REQUIRED_FOR_REVIEW
        if not view.get(field.name)
    ]
    if not [scope for scope in view[revisions.SCOPES] if scope != BASE_SCOPE]:
        problems.append(
            UserError("scopes", ErrorCode.TOO_FEW, "Choose at least one scope besides base.")
        )
    if not is_secure_url(view["callback_url"] or "", allow_loopback_http=allow_private):
        problems.append(
            UserError("callback_url", ErrorCode.HTTPS_REQUIRED, "The callback URL must use https.")
        )
    return problems


async def automated_checks(
    view: dict[str, Any], *, allow_private: bool, checker: extension_checks.Checker
) -> list[dict[str, Any]]:
    """What a reviewer sees first: each check with an id, whether it passed, and why."""
    urls = [
        url
        for field in URLS
        for url in (view[field.name] if field.kind == Kind.URL_LIST else [view[field.name]])
        if url
    ]
    insecure = [url for url in urls if not is_secure_url(url, allow_loopback_http=allow_private)]
    callback = await outbound.probe(view["callback_url"], allow_private=allow_private)
    return [
        {
            "id": "required_fields",
            "passed": not missing_requirements(view, allow_private=allow_private),
            "message": "Every required listing field is present.",
        },
        {
            "id": "urls_https",
            "passed": not insecure,
            "message": "Every URL is well-formed and uses https."
            if not insecure
            else "Not https: " + ", ".join(insecure),
        },
        {
            "id": "least_privilege",
            "passed": ADMIN_SCOPE not in view["scopes"],
            "message": "No admin scope requested."
            if ADMIN_SCOPE not in view["scopes"]
            else "Requests the admin scope: check that the app needs to administer accounts.",
        },
        {"id": "callback_answers", "passed": callback.answered, "message": callback.message},
        extension_checks.summary(
            await checker.check_all(
                [Extension.from_dict(item) for item in view[revisions.EXTENSIONS]]
            )
        ),
    ]


async def _what_to_submit(app: App) -> tuple[SubmissionKind, PendingRevision | None]:
    if app.status in revisions.GUARDED_STATUSES:
        revision = await revisions.open_revision(app.id)
        if revision is None or revision.status != RevisionStatus.DRAFT:
            raise UserErrors.single(
                None,
                ErrorCode.NO_PENDING_REVISION,
                "The app is approved: only a pending revision of its critical fields can be "
                "submitted, and there is none waiting.",
            )
        return SubmissionKind.REVISION, revision
    check_app(app, AuditAction.SUBMIT)
    return SubmissionKind.LISTING, None


@dataclass(frozen=True)
class Submitted:
    app: App  # IN_REVIEW after a listing, unchanged after a revision
    submission: Submission


async def submit_for_review(
    viewer: Viewer,
    app_id: int,
    *,
    now: datetime,
    allow_private: bool,
    secret_key: str,
    extension_timeout_seconds: float,
) -> Submitted:
    app = await get_app(viewer, app_id)
    kind, revision = await _what_to_submit(app)
    live = await snapshot_of(app)
    view = {**live, **(revision.changes if revision else {})}
    if problems := missing_requirements(view, allow_private=allow_private):
        raise UserErrors(problems)
    diff = revisions.compute_diff(live, revision.changes) if revision else None
    if diff is not None and revisions.diff_is_empty(diff):
        raise UserErrors.single(
            None, ErrorCode.NO_CHANGES, "The pending revision changes nothing; discard it."
        )
    # Outside the transaction: the callback probe is network I/O.
    checker = extension_checks.Checker(
        app.client_id, secret_key, allow_private, extension_timeout_seconds, now
    )
    checks = await automated_checks(view, allow_private=allow_private, checker=checker)
    async with events.transaction():
        submission = await Submission.create(
            app_id=app.id,
            revision_id=revision.id if revision else None,
            kind=kind,
            snapshot=view,
            diff=diff,
            checks=checks,
            submitted_by_id=viewer.user.id,
            submitted_at=now,
        )
        if revision is None:
            await move_app(
                app,
                AuditAction.SUBMIT,
                actor_id=viewer.user.id,
                now=now,
                submission_id=submission.id,
            )
        else:
            await transition(
                AuditAction.REVISION_SUBMITTED,
                Move(REVISIONS, revision.id, revision.status),
                app=app,
                actor_id=viewer.user.id,
                now=now,
                submission_id=submission.id,
            )
        await notify_app(
            app,
            NotificationKind.SUBMISSION_RECEIVED,
            now=now,
            what="the listing" if revision is None else "the pending changes",
        )
    return Submitted(app=app, submission=submission)


async def withdraw_from_review(viewer: Viewer, app_id: int, *, now: datetime) -> App:
    async with events.transaction():
        app = await get_app(viewer, app_id)
        submission = await Submission.filter(app_id=app.id, status=SubmissionStatus.PENDING).first()
        if submission is None:
            # Nothing pending: let the state machine say why this app cannot be withdrawn.
            check_app(app, AuditAction.WITHDRAW)
            raise UserErrors.single(None, ErrorCode.INVALID_TRANSITION, "Nothing is in review.")
        taken_back = Move(SUBMISSIONS, submission.id, SubmissionStatus.PENDING, {"decided_at": now})
        if submission.kind == SubmissionKind.LISTING:
            await move_app(
                app, AuditAction.WITHDRAW, actor_id=viewer.user.id, now=now, alongside=[taken_back]
            )
        else:
            revision = await PendingRevision.get(id=submission.revision_id)
            await transition(
                AuditAction.REVISION_WITHDRAWN,
                Move(REVISIONS, revision.id, revision.status),
                app=app,
                actor_id=viewer.user.id,
                now=now,
                alongside=[taken_back],
            )
    return app


async def get_own_submission(viewer: Viewer, submission_id: int) -> Submission:
    submission = await Submission.filter(
        id=submission_id, app__company_id=viewer.company_id, app__deleted_at=None
    ).first()
    if submission is None:
        raise NotFound("No submission with this id.")
    return submission
