"""Per-request DataLoaders over the domain's batch lookups: every nested list or object costs one
query per request, not per row."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import TypeVar

from strawberry.dataloader import DataLoader

from devhub_gql.domain import lookups
from devhub_gql.domain.apps import AppView, app_views
from devhub_gql.domain.extensions import Extension, extensions_by_app
from devhub_gql.domain.ratings import Review, ReviewPage, own_reviews, review_pages
from devhub_gql.models import App, Company, DeliveryAttempt, PendingRevision, User
from devhub_gql.models import Submission as SubmissionRow

# Keeps SQLite's `IN (...)` parameter lists bounded.
MAX_BATCH = 500

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def _loader(load: Callable[[Sequence[K]], Awaitable[Sequence[V]]]) -> DataLoader[K, V]:
    return DataLoader(load, max_batch_size=MAX_BATCH)


class Loaders:
    """A fresh set per request: a loader's cache must not outlive the request."""

    def __init__(self) -> None:
        self.app: DataLoader[int, App | None] = _loader(lookups.apps)
        self.user: DataLoader[int, User | None] = _loader(lookups.users)
        self.company: DataLoader[int, Company | None] = _loader(lookups.companies)
        self.app_view: DataLoader[int, AppView | None] = _loader(app_views)
        self.app_scopes: DataLoader[int, list[str]] = _loader(lookups.app_scopes)
        self.extensions: DataLoader[int, list[Extension]] = _loader(extensions_by_app)
        self.reviews: DataLoader[ReviewPage, list[Review]] = _loader(review_pages)
        # (app id, user id) -> that user's own review of the app, hidden or not
        self.own_review: DataLoader[tuple[int, int], Review | None] = _loader(own_reviews)
        self.submissions: DataLoader[int, list[SubmissionRow]] = _loader(lookups.submissions)
        self.open_revision: DataLoader[int, PendingRevision | None] = _loader(
            lookups.open_revisions
        )
        self.delivery_attempts: DataLoader[int, list[DeliveryAttempt]] = _loader(
            lookups.delivery_attempts
        )
