"""Types only reviewers see."""

from __future__ import annotations

from datetime import datetime

import strawberry

from devhub_gql import models as m
from devhub_gql.models import SubmissionStatus
from schema.context import Info
from schema.types import App, Company, Submission, User


@strawberry.type(description="A submission as the reviewer works on it.")
class ReviewSubmission(Submission):
    @classmethod
    def resolve_typename(cls, root: object, info: strawberry.Info) -> str:
        """One submission, one id: the id the developer got from submitAppForReview."""
        return "Submission"

    @strawberry.field(description="The app as it is live now.")
    async def app(self, info: Info) -> App:
        return App.from_model(await info.context.loaders.app.load(self.app_pk))

    @strawberry.field(description="The developer company.")
    async def developer(self, info: Info) -> Company:
        app = await info.context.loaders.app.load(self.app_pk)
        return Company.from_model(await info.context.loaders.company.load(app.company_id))

    @strawberry.field(description="Earlier decisions on the same app, newest first.")
    async def earlier_decisions(self, info: Info) -> list[Submission]:
        rows = await info.context.loaders.submissions.load(self.app_pk)
        return [
            Submission.from_model(row)
            for row in rows
            if row.submitted_at <= self.submitted_at
            and row.id != self.submission_id
            and row.status in (SubmissionStatus.APPROVED, SubmissionStatus.REJECTED)
        ]


@strawberry.type(description="One change of an app's state; entries are never changed.")
class AuditEntry:
    action: str = strawberry.field(
        description="What happened: a transition (`submit`, `withdraw`, `approve`, `reject`, "
        "`publish`, `unpublish`, `change_to_live`), `delete`, or a revision's "
        "`revision_submitted`, `_withdrawn`, `_approved`, `_rejected`, `_merged` or `_discarded`."
    )
    from_status: str | None = strawberry.field(
        description="The app's status before; null when the status was not involved."
    )
    to_status: str | None = strawberry.field(
        description="The app's status after; null when it did not change or the app was deleted."
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
        return User.from_model(await info.context.loaders.user.load(self.actor_pk))

    @classmethod
    def from_model(cls, row: m.AuditEntry) -> AuditEntry:
        return cls(
            action=row.action,
            from_status=row.from_status,
            to_status=row.to_status,
            reason=row.reason,
            at=row.at,
            actor_pk=row.actor_id,
        )
