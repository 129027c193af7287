"""The reviewer's side: the queue, decisions on submissions, and taking apps off the marketplace."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from devhub_gql import events
from devhub_gql.domain import versions
from devhub_gql.domain.accounts import Viewer
from devhub_gql.domain.apps import AppView, app_views, clean_fields
from devhub_gql.domain.errors import (
    ErrorCode,
    Forbidden,
    NotFound,
    Unauthenticated,
    UserError,
    UserErrors,
)
from devhub_gql.domain.lifecycle import REVISIONS, SUBMISSIONS, Move, move_app, transition
from devhub_gql.domain.marketplace import assign_slug
from devhub_gql.domain.validation import MAX_REASON_LENGTH, check_length, clean_text
from devhub_gql.events import Event
from devhub_gql.models import (
    App,
    AppStatus,
    AppType,
    AuditAction,
    AuditEntry,
    PendingRevision,
    Submission,
    SubmissionKind,
    SubmissionStatus,
    User,
)
from devhub_gql.notifications import NotificationKind, notify_app


class RejectionCode(StrEnum):
    INCOMPLETE_LISTING = "INCOMPLETE_LISTING"
    MISLEADING_LISTING = "MISLEADING_LISTING"
    BROKEN_CALLBACK = "BROKEN_CALLBACK"
    INSTALLATION_FLOW = "INSTALLATION_FLOW"
    EXCESSIVE_SCOPES = "EXCESSIVE_SCOPES"
    SECURITY = "SECURITY"
    POLICY_VIOLATION = "POLICY_VIOLATION"
    OTHER = "OTHER"


@dataclass(frozen=True)
class RejectionReason:
    code: RejectionCode
    message: str


def ensure_reviewer(viewer: Viewer | None) -> Viewer:
    """Reviewers pass; nobody else learns anything, not even whether an id exists."""
    if viewer is None:
        raise Unauthenticated()
    if not viewer.user.is_reviewer:
        raise Forbidden("The back-office is for reviewers only.")
    return viewer


def review_queue(
    *, kind: SubmissionKind | None = None, claimed_by: int | None = None, now: datetime
) -> QuerySet[Submission]:
    """Submissions waiting for a decision, oldest first; of one kind, or claimed (and not lapsed)
    by one reviewer, when asked."""
    queue = Submission.filter(status=SubmissionStatus.PENDING, app__deleted_at=None)
    if kind is not None:
        queue = queue.filter(kind=kind)
    if claimed_by is not None:
        queue = queue.filter(claimed_by_id=claimed_by, claimed_until__gt=now)
    return queue.order_by("submitted_at", "id")


def _claim_is_anothers(submission: Submission, reviewer: Viewer, now: datetime) -> bool:
    return (
        submission.claimed_by_id is not None
        and submission.claimed_by_id != reviewer.user.id
        and submission.claimed_until is not None
        and submission.claimed_until > now
    )


async def claim(reviewer: Viewer, submission_id: int, *, now: datetime, minutes: int) -> Submission:
    """Take a waiting submission (or extend one's own claim) for `minutes`; refused while another
    reviewer's claim runs. One conditional update: of two reviewers claiming at once, one wins."""
    submission = await get_submission(submission_id)
    app = await App.get(id=submission.app_id)
    if app.company_id == reviewer.company_id:
        raise UserErrors.single(
            None, ErrorCode.OWN_COMPANY_APP, "Reviewers cannot decide on their own company's apps."
        )
    taken = await (
        Submission.filter(id=submission.id, status=SubmissionStatus.PENDING)
        .filter(
            Q(claimed_by_id=None) | Q(claimed_until__lte=now) | Q(claimed_by_id=reviewer.user.id)
        )
        .update(claimed_by_id=reviewer.user.id, claimed_until=now + timedelta(minutes=minutes))
    )
    if not taken:
        current = await Submission.get(id=submission.id)
        if current.status != SubmissionStatus.PENDING:
            raise UserErrors.single(
                None, ErrorCode.ALREADY_DECIDED, "The submission was decided meanwhile."
            )
        raise _claimed(current)
    await events.announce(Event("CLAIMED", app.id, app.company_id, submission.id))
    return await Submission.get(id=submission.id)


async def release(reviewer: Viewer, submission_id: int) -> Submission:
    """Give one's claim back (another reviewer's claim is left alone)."""
    submission = await get_submission(submission_id)
    released = await Submission.filter(id=submission.id, claimed_by_id=reviewer.user.id).update(
        claimed_by_id=None, claimed_until=None
    )
    if released:
        app = await App.get(id=submission.app_id)
        await events.announce(Event("RELEASED", app.id, app.company_id, submission.id))
    return await Submission.get(id=submission.id)


def _claimed(submission: Submission) -> UserErrors:
    until = submission.claimed_until.isoformat() if submission.claimed_until else "now"
    return UserErrors.single(
        None,
        ErrorCode.CLAIMED_BY_ANOTHER,
        f"Another reviewer claimed this submission until {until}.",
    )


async def submission_by_id(submission_id: int) -> Submission:
    """A submission whatever became of its app (a live event about a deleted app names one)."""
    return await Submission.get(id=submission_id)


async def get_submission(submission_id: int) -> Submission:
    submission = await Submission.filter(id=submission_id, app__deleted_at=None).first()
    if submission is None:
        raise NotFound("No submission with this id.")
    return submission


def current_submission(history: Sequence[Submission]) -> Submission | None:
    """The submission waiting for a reviewer, if any (`history` as lookups.submissions gives it,
    newest first)."""
    return next((row for row in history if row.status == SubmissionStatus.PENDING), None)


def latest_rejection(history: Sequence[Submission]) -> Submission | None:
    return next((row for row in history if row.status == SubmissionStatus.REJECTED), None)


def earlier_decisions(submission: Submission, history: Sequence[Submission]) -> list[Submission]:
    """The decisions on the same app before this submission, the latest first."""
    decided = [
        row
        for row in history
        if row.id != submission.id
        and row.submitted_at <= submission.submitted_at
        and row.status in (SubmissionStatus.APPROVED, SubmissionStatus.REJECTED)
    ]
    return sorted(decided, key=lambda row: (row.decided_at, row.id), reverse=True)


def _clean_reasons(reasons: list[RejectionReason]) -> list[dict[str, str]]:
    problems: list[UserError] = []
    cleaned = []
    for reason in reasons:
        message = clean_text(reason.message)
        if message is None:
            problems.append(
                UserError("reasons", ErrorCode.REQUIRED, "Each reason needs a message.")
            )
        problems += check_length("reasons", message, MAX_REASON_LENGTH)
        cleaned.append({"code": reason.code.value, "message": message or ""})
    if not reasons:
        problems.append(
            UserError("reasons", ErrorCode.REASON_REQUIRED, "Give at least one reason to reject.")
        )
    if problems:
        raise UserErrors(problems)
    return cleaned


async def decide(
    reviewer: Viewer,
    submission_id: int,
    *,
    approve: bool,
    note: str | None,
    reasons: list[RejectionReason],
    now: datetime,
    override: bool = False,
) -> Submission:
    """Approve or reject; of two reviewers deciding at once exactly one lands. Another reviewer's
    running claim blocks the decision unless `override`, which the audit log records."""
    submission = await get_submission(submission_id)
    app = await App.get(id=submission.app_id)
    if app.company_id == reviewer.company_id:
        raise UserErrors.single(
            None, ErrorCode.OWN_COMPANY_APP, "Reviewers cannot decide on their own company's apps."
        )
    cleaned_reasons = [] if approve else _clean_reasons(reasons)
    note = clean_text(note)
    if problems := check_length("note", note, MAX_REASON_LENGTH):
        raise UserErrors(problems)
    summary = "; ".join(f"{r['code']}: {r['message']}" for r in cleaned_reasons) or note
    overridden = _claim_is_anothers(submission, reviewer, now)
    if overridden and not override:
        raise _claimed(submission)
    if overridden:
        claimant = await User.get(id=submission.claimed_by_id)
        summary = f"{summary + ' ' if summary else ''}(overrode the claim of {claimant.email})"
    # Expected PENDING whatever was read: a submission decided meanwhile is ALREADY_DECIDED.
    decision = Move(
        SUBMISSIONS,
        submission.id,
        SubmissionStatus.PENDING,
        {
            "decided_by_id": reviewer.user.id,
            "decided_at": now,
            "note": note,
            "reasons": cleaned_reasons,
            "claimed_by_id": None,
            "claimed_until": None,
        },
    )
    async with events.transaction():
        if submission.kind == SubmissionKind.LISTING:
            action = AuditAction.APPROVE if approve else AuditAction.REJECT
            await move_app(
                app,
                action,
                actor_id=reviewer.user.id,
                now=now,
                reason=summary,
                alongside=[decision],
            )
        else:
            revision = await PendingRevision.get(id=submission.revision_id)
            await transition(
                AuditAction.REVISION_APPROVED if approve else AuditAction.REVISION_REJECTED,
                Move(REVISIONS, revision.id, revision.status),
                app=app,
                actor_id=reviewer.user.id,
                now=now,
                reason=summary,
                alongside=[decision],
            )
        await notify_app(
            app,
            NotificationKind.SUBMISSION_APPROVED
            if approve
            else NotificationKind.SUBMISSION_REJECTED,
            now=now,
            what=_what(submission.kind),
            note=note,
            reasons=cleaned_reasons,
        )
    return await Submission.get(id=submission.id)


# The listing text a reviewer may fix (typos), as Pipedrive's Marketplace team may.
EDITABLE_TEXT = ("name", "summary", "description")
EDITABLE_STATUSES = (AppStatus.IN_REVIEW, AppStatus.APPROVED, AppStatus.PUBLISHED)


def reviewed_apps(search: str | None) -> Callable[[int, int], Awaitable[list[AppView]]]:
    """Public apps a reviewer may act on (in review, approved or published), by name, a page at a
    time: one statement for the page's ids, one for the apps."""
    found = App.filter(type=AppType.PUBLIC, status__in=EDITABLE_STATUSES, deleted_at=None)
    if search and search.strip():
        found = found.filter(name__icontains=search.strip())

    async def read(start: int, limit: int) -> list[AppView]:
        rows = await found.order_by("name", "id").offset(start).limit(limit).only("id")
        return [view for view in await app_views([row.id for row in rows]) if view is not None]

    return read


async def edit_listing_text(
    reviewer: Viewer, app_id: int, changes: dict[str, str], *, reason: str, now: datetime
) -> App:
    """A reviewer fixes the text of a submitted or published listing, with a reason: the audit
    log keeps the before and after, and the developers are told."""
    reason_text = clean_text(reason)
    problems = check_length("reason", reason_text, MAX_REASON_LENGTH)
    if reason_text is None:
        problems.append(
            UserError("reason", ErrorCode.REASON_REQUIRED, "Tell the developer what you fixed.")
        )
    try:
        cleaned = clean_fields(changes)
    except UserErrors as refused:
        problems += refused.errors
        cleaned = {}
    async with events.transaction():
        app = await App.filter(id=app_id, deleted_at=None).select_for_update().first()
        if app is None:
            raise NotFound("No app with this id.")
        if app.company_id == reviewer.company_id:
            raise UserErrors.single(
                None, ErrorCode.OWN_COMPANY_APP, "Reviewers cannot edit their own company's apps."
            )
        if problems:
            raise UserErrors(problems)
        if app.status not in EDITABLE_STATUSES:
            raise UserErrors.single(
                None,
                ErrorCode.INVALID_TRANSITION,
                "Only submitted, approved or published listings are edited by reviewers.",
            )
        edits = [
            {"field": name, "old": getattr(app, name), "new": value}
            for name, value in cleaned.items()
            if getattr(app, name) != value
        ]
        if not edits:
            raise UserErrors.single(None, ErrorCode.NO_CHANGES, "The text is already so.")
        for change in edits:
            setattr(app, change["field"], change["new"])
        app.updated_at = now
        await app.save()
        if any(change["field"] == "name" for change in edits):
            await assign_slug(app, now)
        await versions.app_changed(app)
        await versions.public_changed()
        summary = "; ".join(f"{c['field']}: {c['old']!r} -> {c['new']!r}" for c in edits)
        await AuditEntry.create(
            app_id=app.id,
            actor_id=reviewer.user.id,
            action=AuditAction.LISTING_EDITED,
            from_status=app.status.value,
            to_status=app.status.value,
            reason=f"{reason_text} ({summary})",
            at=now,
        )
        await notify_app(
            app, NotificationKind.LISTING_EDITED, now=now, reason=reason_text, changes=edits
        )
    return app


def _what(kind: SubmissionKind) -> str:
    """How a notice names what was reviewed."""
    return "the listing" if kind == SubmissionKind.LISTING else "the pending changes"


async def unpublish_by_reviewer(
    reviewer: Viewer, app_id: int, *, reason: str, now: datetime
) -> App:
    reason_text = clean_text(reason)
    if reason_text is None:
        raise UserErrors.single(
            "reason", ErrorCode.REASON_REQUIRED, "Tell the developer why the app is unpublished."
        )
    if problems := check_length("reason", reason_text, MAX_REASON_LENGTH):
        raise UserErrors(problems)
    async with events.transaction():
        app = await App.filter(id=app_id, deleted_at=None).first()
        if app is None:
            raise NotFound("No app with this id.")
        await move_app(
            app, AuditAction.UNPUBLISH, actor_id=reviewer.user.id, now=now, reason=reason_text
        )
        await notify_app(app, NotificationKind.APP_UNPUBLISHED, now=now, reason=reason_text)
    return app
