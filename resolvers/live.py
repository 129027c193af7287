"""Subscriptions: the domain decides who may follow what; each event is read afresh."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from devhub_gql.domain import live, reviews
from devhub_gql.models import AuditAction
from resolvers.base import decode_id
from resolvers.loaders import Loaders
from schema.apps import App
from schema.context import Info
from schema.live import AppEvent
from schema.reviews import Submission


async def app_events(
    info: Info,
    app_id: Annotated[strawberry.ID, strawberry.argument(description="The app to follow.")],
) -> AsyncGenerator[AppEvent, None]:
    async for event in live.follow_app(info.context.current_viewer, decode_id(app_id, "App")):
        info.context.loaders = Loaders()  # what this event shows is read now, not remembered
        view = await info.context.loaders.app_view.load(event.app_id)
        assert view is not None  # follow_app has just seen it
        submission = (
            Submission.from_model(await reviews.get_submission(event.submission_id))
            if event.submission_id is not None
            else None
        )
        yield AppEvent(action=AuditAction(event.action), app=App.of(view), submission=submission)
