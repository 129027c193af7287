"""Per-request DataLoaders over the domain's batch lookups: every nested list or object costs one
query per request, not per row."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from functools import cached_property
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
    """A fresh set per request: a loader's cache must not outlive the request. Each loader is made
    when a field first asks for it; most requests use one or two of them."""

    @cached_property
    def app(self) -> DataLoader[int, App | None]:
        return _loader(lookups.apps)

    @cached_property
    def user(self) -> DataLoader[int, User | None]:
        return _loader(lookups.users)

    @cached_property
    def company(self) -> DataLoader[int, Company | None]:
        return _loader(lookups.companies)

    @cached_property
    def app_view(self) -> DataLoader[int, AppView | None]:
        return _loader(app_views)

    @cached_property
    def app_scopes(self) -> DataLoader[int, list[str]]:
        return _loader(lookups.app_scopes)

    @cached_property
    def extensions(self) -> DataLoader[int, list[Extension]]:
        return _loader(extensions_by_app)

    @cached_property
    def reviews(self) -> DataLoader[ReviewPage, list[Review]]:
        return _loader(review_pages)

    @cached_property
    def own_review(self) -> DataLoader[tuple[int, int], Review | None]:
        """(app id, user id) -> that user's own review of the app, hidden or not."""
        return _loader(own_reviews)

    @cached_property
    def submissions(self) -> DataLoader[int, list[SubmissionRow]]:
        return _loader(lookups.submissions)

    @cached_property
    def open_revision(self) -> DataLoader[int, PendingRevision | None]:
        return _loader(lookups.open_revisions)

    @cached_property
    def delivery_attempts(self) -> DataLoader[int, list[DeliveryAttempt]]:
        return _loader(lookups.delivery_attempts)
