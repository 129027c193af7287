"""Tortoise models, one module per area; Tortoise discovers them through this package."""

from devhub_gql.models.accounts import Company, CompanyKind, Role, User, UserSession
from devhub_gql.models.apps import App, AppScope, AppStatus, AppType
from devhub_gql.models.catalog import Category, Scope

__all__ = [
    "App",
    "AppScope",
    "AppStatus",
    "AppType",
    "Category",
    "Company",
    "CompanyKind",
    "Role",
    "Scope",
    "User",
    "UserSession",
]
