"""Email notifications as developers see them: their choices, and what was sent about an app."""

from __future__ import annotations

from datetime import datetime

import orjson
import strawberry

from devhub_gql import models as m
from devhub_gql.domain.notification_settings import Choice
from devhub_gql.notifications import NotificationKind as Kind
from schema.apps import NoticeStatus
from schema.enums import described_enum
from schema.errors import UserErrorType, user_errors_field
from schema.scopes import COMPANY, VIEWER

NotificationKind = described_enum(
    Kind,
    name="NotificationKind",
    description="What a notification email is about.",
    values={
        Kind.SUBMISSION_RECEIVED: "An app or its pending changes went to review.",
        Kind.SUBMISSION_APPROVED: "A reviewer approved it (with their note).",
        Kind.SUBMISSION_REJECTED: "A reviewer rejected it, with every reason.",
        Kind.APP_UNPUBLISHED: "A reviewer took the app off the marketplace, with the reason.",
        Kind.LISTING_EDITED: "A reviewer fixed the text of the listing (name, summary or "
        "description), with the reason and each before and after.",
        Kind.NOTICES_FAILING: "Uninstall notices to the app failed every attempt (once per "
        "incident, until one is delivered again).",
        Kind.CLIENT_SECRET_ROTATED: "A new client secret was made (a security notice: always "
        "sent, to the contact email and the company's admins).",
        Kind.MEMBER_ADDED: "Someone joined the company (a security notice: always sent to its "
        "admins).",
    },
)


@strawberry.type(description="Whether the viewer gets one kind of notification.", directives=VIEWER)
class NotificationSetting:
    kind: NotificationKind = strawberry.field(description="The kind.")  # type: ignore[valid-type]
    subscribed: bool = strawberry.field(
        description="Whether they get it by email (members opt in; security notices always)."
    )
    can_unsubscribe: bool = strawberry.field(description="False for security notices.")

    @classmethod
    def of(cls, choice: Choice) -> NotificationSetting:
        return cls(
            kind=choice.kind, subscribed=choice.subscribed, can_unsubscribe=choice.can_unsubscribe
        )


@strawberry.input(description="Turn one kind of notification on or off for the viewer.")
class SetNotificationSettingInput:
    kind: NotificationKind = strawberry.field(description="The kind.")  # type: ignore[valid-type]
    subscribed: bool = strawberry.field(description="On or off.")


@strawberry.type(description="The viewer's choices after the change.")
class SetNotificationSettingPayload:
    settings: list[NotificationSetting] = strawberry.field(
        default_factory=list, description="Every kind, as it is now."
    )
    user_errors: list[UserErrorType] = user_errors_field()


@strawberry.type(description="One email sent (or being sent) about an app.", directives=COMPANY)
class Notification:
    id: strawberry.ID = strawberry.field(description="Also the mail's Message-ID.")
    kind: NotificationKind = strawberry.field(description="What it is about.")  # type: ignore[valid-type]
    recipient: str = strawberry.field(description="The address it goes to.")
    subject: str = strawberry.field(description="Its subject line.")
    status: NoticeStatus = strawberry.field(  # type: ignore[valid-type]
        description="PENDING until the mail server takes it, then DELIVERED (or FAILED)."
    )
    attempts: int = strawberry.field(description="How many times sending was tried.")
    created_at: datetime = strawberry.field(description="When it was written.")
    delivered_at: datetime | None = strawberry.field(description="When the server took it.")

    @classmethod
    def from_model(cls, row: m.OutboxMessage) -> Notification:
        payload = orjson.loads(row.payload)
        return cls(
            id=strawberry.ID(row.webhook_id),
            kind=Kind(row.event),
            recipient=payload["to"],
            subject=payload["subject"],
            status=row.status,
            attempts=row.attempts,
            created_at=row.created_at,
            delivered_at=row.delivered_at,
        )
