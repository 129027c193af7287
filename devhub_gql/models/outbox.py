"""The durable outbox: notices to apps (uninstalls, to their callback URL) and emails to
developers (notifications), with every delivery attempt."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from devhub_gql.models.accounts import Company
    from devhub_gql.models.apps import App


class NoticeStatus(StrEnum):
    PENDING = "PENDING"
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"  # gave up after the last attempt


class AttemptOutcome(StrEnum):
    SENDING = "SENDING"  # recorded before the request leaves; a crash leaves it so
    DELIVERED = "DELIVERED"  # a 2xx answer
    FAILED = "FAILED"  # no answer, or another status
    INTERRUPTED = "INTERRUPTED"  # the worker died while sending: the app may have received it


class Channel(StrEnum):
    WEBHOOK = "WEBHOOK"  # a signed DELETE to the app's callback URL
    EMAIL = "EMAIL"  # a mail to one developer


class OutboxMessage(Model):
    id = fields.IntField(primary_key=True)
    webhook_id = fields.CharField(max_length=64, unique=True)  # an email's Message-ID too
    channel = fields.CharEnumField(
        Channel, max_length=16, default=Channel.WEBHOOK, db_default="WEBHOOK"
    )
    app: fields.ForeignKeyNullableRelation[App] = fields.ForeignKeyField(
        "devhub.App", related_name="outbox_messages", null=True, on_delete=fields.RESTRICT
    )
    app_id: int | None  # none for a company's own notices (a member added)
    company: fields.ForeignKeyNullableRelation[Company] = fields.ForeignKeyField(
        "devhub.Company", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    company_id: int | None  # whose developers see the message (emails)
    event = fields.CharField(max_length=40)
    url = fields.CharField(max_length=2048)  # the callback URL, or mailto:<the recipient>
    payload = fields.TextField()
    status = fields.CharEnumField(NoticeStatus, max_length=16, default=NoticeStatus.PENDING)
    attempts = fields.IntField(default=0)
    created_at = fields.DatetimeField()
    next_attempt_at = fields.DatetimeField()
    # A worker owns a message until this time; a crashed worker's claim simply expires.
    claimed_until = fields.DatetimeField(null=True)
    delivered_at = fields.DatetimeField(null=True)

    class Meta:
        table = "outbox_message"
        indexes = (("status", "next_attempt_at"), ("app_id", "created_at"))


class DeliveryAttempt(Model):
    id = fields.IntField(primary_key=True)
    message: fields.ForeignKeyRelation[OutboxMessage] = fields.ForeignKeyField(
        "devhub.OutboxMessage", related_name="delivery_attempts", on_delete=fields.CASCADE
    )
    message_id: int
    attempted_at = fields.DatetimeField()
    outcome = fields.CharEnumField(AttemptOutcome, max_length=16, default=AttemptOutcome.FAILED)
    status_code = fields.IntField(null=True)
    error = fields.CharField(max_length=300, null=True)
    duration_ms = fields.IntField()

    class Meta:
        table = "delivery_attempt"
        indexes = (("message_id", "attempted_at"),)
