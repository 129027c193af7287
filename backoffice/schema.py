"""The back-office schema, exported as backoffice/schema.graphql."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Iterator

import strawberry
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension

from backoffice import resolvers
from backoffice.permissions import guard_reviewers_only
from backoffice.types import (
    AuditEntry,
    ClaimPayload,
    DecisionPayload,
    EditListingTextPayload,
    ModerationPayload,
    QueueEvent,
    ReportedReview,
    ReviewSubmission,
    UnpublishAppPayload,
)
from schema.accounts import Company, User
from schema.apps import App
from schema.build import SCALARS, DevhubSchema, schema_extensions
from schema.pagination import Connection
from schema.reviews import Submission
from schema.text_arguments import guard_text_arguments


@strawberry.type(description="What reviewers read: the queue, submissions and audit logs.")
class Query:
    viewer: User = strawberry.field(
        resolver=resolvers.viewer, description="The signed-in reviewer."
    )
    review_queue: Connection[ReviewSubmission] = strawberry.field(
        resolver=resolvers.review_queue, description="Submissions waiting, oldest first."
    )
    submission: ReviewSubmission = strawberry.field(
        resolver=resolvers.submission, description="One submission, waiting or decided."
    )
    reported_reviews: Connection[ReportedReview] = strawberry.field(
        resolver=resolvers.reported_reviews,
        description="Reviews users reported, the longest waiting first, with their reports and "
        "earlier versions.",
    )
    apps: Connection[App] = strawberry.field(
        resolver=resolvers.apps,
        description="Public apps in review, approved or published, by name: the ones whose "
        "listing text a reviewer may fix, or which they may unpublish.",
    )
    app: App = strawberry.field(
        resolver=resolvers.app, description="One app, whoever develops it; deleted ones too."
    )
    audit_log: Connection[AuditEntry] = strawberry.field(
        resolver=resolvers.audit_log, description="An app's history, oldest first."
    )


@strawberry.type(
    description="Reviewers' decisions: each takes one `input` and returns a payload whose "
    "`userErrors` say why it was refused."
)
class Mutation:
    claim_submission: ClaimPayload = strawberry.mutation(
        resolver=resolvers.claim_submission,
        description="Claim a waiting submission before deciding it (or renew one's claim), for "
        "DEVHUB_CLAIM_MINUTES; refused with CLAIMED_BY_ANOTHER while another reviewer's claim "
        "runs. Of two reviewers claiming at once, one wins.",
    )
    release_submission: ClaimPayload = strawberry.mutation(
        resolver=resolvers.release_submission, description="Give one's claim back."
    )
    approve_submission: DecisionPayload = strawberry.mutation(
        resolver=resolvers.approve_submission,
        description="Approve a waiting submission: a listing makes the app APPROVED, a revision "
        "becomes mergeable by the developer.",
    )
    reject_submission: DecisionPayload = strawberry.mutation(
        resolver=resolvers.reject_submission,
        description="Reject a waiting submission with reasons: a listing sends the app back to "
        "DRAFT, a revision goes back to DRAFT for more edits.",
    )
    hide_review: ModerationPayload = strawberry.mutation(
        resolver=resolvers.hide_review,
        description="Hide a review: it leaves the listing and the app's figures, its reports are "
        "upheld, its author sees the reason, and the app's audit log records it.",
    )
    dismiss_review_reports: ModerationPayload = strawberry.mutation(
        resolver=resolvers.dismiss_review_reports,
        description="Keep a reported review: its open reports are closed.",
    )
    edit_listing_text: EditListingTextPayload = strawberry.mutation(
        resolver=resolvers.edit_listing_text,
        description="Fix typos in the name, summary or description of a submitted, approved or "
        "published app, with a reason: the audit log keeps the before and after, and the "
        "developers are told by email.",
    )
    unpublish_app: UnpublishAppPayload = strawberry.mutation(
        resolver=resolvers.unpublish_app,
        description="Hide a published app; it stays installed and installable by link.",
    )


@strawberry.type(
    description="Live updates over WebSocket (graphql-transport-ws at /backoffice/graphql)."
)
class Subscription:
    review_queue_events: AsyncGenerator[QueueEvent, None] = strawberry.subscription(
        resolver=resolvers.review_queue_events,
        description="Submissions entering, leaving, claimed or released, as it happens: two "
        "reviewers never work on one submission unknowingly. Checked again before every event.",
    )


# The last extension added runs first: reviewers only, before anything looks at the input.
guard_text_arguments(Query, Mutation)
guard_reviewers_only(Query, Mutation, Subscription)


class ReviewerOnlyIntrospection(SchemaExtension):
    """Only reviewers may introspect the back-office (the view resolves the viewer up front)."""

    def on_operation(self) -> Iterator[None]:
        viewer = self.execution_context.context.known_viewer()
        if viewer is None or not viewer.user.is_reviewer:
            self.execution_context.validation_rules = (
                *self.execution_context.validation_rules,
                NoSchemaIntrospectionCustomRule,
            )
        yield


def create_backoffice_schema(*, max_depth: int = 12) -> strawberry.Schema:
    return DevhubSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[App, User, Company, Submission],
        extensions=[
            *schema_extensions(introspection=True, max_depth=max_depth),
            ReviewerOnlyIntrospection,
        ],
        config=strawberry.schema.config.StrawberryConfig(disable_field_suggestions=True),
        scalar_overrides=SCALARS,
    )
