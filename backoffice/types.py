"""Types only reviewers see."""

from __future__ import annotations

from datetime import datetime

import strawberry

from devhub_gql import models as m
from devhub_gql.domain import live, reviews
from schema.accounts import Company, User
from schema.apps import App
from schema.context import Info
from schema.enums import described_enum
from schema.errors import UserErrorType, user_errors_field
from schema.ratings import Review
from schema.reviews import AuditAction, RejectionCode, Submission

QueueChange = described_enum(
    live.QueueChange,
    description="How the review queue changed.",
    values={
        live.QueueChange.SUBMITTED: "A submission entered the queue (a new app or a revision).",
        live.QueueChange.WITHDRAWN: "Its developer took it back (or deleted the app).",
        live.QueueChange.CLAIMED: "A reviewer claimed it (or renewed their claim).",
        live.QueueChange.RELEASED: "Its reviewer gave the claim back.",
        live.QueueChange.DECIDED: "A reviewer approved or rejected it.",
    },
)


@strawberry.type(description="A submission as the reviewer works on it.")
class ReviewSubmission(Submission):
    @classmethod
    def resolve_typename(cls, root: object, info: strawberry.Info) -> str:
        """One submission, one id: the id the developer got from submitAppForReview."""
        return "Submission"

    @strawberry.field(
        description="The reviewer working on it, while their claim runs; null when unclaimed."
    )
    async def claimed_by(self, info: Info) -> User | None:
        if self.row.claimed_by_id is None or self.row.claimed_until is None:
            return None
        if self.row.claimed_until <= info.context.clock.now():
            return None  # lapsed
        found = await info.context.loaders.user.load(self.row.claimed_by_id)
        return User.from_model(found) if found else None

    @strawberry.field(description="When the claim lapses, unless renewed or released.")
    def claimed_until(self, info: Info) -> datetime | None:
        until = self.row.claimed_until
        return until if until is not None and until > info.context.clock.now() else None

    @strawberry.field(description="The app as it is live now.")
    async def app(self, info: Info) -> App:
        found = await info.context.loaders.app_view.load(self.row.app_id)
        assert found is not None  # submissions keep their app (soft delete)
        return App.of(found)

    @strawberry.field(description="The developer company.")
    async def developer(self, info: Info) -> Company:
        return (await self.app(info)).company

    @strawberry.field(description="Earlier decisions on the same app, the latest first.")
    async def earlier_decisions(self, info: Info) -> list[Submission]:
        history = await info.context.loaders.submissions.load(self.row.app_id)
        return [Submission.from_model(r) for r in reviews.earlier_decisions(self.row, history)]


@strawberry.type(description="One change of an app's state; entries are never changed.")
class AuditEntry:
    action: AuditAction = strawberry.field(  # type: ignore[valid-type]
        description="What happened."
    )
    from_status: str | None = strawberry.field(
        description="The status before: the app's, or the pending revision's for a REVISION_ "
        "action."
    )
    to_status: str | None = strawberry.field(
        description="The status after (the app's, or the revision's); null when the app was "
        "deleted."
    )
    reason: str | None = strawberry.field(
        description="The reason given (deletion, unpublishing, rejection reasons or an approval "
        "note); null when none."
    )
    at: datetime = strawberry.field(description="When it happened.")
    actor_pk: strawberry.Private[int | None]

    @strawberry.field(description="Who did it; null for the system.")
    async def actor(self, info: Info) -> User | None:
        if self.actor_pk is None:
            return None
        found = await info.context.loaders.user.load(self.actor_pk)
        return User.from_model(found) if found else None

    @classmethod
    def from_model(cls, row: m.AuditEntry) -> AuditEntry:
        return cls(
            action=m.AuditAction(row.action),
            from_status=row.from_status,
            to_status=row.to_status,
            reason=row.reason,
            at=row.at,
            actor_pk=row.actor_id,
        )


