"""Notifications: the viewer's choices, and what was sent about an app."""

from __future__ import annotations

from typing import Annotated

import strawberry

from devhub_gql.domain import apps, notification_settings
from resolvers.base import attempt, decode_id
from schema.context import Info
from schema.notifications import (
    Notification,
    NotificationSetting,
    SetNotificationSettingInput,
    SetNotificationSettingPayload,
)
from schema.pagination import After, Connection, First, paginate


async def notification_settings_of_viewer(info: Info) -> list[NotificationSetting]:
    viewer = await info.context.require_viewer()
    return [NotificationSetting.of(c) for c in await notification_settings.choices(viewer)]


async def set_notification_setting(
    info: Info,
    input: Annotated[SetNotificationSettingInput, strawberry.argument(description="The choice.")],
) -> SetNotificationSettingPayload:
    viewer = await info.context.require_viewer()
    outcome = await attempt(
        notification_settings.set_choice(
            viewer.user.email, input.kind, input.subscribed, info.context.clock.now()
        )
    )
    if outcome.user_errors:
        return SetNotificationSettingPayload(user_errors=outcome.user_errors)
    choices = await notification_settings.choices(viewer)
    return SetNotificationSettingPayload(settings=[NotificationSetting.of(c) for c in choices])


async def notifications_of_app(
    info: Info,
    app_id: Annotated[strawberry.ID, strawberry.argument(description="The app's id.")],
    first: First = None,
    after: After = None,
) -> Connection[Notification]:
    viewer = await info.context.require_viewer()
    app = await apps.get_app(viewer, decode_id(app_id, "App"))
    return await paginate(
        apps.notifications(app), first=first, after=after, to_node=Notification.from_model
    )
