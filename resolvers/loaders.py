"""Per-request DataLoaders: every nested list or object costs one query per request, not per row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from strawberry.dataloader import DataLoader

from devhub_gql.domain.revisions import OPEN_REVISION
from devhub_gql.models import (
    App,
    AppScope,
    Category,
    Company,
    DeliveryAttempt,
    PendingRevision,
    Submission,
    User,
)
from devhub_gql.models import (
    Scope as ScopeRow,
)
from schema.types import Scope

# Keeps SQLite's `IN (...)` parameter lists bounded.
MAX_BATCH = 500


async def _load_app_scopes(app_ids: Sequence[int]) -> list[list[Scope]]:
    # Read from the owning side (app_scope joined to scope): the reverse direction makes the
    # database build a temporary index on every query.
    rows = (
        await AppScope.filter(app_id__in=list(app_ids))
        .order_by("scope__position")
        .values(
            "app_id",
            name="scope__name",
            label="scope__label",
            description="scope__description",
            endpoints="scope__endpoints",
        )
    )
    by_app: dict[int, list[Scope]] = {app_id: [] for app_id in app_ids}
    for row in rows:
        by_app[row["app_id"]].append(Scope.from_values(row))
    return [by_app[app_id] for app_id in app_ids]


async def _load_categories(slugs: Sequence[str]) -> list[Category | None]:
    rows = {row.slug: row for row in await Category.filter(slug__in=list(slugs))}
    return [rows.get(slug) for slug in slugs]


async def _load_companies(ids: Sequence[int]) -> list[Company | None]:
    rows = {row.id: row for row in await Company.filter(id__in=list(ids))}
    return [rows.get(company_id) for company_id in ids]


async def _load_submissions(app_ids: Sequence[int]) -> list[list[Submission]]:
    rows = await Submission.filter(app_id__in=list(app_ids)).order_by("-submitted_at", "-id")
    by_app: dict[int, list[Submission]] = {app_id: [] for app_id in app_ids}
    for row in rows:
        by_app[row.app_id].append(row)
    return [by_app[app_id] for app_id in app_ids]


async def _load_open_revisions(app_ids: Sequence[int]) -> list[PendingRevision | None]:
    rows = await PendingRevision.filter(app_id__in=list(app_ids), status__in=OPEN_REVISION)
    by_app = {row.app_id: row for row in rows}
    return [by_app.get(app_id) for app_id in app_ids]


async def _load_apps(ids: Sequence[int]) -> list[App | None]:
    rows = {row.id: row for row in await App.filter(id__in=list(ids))}
    return [rows.get(app_id) for app_id in ids]


async def _load_users(ids: Sequence[int]) -> list[User | None]:
    rows = {row.id: row for row in await User.filter(id__in=list(ids))}
    return [rows.get(user_id) for user_id in ids]


async def _load_scopes(names: Sequence[str]) -> list[Scope | None]:
    rows = await ScopeRow.filter(name__in=list(names)).values(
        "name", "label", "description", "endpoints"
    )
    by_name = {row["name"]: Scope.from_values(row) for row in rows}
    return [by_name.get(name) for name in names]


async def _load_delivery_attempts(message_ids: Sequence[int]) -> list[list[DeliveryAttempt]]:
    rows = await DeliveryAttempt.filter(message_id__in=list(message_ids)).order_by(
        "attempted_at", "id"
    )
    by_message: dict[int, list[DeliveryAttempt]] = {message_id: [] for message_id in message_ids}
    for row in rows:
        by_message[row.message_id].append(row)
    return [by_message[message_id] for message_id in message_ids]


@dataclass
class Loaders:
    app_scopes: DataLoader[int, list[Scope]] = field(
        default_factory=lambda: DataLoader(_load_app_scopes, max_batch_size=MAX_BATCH)
    )
    category: DataLoader[str, Category | None] = field(
        default_factory=lambda: DataLoader(_load_categories, max_batch_size=MAX_BATCH)
    )
    company: DataLoader[int, Company | None] = field(
        default_factory=lambda: DataLoader(_load_companies, max_batch_size=MAX_BATCH)
    )
    submissions: DataLoader[int, list[Submission]] = field(
        default_factory=lambda: DataLoader(_load_submissions, max_batch_size=MAX_BATCH)
    )
    open_revision: DataLoader[int, PendingRevision | None] = field(
        default_factory=lambda: DataLoader(_load_open_revisions, max_batch_size=MAX_BATCH)
    )
    app: DataLoader[int, App | None] = field(
        default_factory=lambda: DataLoader(_load_apps, max_batch_size=MAX_BATCH)
    )
    user: DataLoader[int, User | None] = field(
        default_factory=lambda: DataLoader(_load_users, max_batch_size=MAX_BATCH)
    )
    scope: DataLoader[str, Scope | None] = field(
        default_factory=lambda: DataLoader(_load_scopes, max_batch_size=MAX_BATCH)
    )
    delivery_attempts: DataLoader[int, list[DeliveryAttempt]] = field(
        default_factory=lambda: DataLoader(_load_delivery_attempts, max_batch_size=MAX_BATCH)
    )
