"""The append-only audit log of every state change of an app (written by lifecycle.transition).
Nothing here updates or deletes."""

from __future__ import annotations

from tortoise.queryset import QuerySet

from devhub_gql.domain.errors import NotFound
from devhub_gql.models import App, AuditEntry


async def log_of(app_id: int) -> QuerySet[AuditEntry]:
    """An app's history, oldest first (deleted apps keep theirs); NotFound for no app."""
    if not await App.filter(id=app_id).exists():
        raise NotFound("No app with this id.")
    return AuditEntry.filter(app_id=app_id).order_by("at", "id")
