"""What a developer follows live over WebSocket (graphql-transport-ws)."""

from __future__ import annotations

import strawberry

from schema.apps import App
from schema.reviews import AuditAction, Submission
from schema.scopes import COMPANY


@strawberry.type(
    description="Something committed about an app, as it happens: what, and the app as it is now.",
    directives=COMPANY,
)
class AppEvent:
    action: AuditAction = strawberry.field(  # type: ignore[valid-type]
        description="What happened, as the audit log records it."
    )
    app: App = strawberry.field(description="The app after it.")
    submission: Submission | None = strawberry.field(
        description="The submission it concerns (a decision carries its note and reasons), if any."
    )
