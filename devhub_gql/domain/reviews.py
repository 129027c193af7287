"""The reviewer's side: the queue, decisions on submissions, and taking apps off the marketplace."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from devhub_gql.domain import audit
from devhub_gql.domain.accounts import Viewer
from devhub_gql.domain.errors import (
    ErrorCode,
    Forbidden,
    NotFound,
    Unauthenticated,
    UserError,
    UserErrors,
)
from devhub_gql.domain.lifecycle import Transition, apply_transition
from devhub_gql.domain.validation import check_length, clean_text
from devhub_gql.models import (
    App,
    PendingRevision,
    RevisionStatus,
    Submission,
    SubmissionKind,
    SubmissionStatus,
)

MAX_REASON_LENGTH = 1000


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


def review_queue() -> QuerySet[Submission]:
    """Submissions waiting for a decision, oldest first."""
    return Submission.filter(status=SubmissionStatus.PENDING, app__deleted_at=None).order_by(
        "submitted_at", "id"
    )


async def get_submission(submission_id: int) -> Submission:
    submission = await Submission.filter(id=submission_id, app__deleted_at=None).first()
    if submission is None:
        raise NotFound("No submission with this id.")
    return submission


def earlier_decisions(submission: Submission) -> QuerySet[Submission]:
    return (
        Submission.filter(
            app_id=submission.app_id,
            submitted_at__lte=submission.submitted_at,
            status__in=(SubmissionStatus.APPROVED, SubmissionStatus.REJECTED),
        )
        .exclude(id=submission.id)
        .order_by("-decided_at", "-id")
    )


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
) -> Submission:
    """Approve or reject; of two reviewers deciding at once exactly one lands."""
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
    status = SubmissionStatus.APPROVED if approve else SubmissionStatus.REJECTED
    async with in_transaction():
        decided = await Submission.filter(id=submission.id, status=SubmissionStatus.PENDING).update(
            status=status,
            decided_by_id=reviewer.user.id,
            decided_at=now,
            note=note,
            reasons=cleaned_reasons,
        )
        if not decided:
            raise UserErrors.single(
                None, ErrorCode.ALREADY_DECIDED, "This submission is no longer waiting for review."
            )
        summary = "; ".join(f"{r['code']}: {r['message']}" for r in cleaned_reasons) or note
        if submission.kind == SubmissionKind.LISTING:
            transition = Transition.APPROVE if approve else Transition.REJECT
            await apply_transition(
                app, transition, actor_id=reviewer.user.id, now=now, reason=summary
            )
        else:
            await PendingRevision.filter(id=submission.revision_id).update(
                status=RevisionStatus.APPROVED if approve else RevisionStatus.DRAFT, updated_at=now
            )
            await audit.record(
                app.id,
                actor_id=reviewer.user.id,
                action="revision_approved" if approve else "revision_rejected",
                reason=summary,
                now=now,
            )
    return await Submission.get(id=submission.id)


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
    async with in_transaction():
        app = await App.filter(id=app_id, deleted_at=None).first()
        if app is None:
            raise NotFound("No app with this id.")
        await apply_transition(
            app, Transition.UNPUBLISH, actor_id=reviewer.user.id, now=now, reason=reason_text
        )
    return app
