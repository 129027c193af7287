"""Back-office resolvers: each one lets reviewers through and stops everyone else first."""

from __future__ import annotations

import strawberry

from backoffice.types import AuditEntry, ReviewSubmission
from devhub_gql.domain import audit, reviews
from devhub_gql.domain.accounts import Viewer
from devhub_gql.domain.errors import NotFound
from devhub_gql.models import App as AppRow
from resolvers.base import attempt, decode_id
from schema.context import Info
from schema.errors import UserErrorType
from schema.pagination import Connection, paginate
from schema.types import App, RejectionCode

# The queue's ReviewSubmission ids and the developer's Submission ids name the same rows.
SUBMISSION_TYPES = ("ReviewSubmission", "Submission")


async def _reviewer(info: Info) -> Viewer:
    return reviews.ensure_reviewer(await info.context.viewer())


@strawberry.input
class ApproveSubmissionInput:
    id: strawberry.ID
    note: str | None = None


@strawberry.input
class RejectionReasonInput:
    code: RejectionCode  # type: ignore[valid-type]
    message: str


@strawberry.input
class RejectSubmissionInput:
    id: strawberry.ID
    reasons: list[RejectionReasonInput] = strawberry.field(description="At least one.")
    note: str | None = None


@strawberry.input
class UnpublishAppInput:
    app_id: strawberry.ID
    reason: str = strawberry.field(description="Told to the developer.")


@strawberry.type
class DecisionPayload:
    submission: ReviewSubmission | None = None
    user_errors: list[UserErrorType] = strawberry.field(default_factory=list)


@strawberry.type
class UnpublishAppPayload:
    app: App | None = None
    user_errors: list[UserErrorType] = strawberry.field(default_factory=list)


async def review_queue(
    info: Info, first: int | None = None, after: str | None = None
) -> Connection[ReviewSubmission]:
    await _reviewer(info)
    return await paginate(
        reviews.review_queue(), first=first, after=after, to_node=ReviewSubmission.from_model
    )


async def submission(info: Info, id: strawberry.ID) -> ReviewSubmission:
    await _reviewer(info)
    row = await reviews.get_submission(decode_id(id, *SUBMISSION_TYPES))
    return ReviewSubmission.from_model(row)


async def audit_log(
    info: Info, app_id: strawberry.ID, first: int | None = None, after: str | None = None
) -> Connection[AuditEntry]:
    await _reviewer(info)
    row_id = decode_id(app_id, "App")
    if not await AppRow.filter(id=row_id).exists():
        raise NotFound("No app with this id.")
    return await paginate(
        audit.entries_for(row_id), first=first, after=after, to_node=AuditEntry.from_model
    )


async def _decide(
    info: Info, submission_id: strawberry.ID, *, approve: bool, note: str | None, reasons: list
) -> DecisionPayload:
    reviewer = await _reviewer(info)
    outcome = await attempt(
        reviews.decide(
            reviewer,
            decode_id(submission_id, *SUBMISSION_TYPES),
            approve=approve,
            note=note,
            reasons=reasons,
            now=info.context.clock.now(),
        )
    )
    if outcome.value is None:
        return DecisionPayload(user_errors=outcome.user_errors)
    return DecisionPayload(submission=ReviewSubmission.from_model(outcome.value))


async def approve_submission(info: Info, input: ApproveSubmissionInput) -> DecisionPayload:
    return await _decide(info, input.id, approve=True, note=input.note, reasons=[])


async def reject_submission(info: Info, input: RejectSubmissionInput) -> DecisionPayload:
    reasons = [reviews.RejectionReason(code=r.code, message=r.message) for r in input.reasons]
    return await _decide(info, input.id, approve=False, note=input.note, reasons=reasons)


async def unpublish_app(info: Info, input: UnpublishAppInput) -> UnpublishAppPayload:
    reviewer = await _reviewer(info)
    outcome = await attempt(
        reviews.unpublish_by_reviewer(
            reviewer,
            decode_id(input.app_id, "App"),
            reason=input.reason,
            now=info.context.clock.now(),
        )
    )
    if outcome.value is None:
        return UnpublishAppPayload(user_errors=outcome.user_errors)
    return UnpublishAppPayload(app=App.from_model(outcome.value))
