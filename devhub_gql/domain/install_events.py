"""Install events: every install, re-install and uninstall is recorded as it happens, with the
per-day counters it moves, in the same transaction (devhub_gql.domain.analytics reads them).

Token refreshes (the app's activity) are the hot path: each service process tallies them in
memory (its RefreshTally) and adds them to the day's counter in one statement per app and day when
its outbox worker passes (every DEVHUB_OUTBOX_POLL_SECONDS), when it stops, and before it answers
appAnalytics.
A process killed in between loses its last tally; nothing else is lost, and refreshes are the
only figure `rebuild` cannot recount (no row is written per refresh).

Days are UTC.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from tortoise.transactions import in_transaction

from devhub_gql import sql
from devhub_gql.domain.errors import ErrorCode, UserError, UserErrors
from devhub_gql.domain.validation import check_length, clean_text
from devhub_gql.models import AppDay, InstallEvent, InstallEventKind, UninstallReason

REASON_TEXT_MAX = 500
_COUNTER = {
    InstallEventKind.INSTALL: "installs",
    InstallEventKind.REINSTALL: "reinstalls",
    InstallEventKind.UNINSTALL: "uninstalls",
}


def date_of(value: date | str) -> date:
    """A DATE column read back: text on SQLite."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def day_of(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


_COLUMNS = ("installs", "reinstalls", "uninstalls", "refreshes")


async def _add(app_id: int, day: date, column: str, amount: int) -> None:
    # One statement, whether or not the day has its row yet (both databases spell it so).
    values = [amount if name == column else 0 for name in _COLUMNS]
    await sql.execute(
        f"INSERT INTO app_day (app_id, day, {', '.join(_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)"
        f" ON CONFLICT (app_id, day) DO UPDATE SET {column} = app_day.{column} + ?",
        app_id,
        day,
        *values,
        amount,
    )


@dataclass(frozen=True)
class Feedback:
    """Why a user uninstalled, as they chose to say."""

    reason: UninstallReason
    text: str | None


def check_feedback(reason: UninstallReason | None, text: str | None) -> Feedback | None:
    cleaned = clean_text(text)
    problems = check_length("reason_text", cleaned, REASON_TEXT_MAX)
    if cleaned is not None and reason is None:
        problems.append(
            UserError("reason", ErrorCode.REQUIRED, "Choose a reason to go with the text.")
        )
    if problems:
        raise UserErrors(problems)
    return Feedback(reason, cleaned) if reason is not None else None


async def record(
    app_id: int,
    installation_id: int,
    kind: InstallEventKind,
    now: datetime,
    feedback: Feedback | None = None,
) -> None:
    """An install, re-install or uninstall: its row and its day's counter, in the caller's
    transaction."""
    await InstallEvent.create(
        app_id=app_id,
        installation_id=installation_id,
        kind=kind,
        reason=feedback.reason if feedback else None,
        reason_text=feedback.text if feedback else None,
        at=now,
    )
    await _add(app_id, day_of(now), _COUNTER[kind], 1)
    # (count_installation bumped the public version, which every cached answer checks.)


# Token refreshes: tallied per process, added in batches ------------------------------------------


@dataclass
class RefreshTally:
    """The refreshes one service process granted and has not yet added to the counters."""

    pending: Counter[tuple[int, date]] = field(default_factory=Counter)

    def count(self, app_id: int, now: datetime) -> None:
        self.pending[(app_id, day_of(now))] += 1

    async def flush(self) -> None:
        """Add the tally to the counters (nothing to add: no statement)."""
        if not self.pending:
            return
        taken = dict(self.pending)
        self.pending.clear()
        try:
            async with in_transaction():
                for (app_id, day), amount in sorted(taken.items()):
                    await _add(app_id, day, "refreshes", amount)
                # The figures are the developers' (company) data: cached analytics must follow.
                app_ids = sorted({app_id for app_id, _ in taken})
                await sql.execute(
                    "UPDATE company SET data_version = data_version + 1 WHERE id IN"
                    f" (SELECT company_id FROM app WHERE id {sql.one_of(app_ids)})",
                    *app_ids,
                )
        except Exception:
            self.pending.update(taken)  # kept for the next pass
            raise


# Rebuilding ------------------------------------------------------------------------------------


async def rebuild() -> int:
    """Recount installs, re-installs and uninstalls of every day from the raw rows (refreshes,
    which have none, are kept); returns how many day rows differed."""
    counted: dict[tuple[int, date], Counter[str]] = {}
    for row in await sql.rows("SELECT app_id, kind, at FROM install_event"):
        key = (int(row["app_id"]), day_of(sql.moment(row["at"])))
        counted.setdefault(key, Counter())[_COUNTER[InstallEventKind(row["kind"])]] += 1
    changed = 0
    async with in_transaction():
        stored = {
            (int(r["app_id"]), date_of(r["day"])): r
            for r in await sql.rows(
                "SELECT app_id, day, installs, reinstalls, uninstalls FROM app_day"
            )
        }
        for key in sorted(set(counted) | set(stored)):
            want = counted.get(key, Counter())
            have = stored.get(key)
            figures = [want[c] for c in ("installs", "reinstalls", "uninstalls")]
            if have is not None and figures == [
                int(have[c]) for c in ("installs", "reinstalls", "uninstalls")
            ]:
                continue
            changed += 1
            app_id, day = key
            if have is None:
                await AppDay.create(
                    app_id=app_id,
                    day=day,
                    installs=figures[0],
                    reinstalls=figures[1],
                    uninstalls=figures[2],
                )
            else:
                await AppDay.filter(app_id=app_id, day=day).update(
                    installs=figures[0], reinstalls=figures[1], uninstalls=figures[2]
                )
    return changed
