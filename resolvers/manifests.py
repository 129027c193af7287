"""App manifests: export and apply (the app's developers)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from devhub_gql.domain import manifests
from resolvers.base import attempt, decode_id
from schema.apps import App
from schema.context import Info
from schema.manifests import ApplyAppManifestInput, ApplyAppManifestPayload
from schema.reviews import RevisionDiff


async def app_manifest(
    info: Info, app_id: Annotated[strawberry.ID, strawberry.argument(description="The app's id.")]
) -> JSON:
    viewer = await info.context.require_viewer()
    schema_url = info.context.settings.public_url + manifests.SCHEMA_PATH
    exported = await manifests.export(viewer, decode_id(app_id, "App"), schema_url=schema_url)
    return JSON(exported)


async def apply_app_manifest(
    info: Info,
    input: Annotated[ApplyAppManifestInput, strawberry.argument(description="The manifest.")],
) -> ApplyAppManifestPayload:
    viewer = await info.context.require_viewer()
    settings = info.context.settings
    app_id = decode_id(input.app_id, "App")
    outcome = await attempt(
        manifests.apply(
            viewer,
            app_id,
            input.manifest,
            dry_run=input.dry_run,
            secret_key=settings.secret_key,
            allow_private=settings.allow_private_callbacks,
            now=info.context.clock.now(),
        )
    )
    if outcome.value is None:
        return ApplyAppManifestPayload(dry_run=input.dry_run, user_errors=outcome.user_errors)
    applied = outcome.value
    return ApplyAppManifestPayload(
        changed=applied.changed,
        dry_run=input.dry_run,
        live=applied.live,
        diff=RevisionDiff.from_dict(applied.diff),
        app=await App.reread(app_id),
    )
