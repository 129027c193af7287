"""Installations of apps by users, and the OAuth codes and tokens issued for them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from devhub_gql.models.accounts import Company, User
    from devhub_gql.models.apps import App


class Installation(Model):
    """One per app and user (a user belongs to one company), kept after uninstalling."""

    id = fields.IntField(primary_key=True)
    app: fields.ForeignKeyRelation[App] = fields.ForeignKeyField(
        "devhub.App", related_name="installations", on_delete=fields.RESTRICT
    )
    app_id: int
    company: fields.ForeignKeyRelation[Company] = fields.ForeignKeyField(
        "devhub.Company", related_name="installations", on_delete=fields.RESTRICT
    )
    company_id: int
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "devhub.User", related_name="installations", on_delete=fields.RESTRICT
    )
    user_id: int
    # The scopes the user granted; the app's live scopes may since have grown or shrunk.
    scopes: fields.JSONField[list[str]] = fields.JSONField(default=list)
    installed_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()
    uninstalled_at = fields.DatetimeField(null=True)

    class Meta:
        table = "installation"
        unique_together = (("app", "user"),)
        indexes = (
            ("company_id", "uninstalled_at", "installed_at"),
            ("user_id", "uninstalled_at", "installed_at"),
            ("app_id", "uninstalled_at"),
            ("app_id", "installed_at"),  # the marketplace's TRENDING order
        )


class AuthorizationCode(Model):
    id = fields.IntField(primary_key=True)
    code_digest = fields.CharField(max_length=64, unique=True)
    app: fields.ForeignKeyRelation[App] = fields.ForeignKeyField(
        "devhub.App", related_name=False, on_delete=fields.RESTRICT
    )
    app_id: int
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "devhub.User", related_name=False, on_delete=fields.RESTRICT
    )
    user_id: int
    # The redirect URI the authorize request named; null when it named none (the callback was
    # used), and then the token request need not repeat it.
    redirect_uri = fields.CharField(max_length=2048, null=True)
    scopes: fields.JSONField[list[str]] = fields.JSONField(default=list)
    code_challenge = fields.CharField(max_length=128, null=True)
    code_challenge_method = fields.CharField(max_length=10, null=True)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "authorization_code"
        indexes = (("app_id", "created_at"),)


class RefreshToken(Model):
    id = fields.IntField(primary_key=True)
    token_digest = fields.CharField(max_length=64, unique=True)
    installation: fields.ForeignKeyRelation[Installation] = fields.ForeignKeyField(
        "devhub.Installation", related_name="refresh_tokens", on_delete=fields.RESTRICT
    )
    installation_id: int
    # The code that produced it: replaying that code revokes it.
    code: fields.ForeignKeyNullableRelation[AuthorizationCode] = fields.ForeignKeyField(
        "devhub.AuthorizationCode", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    code_id: int | None
    created_at = fields.DatetimeField()
    last_used_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "refresh_token"
        indexes = (("installation_id", "revoked_at"), ("code_id",))


class AccessToken(Model):
    id = fields.IntField(primary_key=True)
    token_digest = fields.CharField(max_length=64, unique=True)
    installation: fields.ForeignKeyRelation[Installation] = fields.ForeignKeyField(
        "devhub.Installation", related_name="access_tokens", on_delete=fields.RESTRICT
    )
    installation_id: int
    refresh_token: fields.ForeignKeyRelation[RefreshToken] = fields.ForeignKeyField(
        "devhub.RefreshToken", related_name="access_tokens", on_delete=fields.RESTRICT
    )
    refresh_token_id: int
    scopes: fields.JSONField[list[str]] = fields.JSONField(default=list)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "access_token"
        indexes = (("installation_id", "revoked_at"), ("refresh_token_id", "revoked_at"))
