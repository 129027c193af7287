"""What developers see of their app's use: every install, re-install and uninstall as it
happened (the raw rows), and per-day counters kept in step with them."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from devhub_gql.models.apps import App
    from devhub_gql.models.installations import Installation


class InstallEventKind(StrEnum):
    INSTALL = "INSTALL"  # the user's first installation of the app
    REINSTALL = "REINSTALL"  # installed again after an uninstall
    UNINSTALL = "UNINSTALL"


class UninstallReason(StrEnum):
    NOT_USING = "NOT_USING"
    NOT_WORKING = "NOT_WORKING"
    TOO_EXPENSIVE = "TOO_EXPENSIVE"
    MISSING_FEATURES = "MISSING_FEATURES"
    FOUND_ANOTHER = "FOUND_ANOTHER"
    OTHER = "OTHER"


class InstallEvent(Model):
    """One install, re-install or uninstall. It names the installation, never to the developer:
    they see counts, and the uninstall texts without their authors."""

    id = fields.IntField(primary_key=True)
    app: fields.ForeignKeyRelation[App] = fields.ForeignKeyField(
        "devhub.App", related_name=False, on_delete=fields.CASCADE
    )
    app_id: int
    installation: fields.ForeignKeyRelation[Installation] = fields.ForeignKeyField(
        "devhub.Installation", related_name=False, on_delete=fields.CASCADE
    )
    installation_id: int
    kind = fields.CharEnumField(InstallEventKind, max_length=16)
    reason = fields.CharEnumField(UninstallReason, max_length=24, null=True)
    reason_text = fields.TextField(null=True)
    at = fields.DatetimeField()

    class Meta:
        table = "install_event"
        indexes = (("app_id", "at"),)


class AppDay(Model):
    """One app's figures for one UTC day."""

    id = fields.IntField(primary_key=True)
    app: fields.ForeignKeyRelation[App] = fields.ForeignKeyField(
        "devhub.App", related_name=False, on_delete=fields.CASCADE
    )
    app_id: int
    day = fields.DateField()
    installs = fields.IntField(default=0)
    reinstalls = fields.IntField(default=0)
    uninstalls = fields.IntField(default=0)
    refreshes = fields.IntField(default=0)

    class Meta:
        table = "app_day"
        unique_together = (("app", "day"),)
