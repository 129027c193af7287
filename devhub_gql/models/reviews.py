"""Pending revisions of approved apps, submissions to review, decisions, and the audit log."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from devhub_gql.models.accounts import User
    from devhub_gql.models.apps import App


class RevisionStatus(StrEnum):
    DRAFT = "DRAFT"
    IN_REVIEW = "IN_REVIEW"
    APPROVED = "APPROVED"
    MERGED = "MERGED"
    DISCARDED = "DISCARDED"


class SubmissionKind(StrEnum):
    LISTING = "LISTING"  # the first review of a draft app
    REVISION = "REVISION"  # critical changes to an approved app


class SubmissionStatus(StrEnum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    WITHDRAWN = "WITHDRAWN"


class AuditAction(StrEnum):
    """What an audit entry records: a transition of the app or of its pending revision, or the
    app's deletion. The values are those the log has always stored."""

    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    APPROVE = "approve"
    REJECT = "reject"
    PUBLISH = "publish"
    UNPUBLISH = "unpublish"
    CHANGE_TO_LIVE = "change_to_live"
    DELETE = "delete"
    REVISION_SUBMITTED = "revision_submitted"
    REVISION_WITHDRAWN = "revision_withdrawn"
    REVISION_APPROVED = "revision_approved"
    REVISION_REJECTED = "revision_rejected"
    REVISION_MERGED = "revision_merged"
    REVISION_DISCARDED = "revision_discarded"
    LISTING_EDITED = "listing_edited"  # a reviewer fixed the listing's text
    REVIEW_HIDDEN = "review_hidden"  # a user's review of the app, by a reviewer
    REVIEW_REPORTS_DISMISSED = "review_reports_dismissed"


class PendingRevision(Model):
    """Critical-field changes to an approved app, kept apart from the live app until merged.

    `changes` holds the proposed value of each critical field that differs from the live app.
    """

    id = fields.IntField(primary_key=True)
    app: fields.ForeignKeyRelation[App] = fields.ForeignKeyField(
        "devhub.App", related_name="revisions", on_delete=fields.CASCADE
    )
    app_id: int
    status = fields.CharEnumField(RevisionStatus, max_length=16, default=RevisionStatus.DRAFT)
    changes: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "pending_revision"
        indexes = (("app_id", "status"),)


class Submission(Model):
    """A frozen snapshot sent to review, its automated checks, and the reviewer's decision."""

    id = fields.IntField(primary_key=True)
    app: fields.ForeignKeyRelation[App] = fields.ForeignKeyField(
        "devhub.App", related_name="submissions", on_delete=fields.CASCADE
    )
    app_id: int
    revision: fields.ForeignKeyNullableRelation[PendingRevision] = fields.ForeignKeyField(
        "devhub.PendingRevision", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    revision_id: int | None
    kind = fields.CharEnumField(SubmissionKind, max_length=16)
    status = fields.CharEnumField(SubmissionStatus, max_length=16, default=SubmissionStatus.PENDING)
    snapshot: fields.JSONField[dict[str, Any]] = fields.JSONField()
    diff: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)
    checks: fields.JSONField[list[dict[str, Any]]] = fields.JSONField(default=list)
    submitted_by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "devhub.User", related_name=False, on_delete=fields.RESTRICT
    )
    submitted_by_id: int
    submitted_at = fields.DatetimeField()
    decided_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "devhub.User", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    decided_by_id: int | None
    decided_at = fields.DatetimeField(null=True)
    note = fields.TextField(null=True)
    reasons: fields.JSONField[list[dict[str, str]]] = fields.JSONField(default=list)
    # A reviewer working on it (domain/reviews.claim); the claim lapses at claimed_until.
    claimed_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "devhub.User", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    claimed_by_id: int | None
    claimed_until = fields.DatetimeField(null=True)

    class Meta:
        table = "submission"
        indexes = (("status", "submitted_at"), ("app_id", "submitted_at"))


class AuditEntry(Model):
    """One change of an app's state. Rows are only ever inserted."""

    id = fields.IntField(primary_key=True)
    app: fields.ForeignKeyRelation[App] = fields.ForeignKeyField(
        "devhub.App", related_name="audit_entries", on_delete=fields.RESTRICT
    )
    app_id: int
    actor: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "devhub.User", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    actor_id: int | None
    action = fields.CharEnumField(AuditAction, max_length=40)
    from_status = fields.CharField(max_length=16, null=True)
    to_status = fields.CharField(max_length=16, null=True)
    reason = fields.TextField(null=True)
    at = fields.DatetimeField()

    class Meta:
        table = "audit_entry"
        indexes = (("app_id", "at"),)
