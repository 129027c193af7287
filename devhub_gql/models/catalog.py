"""The fixed catalogues apps choose from: access scopes and marketplace categories."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Scope(Model):
    name = fields.CharField(max_length=64, primary_key=True)
    label = fields.CharField(max_length=100)
    description = fields.CharField(max_length=300)
    endpoints: fields.JSONField[list[str]] = fields.JSONField(default=list)
    position = fields.IntField()

    class Meta:
        table = "scope"


class Category(Model):
    slug = fields.CharField(max_length=64, primary_key=True)
    label = fields.CharField(max_length=100)
    position = fields.IntField()

    class Meta:
        table = "category"
