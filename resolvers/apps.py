"""The developer's apps: read, create, edit, rotate the client secret."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import date, timedelta
from typing import Annotated

import strawberry

from devhub_gql.domain import analytics, apps
from devhub_gql.domain.listing import LISTING
from resolvers.base import attempt, decode_id
from schema.analytics import AppAnalytics
from schema.apps import (
    App,
    AppPayload,
    AppStatus,
    AppWithSecretPayload,
    CreateAppInput,
    RotateClientSecretInput,
    UninstallNotice,
    UpdateAppInput,
)
from schema.context import Info
from schema.listing import AppType
from schema.pagination import After, Connection, First, paginate


async def app(
    info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="The app's id.")]
) -> App:
    viewer = await info.context.require_viewer()
    return App.of(await apps.visible_app(viewer, decode_id(id, "App")))


async def apps_of_company(
    info: Info,
    first: First = None,
    after: After = None,
    type: Annotated[
        AppType | None,  # type: ignore[valid-type]
        strawberry.argument(description="Only apps of this type; all when omitted."),
    ] = None,
    status: Annotated[
        AppStatus | None,  # type: ignore[valid-type]
        strawberry.argument(description="Only apps in this status; all when omitted."),
    ] = None,
) -> Connection[App]:
    viewer = await info.context.require_viewer()

    def read(offset: int, limit: int) -> Awaitable[list[apps.AppView]]:
        return apps.visible_apps(viewer, app_type=type, status=status, offset=offset, limit=limit)

    return await paginate(read, first=first, after=after, to_node=App.of)


async def uninstall_notices(
    info: Info,
    app_id: Annotated[strawberry.ID, strawberry.argument(description="The app's id.")],
    first: First = None,
    after: After = None,
) -> Connection[UninstallNotice]:
    viewer = await info.context.require_viewer()
    app = await apps.get_app(viewer, decode_id(app_id, "App"))
    return await paginate(
        apps.uninstall_notices(app),
        first=first,
        after=after,
        to_node=UninstallNotice.from_model,
    )


async def create_app(
    info: Info,
    input: Annotated[CreateAppInput, strawberry.argument(description="The new app.")],
) -> AppWithSecretPayload:
    viewer = await info.context.require_viewer()
    outcome = await attempt(
        apps.create_app(
            viewer,
            app_type=input.type,
            name=input.name,
            callback_url=input.callback_url,
            now=info.context.clock.now(),
        )
    )
    if outcome.value is None:
        return AppWithSecretPayload(user_errors=outcome.user_errors)
    return AppWithSecretPayload(
        app=await App.reread(outcome.value.app.id), client_secret=outcome.value.client_secret
    )


async def update_app(
    info: Info,
    input: Annotated[
        UpdateAppInput, strawberry.argument(description="The app and the fields to change.")
    ],
) -> AppPayload:
    viewer = await info.context.require_viewer()
    changes = {
        field.name: getattr(input, field.name)
        for field in LISTING
        if getattr(input, field.name) is not strawberry.UNSET
    }
    scopes = None if input.scopes is strawberry.UNSET else input.scopes or []
    outcome = await attempt(
        apps.update_app(
            viewer,
            decode_id(input.id, "App"),
            changes=changes,
            scopes=scopes,
            now=info.context.clock.now(),
        )
    )
    if outcome.value is None:
        return AppPayload(user_errors=outcome.user_errors)
    return AppPayload(app=await App.reread(outcome.value.id))


async def rotate_client_secret(
    info: Info,
    input: Annotated[
        RotateClientSecretInput,
        strawberry.argument(description="The app, and how long its old secret keeps working."),
    ],
) -> AppWithSecretPayload:
    viewer = await info.context.require_viewer()
    outcome = await attempt(
        apps.rotate_client_secret(
            viewer,
            decode_id(input.id, "App"),
            grace=timedelta(hours=input.grace_period_hours),
            now=info.context.clock.now(),
        )
    )
    if outcome.value is None:
        return AppWithSecretPayload(user_errors=outcome.user_errors)
    return AppWithSecretPayload(
        app=await App.reread(outcome.value.app.id), client_secret=outcome.value.client_secret
    )


async def app_analytics(
    info: Info,
    app_id: Annotated[strawberry.ID, strawberry.argument(description="The app's id.")],
    from_: Annotated[
        date, strawberry.argument(name="from", description="The first UTC day, included.")
    ],
    to: Annotated[date, strawberry.argument(description="The last UTC day, included.")],
) -> AppAnalytics:
    viewer = await info.context.require_viewer()
    tally = info.context.oauth.refresh_tally
    found = await analytics.app_analytics(viewer, decode_id(app_id, "App"), from_, to, tally)
    return AppAnalytics.of(found)
