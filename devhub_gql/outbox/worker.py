"""Delivers outbox messages with time-outs and exponential backoff, recording every attempt.

At-least-once: a worker that dies after sending but before recording sends again later; the
`webhook-id` header lets receivers drop the duplicate. Workers claim messages with
SELECT … FOR UPDATE SKIP LOCKED and a lease, so two workers (or a restarted one) never send the
same attempt twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiosmtplib
import httpx
import orjson
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from devhub_gql import outbound
from devhub_gql.clock import Clock
from devhub_gql.domain import install_events
from devhub_gql.domain.versions import companies_changed, company_changed
from devhub_gql.models import (
    App,
    AttemptOutcome,
    Channel,
    DeliveryAttempt,
    NoticeStatus,
    OutboxMessage,
)
from devhub_gql.notifications import NotificationKind, mailer, notify_app, payload_mail
from devhub_gql.observability import Metrics
from devhub_gql.outbox.signing import signed_headers, signing_secret
from devhub_gql.settings import Settings

MAX_ATTEMPTS = 8
LONGEST_WAIT = timedelta(hours=6)
BATCH = 20
INTERRUPTED = "interrupted: the worker stopped while sending; the app may have received it"

log = logging.getLogger("devhub_gql.outbox")


def retry_delay(attempts: int, first_retry: timedelta) -> timedelta:
    """With the default first retry: 30 s, 1 min, 2 min, 4 min … capped at 6 h."""
    return min(first_retry * 2 ** (attempts - 1), LONGEST_WAIT)


@dataclass(frozen=True)
class OutboxDepth:
    counts: dict[str, int]  # pending and failed messages
    oldest_pending_seconds: float


async def outbox_depth(now: datetime) -> OutboxDepth:
    """What waits in the outbox (pending rows are few; the status index finds them)."""
    counts = {
        status.value.lower(): await OutboxMessage.filter(status=status).count()
        for status in (NoticeStatus.PENDING, NoticeStatus.FAILED)
    }
    oldest = await OutboxMessage.filter(status=NoticeStatus.PENDING).order_by("created_at").first()
    age = max(0.0, (now - oldest.created_at).total_seconds()) if oldest else 0.0
    return OutboxDepth(counts=counts, oldest_pending_seconds=age)


def _unclaimed(now: datetime) -> Q:
    return Q(claimed_until=None) | Q(claimed_until__lt=now)


class OutboxWorker:
    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        metrics: Metrics | None = None,
        refresh_tally: install_events.RefreshTally | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.metrics = metrics or Metrics()  # counted, if nobody shows them
        self.refresh_tally = refresh_tally  # the serving process's (a lone worker has none)
        self.smtp = mailer.SmtpServer.from_url(settings.smtp_url) if settings.smtp_url else None
        self.first_retry = timedelta(seconds=settings.outbox_first_retry_seconds)
        # How long a claimed message waits for its worker; after a crash, its redelivery delay.
        self.lease = timedelta(seconds=settings.outbox_lease_seconds)

    async def run_once(self) -> int:
        """Add this process's refresh tally to the analytics, then attempt every message that is
        due; returns how many were attempted."""
        if self.refresh_tally is not None:
            await self.refresh_tally.flush()
        now = self.clock.now()
        # Claim a batch in one short transaction. On PostgreSQL, FOR UPDATE SKIP LOCKED lets
        # workers claim side by side without waiting on each other's rows; on SQLite (one
        # worker) transactions run one at a time anyway. The lease then keeps the claim.
        async with in_transaction():
            # Whole rows: Tortoise drops FOR UPDATE from values() queries.
            claimed = (
                await OutboxMessage.filter(status=NoticeStatus.PENDING, next_attempt_at__lte=now)
                .filter(_unclaimed(now))
                .order_by("next_attempt_at", "id")
                .limit(BATCH)
                .select_for_update(skip_locked=True)
            )
            if claimed:
                ids = [message.id for message in claimed]
                await OutboxMessage.filter(id__in=ids).update(claimed_until=now + self.lease)
                # A send still marked as under way belongs to a worker whose lease ran out: it
                # died mid-request, and the app may have received that notice.
                interrupted = await DeliveryAttempt.filter(
                    message_id__in=ids, outcome=AttemptOutcome.SENDING
                ).update(outcome=AttemptOutcome.INTERRUPTED, error=INTERRUPTED)
                if interrupted:
                    await companies_changed([await _company_of(m) for m in claimed])
        for message in claimed:
            await self._deliver(message)
        return len(claimed)

    async def run_forever(self, stop: asyncio.Event) -> None:
        interval = self.settings.outbox_poll_seconds
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception:  # a bad row or a database blip must not kill the worker
                log.exception("outbox pass failed")
            try:
                await asyncio.wait_for(stop.wait(), timeout=interval)
            except TimeoutError:
                pass
        try:
            if self.refresh_tally is not None:
                await self.refresh_tally.flush()  # the last tally, before the process stops
        except Exception:
            log.exception("refresh tally lost at shutdown")

    async def _deliver(self, message: OutboxMessage) -> None:
        company_id = await _company_of(message)
        if message.attempts >= MAX_ATTEMPTS:  # the last attempt was interrupted
            await OutboxMessage.filter(id=message.id).update(
                status=NoticeStatus.FAILED, claimed_until=None
            )
            self.metrics.outbox_deliveries.labels("failed").inc()
            return
        sent_at = self.clock.now()
        attempts = message.attempts + 1
        # On the record before the request leaves, so a crash mid-send still shows it.
        attempt = await DeliveryAttempt.create(
            message_id=message.id,
            attempted_at=sent_at,
            outcome=AttemptOutcome.SENDING,
            duration_ms=0,
        )
        await OutboxMessage.filter(id=message.id).update(attempts=attempts)
        await company_changed(company_id)  # its developers see every attempt
        started = time.perf_counter()
        if message.channel == Channel.EMAIL:
            status_code, error = await self._send_email(message, sent_at)
            delivered = error is None
        else:
            status_code, error = await self._send_webhook(message, sent_at)
            delivered = status_code is not None and 200 <= status_code < 300
        duration_ms = int((time.perf_counter() - started) * 1000)
        await DeliveryAttempt.filter(id=attempt.id).update(
            outcome=AttemptOutcome.DELIVERED if delivered else AttemptOutcome.FAILED,
            status_code=status_code,
            error=error[:300] if error else None,
            duration_ms=duration_ms,
        )
        if delivered:
            changes = {"status": NoticeStatus.DELIVERED, "delivered_at": sent_at}
            outcome = "delivered"
        elif attempts >= MAX_ATTEMPTS:
            outcome, changes = "failed", {"status": NoticeStatus.FAILED}
        else:
            next_attempt = sent_at + retry_delay(attempts, self.first_retry)
            outcome, changes = "retry", {"next_attempt_at": next_attempt}
        async with in_transaction():
            await OutboxMessage.filter(id=message.id).update(claimed_until=None, **changes)
            if outcome == "failed" and message.channel == Channel.WEBHOOK:
                await self._tell_developers_notices_fail(message, sent_at)
            await company_changed(company_id)
        self.metrics.outbox_deliveries.labels(outcome).inc()
        log.info(
            "%s %s (%s): attempt %d, %s",
            message.channel.value.lower(),
            message.webhook_id,
            message.event,
            attempts,
            outcome,
            extra={
                "fields": {
                    "webhook_id": message.webhook_id,
                    "event": message.event,
                    "attempt": attempts,
                    "outcome": outcome,
                    "status_code": status_code,
                    "error": error,
                    "duration_ms": duration_ms,
                }
            },
        )

    async def _send_webhook(
        self, message: OutboxMessage, sent_at: datetime
    ) -> tuple[int | None, str | None]:
        """A signed DELETE to the app's callback URL: the status code, or why none came."""
        app = await App.get(id=message.app_id)
        headers = signed_headers(
            signing_secret(app.client_id, self.settings.secret_key),
            message.webhook_id,
            sent_at,
            message.payload,
        )
        try:
            response = await outbound.request(
                "DELETE",
                message.url,
                allow_private=self.settings.allow_private_callbacks,
                headers=headers,
                content=message.payload.encode(),
            )
        except outbound.TargetRefused as exc:
            return None, f"refused: {exc}"
        except httpx.HTTPError as exc:
            return None, type(exc).__name__
        return response.status_code, None

    async def _send_email(
        self, message: OutboxMessage, sent_at: datetime
    ) -> tuple[int | None, str | None]:
        """The mail, to the SMTP server (or the log): None when it was taken, else why not."""
        mail = payload_mail(
            orjson.loads(message.payload),
            public_url=self.settings.public_url,
            secret_key=self.settings.secret_key,
        )
        email = mailer.compose(
            mail,
            sender=self.settings.mail_from,
            message_id=message.webhook_id,
            sent_at=sent_at,
        )
        try:
            await mailer.send(email, self.smtp)
        except (aiosmtplib.SMTPException, OSError) as exc:
            return None, f"{type(exc).__name__}: {exc}"
        return None, None

    async def _tell_developers_notices_fail(self, message: OutboxMessage, now: datetime) -> None:
        """Once per incident: unless the developers were told since the app last took a notice."""
        app = await App.get(id=message.app_id)
        last_delivered = (
            await OutboxMessage.filter(
                app_id=app.id, channel=Channel.WEBHOOK, status=NoticeStatus.DELIVERED
            )
            .order_by("-delivered_at")
            .first()
        )
        told = OutboxMessage.filter(
            app_id=app.id, channel=Channel.EMAIL, event=NotificationKind.NOTICES_FAILING.value
        )
        if last_delivered is not None and last_delivered.delivered_at is not None:
            told = told.filter(created_at__gt=last_delivered.delivered_at)
        if await told.exists():
            return
        await notify_app(app, NotificationKind.NOTICES_FAILING, now=now, callback_url=message.url)


async def _company_of(message: OutboxMessage) -> int:
    """Whose developers see the message."""
    if message.company_id is not None:
        return message.company_id
    app = await App.get(id=message.app_id)
    return app.company_id
