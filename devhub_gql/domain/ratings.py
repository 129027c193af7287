"""Ratings and reviews of published apps: who may rate, the figures kept on the app's row,
helpful votes, developer replies, reports and their moderation.

Who may rate: a user with an active installation of a published public app, or one whose
installation ended less than RATING_WINDOW ago; never a user of the app's own company. One rating
per user per app (1-5 stars), with an optional review (a title needs a text); editing keeps the
earlier versions for moderators. A hidden rating counts nowhere and is shown to its author only.

The app's figures (count, sum of stars, how many gave each number of stars) change in the same
transaction as the rating that changes them, by relative updates, so concurrent ratings of one
app keep them exact; `verify` recounts them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q

from devhub_gql import events, sql
from devhub_gql.domain import versions
from devhub_gql.domain.accounts import Viewer
from devhub_gql.domain.errors import ErrorCode, Forbidden, NotFound, UserError, UserErrors
from devhub_gql.domain.validation import check_length, clean_text
from devhub_gql.models import (
    App,
    AppRating,
    AppRatingVersion,
    AppStatus,
    AppType,
    AuditAction,
    AuditEntry,
    Installation,
    RatingReport,
    RatingVote,
    ReportStatus,
)

RATING_WINDOW = timedelta(days=90)
STARS = range(1, 6)
TITLE_MAX = 100
BODY_MAX = 2000
REPLY_MAX = 2000
REPORT_REASON_MAX = 500
HIDE_REASON_MAX = 1000
# TOP_RATED ranks by a Bayesian average: every app starts as if it had PRIOR_WEIGHT ratings of
# PRIOR_MEAN stars, so a few ratings move it little and many move it to their own mean.
PRIOR_MEAN = 3.5
PRIOR_WEIGHT = 10
BAYESIAN_SQL = f"(({PRIOR_MEAN * PRIOR_WEIGHT} + a.rating_sum) / ({PRIOR_WEIGHT} + a.rating_count))"


class ReviewSort(StrEnum):
    NEWEST = "NEWEST"
    MOST_HELPFUL = "MOST_HELPFUL"
    LOWEST = "LOWEST"
    HIGHEST = "HIGHEST"


_REVIEW_ORDER = {
    ReviewSort.NEWEST: "r.created_at DESC, r.id DESC",
    ReviewSort.MOST_HELPFUL: "r.helpful_count DESC, r.created_at DESC, r.id DESC",
    ReviewSort.LOWEST: "r.stars ASC, r.created_at DESC, r.id DESC",
    ReviewSort.HIGHEST: "r.stars DESC, r.created_at DESC, r.id DESC",
}


@dataclass(frozen=True)
class Summary:
    """An app's visible ratings, as the listing shows them."""

    count: int
    total: int
    distribution: tuple[int, int, int, int, int]  # how many gave 1, 2, 3, 4, 5 stars

    @property
    def average(self) -> float | None:
        return round(self.total / self.count, 1) if self.count else None

    @classmethod
    def of_row(cls, found: dict[str, Any]) -> Summary:
        return cls(
            count=int(found["rating_count"]),
            total=int(found["rating_sum"]),
            distribution=(
                int(found["rating_1"]),
                int(found["rating_2"]),
                int(found["rating_3"]),
                int(found["rating_4"]),
                int(found["rating_5"]),
            ),
        )


SUMMARY_COLUMNS = (
    "a.rating_count, a.rating_sum, a.rating_1, a.rating_2, a.rating_3, a.rating_4, a.rating_5"
)


@dataclass(frozen=True)
class Review:
    """A rating as anyone may see it (the author's name, never their email)."""

    id: int
    app_id: int
    stars: int
    title: str | None
    body: str | None
    author_name: str
    helpful_count: int
    created_at: datetime
    edited_at: datetime | None
    reply_body: str | None
    reply_created_at: datetime | None
    reply_updated_at: datetime | None
    hidden_reason: str | None  # shown to the author only


_REVIEW_COLUMNS = (
    "r.id, r.app_id, r.stars, r.title, r.body, r.helpful_count, r.created_at, r.edited_at,"
    " r.reply_body, r.reply_created_at, r.reply_updated_at, r.hidden_reason, u.name AS author_name"
)


