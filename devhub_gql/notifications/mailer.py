"""Sending one notification email: over SMTP (aiosmtplib) to the server DEVHUB_SMTP_URL names,
or, without one (development), to the log."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

log = logging.getLogger("devhub_gql.mail")
TIMEOUT_SECONDS = 10.0


class SmtpUrlError(ValueError):
    pass


@dataclass(frozen=True)
class SmtpServer:
    hostname: str
    port: int
    username: str | None
    password: str | None
    use_tls: bool  # TLS from the first byte (smtps://)
    start_tls: bool  # upgrade with STARTTLS (smtp://…?starttls=true)

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        """smtp://user:password@host:587?starttls=true, or smtps://user:password@host:465."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise SmtpUrlError("must look like smtp://[user:password@]host[:port][?starttls=true]")
        query = parse_qs(parts.query)
        return cls(
            hostname=parts.hostname,
            port=parts.port or (465 if parts.scheme == "smtps" else 25),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            use_tls=parts.scheme == "smtps",
            start_tls=query.get("starttls", ["false"])[0].lower() in ("1", "true", "yes"),
        )


def compose(
    payload: dict[str, Any], *, sender: str, message_id: str, sent_at: datetime
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = payload["to"]
    message["Subject"] = payload["subject"]
    message["Date"] = format_datetime(sent_at)
    message["Message-ID"] = make_msgid(idstring=message_id, domain="devhub.invalid")
    if payload.get("unsubscribe"):
        message["List-Unsubscribe"] = f"<{payload['unsubscribe']}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(payload["text"])
    message.add_alternative(payload["html"], subtype="html")
    return message


async def send(message: EmailMessage, server: SmtpServer | None) -> None:
    """Raises aiosmtplib.SMTPException or OSError when the server does not take it."""
    if server is None:
        log.info(
            "mail to %s (not sent: DEVHUB_SMTP_URL is unset): %s",
            message["To"],
            message["Subject"],
            extra={"fields": {"to": message["To"], "subject": message["Subject"]}},
        )
        return
    await aiosmtplib.send(
        message,
        hostname=server.hostname,
        port=server.port,
        username=server.username,
        password=server.password,
        use_tls=server.use_tls,
        start_tls=server.start_tls,
        timeout=TIMEOUT_SECONDS,
    )
