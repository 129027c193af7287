"""OAuth apps registered by developers, with their listing and their access scopes."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from devhub_gql.models.accounts import Company, User
    from devhub_gql.models.catalog import Category, Scope


class AppType(StrEnum):
    PUBLIC = "PUBLIC"
    PRIVATE = "PRIVATE"


class AppStatus(StrEnum):
    DRAFT = "DRAFT"
    IN_REVIEW = "IN_REVIEW"
    APPROVED = "APPROVED"
    PUBLISHED = "PUBLISHED"
    LIVE = "LIVE"


class App(Model):
    id = fields.IntField(primary_key=True)
    company: fields.ForeignKeyRelation[Company] = fields.ForeignKeyField(
        "devhub.Company", related_name="apps", on_delete=fields.RESTRICT
    )
    company_id: int
    created_by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "devhub.User", related_name="created_apps", on_delete=fields.RESTRICT
    )
    created_by_id: int
    type = fields.CharEnumField(AppType, max_length=16)
    status = fields.CharEnumField(AppStatus, max_length=16, default=AppStatus.DRAFT)

    # OAuth client registration. Secrets are stored only as digests (see domain/secrets.py);
    # after a rotation the previous secret keeps working until previous_secret_expires_at.
    client_id = fields.CharField(max_length=32, unique=True)
    client_secret_digest = fields.CharField(max_length=64)
    previous_secret_digest = fields.CharField(max_length=64, null=True)
    previous_secret_expires_at = fields.DatetimeField(null=True)
    callback_url = fields.CharField(max_length=2048)

    # Listing and registration (checked in full only on submission).
    name = fields.CharField(max_length=100)
    category: fields.ForeignKeyNullableRelation[Category] = fields.ForeignKeyField(
        "devhub.Category", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    category_id: str | None
    summary = fields.CharField(max_length=150, null=True)
    icon_url = fields.CharField(max_length=2048, null=True)
    listing_image_urls: fields.JSONField[list[str]] = fields.JSONField(default=list)
    description = fields.TextField(null=True)
    video_url = fields.CharField(max_length=2048, null=True)
    setup_instructions = fields.TextField(null=True)
    website_url = fields.CharField(max_length=2048, null=True)
    terms_of_service_url = fields.CharField(max_length=2048, null=True)
    privacy_policy_url = fields.CharField(max_length=2048, null=True)
    pricing_url = fields.CharField(max_length=2048, null=True)
    support_url = fields.CharField(max_length=2048, null=True)
    documentation_url = fields.CharField(max_length=2048, null=True)
    support_email = fields.CharField(max_length=254, null=True)
    contact_email = fields.CharField(max_length=254, null=True)
    installation_url = fields.CharField(max_length=2048, null=True)
    use_case = fields.TextField(null=True)
    test_account_notes = fields.TextField(null=True)
    partner_terms_accepted = fields.BooleanField(default=False)

    # Marketplace: when it was first published, and how many users have it installed now.
    published_at = fields.DatetimeField(null=True)
    installation_count = fields.IntField(default=0)
    # Its visible ratings, kept in step with every rating change (domain/ratings.py): how many,
    # the sum of their stars, and how many gave each number of stars.
    rating_count = fields.IntField(default=0, db_default=0)
    rating_sum = fields.IntField(default=0, db_default=0)
    rating_1 = fields.IntField(default=0, db_default=0)
    rating_2 = fields.IntField(default=0, db_default=0)
    rating_3 = fields.IntField(default=0, db_default=0)
    rating_4 = fields.IntField(default=0, db_default=0)
    rating_5 = fields.IntField(default=0, db_default=0)

    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()
    # Soft delete: a deleted app vanishes from every query but its rows and audit trail stay.
    deleted_at = fields.DatetimeField(null=True)
    delete_reason = fields.TextField(null=True)

    class Meta:
        table = "app"
        indexes = (
            # A developer's apps, newest first: the page is read in this order and stops after
            # its rows. With deleted_at inside the key, PostgreSQL could not use the order (an
            # IS NULL is no equality to it) and read and sorted every app of the company.
            ("company_id", "created_at", "id"),
            ("status", "published_at"),
            ("status", "installation_count"),
            ("status", "name"),
            ("status", "category_id", "published_at"),
        )


class AppScope(Model):
    """An access scope of an app's live version."""

    id = fields.IntField(primary_key=True)
    app: fields.ForeignKeyRelation[App] = fields.ForeignKeyField(
        "devhub.App", related_name="app_scopes", on_delete=fields.CASCADE
    )
    app_id: int
    scope: fields.ForeignKeyRelation[Scope] = fields.ForeignKeyField(
        "devhub.Scope", related_name=False, on_delete=fields.RESTRICT
    )
    scope_id: str

    class Meta:
        table = "app_scope"
        unique_together = (("app", "scope"),)


class AppSlug(Model):
    """Every slug an app's name has given it: an old link keeps working after a rename."""

    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=100, unique=True)
    app: fields.ForeignKeyRelation[App] = fields.ForeignKeyField(
        "devhub.App", related_name="slugs", on_delete=fields.CASCADE
    )
    app_id: int
    created_at = fields.DatetimeField()

    class Meta:
        table = "app_slug"
        indexes = (("app_id", "created_at"),)


class MarketplaceState(Model):
    """One row: a version bumped by every change to what the marketplace lists.

    Each process compares it with the version its cached anonymous responses were made at.
    """

    id = fields.IntField(primary_key=True)
    version = fields.BigIntField(default=0)

    class Meta:
        table = "marketplace_state"


class AppExtension(Model):
    """A place the app adds itself to the CRM's interface (devhub_gql.domain.extensions).

    `definition` holds the kind's fields as the developer saved them; the secrets in it (JWT
    secret, HTTP Basic password) are encrypted, never in clear.
    """

    id = fields.IntField(primary_key=True)
    app: fields.ForeignKeyRelation[App] = fields.ForeignKeyField(
        "devhub.App", related_name="extensions", on_delete=fields.CASCADE
    )
    app_id: int
    key = fields.CharField(max_length=40, unique=True)  # the extension's public id
    kind = fields.CharField(max_length=24)
    position = fields.IntField()
    definition: fields.JSONField[dict[str, object]] = fields.JSONField()

    class Meta:
        table = "app_extension"
        indexes = (("app_id", "position"),)