def _review(found: dict[str, Any]) -> Review:
    return Review(
        id=int(found["id"]),
        app_id=int(found["app_id"]),
        stars=int(found["stars"]),
        title=found["title"],
        body=found["body"],
        author_name=found["author_name"],
        helpful_count=int(found["helpful_count"]),
        created_at=sql.moment(found["created_at"]),
        edited_at=sql.maybe_moment(found["edited_at"]),
        reply_body=found["reply_body"],
        reply_created_at=sql.maybe_moment(found["reply_created_at"]),
        reply_updated_at=sql.maybe_moment(found["reply_updated_at"]),
        hidden_reason=found["hidden_reason"],
    )


@dataclass(frozen=True)
class ReviewPage:
    app_id: int
    sort: ReviewSort
    offset: int
    limit: int


async def review_pages(pages: Sequence[ReviewPage]) -> list[list[Review]]:
    """For a DataLoader: a page of each app's visible reviews; the pages of one order, offset
    and size come in one statement, however many apps ask."""
    found: dict[ReviewPage, list[Review]] = {page: [] for page in pages}
    groups: dict[tuple[ReviewSort, int, int], list[int]] = {}
    for page in pages:
        groups.setdefault((page.sort, page.offset, page.limit), []).append(page.app_id)
    for (sort, offset, limit), app_ids in groups.items():
        rows = await sql.rows(
            f"SELECT * FROM (SELECT {_REVIEW_COLUMNS}, ROW_NUMBER() OVER"
            f" (PARTITION BY r.app_id ORDER BY {_REVIEW_ORDER[sort]}) AS n"
            ' FROM app_rating r JOIN "user" u ON u.id = r.user_id'
            f" WHERE r.app_id {sql.one_of(app_ids)} AND r.hidden_at IS NULL) x"
            " WHERE x.n > ? AND x.n <= ? ORDER BY x.app_id, x.n",
            *app_ids,
            offset,
            offset + limit,
        )
        for row in rows:
            found[ReviewPage(int(row["app_id"]), sort, offset, limit)].append(_review(row))
    return [found[page] for page in pages]


async def own_reviews(keys: Sequence[tuple[int, int]]) -> list[Review | None]:
    """For a DataLoader: each (app id, user id)'s own rating, hidden or not."""
    if not keys:
        return []
    pairs = " OR ".join("(r.app_id = ? AND r.user_id = ?)" for _ in keys)
    rows = await sql.rows(
        f'SELECT {_REVIEW_COLUMNS}, r.user_id FROM app_rating r JOIN "user" u ON u.id = r.user_id'
        f" WHERE {pairs}",
        *(value for key in keys for value in key),
    )
    found = {(int(row["app_id"]), int(row["user_id"])): _review(row) for row in rows}
    return [found.get(key) for key in keys]


async def review_by_id(rating_id: int) -> Review:
    """A review as it is now, hidden or not (a mutation's answer to its author or developer)."""
    found = await sql.row(
        f'SELECT {_REVIEW_COLUMNS} FROM app_rating r JOIN "user" u ON u.id = r.user_id'
        " WHERE r.id = ?",
        rating_id,
    )
    if found is None:
        raise NotFound("No review with this id.")
    return _review(found)


# Changing ----------------------------------------------------------------------------------


async def _move(app_id: int, *, removed: int | None = None, added: int | None = None) -> None:
    """Take a rating of `removed` stars out of the app's figures and/or put one of `added` in:
    one update relative to what is stored (concurrent ratings add up), and the public version."""
    count = int(added is not None) - int(removed is not None)
    changes: dict[str, Any] = {
        "rating_count": F("rating_count") + count,
        "rating_sum": F("rating_sum") + ((added or 0) - (removed or 0)),
    }
    for stars, change in ((removed, -1), (added, +1)):
        if stars is not None:
            column = f"rating_{stars}"
            changes[column] = F(column) + change
    await App.filter(id=app_id).update(**changes)
    await versions.public_changed()


async def _listed_app(app_id: int) -> App:
    """A published public app: the only ones rated."""
    app = await App.filter(
        id=app_id, type=AppType.PUBLIC, status=AppStatus.PUBLISHED, deleted_at=None
    ).first()
    if app is None:
        raise NotFound("No app in the marketplace by that id.")
    return app