SUBMISSION_ID = "The submission's id, as the queue or submitAppForReview gave it."


@strawberry.input(description="Approves a submission waiting in the queue.")
class ApproveSubmissionInput:
    id: strawberry.ID = strawberry.field(description=SUBMISSION_ID)
    note: str | None = strawberry.field(
        default=None, description="A note for the developer, ≤ 1,000 characters; optional."
    )
    override: bool = strawberry.field(
        default=False,
        description="Decide although another reviewer's claim is running; the audit log says so.",
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
    override: bool = strawberry.field(
        default=False,
        description="Decide although another reviewer's claim is running; the audit log says so.",
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


@strawberry.type(description="What a user reported about a review.")
class ReviewReport:
    reason: str = strawberry.field(description="The reporter's reason.")
    created_at: datetime = strawberry.field(description="When it was reported.")


@strawberry.type(description="An earlier version of a review, before its author edited it.")
class ReviewVersion:
    stars: int = strawberry.field(description="1 to 5.")
    title: str | None = strawberry.field(description="Its title then.")
    body: str | None = strawberry.field(description="Its text then.")
    written_at: datetime = strawberry.field(description="When this version was written.")
    replaced_at: datetime = strawberry.field(description="When the author replaced it.")


@strawberry.type(description="A review with open reports, as a moderator sees it.")
class ReportedReview:
    review: Review = strawberry.field(description="The review as shown in the marketplace.")
    app_name: str = strawberry.field(description="The app it is about.")
    author_email: str = strawberry.field(description="Who wrote it (moderators only).")
    reports: list[ReviewReport] = strawberry.field(description="Its open reports, oldest first.")
    history: list[ReviewVersion] = strawberry.field(
        description="Its earlier versions, oldest first."
    )


@strawberry.input(description="Hide a review from the marketplace and its figures.")
class HideReviewInput:
    review_id: strawberry.ID = strawberry.field(description="The review's id.")
    reason: str = strawberry.field(description="Told to its author, ≤ 1,000 characters.")


@strawberry.input(description="Keep a reported review: its open reports are closed.")
class DismissReviewReportsInput:
    review_id: strawberry.ID = strawberry.field(description="The review's id.")


@strawberry.type(description="The review after the moderator's decision.")
class ModerationPayload:
    review: Review | None = strawberry.field(
        default=None, description="Null when the decision was refused."
    )
    user_errors: list[UserErrorType] = user_errors_field()


@strawberry.input(description="Fix the text of a submitted, approved or published listing.")
class EditListingTextInput:
    app_id: strawberry.ID = strawberry.field(description="The app's id.")
    reason: str = strawberry.field(description="What was fixed, told to the developer.")
    name: str | None = strawberry.field(default=None, description="The new name, if it changes.")
    summary: str | None = strawberry.field(
        default=None, description="The new summary, if it changes."
    )
    description: str | None = strawberry.field(
        default=None, description="The new description, if it changes."
    )


@strawberry.type(description="The app after the reviewer's edit.")
class EditListingTextPayload:
    app: App | None = strawberry.field(default=None, description="Null when refused.")
    user_errors: list[UserErrorType] = user_errors_field()


@strawberry.input(description="Claim a waiting submission, or give one's claim back.")
class ClaimSubmissionInput:
    id: strawberry.ID = strawberry.field(description=SUBMISSION_ID)


@strawberry.type(description="The submission with its claim as it is now.")
class ClaimPayload:
    submission: ReviewSubmission | None = strawberry.field(
        default=None, description="Null when refused."
    )
    user_errors: list[UserErrorType] = user_errors_field()


@strawberry.type(description="A change of the review queue, as it is committed.")
class QueueEvent:
    change: QueueChange = strawberry.field(  # type: ignore[valid-type]
        description="What happened."
    )
    submission: ReviewSubmission = strawberry.field(
        description="The submission now: its status, claim and decision."
    )
