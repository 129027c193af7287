"""Apps: the developer's view of an app, its pending revision and its uninstall notices, and
the inputs and payloads of the mutations that create, edit and move it through its life."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry import relay

from devhub_gql import models as m
from devhub_gql.domain import apps, extensions, reviews, revisions
from devhub_gql.domain.listing import CATEGORY
from devhub_gql.outbox.worker import MAX_ATTEMPTS
from schema import listing
from schema.accounts import Company
from schema.catalogue import Category, Scope
from schema.context import Info
from schema.enums import described_enum
from schema.errors import UserErrorType, user_errors_field
from schema.extensions import AppExtension
from schema.listing import AppType
from schema.reviews import RevisionDiff, Submission
from schema.scopes import COMPANY

APP_ID = "The app's id."

AppStatus = described_enum(
    m.AppStatus,
    description="Where an app is in its lifecycle: public apps go DRAFT → IN_REVIEW → APPROVED ⇄ "
    "PUBLISHED, private apps DRAFT → LIVE.",
    values={
        m.AppStatus.DRAFT: "Being prepared; only the developer's company may install it, to test. "
        "A rejected or withdrawn public app returns here.",
        m.AppStatus.IN_REVIEW: "A public app waiting for a reviewer; it cannot be edited until "
        "withdrawn or decided.",
        m.AppStatus.APPROVED: "A public app a reviewer approved that is not listed in the "
        "marketplace (not yet published, or unpublished); anyone may install it by direct link.",
        m.AppStatus.PUBLISHED: "A public app listed in the marketplace; it must be unpublished "
        "before it can be deleted.",
        m.AppStatus.LIVE: "A private app changed to live, for good; anyone with its link may "
        "install it.",
    },
)
RevisionStatus = described_enum(
    m.RevisionStatus,
    description="Where a pending revision is.",
    values={
        m.RevisionStatus.DRAFT: "Collecting critical edits; submit it with submitAppForReview or "
        "discard it. A rejected or withdrawn revision returns here.",
        m.RevisionStatus.IN_REVIEW: "Waiting for a reviewer; it takes no edits until withdrawn "
        "or decided.",
        m.RevisionStatus.APPROVED: "Approved by a reviewer: mergePendingRevision makes it live.",
        m.RevisionStatus.MERGED: "Made live; no longer pending.",
        m.RevisionStatus.DISCARDED: "Dropped by the developer; the live app never changed.",
    },
)


@strawberry.type(
    description="Critical-field changes to an approved app, kept apart until merged.",
    directives=COMPANY,
)
class PendingRevision:
    status: RevisionStatus = strawberry.field(  # type: ignore[valid-type]
        description="DRAFT, IN_REVIEW or APPROVED: merged and discarded ones are no longer pending."
    )
    diff: RevisionDiff = strawberry.field(
        description="What merging it would change in the live app as it is now."
    )
    created_at: datetime = strawberry.field(description="When the first critical edit opened it.")
    updated_at: datetime = strawberry.field(
        description="When it last changed: an edit, a submission or a decision."
    )

    @classmethod
    def from_model(cls, row: m.PendingRevision, diff: dict[str, Any]) -> PendingRevision:
        return cls(
            status=row.status,
            diff=RevisionDiff.from_dict(diff),
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


@strawberry.type(description="An OAuth app developed in the viewer's company.", directives=COMPANY)
class App(listing.Registration, relay.Node):  # a base generated from the listing
    app_id: relay.NodeID[int]
    type: AppType = strawberry.field(  # type: ignore[valid-type]
        description="PUBLIC or PRIVATE, fixed at creation."
    )
    status: AppStatus = strawberry.field(  # type: ignore[valid-type]
        description="Where the app is in its lifecycle."
    )
    client_id: str = strawberry.field(description="The OAuth client id; public.")
    created_at: datetime = strawberry.field(description="When the app was created.")
    updated_at: datetime = strawberry.field(
        description="When the app last changed: an edit, a status change, a merge or a new secret."
    )
    # Read with the app in its one statement, so plain values, not resolvers: 50 awaited
    # fields on a page cost more than the statement behind them.
    scopes: list[Scope] = strawberry.field(
        description="The live access scopes; `base` is always among them."
    )
    category: Category | None = strawberry.field(
        description="The live marketplace category; null until chosen. Required for review."
    )
    company: Company = strawberry.field(description="The developer company.")
    view: strawberry.Private[apps.AppView]

    @strawberry.field(description="Critical changes waiting for review or merge, if any.")
    async def pending_revision(self, info: Info) -> PendingRevision | None:
        revision = await info.context.loaders.open_revision.load(self.view.id)
        if revision is None:
            return None
        row = await info.context.loaders.app.load(self.view.id)
        assert row is not None  # an app row is never removed, only marked deleted
        live = await info.context.loaders.extensions.load(self.view.id)
        return PendingRevision.from_model(
            revision, revisions.pending_diff(row, self.view.scopes, live, revision)
        )

    @strawberry.field(
        description="The live extensions, in the order added. On an approved or published app, "
        "edits wait in pendingRevision (its diff lists them) until merged."
    )
    async def extensions(self, info: Info) -> list[AppExtension]:
        found = await info.context.loaders.extensions.load(self.view.id)
        return [AppExtension.of(extension) for extension in found]

    @strawberry.field(
        description="Signs the tokens of the app's extensions that have no JWT secret of their "
        "own (HS256); null for anyone but the app's own developers."
    )
    async def extension_signing_secret(self, info: Info) -> str | None:
        viewer = await info.context.viewer()
        if viewer is None or viewer.company_id != self.view.company_id:
            return None
        return extensions.default_signing_secret(
            self.view.client_id, info.context.settings.secret_key
        )

    @strawberry.field(description="The submission waiting for a reviewer, if any.")
    async def current_submission(self, info: Info) -> Submission | None:
        history = await info.context.loaders.submissions.load(self.view.id)
        current = reviews.current_submission(history)
        return Submission.from_model(current) if current else None

    @strawberry.field(description="The most recent rejection, with the reviewer's reasons.")
    async def latest_rejection(self, info: Info) -> Submission | None:
        history = await info.context.loaders.submissions.load(self.view.id)
        rejection = reviews.latest_rejection(history)
        return Submission.from_model(rejection) if rejection else None

    @strawberry.field(description="Every submission of the app, newest first.")
    async def review_history(self, info: Info) -> list[Submission]:
        history = await info.context.loaders.submissions.load(self.view.id)
        return [Submission.from_model(row) for row in history]

    @strawberry.field(
        description="The secret that signs uninstall notices (Standard Webhooks); null for anyone "
        "but the app's own developers."
    )
    async def signing_secret(self, info: Info) -> str | None:
        viewer = await info.context.viewer()
        return apps.signing_secret_for(
            viewer, self.view.company_id, self.view.client_id, info.context.settings.secret_key
        )

    @classmethod
    def of(cls, view: apps.AppView) -> App:
        return cls(
            app_id=view.id,
            type=view.type,
            status=view.status,
            client_id=view.client_id,
            created_at=view.created_at,
            updated_at=view.updated_at,
            scopes=Scope.listed(view.scopes),
            category=Category.of(view.listing[CATEGORY.name]),
            company=Company(
                company_id=view.company_id,
                name=view.company_name,
                kind=view.company_kind,
                created_at=view.company_created_at,
            ),
            view=view,
            **listing.shown_values(view.listing),
        )

    @classmethod
    async def reread(cls, app_id: int) -> App:
        """The app as it is now, after a mutation changed it."""
        found = (await apps.app_views([app_id]))[0]
        assert found is not None  # an app row is never removed, only marked deleted
        return cls.of(found)


NoticeStatus = described_enum(
    m.NoticeStatus,
    description="Where the delivery of a notice is.",
    values={
        m.NoticeStatus.PENDING: "Not delivered yet; the next attempt is due at nextAttemptAt.",
        m.NoticeStatus.DELIVERED: "The app answered an attempt with a 2xx status.",
        m.NoticeStatus.FAILED: f"Given up after {MAX_ATTEMPTS} attempts without a 2xx answer.",
    },
)
AttemptOutcome = described_enum(
    m.AttemptOutcome,
    description="How a delivery attempt ended.",
    values={
        m.AttemptOutcome.SENDING: "Under way: the request has left and no answer is recorded yet.",
        m.AttemptOutcome.DELIVERED: "The app answered with a 2xx status.",
        m.AttemptOutcome.FAILED: "No answer (see error), or a status other than 2xx.",
        m.AttemptOutcome.INTERRUPTED: "The sender stopped mid-request, so the app may have "
        "received the notice.",
    },
)


@strawberry.type(description="One try at delivering a notice to the app.", directives=COMPANY)
class DeliveryAttempt:
    attempted_at: datetime = strawberry.field(description="When the request was sent.")
    outcome: AttemptOutcome = strawberry.field(  # type: ignore[valid-type]
        description="How it ended."
    )
    status_code: int | None = strawberry.field(description="Null when no HTTP answer came.")
    error: str | None = strawberry.field(
        description="Why no answer came (e.g. a connection error, a refused address), "
        "≤ 300 characters; null when the app answered."
    )
    duration_ms: int = strawberry.field(
        description="How long the request took, in milliseconds; 0 while SENDING."
    )


@strawberry.type(
    description="A signed DELETE to the app's callback URL telling it of an uninstall.",
    directives=COMPANY,
)
class UninstallNotice:
    webhook_id: str = strawberry.field(
        description="The `webhook-id` header, the same on every attempt: drop duplicates by it."
    )
    status: NoticeStatus = strawberry.field(  # type: ignore[valid-type]
        description="Where its delivery is."
    )
    attempts: int = strawberry.field(
        description=f"How many delivery attempts were made, at most {MAX_ATTEMPTS}."
    )
    payload: str = strawberry.field(
        description="The JSON body sent: client_id, company_id, user_id and timestamp."
    )
    created_at: datetime = strawberry.field(description="When the uninstall happened.")
    next_attempt_at: datetime | None = strawberry.field(
        description="When the next attempt is due; null unless PENDING."
    )
    delivered_at: datetime | None = strawberry.field(
        description="When the app answered with a 2xx status; null until then."
    )
    notice_pk: strawberry.Private[int]

    @strawberry.field(description="Every attempt made, oldest first.")
    async def delivery_attempts(self, info: Info) -> list[DeliveryAttempt]:
        rows = await info.context.loaders.delivery_attempts.load(self.notice_pk)
        return [
            DeliveryAttempt(
                attempted_at=row.attempted_at,
                outcome=row.outcome,
                status_code=row.status_code,
                error=row.error,
                duration_ms=row.duration_ms,
            )
            for row in rows
        ]

    @classmethod
    def from_model(cls, row: m.OutboxMessage) -> UninstallNotice:
        return cls(
            webhook_id=row.webhook_id,
            status=row.status,
            attempts=row.attempts,
            payload=row.payload,
            created_at=row.created_at,
            next_attempt_at=row.next_attempt_at if row.status == m.NoticeStatus.PENDING else None,
            delivered_at=row.delivered_at,
            notice_pk=row.id,
        )


@strawberry.input(description="A new draft app: a name and a callback URL are all it needs.")
class CreateAppInput:
    type: AppType = strawberry.field(  # type: ignore[valid-type]
        description="PUBLIC or PRIVATE; it cannot be changed later."
    )
    name: str = strawberry.field(description="The app's name, ≤ 100 characters.")
    callback_url: str = strawberry.field(
        description="The one OAuth redirect URI, an absolute http(s) URL; review needs https."
    )


@strawberry.input(description="Only the fields given change; null clears an optional field.")
class UpdateAppInput(listing.ListingInput):  # the listing's fields, generated
    id: strawberry.ID = strawberry.field(description=APP_ID)
    scopes: list[str] | None = strawberry.field(
        default=strawberry.UNSET,
        description="The whole scope set (names from `scopes`); it must include `base`. "
        + listing.CRITICAL_NOTE,
    )


@strawberry.input(description="A new client secret for an app.")
class RotateClientSecretInput:
    id: strawberry.ID = strawberry.field(description=APP_ID)
    grace_period_hours: int = strawberry.field(
        default=24, description="How long the old secret keeps working: 0 to 168 hours."
    )


@strawberry.input(
    description="Sends a draft app, or an approved app's pending revision, to review."
)
class SubmitAppForReviewInput:
    id: strawberry.ID = strawberry.field(description=APP_ID)


@strawberry.input(description="Takes an app, or its pending revision, back from review.")
class WithdrawAppFromReviewInput:
    id: strawberry.ID = strawberry.field(description=APP_ID)


@strawberry.input(description="Lists an APPROVED public app in the marketplace.")
class PublishAppInput:
    id: strawberry.ID = strawberry.field(description=APP_ID)


@strawberry.input(description="Takes a PUBLISHED app off the marketplace.")
class UnpublishAppInput:
    id: strawberry.ID = strawberry.field(description=APP_ID)


@strawberry.input(description="Private apps only; the callback URL must answer. One way.")
class ChangeAppToLiveInput:
    id: strawberry.ID = strawberry.field(description=APP_ID)


@strawberry.input(description="Makes an app's approved pending revision live.")
class MergePendingRevisionInput:
    id: strawberry.ID = strawberry.field(description=APP_ID)


@strawberry.input(description="Drops an app's pending revision, unless it is in review.")
class DiscardPendingRevisionInput:
    id: strawberry.ID = strawberry.field(description=APP_ID)


@strawberry.input(description="Cannot be undone; refused while the app is published.")
class DeleteAppInput:
    id: strawberry.ID = strawberry.field(description=APP_ID)
    reason: str = strawberry.field(
        description="Why the app is deleted, ≤ 1,000 characters; kept in the audit log."
    )


@strawberry.type(description="The app after the change.")
class AppPayload:
    app: App | None = strawberry.field(
        default=None, description="The app as it is now; null when refused."
    )
    user_errors: list[UserErrorType] = user_errors_field()


@strawberry.type(description="The app and its new client secret, which is shown only here.")
class AppWithSecretPayload:
    app: App | None = strawberry.field(
        default=None, description="The app as it is now; null when refused."
    )
    client_secret: str | None = strawberry.field(
        default=None, description="Shown once; only its digest is stored."
    )
    user_errors: list[UserErrorType] = user_errors_field()


@strawberry.type(description="The app and the submission a reviewer will decide on.")
class SubmitAppForReviewPayload:
    app: App | None = strawberry.field(
        default=None,
        description="The app: IN_REVIEW after a listing, its status unchanged after a revision.",
    )
    submission: Submission | None = strawberry.field(
        default=None, description="What was sent to review, frozen; null when refused."
    )
    user_errors: list[UserErrorType] = user_errors_field()


@strawberry.type(description="Which app was deleted.")
class DeleteAppPayload:
    deleted_app_id: strawberry.ID | None = strawberry.field(
        default=None, description="The id of the deleted app; null when refused."
    )
    user_errors: list[UserErrorType] = user_errors_field()