async def _check_may_rate(viewer: Viewer, app: App, now: datetime) -> None:
    if viewer.company_id == app.company_id:
        raise UserErrors.single(
            None, ErrorCode.OWN_COMPANY_APP, "An app's own developers cannot rate it."
        )
    installed = await Installation.filter(
        Q(uninstalled_at=None) | Q(uninstalled_at__gt=now - RATING_WINDOW),
        app_id=app.id,
        user_id=viewer.user.id,
    ).exists()
    if not installed:
        raise UserErrors.single(
            None,
            ErrorCode.NOT_AN_INSTALLER,
            f"Only users who have the app installed, or had it in the last "
            f"{RATING_WINDOW.days} days, can rate it.",
        )


def _check_review(stars: int, title: str | None, body: str | None) -> tuple[str | None, str | None]:
    problems: list[UserError] = []
    if stars not in STARS:
        problems.append(UserError("stars", ErrorCode.OUT_OF_RANGE, "From 1 to 5 stars."))
    title, body = clean_text(title), clean_text(body)
    problems += check_length("title", title, TITLE_MAX) + check_length("body", body, BODY_MAX)
    if title is not None and body is None:
        problems.append(UserError("body", ErrorCode.REQUIRED, "A title needs a review text."))
    if problems:
        raise UserErrors(problems)
    return title, body


async def rate(
    viewer: Viewer,
    app_id: int,
    *,
    stars: int,
    title: str | None,
    body: str | None,
    now: datetime,
) -> AppRating:
    """Rate the app, or change one's rating of it (the earlier version is kept)."""
    title, body = _check_review(stars, title, body)
    try:
        async with events.transaction():
            app = await _listed_app(app_id)
            await _check_may_rate(viewer, app, now)
            rating = (
                await AppRating.filter(app_id=app.id, user_id=viewer.user.id)
                .select_for_update()
                .first()
            )
            if rating is None:
                rating = await AppRating.create(
                    app_id=app.id,
                    user_id=viewer.user.id,
                    stars=stars,
                    title=title,
                    body=body,
                    created_at=now,
                    updated_at=now,
                )
                await _move(app.id, added=stars)
                return rating
            if (rating.stars, rating.title, rating.body) == (stars, title, body):
                return rating
            await AppRatingVersion.create(
                rating_id=rating.id,
                stars=rating.stars,
                title=rating.title,
                body=rating.body,
                written_at=rating.edited_at or rating.created_at,
                replaced_at=now,
            )
            await AppRating.filter(id=rating.id).update(
                stars=stars, title=title, body=body, updated_at=now, edited_at=now
            )
            if rating.hidden_at is None and rating.stars != stars:
                await _move(app.id, removed=rating.stars, added=stars)
            else:
                await versions.public_changed()  # the review's text
            return rating
    except IntegrityError:  # the same user's first rating, twice at once: one is kept
        raise UserErrors.single(
            None, ErrorCode.ALREADY_DECIDED, "The app was rated meanwhile; try again."
        ) from None


async def delete_rating(viewer: Viewer, app_id: int, *, now: datetime) -> None:
    async with events.transaction():
        rating = (
            await AppRating.filter(app_id=app_id, user_id=viewer.user.id)
            .select_for_update()
            .first()
        )
        if rating is None:
            raise NotFound("You have not rated this app.")
        await rating.delete()
        if rating.hidden_at is None:
            await _move(app_id, removed=rating.stars)
        else:
            await versions.public_changed()


async def _visible_rating(rating_id: int) -> AppRating:
    rating = await AppRating.filter(id=rating_id, hidden_at=None).select_for_update().first()
    if rating is None:
        raise NotFound("No review with this id.")
    return rating


async def reply(viewer: Viewer, rating_id: int, body: str, *, now: datetime) -> AppRating:
    """The app's developers answer a review in public: one reply, which they may edit."""
    text = clean_text(body)
    problems = check_length("body", text, REPLY_MAX)
    if text is None:
        problems.append(UserError("body", ErrorCode.REQUIRED, "A reply needs a text."))
    async with events.transaction():
        rating = await _visible_rating(rating_id)
        app = await App.get(id=rating.app_id)
        if app.company_id != viewer.company_id:
            raise Forbidden("Only the app's developers reply to its reviews.")
        if problems:
            raise UserErrors(problems)
        await AppRating.filter(id=rating.id).update(
            reply_body=text, reply_created_at=rating.reply_created_at or now, reply_updated_at=now
        )
        await versions.public_changed()
    return rating


