"""Install analytics: an app's days as its company sees them (UTC days), read from the counters
devhub_gql.domain.install_events keeps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from devhub_gql import sql
from devhub_gql.domain.accounts import Viewer
from devhub_gql.domain.apps import get_app
from devhub_gql.domain.errors import BadRequest
from devhub_gql.domain.install_events import RefreshTally, date_of, day_of
from devhub_gql.models import UninstallReason

MAX_DAYS = 366


@dataclass(frozen=True)
class Day:
    day: date
    installs: int
    reinstalls: int
    uninstalls: int
    refreshes: int
    active: int  # installations active at the end of the day


@dataclass(frozen=True)
class ReasonCount:
    reason: UninstallReason
    count: int


@dataclass(frozen=True)
class Comment:
    day: date
    reason: UninstallReason
    text: str


@dataclass(frozen=True)
class Analytics:
    days: list[Day]
    reasons: list[ReasonCount]
    comments: list[Comment]


async def app_analytics(
    viewer: Viewer, app_id: int, first: date, last: date, tally: RefreshTally
) -> Analytics:
    """The app's days from `first` to `last` (UTC, both included), for its own company: five
    statements, however many days."""
    if last < first:
        raise BadRequest("'to' is before 'from'.")
    if (last - first).days + 1 > MAX_DAYS:
        raise BadRequest(f"At most {MAX_DAYS} days at once.")
    app = await get_app(viewer, app_id)
    await tally.flush()  # this process's refreshes, before reading
    rows = {
        date_of(row["day"]): row
        for row in await sql.rows(
            "SELECT day, installs, reinstalls, uninstalls, refreshes FROM app_day"
            " WHERE app_id = ? AND day >= ? AND day <= ?",
            app.id,
            first,
            last,
        )
    }
    # Active at the end of `last`: active now, less what changed after it.
    later = await sql.row(
        "SELECT COALESCE(SUM(installs + reinstalls - uninstalls), 0) AS net FROM app_day"
        " WHERE app_id = ? AND day > ?",
        app.id,
        last,
    )
    active = app.installation_count - int(later["net"] if later else 0)
    days: list[Day] = []
    for offset in range((last - first).days, -1, -1):
        day = first + timedelta(days=offset)
        row = rows.get(day)
        installs, reinstalls, uninstalls, refreshes = (
            (int(row[c]) for c in ("installs", "reinstalls", "uninstalls", "refreshes"))
            if row
            else (0, 0, 0, 0)
        )
        days.append(Day(day, installs, reinstalls, uninstalls, refreshes, active))
        active -= installs + reinstalls - uninstalls
    days.reverse()
    start = datetime.combine(first, datetime.min.time(), UTC)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), UTC)
    reason_rows = await sql.rows(
        "SELECT reason, COUNT(*) AS n FROM install_event WHERE app_id = ? AND at >= ? AND at < ?"
        " AND reason IS NOT NULL GROUP BY reason ORDER BY n DESC, reason",
        app.id,
        start,
        end,
    )
    comment_rows = await sql.rows(
        "SELECT at, reason, reason_text FROM install_event WHERE app_id = ? AND at >= ?"
        " AND at < ? AND reason_text IS NOT NULL ORDER BY at DESC, id DESC LIMIT 100",
        app.id,
        start,
        end,
    )
    return Analytics(
        days=days,
        reasons=[ReasonCount(UninstallReason(r["reason"]), int(r["n"])) for r in reason_rows],
        comments=[
            Comment(day_of(sql.moment(r["at"])), UninstallReason(r["reason"]), r["reason_text"])
            for r in comment_rows
        ],
    )
