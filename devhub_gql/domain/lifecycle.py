"""The one state machine of apps.

Public:  DRAFT → IN_REVIEW → APPROVED ⇄ PUBLISHED; IN_REVIEW → DRAFT on rejection or withdrawal.
Private: DRAFT → LIVE, one way.
Every transition is a conditional update (it lands only from the status it was checked against,
so racing requests cannot both win) and is appended to the audit log.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from devhub_gql.domain import audit
from devhub_gql.domain.errors import ErrorCode, UserErrors
from devhub_gql.domain.marketplace import listing_changed
from devhub_gql.models import App, AppStatus, AppType


class Transition(StrEnum):
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    APPROVE = "approve"
    REJECT = "reject"
    PUBLISH = "publish"
    UNPUBLISH = "unpublish"
    CHANGE_TO_LIVE = "change_to_live"


RULES: dict[tuple[AppType, Transition], tuple[AppStatus, AppStatus]] = {
    (AppType.PUBLIC, Transition.SUBMIT): (AppStatus.DRAFT, AppStatus.IN_REVIEW),
    (AppType.PUBLIC, Transition.WITHDRAW): (AppStatus.IN_REVIEW, AppStatus.DRAFT),
    (AppType.PUBLIC, Transition.APPROVE): (AppStatus.IN_REVIEW, AppStatus.APPROVED),
    (AppType.PUBLIC, Transition.REJECT): (AppStatus.IN_REVIEW, AppStatus.DRAFT),
    (AppType.PUBLIC, Transition.PUBLISH): (AppStatus.APPROVED, AppStatus.PUBLISHED),
    (AppType.PUBLIC, Transition.UNPUBLISH): (AppStatus.PUBLISHED, AppStatus.APPROVED),
    (AppType.PRIVATE, Transition.CHANGE_TO_LIVE): (AppStatus.DRAFT, AppStatus.LIVE),
}

_VERBS = {
    Transition.SUBMIT: "submitted for review",
    Transition.WITHDRAW: "withdrawn from review",
    Transition.APPROVE: "approved",
    Transition.REJECT: "rejected",
    Transition.PUBLISH: "published",
    Transition.UNPUBLISH: "unpublished",
    Transition.CHANGE_TO_LIVE: "changed to live",
}


def check_transition(app: App, transition: Transition) -> tuple[AppStatus, AppStatus]:
    """The (from, to) statuses of an allowed transition; refuses with the reason otherwise."""
    rule = RULES.get((app.type, transition))
    verb = _VERBS[transition]
    if rule is None:
        kind = "Private" if app.type == AppType.PRIVATE else "Public"
        raise UserErrors.single(None, ErrorCode.WRONG_APP_TYPE, f"{kind} apps cannot be {verb}.")
    source, target = rule
    if app.status != source:
        raise UserErrors.single(
            None,
            ErrorCode.INVALID_TRANSITION,
            f"Only {source.value} apps can be {verb}; this app is {app.status.value}.",
        )
    return source, target


async def apply_transition(
    app: App,
    transition: Transition,
    *,
    actor_id: int | None,
    now: datetime,
    reason: str | None = None,
) -> None:
    source, target = check_transition(app, transition)
    changes: dict = {"status": target, "updated_at": now}
    if target == AppStatus.PUBLISHED and app.published_at is None:
        changes["published_at"] = now
    moved = await App.filter(id=app.id, status=source, deleted_at=None).update(**changes)
    if not moved:
        raise UserErrors.single(
            None, ErrorCode.INVALID_TRANSITION, "The app changed meanwhile; reload it and retry."
        )
    await audit.record(
        app.id,
        actor_id=actor_id,
        action=transition.value,
        from_status=source.value,
        to_status=target.value,
        reason=reason,
        now=now,
    )
    await listing_changed()
    app.status = target
    app.updated_at = now
    app.published_at = changes.get("published_at", app.published_at)
