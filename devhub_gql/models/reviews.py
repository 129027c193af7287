"""Pending revisions of approved apps, submissions to review, decisions, and the audit log."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


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


class PendingRevision(Model):
    """Critical-field changes to an approved app, kept apart from the live app until merged.

    `changes` holds the proposed value of each critical field that differs from the live app.
    """

    id = fields.IntField(primary_key=True)
    app: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "devhub.App", related_name="revisions", on_delete=fields.CASCADE
    )
    app_id: int
    status = fields.CharEnumField(RevisionStatus, max_length=16, default=RevisionStatus.DRAFT)
    changes = fields.JSONField(default=dict)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "pending_revision"
        indexes = (("app_id", "status"),)


class Submission(Model):
    """A frozen snapshot sent to review, its automated checks, and the reviewer's decision."""

    id = fields.IntField(primary_key=True)
    app: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "devhub.App", related_name="submissions", on_delete=fields.CASCADE
    )
    app_id: int
    revision: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "devhub.PendingRevision", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    revision_id: int | None
    kind = fields.CharEnumField(SubmissionKind, max_length=16)
    status = fields.CharEnumField(SubmissionStatus, max_length=16, default=SubmissionStatus.PENDING)
    snapshot = fields.JSONField()
    diff = fields.JSONField(null=True)
    checks = fields.JSONField(default=list)
    submitted_by: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "devhub.User", related_name=False, on_delete=fields.RESTRICT
    )
    submitted_by_id: int
    submitted_at = fields.DatetimeField()
    decided_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "devhub.User", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    decided_by_id: int | None
    decided_at = fields.DatetimeField(null=True)
    note = fields.TextField(null=True)
    reasons = fields.JSONField(default=list)

    class Meta:
        table = "submission"
        indexes = (("status", "submitted_at"), ("app_id", "submitted_at"))


class AuditEntry(Model):
    """One change of an app's state. Rows are only ever inserted."""

    id = fields.IntField(primary_key=True)
    app: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "devhub.App", related_name="audit_entries", on_delete=fields.RESTRICT
    )
    app_id: int
    actor: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "devhub.User", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    actor_id: int | None
    action = fields.CharField(max_length=40)
    from_status = fields.CharField(max_length=16, null=True)
    to_status = fields.CharField(max_length=16, null=True)
    reason = fields.TextField(null=True)
    at = fields.DatetimeField()

    class Meta:
        table = "audit_entry"
        indexes = (("app_id", "at"),)