async def vote_helpful(viewer: Viewer, rating_id: int, *, now: datetime) -> AppRating:
    try:
        async with events.transaction():
            rating = await _visible_rating(rating_id)
            if rating.user_id == viewer.user.id:
                raise UserErrors.single(
                    None, ErrorCode.OWN_REVIEW, "Authors cannot vote on their own review."
                )
            if await RatingVote.filter(rating_id=rating.id, user_id=viewer.user.id).exists():
                raise _already("You marked this review helpful already.")
            await RatingVote.create(rating_id=rating.id, user_id=viewer.user.id, created_at=now)
            await AppRating.filter(id=rating.id).update(helpful_count=F("helpful_count") + 1)
            await versions.public_changed()
            rating.helpful_count += 1
            return rating
    except IntegrityError:
        raise _already("You marked this review helpful already.") from None


def _already(message: str) -> UserErrors:
    return UserErrors.single(None, ErrorCode.ALREADY_DONE, message)


async def report(viewer: Viewer, rating_id: int, reason: str, *, now: datetime) -> None:
    text = clean_text(reason)
    problems = check_length("reason", text, REPORT_REASON_MAX)
    if text is None:
        problems.append(UserError("reason", ErrorCode.REQUIRED, "Say what is wrong with it."))
    try:
        async with events.transaction():
            rating = await _visible_rating(rating_id)
            if problems:
                raise UserErrors(problems)
            if rating.user_id == viewer.user.id:
                raise UserErrors.single(
                    None, ErrorCode.OWN_REVIEW, "Authors cannot report their own review."
                )
            if await RatingReport.filter(rating_id=rating.id, user_id=viewer.user.id).exists():
                raise _already("You reported this review already.")
            await RatingReport.create(
                rating_id=rating.id, user_id=viewer.user.id, reason=text, created_at=now
            )
            await AppRating.filter(id=rating.id).update(
                open_reports=F("open_reports") + 1,
                first_reported_at=rating.first_reported_at or now,
            )
    except IntegrityError:
        raise _already("You reported this review already.") from None


# Moderation (reviewers) ------------------------------------------------------------------------


async def _reported(reviewer: Viewer, rating_id: int) -> tuple[AppRating, App]:
    rating = await AppRating.filter(id=rating_id).select_for_update().first()
    if rating is None:
        raise NotFound("No review with this id.")
    app = await App.get(id=rating.app_id)
    if app.company_id == reviewer.company_id:
        raise UserErrors.single(
            None, ErrorCode.OWN_COMPANY_APP, "Reviewers cannot moderate their own company's apps."
        )
    if rating.hidden_at is not None:
        raise UserErrors.single(None, ErrorCode.ALREADY_DECIDED, "The review is hidden already.")
    return rating, app


async def _close_reports(rating: AppRating, status: ReportStatus, now: datetime) -> None:
    await RatingReport.filter(rating_id=rating.id, status=ReportStatus.OPEN).update(
        status=status, decided_at=now
    )


async def hide(reviewer: Viewer, rating_id: int, reason: str, *, now: datetime) -> AppRating:
    """Take a review out of the listing and the figures; its author sees why."""
    text = clean_text(reason)
    problems = check_length("reason", text, HIDE_REASON_MAX)
    if text is None:
        problems.append(UserError("reason", ErrorCode.REASON_REQUIRED, "Give the author a reason."))
    async with events.transaction():
        rating, app = await _reported(reviewer, rating_id)
        if problems:
            raise UserErrors(problems)
        await _close_reports(rating, ReportStatus.UPHELD, now)
        await AppRating.filter(id=rating.id).update(
            hidden_at=now, hidden_reason=text, open_reports=0, first_reported_at=None
        )
        await _move(app.id, removed=rating.stars)
        await AuditEntry.create(
            app_id=app.id,
            actor_id=reviewer.user.id,
            action=AuditAction.REVIEW_HIDDEN,
            reason=f"Review {rating.id}: {text}",
            at=now,
        )
    return rating


