"""Ratings and reviews: rate, delete, reply, vote, report (signed-in users; each write counts
against the user's review budget)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from devhub_gql.domain import ratings
from devhub_gql.domain.accounts import Viewer
from resolvers.base import attempt, decode_id
from schema.context import Info
from schema.errors import UserErrorType
from schema.ratings import (
    REVIEW,
    DeleteAppRatingInput,
    DeleteAppRatingPayload,
    MarkReviewHelpfulInput,
    RateAppInput,
    ReplyToReviewInput,
    ReportReviewInput,
    ReportReviewPayload,
    Review,
    ReviewPayload,
)

LISTING = "MarketplaceApp"


async def _writer(info: Info) -> Viewer:
    viewer = await info.context.require_viewer()
    await info.context.within_budget(info.context.limiters.reviews, f"user:{viewer.user.id}")
    return viewer


async def _answer(rating_id: int | None, errors: list[UserErrorType]) -> ReviewPayload:
    if rating_id is None:
        return ReviewPayload(user_errors=errors)
    return ReviewPayload(review=Review.of(await ratings.review_by_id(rating_id)))


async def rate_app(
    info: Info, input: Annotated[RateAppInput, strawberry.argument(description="The rating.")]
) -> ReviewPayload:
    viewer = await _writer(info)
    outcome = await attempt(
        ratings.rate(
            viewer,
            decode_id(input.app_id, LISTING),
            stars=input.stars,
            title=input.title,
            body=input.body,
            now=info.context.clock.now(),
        )
    )
    return await _answer(outcome.value.id if outcome.value else None, outcome.user_errors)


async def delete_app_rating(
    info: Info,
    input: Annotated[DeleteAppRatingInput, strawberry.argument(description="Which app's.")],
) -> DeleteAppRatingPayload:
    viewer = await _writer(info)
    await ratings.delete_rating(
        viewer, decode_id(input.app_id, LISTING), now=info.context.clock.now()
    )
    return DeleteAppRatingPayload(deleted=True)


async def reply_to_review(
    info: Info, input: Annotated[ReplyToReviewInput, strawberry.argument(description="The reply.")]
) -> ReviewPayload:
    viewer = await _writer(info)
    outcome = await attempt(
        ratings.reply(
            viewer, decode_id(input.review_id, REVIEW), input.body, now=info.context.clock.now()
        )
    )
    return await _answer(outcome.value.id if outcome.value else None, outcome.user_errors)


async def mark_review_helpful(
    info: Info,
    input: Annotated[MarkReviewHelpfulInput, strawberry.argument(description="The review.")],
) -> ReviewPayload:
    viewer = await _writer(info)
    outcome = await attempt(
        ratings.vote_helpful(
            viewer, decode_id(input.review_id, REVIEW), now=info.context.clock.now()
        )
    )
    return await _answer(outcome.value.id if outcome.value else None, outcome.user_errors)


async def report_review(
    info: Info, input: Annotated[ReportReviewInput, strawberry.argument(description="The report.")]
) -> ReportReviewPayload:
    viewer = await _writer(info)
    outcome = await attempt(
        ratings.report(
            viewer, decode_id(input.review_id, REVIEW), input.reason, now=info.context.clock.now()
        )
    )
    if outcome.user_errors:
        return ReportReviewPayload(user_errors=outcome.user_errors)
    return ReportReviewPayload(reported=True)
