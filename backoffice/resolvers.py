"""Back-office resolvers, thin: the schema's IsReviewer permission has let only reviewers in."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable
from typing import Annotated

import strawberry

from backoffice.types import (
    SUBMISSION_ID,
    ApproveSubmissionInput,
    AuditEntry,
    ClaimPayload,
    ClaimSubmissionInput,
    DecisionPayload,
    DismissReviewReportsInput,
    EditListingTextInput,
    EditListingTextPayload,
    HideReviewInput,
    ModerationPayload,
    QueueEvent,
    RejectSubmissionInput,
    ReportedReview,
    ReviewReport,
    ReviewSubmission,
    ReviewVersion,
    UnpublishAppInput,
    UnpublishAppPayload,
)
from devhub_gql.domain import audit, live, ratings, reviews
from devhub_gql.domain.errors import NotFound
from resolvers.base import attempt, decode_id
from schema.accounts import User
from schema.apps import App
from schema.context import Info
from schema.pagination import After, Connection, First, paginate
from schema.ratings import REVIEW, Review
from schema.reviews import SubmissionKind


async def review_queue(
    info: Info,
    first: First = None,
    after: After = None,
    kind: Annotated[
        SubmissionKind | None,  # type: ignore[valid-type]
        strawberry.argument(description="Only new apps, or only revisions; both when omitted."),
    ] = None,
    claimed_by_me: Annotated[
        bool, strawberry.argument(description="Only the submissions the viewer has claimed.")
    ] = False,
) -> Connection[ReviewSubmission]:
    reviewer = await info.context.require_viewer()
    queue = reviews.review_queue(
        kind=kind,
        claimed_by=reviewer.user.id if claimed_by_me else None,
        now=info.context.clock.now(),
    )
    return await paginate(queue, first=first, after=after, to_node=ReviewSubmission.from_model)


async def submission(
    info: Info, id: Annotated[strawberry.ID, strawberry.argument(description=SUBMISSION_ID)]
) -> ReviewSubmission:
    row = await reviews.get_submission(decode_id(id, "Submission"))
    return ReviewSubmission.from_model(row)


async def viewer(info: Info) -> User:
    return User.from_model((await info.context.require_viewer()).user)


async def apps(
    info: Info,
    first: First = None,
    after: After = None,
    search: Annotated[
        str | None,
        strawberry.argument(description="Only apps whose name contains this, in any case."),
    ] = None,
) -> Connection[App]:
    return await paginate(reviews.reviewed_apps(search), first=first, after=after, to_node=App.of)


async def app(
    info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="The app's id.")]
) -> App:
    found = await info.context.loaders.app_view.load(decode_id(id, "App"))
    if found is None:
        raise NotFound("No such app.")
    return App.of(found)


async def review_queue_events(info: Info) -> AsyncGenerator[QueueEvent, None]:
    async for change, event in live.follow_queue(info.context.current_viewer):
        assert event.submission_id is not None  # follow_queue passes on submissions' events
        row = await reviews.submission_by_id(event.submission_id)
        yield QueueEvent(change=change, submission=ReviewSubmission.from_model(row))


async def audit_log(
    info: Info,
    app_id: Annotated[
        strawberry.ID, strawberry.argument(description="The app's id; deleted apps too.")
    ],
    first: First = None,
    after: After = None,
) -> Connection[AuditEntry]:
    entries = await audit.log_of(decode_id(app_id, "App"))
    return await paginate(entries, first=first, after=after, to_node=AuditEntry.from_model)


async def _decide(
    info: Info,
    submission_id: strawberry.ID,
    *,
    approve: bool,
    note: str | None,
    reasons: list[reviews.RejectionReason],
    override: bool,
) -> DecisionPayload:
    outcome = await attempt(
        reviews.decide(
            await info.context.require_viewer(),
            decode_id(submission_id, "Submission"),
            approve=approve,
            note=note,
            reasons=reasons,
            now=info.context.clock.now(),
            override=override,
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
    return await _decide(
        info, input.id, approve=True, note=input.note, reasons=[], override=input.override
    )


async def reject_submission(
    info: Info,
    input: Annotated[
        RejectSubmissionInput,
        strawberry.argument(description="The submission to reject, and why."),
    ],
) -> DecisionPayload:
    reasons = [reviews.RejectionReason(code=r.code, message=r.message) for r in input.reasons]
    return await _decide(
        info, input.id, approve=False, note=input.note, reasons=reasons, override=input.override
    )


async def unpublish_app(
    info: Info,
    input: Annotated[
        UnpublishAppInput, strawberry.argument(description="The app to unpublish, and why.")
    ],
) -> UnpublishAppPayload:
    outcome = await attempt(
        reviews.unpublish_by_reviewer(
            await info.context.require_viewer(),
            decode_id(input.app_id, "App"),
            reason=input.reason,
            now=info.context.clock.now(),
        )
    )
    if outcome.value is None:
        return UnpublishAppPayload(user_errors=outcome.user_errors)
    return UnpublishAppPayload(app=await App.reread(outcome.value.id))


def _reported(found: ratings.Reported) -> ReportedReview:
    return ReportedReview(
        review=Review.of(found.review),
        app_name=found.app_name,
        author_email=found.author_email,
        reports=[ReviewReport(reason=r.reason, created_at=r.created_at) for r in found.reports],
        history=[
            ReviewVersion(
                stars=v.stars,
                title=v.title,
                body=v.body,
                written_at=v.written_at,
                replaced_at=v.replaced_at,
            )
            for v in found.history
        ],
    )


async def reported_reviews(
    info: Info, first: First = None, after: After = None
) -> Connection[ReportedReview]:
    return await paginate(ratings.reported_reviews, first=first, after=after, to_node=_reported)


async def _moderated(info: Info, decision: Awaitable[object], review_id: int) -> ModerationPayload:
    outcome = await attempt(decision)
    if outcome.user_errors:
        return ModerationPayload(user_errors=outcome.user_errors)
    return ModerationPayload(review=Review.of(await ratings.review_by_id(review_id)))


async def hide_review(
    info: Info,
    input: Annotated[HideReviewInput, strawberry.argument(description="The decision.")],
) -> ModerationPayload:
    reviewer = await info.context.require_viewer()
    review_id = decode_id(input.review_id, REVIEW)
    decision = ratings.hide(reviewer, review_id, input.reason, now=info.context.clock.now())
    return await _moderated(info, decision, review_id)


async def dismiss_review_reports(
    info: Info,
    input: Annotated[DismissReviewReportsInput, strawberry.argument(description="The review.")],
) -> ModerationPayload:
    reviewer = await info.context.require_viewer()
    review_id = decode_id(input.review_id, REVIEW)
    decision = ratings.dismiss_reports(reviewer, review_id, now=info.context.clock.now())
    return await _moderated(info, decision, review_id)


async def edit_listing_text(
    info: Info,
    input: Annotated[EditListingTextInput, strawberry.argument(description="The fixed text.")],
) -> EditListingTextPayload:
    changes = {
        name: value for name in reviews.EDITABLE_TEXT if (value := getattr(input, name)) is not None
    }
    outcome = await attempt(
        reviews.edit_listing_text(
            await info.context.require_viewer(),
            decode_id(input.app_id, "App"),
            changes,
            reason=input.reason,
            now=info.context.clock.now(),
        )
    )
    if outcome.value is None:
        return EditListingTextPayload(user_errors=outcome.user_errors)
    return EditListingTextPayload(app=await App.reread(outcome.value.id))


async def claim_submission(
    info: Info,
    input: Annotated[ClaimSubmissionInput, strawberry.argument(description="The submission.")],
) -> ClaimPayload:
    outcome = await attempt(
        reviews.claim(
            await info.context.require_viewer(),
            decode_id(input.id, "Submission"),
            now=info.context.clock.now(),
            minutes=info.context.settings.claim_minutes,
        )
    )
    if outcome.value is None:
        return ClaimPayload(user_errors=outcome.user_errors)
    return ClaimPayload(submission=ReviewSubmission.from_model(outcome.value))


async def release_submission(
    info: Info,
    input: Annotated[ClaimSubmissionInput, strawberry.argument(description="The submission.")],
) -> ClaimPayload:
    released = await reviews.release(
        await info.context.require_viewer(), decode_id(input.id, "Submission")
    )
    return ClaimPayload(submission=ReviewSubmission.from_model(released))
