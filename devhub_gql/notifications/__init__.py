"""Email notifications to developers: what happened to their app or company, written to the
durable outbox in the caller's transaction and sent by the outbox worker (devhub_gql.outbox).

Who gets what: an app's notices go to its contact email (which may unsubscribe from each kind) and
to the company's members who subscribed to that kind; security notices (a client secret rotated, a
member added) go to the contact email and every company admin, and cannot be turned off.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import orjson

from devhub_gql.models import App, Channel, NotificationSetting, OutboxMessage, Role, User
from devhub_gql.notifications import templates
from devhub_gql.notifications.kinds import SECURITY, NotificationKind
from devhub_gql.notifications.unsubscribe import unsubscribe_url

__all__ = ["SECURITY", "NotificationKind", "notify_app", "notify_company", "payload_mail"]


def payload_mail(payload: Mapping[str, Any], *, public_url: str, secret_key: str) -> dict[str, Any]:
    """The mail a queued payload stands for: subject, text, HTML, and the unsubscribe link
    (none for security notices)."""
    kind = NotificationKind(payload["kind"])
    address = payload["to"]
    link = None if kind in SECURITY else unsubscribe_url(public_url, secret_key, address, kind)
    return {
        **templates.render(kind, {**payload["context"], "unsubscribe_url": link}),
        "to": address,
        "unsubscribe": link,
    }


async def _recipients(company_id: int, kind: NotificationKind, contact: str | None) -> list[str]:
    """The addresses a notice of `kind` goes to, each once, in a stable order."""
    contact_wants = True
    if contact and kind not in SECURITY:
        choice = await NotificationSetting.filter(email=contact, kind=kind.value).first()
        contact_wants = choice.subscribed if choice else True
    members = await User.filter(company_id=company_id).values_list("email", "role")
    chosen: list[str] = []
    if contact and contact_wants:
        chosen.append(contact)
    if kind in SECURITY:
        chosen += [email for email, role in members if role == Role.ADMIN]
    else:
        emails = [email for email, _ in members]
        opted_in = await NotificationSetting.filter(
            kind=kind.value, email__in=emails, subscribed=True
        ).values_list("email", flat=True)
        chosen += [str(email) for email in opted_in]
    return list(dict.fromkeys(chosen))


async def _enqueue(
    *,
    kind: NotificationKind,
    company_id: int,
    app_id: int | None,
    recipients: list[str],
    context: Mapping[str, Any],
    now: datetime,
) -> None:
    """One message per recipient. The payload keeps what to say; the worker writes the mail
    (and its unsubscribe link) when it sends it."""
    subject = templates.subject(kind, context)
    for address in recipients:
        payload = {"to": address, "kind": kind.value, "subject": subject, "context": context}
        await OutboxMessage.create(
            webhook_id=f"msg_{secrets.token_hex(12)}",
            channel=Channel.EMAIL,
            app_id=app_id,
            company_id=company_id,
            event=kind.value,
            url=f"mailto:{address}",
            payload=orjson.dumps(payload).decode(),
            created_at=now,
            next_attempt_at=now,
        )


async def notify_app(
    app: App,
    kind: NotificationKind,
    *,
    now: datetime,
    **context: Any,
) -> None:
    """Tell the app's developers, in the caller's transaction."""
    recipients = await _recipients(app.company_id, kind, app.contact_email)
    await _enqueue(
        kind=kind,
        company_id=app.company_id,
        app_id=app.id,
        recipients=recipients,
        context={"app_name": app.name, "client_id": app.client_id, **context},
        now=now,
    )


async def notify_company(
    company_id: int,
    kind: NotificationKind,
    *,
    now: datetime,
    **context: Any,
) -> None:
    """Tell the company's admins (security notices), in the caller's transaction."""
    await _enqueue(
        kind=kind,
        company_id=company_id,
        app_id=None,
        recipients=await _recipients(company_id, kind, None),
        context=context,
        now=now,
    )
