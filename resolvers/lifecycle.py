"""The developer's status changes: review, publishing, going live, revisions, deletion."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

import strawberry

from devhub_gql.domain import publishing, submissions
from devhub_gql.domain.accounts import Viewer
from devhub_gql.models import App as AppRow
from resolvers.base import attempt, decode_id
from schema.apps import (
    App,
    AppPayload,
    ChangeAppToLiveInput,
    DeleteAppInput,
    DeleteAppPayload,
    DiscardPendingRevisionInput,
    MergePendingRevisionInput,
    PublishAppInput,
    SubmitAppForReviewInput,
    SubmitAppForReviewPayload,
    UnpublishAppInput,
    WithdrawAppFromReviewInput,
)
from schema.context import Info
from schema.reviews import Submission

AppCommand = Callable[[Viewer, int], Awaitable[AppRow]]


async def _app_command(info: Info, app_id: strawberry.ID, command: AppCommand) -> AppPayload:
    viewer = await info.context.require_viewer()
    outcome = await attempt(command(viewer, decode_id(app_id, "App")))
    if outcome.value is None:
        return AppPayload(user_errors=outcome.user_errors)
    return AppPayload(app=await App.reread(outcome.value.id))


async def submit_app_for_review(
    info: Info,
    input: Annotated[
        SubmitAppForReviewInput, strawberry.argument(description="The app to submit.")
    ],
) -> SubmitAppForReviewPayload:
    viewer = await info.context.require_viewer()
    outcome = await attempt(
        submissions.submit_for_review(
            viewer,
            decode_id(input.id, "App"),
            now=info.context.clock.now(),
            allow_private=info.context.settings.allow_private_callbacks,
            secret_key=info.context.settings.secret_key,
            extension_timeout_seconds=info.context.settings.extension_timeout_seconds,
        )
    )
    if outcome.value is None:
        return SubmitAppForReviewPayload(user_errors=outcome.user_errors)
    return SubmitAppForReviewPayload(
        app=await App.reread(outcome.value.app.id),
        submission=Submission.from_model(outcome.value.submission),
    )


async def withdraw_app_from_review(
    info: Info,
    input: Annotated[
        WithdrawAppFromReviewInput,
        strawberry.argument(description="The app to take back from review."),
    ],
) -> AppPayload:
    now = info.context.clock.now()
    return await _app_command(
        info, input.id, lambda v, a: submissions.withdraw_from_review(v, a, now=now)
    )


async def publish_app(
    info: Info,
    input: Annotated[PublishAppInput, strawberry.argument(description="The app to list.")],
) -> AppPayload:
    now = info.context.clock.now()
    return await _app_command(info, input.id, lambda v, a: publishing.publish_app(v, a, now=now))


async def unpublish_app(
    info: Info,
    input: Annotated[
        UnpublishAppInput, strawberry.argument(description="The app to take off the marketplace.")
    ],
) -> AppPayload:
    now = info.context.clock.now()
    return await _app_command(info, input.id, lambda v, a: publishing.unpublish_app(v, a, now=now))


async def change_app_to_live(
    info: Info,
    input: Annotated[
        ChangeAppToLiveInput, strawberry.argument(description="The private app to make live.")
    ],
) -> AppPayload:
    now = info.context.clock.now()
    allow_private = info.context.settings.allow_private_callbacks
    return await _app_command(
        info,
        input.id,
        lambda v, a: publishing.change_app_to_live(v, a, now=now, allow_private=allow_private),
    )


async def merge_pending_revision(
    info: Info,
    input: Annotated[
        MergePendingRevisionInput,
        strawberry.argument(description="The app whose approved revision goes live."),
    ],
) -> AppPayload:
    now = info.context.clock.now()
    return await _app_command(
        info, input.id, lambda v, a: publishing.merge_pending_revision(v, a, now=now)
    )


async def discard_pending_revision(
    info: Info,
    input: Annotated[
        DiscardPendingRevisionInput,
        strawberry.argument(description="The app whose pending revision is dropped."),
    ],
) -> AppPayload:
    now = info.context.clock.now()
    return await _app_command(
        info, input.id, lambda v, a: publishing.discard_pending_revision(v, a, now=now)
    )


async def delete_app(
    info: Info,
    input: Annotated[
        DeleteAppInput, strawberry.argument(description="The app, and why it is deleted.")
    ],
) -> DeleteAppPayload:
    viewer = await info.context.require_viewer()
    outcome = await attempt(
        publishing.delete_app(
            viewer, decode_id(input.id, "App"), reason=input.reason, now=info.context.clock.now()
        )
    )
    if outcome.value is None:
        return DeleteAppPayload(user_errors=outcome.user_errors)
    return DeleteAppPayload(deleted_app_id=input.id)
