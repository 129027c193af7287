"""App manifests: the app's definition as one JSON document, and applying one."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from schema.apps import App
from schema.errors import UserErrorType, user_errors_field
from schema.reviews import RevisionDiff


@strawberry.input(description="A manifest to make the app match.")
class ApplyAppManifestInput:
    app_id: strawberry.ID = strawberry.field(description="The app's id.")
    manifest: JSON = strawberry.field(
        description="A document valid against the manifest JSON Schema published at "
        "/schemas/app-manifest.v1.json, e.g. what appManifest exported."
    )
    dry_run: bool = strawberry.field(
        default=False, description="Check and compute the diff, then change nothing."
    )


@strawberry.type(description="What applying a manifest did, or would do.")
class ApplyAppManifestPayload:
    changed: bool = strawberry.field(
        default=False,
        description="Whether the app (or its pending revision) changed; false when it already "
        "matched (applying a manifest twice changes nothing the second time).",
    )
    dry_run: bool = strawberry.field(default=False, description="Whether nothing was saved.")
    live: bool = strawberry.field(
        default=False,
        description="Whether every change is live; false when critical changes wait in the "
        "pending revision (an approved or published app).",
    )
    diff: RevisionDiff | None = strawberry.field(
        default=None,
        description="What changed (or would), against what the developer last saved; `fields` "
        "covers every listing field here.",
    )
    app: App | None = strawberry.field(default=None, description="The app as it is now.")
    user_errors: list[UserErrorType] = user_errors_field()
