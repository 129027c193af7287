"""App extensions: add, change, remove (developers of the app), and open (users who have the
app installed)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from devhub_gql.domain import extension_edits, extensions
from resolvers.base import attempt, decode_id
from schema.context import Info
from schema.extensions import (
    AddAppExtensionInput,
    AppExtension,
    AppExtensionPayload,
    CheckAppExtensionInput,
    CheckAppExtensionPayload,
    OpenAppExtensionInput,
    OpenAppExtensionPayload,
    RemoveAppExtensionInput,
    UpdateAppExtensionInput,
)

_MAX_KEY = 40
_NO_EXTENSION = ""  # no extension has it


def _key(extension_id: str) -> str:
    """A malformed id is answered exactly as an unknown one."""
    return extension_id if len(extension_id) <= _MAX_KEY else _NO_EXTENSION


async def add_app_extension(
    info: Info,
    input: Annotated[AddAppExtensionInput, strawberry.argument(description="The extension.")],
) -> AppExtensionPayload:
    viewer = await info.context.require_viewer()
    settings = info.context.settings
    outcome = await attempt(
        extension_edits.add_extension(
            viewer,
            decode_id(input.app_id, "App"),
            input.kind,
            input.fields.given(),
            secret_key=settings.secret_key,
            allow_private=settings.allow_private_callbacks,
            now=info.context.clock.now(),
        )
    )
    if outcome.value is None:
        return AppExtensionPayload(user_errors=outcome.user_errors)
    app, added = outcome.value
    return AppExtensionPayload(extension=AppExtension.of(added), live=extension_edits.is_live(app))


async def update_app_extension(
    info: Info,
    input: Annotated[UpdateAppExtensionInput, strawberry.argument(description="The change.")],
) -> AppExtensionPayload:
    viewer = await info.context.require_viewer()
    settings = info.context.settings
    outcome = await attempt(
        extension_edits.update_extension(
            viewer,
            decode_id(input.app_id, "App"),
            _key(input.extension_id),
            input.fields.given(),
            secret_key=settings.secret_key,
            allow_private=settings.allow_private_callbacks,
            now=info.context.clock.now(),
        )
    )
    if outcome.value is None:
        return AppExtensionPayload(user_errors=outcome.user_errors)
    app, changed = outcome.value
    return AppExtensionPayload(
        extension=AppExtension.of(changed), live=extension_edits.is_live(app)
    )


async def remove_app_extension(
    info: Info,
    input: Annotated[RemoveAppExtensionInput, strawberry.argument(description="Which one.")],
) -> AppExtensionPayload:
    viewer = await info.context.require_viewer()
    outcome = await attempt(
        extension_edits.remove_extension(
            viewer,
            decode_id(input.app_id, "App"),
            _key(input.extension_id),
            now=info.context.clock.now(),
        )
    )
    if outcome.value is None:
        return AppExtensionPayload(user_errors=outcome.user_errors)
    return AppExtensionPayload(live=extension_edits.is_live(outcome.value))


async def check_app_extension(
    info: Info,
    input: Annotated[CheckAppExtensionInput, strawberry.argument(description="Which one.")],
) -> CheckAppExtensionPayload:
    viewer = await info.context.require_viewer()
    settings = info.context.settings
    checked = await extension_edits.check_extension(
        viewer,
        decode_id(input.app_id, "App"),
        _key(input.extension_id),
        secret_key=settings.secret_key,
        allow_private=settings.allow_private_callbacks,
        timeout_seconds=settings.extension_timeout_seconds,
        now=info.context.clock.now(),
    )
    return CheckAppExtensionPayload(passed=checked.passed, problems=checked.problems)


async def open_app_extension(
    info: Info,
    input: Annotated[OpenAppExtensionInput, strawberry.argument(description="What to open.")],
) -> OpenAppExtensionPayload:
    viewer = await info.context.require_viewer()
    context = input.context
    outcome = await attempt(
        extensions.launch(
            viewer,
            _key(input.extension_id),
            extensions.LaunchContext(
                location=context.location,
                selected_ids=context.selected_ids,
                excluded_ids=context.excluded_ids,
                filter=context.filter,
            ),
            secret_key=info.context.settings.secret_key,
            now=info.context.clock.now(),
        )
    )
    if outcome.value is None:
        return OpenAppExtensionPayload(user_errors=outcome.user_errors)
    launch = outcome.value
    return OpenAppExtensionPayload(url=launch.url, token=launch.token, expires_at=launch.expires_at)
