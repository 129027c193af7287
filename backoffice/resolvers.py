"""Back-office resolvers: each one lets reviewers through and stops everyone else first."""

from __future__ import annotations

from typing import Annotated

import strawberry

from backoffice.types import AuditEntry, ReviewSubmission
from devhub_gql.domain import audit, reviews
from devhub_gql.domain.accounts import Viewer
from devhub_gql.domain.errors import NotFound
from devhub_gql.models import App as AppRow
from resolvers.base import attempt, decode_id
from schema.context import Info
from schema.errors import UserErrorType
from schema.pagination import After, Connection, First, paginate
from schema.payloads import user_errors_field
from schema.types import App, RejectionCode

SUBMISSION_ID = "The submission's id, as the queue or submitAppForReview gave it."


async def _reviewer(info: Info) -> Viewer:
    return reviews.ensure_reviewer(await info.context.viewer())


@strawberry.input(description="Approves a submission waiting in the queue.")
class ApproveSubmissionInput:
    id: strawberry.ID = strawberry.field(description=SUBMISSION_ID)
    note: str | None = strawberry.field(
        default=None, description="A note for the developer, ≤ 1,000 characters; optional."
    )


@strawberry.input(description="One reason for a rejection.")
class RejectionReasonInput:
    code: RejectionCode = strawberry.field(  # type: ignore[valid-type]
        description="The kind of problem."
    )
    message: str = strawberry.field(
        description="What the developer should fix, ≤ 1,000 characters."
    )


@strawberry.input(description="Rejects a submission waiting in the queue, with reasons.")
class RejectSubmissionInput:
    id: strawberry.ID = strawberry.field(description=SUBMISSION_ID)
    reasons: list[RejectionReasonInput] = strawberry.field(description="At least one.")
    note: str | None = strawberry.field(
        default=None, description="A note for the developer, ≤ 1,000 characters; optional."
    )


@strawberry.input(description="Takes a PUBLISHED app off the marketplace.")
class UnpublishAppInput:
    app_id: strawberry.ID = strawberry.field(description="The app's id.")
    reason: str = strawberry.field(description="Told to the developer.")


@strawberry.type(description="The submission after the decision.")
class DecisionPayload:
    submission: ReviewSubmission | None = strawberry.field(
        default=None, description="The decided submission; null when refused."
    )
    user_errors: list[UserErrorType] = user_errors_field()


@strawberry.type(description="The app after it was unpublished.")
class UnpublishAppPayload:
    app: App | None = strawberry.field(
        default=None, description="The app, now APPROVED; null when refused."
    )
    user_errors: list[UserErrorType] = user_errors_field()


async def review_queue(
    info: Info, first: First = None, after: After = None
) -> Connection[ReviewSubmission]:
    await _reviewer(info)
    return await paginate(
        reviews.review_queue(), first=first, after=after, to_node=ReviewSubmission.from_model
    )


async def submission(
    info: Info, id: Annotated[strawberry.ID, strawberry.argument(description=SUBMISSION_ID)]
) -> ReviewSubmission:
    await _reviewer(info)
    row = await reviews.get_submission(decode_id(id, "Submission"))
    return ReviewSubmission.from_model(row)


async def audit_log(
    info: Info,
    app_id: Annotated[
        strawberry.ID, strawberry.argument(description="The app's id; deleted apps too.")
    ],
    first: First = None,
    after: After = None,
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
            decode_id(submission_id, "Submission"),
            approve=approve,
            note=note,
            reasons=reasons,
            now=info.context.clock.now(),
        )
    )
    if outcome.value is None:
        return DecisionPayload(user_errors=outcome.user_errors)
    return DecisionPayload(submission=ReviewSubmission.from_model(outcome.value))


async def approve_submission(
    info: Info,
    input: Annotated[
        ApproveSubmissionInput, strawberry.argument(description="The submission to approve.")
    ],
) -> DecisionPayload:
    return await _decide(info, input.id, approve=True, note=input.note, reasons=[])


async def reject_submission(
    info: Info,
    input: Annotated[
        RejectSubmissionInput,
        strawberry.argument(description="The submission to reject, and why."),
    ],
) -> DecisionPayload:
    reasons = [reviews.RejectionReason(code=r.code, message=r.message) for r in input.reasons]
    return await _decide(info, input.id, approve=False, note=input.note, reasons=reasons)


async def unpublish_app(
    info: Info,
    input: Annotated[
        UnpublishAppInput, strawberry.argument(description="The app to unpublish, and why.")
    ],
) -> UnpublishAppPayload:
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
