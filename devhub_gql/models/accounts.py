"""Companies, their users and the users' sign-in sessions."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class CompanyKind(StrEnum):
    SANDBOX = "SANDBOX"
    PRODUCTION = "PRODUCTION"


class Role(StrEnum):
    ADMIN = "ADMIN"
    REGULAR = "REGULAR"


class Company(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100)
    kind = fields.CharEnumField(CompanyKind, max_length=16)
    created_at = fields.DatetimeField()
    # Bumped by every write that changes what only this company's users see (domain/versions.py).
    data_version = fields.BigIntField(default=0, db_default=0)

    class Meta:
        table = "company"


class User(Model):
    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, unique=True)
    name = fields.CharField(max_length=100)
    password_hash = fields.CharField(max_length=200)
    company: fields.ForeignKeyRelation[Company] = fields.ForeignKeyField(
        "devhub.Company", related_name="users", on_delete=fields.RESTRICT
    )
    company_id: int
    role = fields.CharEnumField(Role, max_length=16)
    # Granted and taken only by the `devhub-gql reviewers` command.
    is_reviewer = fields.BooleanField(default=False)
    created_at = fields.DatetimeField()

    class Meta:
        table = "user"


class UserSession(Model):
    """A sign-in. The bearer token itself is never stored, only its digest."""

    id = fields.IntField(primary_key=True)
    token_digest = fields.CharField(max_length=64, unique=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "devhub.User", related_name="sessions", on_delete=fields.CASCADE
    )
    user_id: int
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "user_session"


class NotificationSetting(Model):
    """One address's choice for one kind of notification (devhub_gql.notifications): company
    members opt in, an app's contact address opts out; no row means the default."""

    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254)
    kind = fields.CharField(max_length=40)
    subscribed = fields.BooleanField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "notification_setting"
        unique_together = (("email", "kind"),)
