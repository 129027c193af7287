"""What the service tells apps: today, that a user uninstalled them."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

import orjson

from devhub_gql.models import OutboxMessage

if TYPE_CHECKING:
    from devhub_gql.models import App, Installation

UNINSTALLED = "app.uninstalled"


async def enqueue_uninstall_notice(app: App, installation: Installation, *, now: datetime) -> None:
    """A DELETE to the app's callback URL, as the platform we model sends it.

    Written in the caller's transaction: the notice exists exactly when the uninstall does.
    """
    payload = {
        "client_id": app.client_id,
        "company_id": installation.company_id,
        "user_id": installation.user_id,
        "timestamp": now.isoformat(),
    }
    await OutboxMessage.create(
        webhook_id=f"msg_{secrets.token_hex(12)}",
        app_id=app.id,
        event=UNINSTALLED,
        url=app.callback_url,
        payload=orjson.dumps(payload).decode(),
        created_at=now,
        next_attempt_at=now,
    )
