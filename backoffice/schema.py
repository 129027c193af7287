"""The back-office schema, exported as backoffice/schema.graphql."""

from __future__ import annotations

from collections.abc import Iterator

import strawberry
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension

from backoffice import resolvers
from backoffice.types import AuditEntry, ReviewSubmission
from schema.build import DevhubSchema, extensions
from schema.pagination import Connection
from schema.types import App, Company, Submission, User


@strawberry.type
class Query:
    review_queue: Connection[ReviewSubmission] = strawberry.field(
        resolver=resolvers.review_queue, description="Submissions waiting, oldest first."
    )
    submission: ReviewSubmission = strawberry.field(resolver=resolvers.submission)
    audit_log: Connection[AuditEntry] = strawberry.field(
        resolver=resolvers.audit_log, description="An app's history, oldest first."
    )


@strawberry.type
class Mutation:
    approve_submission: resolvers.DecisionPayload = strawberry.mutation(
        resolver=resolvers.approve_submission
    )
    reject_submission: resolvers.DecisionPayload = strawberry.mutation(
        resolver=resolvers.reject_submission
    )
    unpublish_app: resolvers.UnpublishAppPayload = strawberry.mutation(
        resolver=resolvers.unpublish_app,
        description="Hide a published app; it stays installed and installable by link.",
    )


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
        types=[App, User, Company, Submission],
        extensions=[
            *extensions(introspection=True, max_depth=max_depth),
            ReviewerOnlyIntrospection,
        ],
        config=strawberry.schema.config.StrawberryConfig(disable_field_suggestions=True),
    )