async def dismiss_reports(reviewer: Viewer, rating_id: int, *, now: datetime) -> AppRating:
    async with events.transaction():
        rating, app = await _reported(reviewer, rating_id)
        if not rating.open_reports:
            raise UserErrors.single(
                None, ErrorCode.ALREADY_DECIDED, "The review has no open reports."
            )
        await _close_reports(rating, ReportStatus.DISMISSED, now)
        await AppRating.filter(id=rating.id).update(open_reports=0, first_reported_at=None)
        await AuditEntry.create(
            app_id=app.id,
            actor_id=reviewer.user.id,
            action=AuditAction.REVIEW_REPORTS_DISMISSED,
            reason=f"Review {rating.id}",
            at=now,
        )
    return rating


@dataclass(frozen=True)
class Reported:
    """A review in the moderation queue, with what a moderator needs to decide."""

    review: Review
    app_name: str
    author_email: str
    reports: list[RatingReport]
    history: list[AppRatingVersion]


async def reported_reviews(offset: int, limit: int) -> list[Reported]:
    """The moderation queue: visible reviews with open reports, the longest waiting first
    (three statements a page)."""
    rows = await sql.rows(
        f"SELECT {_REVIEW_COLUMNS}, u.email AS author_email, a.name AS app_name"
        ' FROM app_rating r JOIN "user" u ON u.id = r.user_id JOIN app a ON a.id = r.app_id'
        " WHERE r.open_reports > 0 AND r.hidden_at IS NULL"
        " ORDER BY r.first_reported_at, r.id LIMIT ? OFFSET ?",
        limit,
        offset,
    )
    ids = [int(row["id"]) for row in rows]
    reports: dict[int, list[RatingReport]] = {i: [] for i in ids}
    history: dict[int, list[AppRatingVersion]] = {i: [] for i in ids}
    if ids:
        open_reports = RatingReport.filter(rating_id__in=ids, status=ReportStatus.OPEN)
        for found in await open_reports.order_by("created_at", "id"):
            reports[found.rating_id].append(found)
        versions_of = AppRatingVersion.filter(rating_id__in=ids)
        for version in await versions_of.order_by("replaced_at", "id"):
            history[version.rating_id].append(version)
    return [
        Reported(
            review=_review(row),
            app_name=row["app_name"],
            author_email=row["author_email"],
            reports=reports[int(row["id"])],
            history=history[int(row["id"])],
        )
        for row in rows
    ]


# Consistency -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mismatch:
    app_id: int
    stored: Summary
    counted: Summary


async def verify(*, repair: bool = False) -> list[Mismatch]:
    """Every app whose stored figures differ from a recount of its visible ratings."""
    counted_rows = await sql.rows(
        "SELECT app_id, COUNT(*) AS n, SUM(stars) AS total,"
        + ", ".join(f" SUM(CASE WHEN stars = {s} THEN 1 ELSE 0 END) AS s{s}" for s in STARS)
        + " FROM app_rating WHERE hidden_at IS NULL GROUP BY app_id"
    )
    counted = {
        int(row["app_id"]): Summary(
            int(row["n"]),
            int(row["total"]),
            tuple(int(row[f"s{s}"]) for s in STARS),  # type: ignore[arg-type]  # five by STARS
        )
        for row in counted_rows
    }
    stored_rows = await sql.rows(
        f"SELECT a.id, {SUMMARY_COLUMNS} FROM app a"
        " WHERE a.rating_count <> 0 OR a.rating_sum <> 0 OR a.id IN (SELECT app_id FROM app_rating)"
    )
    empty = Summary(0, 0, (0, 0, 0, 0, 0))
    mismatches = []
    for row in stored_rows:
        app_id = int(row["id"])
        stored, recount = Summary.of_row(row), counted.get(app_id, empty)
        if stored != recount:
            mismatches.append(Mismatch(app_id, stored, recount))
    if repair and mismatches:
        async with events.transaction():
            for mismatch in mismatches:
                c = mismatch.counted
                await App.filter(id=mismatch.app_id).update(
                    rating_count=c.count,
                    rating_sum=c.total,
                    **{f"rating_{s}": c.distribution[s - 1] for s in STARS},
                )
            await versions.public_changed()
    return mismatches
