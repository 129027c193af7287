"""The append-only audit log of every state change of an app. Nothing here updates or deletes."""

from __future__ import annotations

from datetime import datetime

from tortoise.queryset import QuerySet

from devhub_gql.models import AuditEntry


async def record(
    app_id: int,
    *,
    actor_id: int | None,
    action: str,
    now: datetime,
    from_status: str | None = None,
    to_status: str | None = None,
    reason: str | None = None,
) -> AuditEntry:
    return await AuditEntry.create(
        app_id=app_id,
        actor_id=actor_id,
        action=action,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        at=now,
    )


def entries_for(app_id: int) -> QuerySet[AuditEntry]:
    """Oldest first: the log reads as the app's history."""
    return AuditEntry.filter(app_id=app_id).order_by("at", "id")
