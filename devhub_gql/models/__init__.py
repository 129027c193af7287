"""Tortoise models, one module per area; Tortoise discovers them through this package."""

from devhub_gql.models.accounts import (
    Company,
    CompanyKind,
    NotificationSetting,
    Role,
    User,
    UserSession,
)
from devhub_gql.models.analytics import AppDay, InstallEvent, InstallEventKind, UninstallReason
from devhub_gql.models.apps import (
    App,
    AppExtension,
    AppScope,
    AppSlug,
    AppStatus,
    AppType,
    MarketplaceState,
)
from devhub_gql.models.catalog import Category, Scope
from devhub_gql.models.installations import (
    AccessToken,
    AuthorizationCode,
    Installation,
    RefreshToken,
)
from devhub_gql.models.outbox import (
    AttemptOutcome,
    Channel,
    DeliveryAttempt,
    NoticeStatus,
    OutboxMessage,
)
from devhub_gql.models.ratings import (
    AppRating,
    AppRatingVersion,
    RatingReport,
    RatingVote,
    ReportStatus,
)
from devhub_gql.models.reviews import (
    AuditAction,
    AuditEntry,
    PendingRevision,
    RevisionStatus,
    Submission,
    SubmissionKind,
    SubmissionStatus,
)

__all__ = [
    "AccessToken",
    "App",
    "AppDay",
    "AppExtension",
    "AppRating",
    "AppRatingVersion",
    "AppScope",
    "AppSlug",
    "AppStatus",
    "AppType",
    "AttemptOutcome",
    "AuditAction",
    "AuditEntry",
    "AuthorizationCode",
    "Category",
    "Channel",
    "Company",
    "CompanyKind",
    "DeliveryAttempt",
    "InstallEvent",
    "InstallEventKind",
    "Installation",
    "MarketplaceState",
    "NoticeStatus",
    "NotificationSetting",
    "OutboxMessage",
    "PendingRevision",
    "RatingReport",
    "RatingVote",
    "RefreshToken",
    "ReportStatus",
    "RevisionStatus",
    "Role",
    "Scope",
    "Submission",
    "SubmissionKind",
    "SubmissionStatus",
    "UninstallReason",
    "User",
    "UserSession",
]
