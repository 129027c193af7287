"""Ratings and reviews as the marketplace shows them, and the inputs that write them."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import relay

from devhub_gql.domain import ratings
from schema.enums import described_enum
from schema.errors import UserErrorType, user_errors_field
from schema.scopes import PUBLIC

REVIEW = "Review"

ReviewSort = described_enum(
    ratings.ReviewSort,
    name="ReviewSort",
    description="The order of an app's reviews.",
    values={
        ratings.ReviewSort.NEWEST: "Most recently written first.",
        ratings.ReviewSort.MOST_HELPFUL: "Most helpful votes first.",
        ratings.ReviewSort.LOWEST: "Fewest stars first.",
        ratings.ReviewSort.HIGHEST: "Most stars first.",
    },
)


def review_id(row_id: int) -> strawberry.ID:
    return strawberry.ID(relay.to_base64(REVIEW, row_id))


@strawberry.type(description="An app's visible ratings, hidden ones left out.", directives=PUBLIC)
class RatingSummary:
    average: float | None = strawberry.field(
        description="The mean number of stars, to one decimal; null without ratings."
    )
    count: int = strawberry.field(description="How many users rated the app.")
    distribution: list[int] = strawberry.field(
        description="How many gave 1, 2, 3, 4 and 5 stars, in that order (five numbers)."
    )

    @classmethod
    def of(cls, summary: ratings.Summary) -> RatingSummary:
        return cls(
            average=summary.average,
            count=summary.count,
            distribution=list(summary.distribution),
        )


@strawberry.type(description="The app developer's public answer to a review.", directives=PUBLIC)
class ReviewReply:
    body: str = strawberry.field(description="The reply, ≤ 2,000 characters.")
    created_at: datetime = strawberry.field(description="When it was first posted.")
    updated_at: datetime = strawberry.field(description="When it was last edited.")


@strawberry.type(description="A user's rating of an app, with their review.", directives=PUBLIC)
class Review:
    id: strawberry.ID = strawberry.field(description="The review's id.")
    stars: int = strawberry.field(description="1 to 5.")
    title: str | None = strawberry.field(description="≤ 100 characters; null without one.")
    body: str | None = strawberry.field(description="≤ 2,000 characters; null for a bare rating.")
    author_name: str = strawberry.field(description="The author's display name (never an email).")
    created_at: datetime = strawberry.field(description="When it was first written.")
    edited: bool = strawberry.field(description="Whether its author changed it since.")
    edited_at: datetime | None = strawberry.field(description="When it was last changed.")
    helpful_count: int = strawberry.field(description="How many users found it helpful.")
    reply: ReviewReply | None = strawberry.field(description="The developer's reply, if any.")
    hidden_reason: str | None = strawberry.field(
        description="Why a reviewer hid it: shown to its author only (myReview); hidden reviews "
        "are nowhere else."
    )

    @classmethod
    def of(cls, review: ratings.Review) -> Review:
        reply = None
        if review.reply_body and review.reply_created_at and review.reply_updated_at:
            reply = ReviewReply(
                body=review.reply_body,
                created_at=review.reply_created_at,
                updated_at=review.reply_updated_at,
            )
        return cls(
            id=review_id(review.id),
            stars=review.stars,
            title=review.title,
            body=review.body,
            author_name=review.author_name,
            created_at=review.created_at,
            edited=review.edited_at is not None,
            edited_at=review.edited_at,
            helpful_count=review.helpful_count,
            reply=reply,
            hidden_reason=review.hidden_reason,
        )


@strawberry.input(description="Rate an app, or change one's rating of it.")
class RateAppInput:
    app_id: strawberry.ID = strawberry.field(description="The marketplace listing's id.")
    stars: int = strawberry.field(description="1 to 5.")
    title: str | None = strawberry.field(
        default=None, description="≤ 100 characters; needs a body."
    )
    body: str | None = strawberry.field(
        default=None, description="The review, ≤ 2,000 characters; a rating needs none."
    )


@strawberry.input(description="Delete one's rating of an app.")
class DeleteAppRatingInput:
    app_id: strawberry.ID = strawberry.field(description="The marketplace listing's id.")


@strawberry.input(description="The developer's reply to a review of their app.")
class ReplyToReviewInput:
    review_id: strawberry.ID = strawberry.field(description="The review's id.")
    body: str = strawberry.field(description="The reply, ≤ 2,000 characters; replaces any earlier.")


@strawberry.input(description="A review to mark helpful.")
class MarkReviewHelpfulInput:
    review_id: strawberry.ID = strawberry.field(description="The review's id.")


@strawberry.input(description="Report a review to the marketplace's reviewers.")
class ReportReviewInput:
    review_id: strawberry.ID = strawberry.field(description="The review's id.")
    reason: str = strawberry.field(description="What is wrong with it, ≤ 500 characters.")


@strawberry.type(description="The review as it is now.")
class ReviewPayload:
    review: Review | None = strawberry.field(
        default=None, description="Null when the mutation was refused."
    )
    user_errors: list[UserErrorType] = user_errors_field()


@strawberry.type(description="Whether the rating was deleted.")
class DeleteAppRatingPayload:
    deleted: bool = strawberry.field(default=False, description="True once it is gone.")
    user_errors: list[UserErrorType] = user_errors_field()


@strawberry.type(description="Whether the report was taken.")
class ReportReviewPayload:
    reported: bool = strawberry.field(default=False, description="True once it is recorded.")
    user_errors: list[UserErrorType] = user_errors_field()
