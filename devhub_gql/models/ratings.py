"""Ratings and reviews of published apps by the users who installed them, their helpful votes
and reports. An app's figures (count, sum, distribution) are kept on its row (models/apps.py)."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from devhub_gql.models.accounts import User
    from devhub_gql.models.apps import App


class AppRating(Model):
    """One user's rating of one app (1-5 stars), with an optional review and the developer's
    reply. A hidden rating counts nowhere and is shown to its author only."""

    id = fields.IntField(primary_key=True)
    app: fields.ForeignKeyRelation[App] = fields.ForeignKeyField(
        "devhub.App", related_name="ratings", on_delete=fields.CASCADE
    )
    app_id: int
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "devhub.User", related_name="ratings", on_delete=fields.CASCADE
    )
    user_id: int
    stars = fields.SmallIntField()
    title = fields.CharField(max_length=100, null=True)
    body = fields.TextField(null=True)
    helpful_count = fields.IntField(default=0)
    open_reports = fields.IntField(default=0)
    first_reported_at = fields.DatetimeField(null=True)  # of the open reports: the queue's order
    hidden_at = fields.DatetimeField(null=True)
    hidden_reason = fields.TextField(null=True)
    reply_body = fields.TextField(null=True)
    reply_created_at = fields.DatetimeField(null=True)
    reply_updated_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()
    edited_at = fields.DatetimeField(null=True)

    class Meta:
        table = "app_rating"
        unique_together = (("app", "user"),)
        indexes = (
            ("app_id", "hidden_at", "created_at"),
            ("app_id", "hidden_at", "helpful_count"),
            ("app_id", "hidden_at", "stars"),
            ("open_reports", "first_reported_at"),
        )


class AppRatingVersion(Model):
    """What a rating said before an edit: moderators see the whole history."""

    id = fields.IntField(primary_key=True)
    rating: fields.ForeignKeyRelation[AppRating] = fields.ForeignKeyField(
        "devhub.AppRating", related_name="versions", on_delete=fields.CASCADE
    )
    rating_id: int
    stars = fields.SmallIntField()
    title = fields.CharField(max_length=100, null=True)
    body = fields.TextField(null=True)
    written_at = fields.DatetimeField()  # when this version was written
    replaced_at = fields.DatetimeField()

    class Meta:
        table = "app_rating_version"
        indexes = (("rating_id", "replaced_at"),)


class RatingVote(Model):
    """A user found a review helpful (once)."""

    id = fields.IntField(primary_key=True)
    rating: fields.ForeignKeyRelation[AppRating] = fields.ForeignKeyField(
        "devhub.AppRating", related_name="votes", on_delete=fields.CASCADE
    )
    rating_id: int
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "devhub.User", related_name=False, on_delete=fields.CASCADE
    )
    user_id: int
    created_at = fields.DatetimeField()

    class Meta:
        table = "rating_vote"
        unique_together = (("rating", "user"),)


class ReportStatus(StrEnum):
    OPEN = "OPEN"
    DISMISSED = "DISMISSED"  # a reviewer kept the review
    UPHELD = "UPHELD"  # a reviewer hid the review


class RatingReport(Model):
    """A signed-in user's report of a review, with their reason."""

    id = fields.IntField(primary_key=True)
    rating: fields.ForeignKeyRelation[AppRating] = fields.ForeignKeyField(
        "devhub.AppRating", related_name="reports", on_delete=fields.CASCADE
    )
    rating_id: int
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "devhub.User", related_name=False, on_delete=fields.CASCADE
    )
    user_id: int
    reason = fields.TextField()
    status = fields.CharEnumField(ReportStatus, max_length=16, default=ReportStatus.OPEN)
    created_at = fields.DatetimeField()
    decided_at = fields.DatetimeField(null=True)

    class Meta:
        table = "rating_report"
        unique_together = (("rating", "user"),)
        indexes = (("rating_id", "status"),)
