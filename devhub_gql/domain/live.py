"""Who may follow what, live: a developer their app's history as it happens, reviewers the review
queue. Access is checked when the subscription starts and again before every event it passes on
(a revoked session, a member removed or a reviewer flag taken ends it)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from enum import StrEnum

from devhub_gql import events
from devhub_gql.domain.accounts import Viewer
from devhub_gql.domain.apps import get_app
from devhub_gql.domain.errors import Unauthenticated
from devhub_gql.domain.reviews import ensure_reviewer
from devhub_gql.events import Event
from devhub_gql.models import AuditAction

# The viewer as of now: the session looked up again (None once it has ended).
Identify = Callable[[], Awaitable[Viewer | None]]

AUDIT_ACTIONS = frozenset(action.value for action in AuditAction)


class QueueChange(StrEnum):
    SUBMITTED = "SUBMITTED"
    WITHDRAWN = "WITHDRAWN"
    CLAIMED = "CLAIMED"
    RELEASED = "RELEASED"
    DECIDED = "DECIDED"


A = AuditAction
QUEUE_CHANGES: dict[str, QueueChange] = {
    A.SUBMIT: QueueChange.SUBMITTED,
    A.REVISION_SUBMITTED: QueueChange.SUBMITTED,
    A.WITHDRAW: QueueChange.WITHDRAWN,
    A.REVISION_WITHDRAWN: QueueChange.WITHDRAWN,
    A.DELETE: QueueChange.WITHDRAWN,  # deleting an app in review withdraws its submission
    A.APPROVE: QueueChange.DECIDED,
    A.REJECT: QueueChange.DECIDED,
    A.REVISION_APPROVED: QueueChange.DECIDED,
    A.REVISION_REJECTED: QueueChange.DECIDED,
    "CLAIMED": QueueChange.CLAIMED,
    "RELEASED": QueueChange.RELEASED,
}


async def _developer(identify: Identify, app_id: int) -> Viewer:
    viewer = await identify()
    if viewer is None:
        raise Unauthenticated()
    await get_app(viewer, app_id)  # NotFound for anyone outside the app's company
    return viewer


async def follow_app(identify: Identify, app_id: int) -> AsyncIterator[Event]:
    """The app's audit actions as they are committed, for its own developers."""
    async with events.subscription() as heard:  # listening before the check: nothing slips by
        await _developer(identify, app_id)
        async for event in heard:
            if event.app_id == app_id and event.action in AUDIT_ACTIONS:
                await _developer(identify, app_id)
                yield event


async def follow_queue(identify: Identify) -> AsyncIterator[tuple[QueueChange, Event]]:
    """Submissions entering, leaving, claimed or released in the review queue, for reviewers."""
    async with events.subscription() as heard:
        ensure_reviewer(await identify())
        async for event in heard:
            change = QUEUE_CHANGES.get(event.action)
            if change is not None and event.submission_id is not None:
                ensure_reviewer(await identify())
                yield change, event
