"""The kinds of email notification, and which of them cannot be turned off."""

from __future__ import annotations

from enum import StrEnum


class NotificationKind(StrEnum):
    SUBMISSION_RECEIVED = "SUBMISSION_RECEIVED"
    SUBMISSION_APPROVED = "SUBMISSION_APPROVED"
    SUBMISSION_REJECTED = "SUBMISSION_REJECTED"
    APP_UNPUBLISHED = "APP_UNPUBLISHED"
    LISTING_EDITED = "LISTING_EDITED"
    NOTICES_FAILING = "NOTICES_FAILING"
    CLIENT_SECRET_ROTATED = "CLIENT_SECRET_ROTATED"
    MEMBER_ADDED = "MEMBER_ADDED"


# Security notices: sent whatever the recipient chose.
SECURITY = frozenset({NotificationKind.CLIENT_SECRET_ROTATED, NotificationKind.MEMBER_ADDED})
