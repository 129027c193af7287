"""A fresh benchmark database: the project's real migrations, then rows in bulk with plain SQL.

Creating a million installations through the API would take hours and measure the API, not the
data; plain multi-row inserts (SQLite) and COPY (PostgreSQL) take seconds to minutes. The rows
follow the models' rules the service relies on: digests instead of secrets, one current slug per
app, installation counts equal to the active installation rows, timestamps in UTC as Tortoise
writes them (ISO text on SQLite, timestamptz on PostgreSQL). The listing's columns come from its
one declaration (devhub_gql.domain.listing.LISTING): each value is made from its field's kind and
limits, so a field declared there is seeded without a change here.

`python -m bench.seed --size small --database sqlite` seeds without measuring anything.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import orjson

from bench.config import (
    CLIENT_APP_ID,
    CLIENT_ID,
    CLIENT_SECRET,
    DATA_DIR,
    DEVELOPER_USER_ID,
    INSTALLS_PER_USER,
    SEEDED_TOKEN_PAIRS,
    SESSION_TOKEN,
    SIZES,
    TOKEN_PAIRS,
    Size,
    Target,
    access_token,
    refresh_token,
)
from devhub_gql.domain.listing import LISTING, Kind, ListingField
from devhub_gql.domain.marketplace import slugify
from devhub_gql.domain.secrets import digest

# Tortoise's own SQLite adapter (tortoise/backends/sqlite/executor.py), e.g.
# '2026-01-01 12:00:00.123456+00:00': text comparisons such as `expires_at > ?` depend on it.
sqlite3.register_adapter(datetime, lambda value: value.isoformat(" "))

FAR_FUTURE = timedelta(days=3650)
HISTORY = timedelta(days=730)
USERS_PER_CUSTOMER_COMPANY = 4
# Never a valid argon2 hash: seeded customers cannot sign in, and need not.
NO_PASSWORD = "!bench-seeded-user-without-password"
FIRST_WORDS = ("Deal", "Lead", "Mail", "Smart", "Quick", "Cloud", "Pipe", "Data", "Sales", "Team")
SECOND_WORDS = ("Bridge", "Flow", "Hub", "Pilot", "Sync", "Insights", "Connect", "Tracker", "Desk")
SEQUENCED_TABLES = ("company", "user", "app", "installation", "refresh_token", "app_rating")
VIDEO = "https://www.youtube.com/watch?v=aqz-KE-bpKQ"
# Long text, a sentence at a time ({title} is the app's name).
SENTENCES = (
    "{title} connects your CRM with the tools your team already uses.",
    "Install it, sign in with your account and choose what to synchronise.",
    "Deals, contacts and activities stay in step in both directions.",
    "Our support team answers within one business day.",
)
SHORT_TEXT = 150  # up to this limit a text is a one-line pitch


def _title(app_id: int) -> str:
    first = FIRST_WORDS[app_id % len(FIRST_WORDS)]
    second = SECOND_WORDS[(app_id // len(FIRST_WORDS)) % len(SECOND_WORDS)]
    return f"{first} {second} {app_id}"


def _fit(text: str, limit: int | None) -> str:
    """Cut at a word boundary to the field's limit."""
    if limit is None or len(text) <= limit:
        return text
    return text[: limit + 1].rsplit(" ", 1)[0].rstrip(",;:")


def _text(field: ListingField, app_id: int) -> str:
    """The app's title for the one text that is never empty, a pitch for a short text, a
    paragraph for a long one."""
    title = _title(app_id)
    if field.always_set:
        return _fit(title, field.max_length)
    if field.max_length is not None and field.max_length <= SHORT_TEXT:
        second = SECOND_WORDS[(app_id // len(FIRST_WORDS)) % len(SECOND_WORDS)]
        return _fit(
            f"{title} keeps your pipeline in step with your {second.lower()} tools.",
            field.max_length,
        )
    count = 2 if field.max_length is not None and field.max_length <= 400 else 5
    sentences = [SENTENCES[i % len(SENTENCES)].format(title=title) for i in range(count)]
    return _fit(" ".join(sentences), field.max_length)


def _path(field: ListingField) -> str:
    """A field's name as a URL path or mailbox: `x_y_url` -> `x-y`."""
    return (
        field.name.removesuffix("_url")
        .removesuffix("_urls")
        .removesuffix("_email")
        .replace("_", "-")
    )


def listing_value(field: ListingField, app_id: int, category: str) -> Any:
    """The value of one listing field of app `app_id`, made from the field's kind."""
    site = f"https://app{app_id}.example.com"
    match field.kind:
        case Kind.TEXT:
            return _text(field, app_id)
        case Kind.URL:
            return f"{site}/{_path(field)}"
        case Kind.YOUTUBE_URL:
            return VIDEO
        case Kind.URL_LIST:
            count = min(field.max_items or 3, 1 + app_id % 3)  # 1 to 3 images
            urls = [f"{site}/{_path(field)}/{n}.png" for n in range(1, count + 1)]
            return orjson.dumps(urls).decode()
        case Kind.EMAIL:
            return f"{_path(field)}@app{app_id}.example.com"
        case Kind.FLAG:
            return True
        case Kind.CATEGORY:
            return category
    raise ValueError(f"no seed value for listing kind {field.kind}")


def _status(app_id: int) -> tuple[str, str]:
    """(type, status): most apps are published public apps, a few are in other states."""
    if app_id == CLIENT_APP_ID:
        return "PUBLIC", "PUBLISHED"
    if app_id % 25 == 3:
        return "PRIVATE", "LIVE"
    return "PUBLIC", {7: "DRAFT", 13: "APPROVED", 17: "IN_REVIEW"}.get(app_id % 20, "PUBLISHED")


@dataclass
class Plan:
    """Everything decided up front, so each table is one streaming insert."""

    size: Size
    now: datetime
    scopes: list[str]
    categories: list[str]
    rng: random.Random = field(default_factory=lambda: random.Random(20240601))
    app_scopes: list[list[str]] = field(default_factory=list)
    install_app: array = field(default_factory=lambda: array("i"))
    install_user: array = field(default_factory=lambda: array("i"))
    install_count: list[int] = field(default_factory=list)
    token_installations: list[int] = field(default_factory=list)
    # Ratings: (installation index, stars) of every third active installation; per app, the
    # figures the service keeps (count, sum, and how many gave 1..5 stars).
    rated: list[tuple[int, int]] = field(default_factory=list)
    rating_figures: list[list[int]] = field(default_factory=list)

    @property
    def developers(self) -> int:
        return self.size.developer_companies

    @property
    def customers(self) -> int:
        return self.size.customer_users

    def customer_company(self, index: int) -> int:
        return self.developers + 1 + index // USERS_PER_CUSTOMER_COMPANY

    def stamp(self, moment: datetime) -> datetime:
        """A timestamp with microseconds, like the ones the service writes."""
        return moment.replace(microsecond=self.rng.randint(1, 999_999))

    def decide(self) -> None:
        apps = self.size.apps
        others = [name for name in self.scopes if name != "base"]
        position = {name: index for index, name in enumerate(self.scopes)}
        self.app_scopes = [[]] + [
            ["base", *sorted(self.rng.sample(others, self.rng.randint(2, 4)), key=position.get)]
            for _ in range(apps)
        ]
        published = [i for i in range(1, apps + 1) if _status(i) == ("PUBLIC", "PUBLISHED")]
        self.install_count = [0] * (apps + 1)
        for customer in range(self.customers):
            chosen = self.rng.sample(published, INSTALLS_PER_USER)
            if customer < TOKEN_PAIRS and CLIENT_APP_ID not in chosen:
                chosen[0] = CLIENT_APP_ID
            user_id = self.developers + 1 + customer
            for app_id in chosen:
                self.install_app.append(app_id)
                self.install_user.append(user_id)
                if customer < TOKEN_PAIRS and app_id == CLIENT_APP_ID:
                    self.token_installations.append(len(self.install_app))
        self.rating_figures = [[0] * 7 for _ in range(apps + 1)]
        for index, app_id in enumerate(self.install_app):
            if not self._uninstalled(index):
                self.install_count[app_id] += 1
                if index % 3 == 0:
                    stars = self.rng.choice((1, 2, 3, 4, 4, 5, 5, 5))
                    self.rated.append((index, stars))
                    figures = self.rating_figures[app_id]
                    figures[0] += 1
                    figures[1] += stars
                    figures[1 + stars] += 1

    def _uninstalled(self, index: int) -> bool:
        """Every 29th installation was uninstalled (never one holding the bench's tokens)."""
        return index % 29 == 28 and self.install_user[index] > self.developers + TOKEN_PAIRS

    # Rows, table by table ------------------------------------------------------------------
    def companies(self) -> Iterator[tuple]:
        start = self.now - HISTORY - timedelta(days=60)
        for company_id in range(1, self.developers + 1):
            yield company_id, f"Developer {company_id}", "SANDBOX", self.stamp(start)
        last = self.customer_company(self.customers - 1)
        for company_id in range(self.developers + 1, last + 1):
            yield company_id, f"Customer {company_id}", "PRODUCTION", self.stamp(start)

    def users(self) -> Iterator[tuple]:
        start = self.now - HISTORY - timedelta(days=60)
        for user_id in range(1, self.developers + 1):
            yield (
                user_id,
                f"developer{user_id}@developers.example.com",
                f"Developer {user_id}",
                NO_PASSWORD,
                "ADMIN",
                False,
                self.stamp(start),
                user_id,
            )
        for customer in range(self.customers):
            user_id = self.developers + 1 + customer
            yield (
                user_id,
                f"user{user_id}@customers.example.com",
                f"Customer user {user_id}",
                NO_PASSWORD,
                "ADMIN" if customer % USERS_PER_CUSTOMER_COMPANY == 0 else "REGULAR",
                False,
                self.stamp(start),
                self.customer_company(customer),
            )

    def created_at(self, app_id: int) -> datetime:
        start = self.now - HISTORY - timedelta(days=31)
        return start + HISTORY * (app_id / self.size.apps)

    def apps(self) -> Iterator[tuple]:
        for app_id in range(1, self.size.apps + 1):
            yield self._app(app_id)

    def _app(self, app_id: int) -> tuple:
        app_type, status = _status(app_id)
        created = self.stamp(self.created_at(app_id))
        published = None
        if status == "PUBLISHED":
            published = self.stamp(created + timedelta(days=self.rng.uniform(1, 30)))
        secret = CLIENT_SECRET if app_id == CLIENT_APP_ID else f"dhcs_bench-{app_id}"
        company_id = (app_id - 1) % self.developers + 1
        return (
            app_id,
            app_type,
            status,
            CLIENT_ID if app_id == CLIENT_APP_ID else f"bench{app_id:08d}",
            digest(secret),
            *self._listing(app_id),
            created,
            published or created,
            company_id,
            company_id,  # developer company n has its admin, user n
            self.install_count[app_id],
            published,
            *self.rating_figures[app_id],
        )

    def _listing(self, app_id: int) -> list[Any]:
        """The listing's columns, in LISTING_COLUMNS' order."""
        category = self.categories[app_id % len(self.categories)]
        return [listing_value(field, app_id, category) for field in LISTING]

    def app_scope_rows(self) -> Iterator[tuple]:
        for app_id in range(1, self.size.apps + 1):
            for name in self.app_scopes[app_id]:
                yield app_id, name

    def slugs(self) -> Iterator[tuple]:
        for app_id in range(1, self.size.apps + 1):
            yield slugify(_title(app_id)), app_id, self.stamp(self.created_at(app_id))

    def installations(self) -> Iterator[tuple]:
        scope_json = {}
        for index, (app_id, user_id) in enumerate(
            zip(self.install_app, self.install_user, strict=True)
        ):
            if app_id not in scope_json:
                scope_json[app_id] = orjson.dumps(self.app_scopes[app_id]).decode()
            installed = self.stamp(self.created_at(app_id) + timedelta(days=40))
            customer = user_id - self.developers - 1
            yield (
                index + 1,
                app_id,
                self.customer_company(customer),
                user_id,
                scope_json[app_id],
                installed,
                installed,
                installed + timedelta(days=3) if self._uninstalled(index) else None,
            )

    def token_pairs(self) -> Iterator[tuple[int, int, str, str]]:
        """(pair id, installation id, refresh digest, access digest): the bench's own pairs on
        the client app's installations first, then one for each other live installation in
        turn, up to SEEDED_TOKEN_PAIRS."""
        for pair, installation_id in enumerate(self.token_installations, start=1):
            yield (
                pair,
                installation_id,
                digest(refresh_token(pair - 1)),
                digest(access_token(pair - 1)),
            )
        pair = len(self.token_installations)
        bench_own = set(self.token_installations)
        for index in range(len(self.install_app)):
            if pair >= SEEDED_TOKEN_PAIRS:
                return
            if self._uninstalled(index) or index + 1 in bench_own:
                continue
            pair += 1
            yield pair, index + 1, digest(f"dhrt_seeded-{pair}"), digest(f"dhat_seeded-{pair}")

    def refresh_tokens(self) -> Iterator[tuple]:
        for pair, installation_id, refresh_digest, _ in self.token_pairs():
            yield pair, refresh_digest, installation_id, self.now, self.now, self.now + FAR_FUTURE

    def access_tokens(self) -> Iterator[tuple]:
        granted = {}
        for pair, installation_id, _, access_digest in self.token_pairs():
            app_id = self.install_app[installation_id - 1]
            if app_id not in granted:
                granted[app_id] = orjson.dumps(self.app_scopes[app_id]).decode()
            yield (
                access_digest,
                installation_id,
                pair,
                granted[app_id],
                self.now,
                self.now + FAR_FUTURE,
            )

    def ratings(self) -> Iterator[tuple]:
        for rating_id, (index, stars) in enumerate(self.rated, start=1):
            app_id = self.install_app[index]
            written = self.stamp(self.created_at(app_id) + timedelta(days=41))
            review = rating_id % 2 == 0  # every other rating comes with a review
            yield (
                rating_id,
                app_id,
                self.install_user[index],
                stars,
                f"Review {rating_id}" if review else None,
                f"Review {rating_id} of app {app_id}: it does the job. " * 4 if review else None,
                rating_id % 7,
                0,
                written,
                written,
            )

    def sessions(self) -> Iterator[tuple]:
        yield digest(SESSION_TOKEN), DEVELOPER_USER_ID, self.now, self.now + FAR_FUTURE


# The app's columns: the listing's come from its declaration, in its order (see Plan._app).
LISTING_COLUMNS = " ".join(field.column for field in LISTING)
APP_COLUMNS = (
    f"id type status client_id client_secret_digest {LISTING_COLUMNS}"
    " created_at updated_at company_id created_by_id installation_count published_at"
    " rating_count rating_sum rating_1 rating_2 rating_3 rating_4 rating_5"
)

# (table, columns, the Plan method yielding its rows), in foreign-key order.
TABLES: tuple[tuple[str, tuple[str, ...], str], ...] = tuple(
    (table, tuple(columns.split()), rows)
    for table, columns, rows in (
        ("company", "id name kind created_at", "companies"),
        (
            "user",
            "id email name password_hash role is_reviewer created_at company_id",
            "users",
        ),
        ("app", APP_COLUMNS, "apps"),
        ("app_scope", "app_id scope_id", "app_scope_rows"),
        ("app_slug", "slug app_id created_at", "slugs"),
        (
            "installation",
            "id app_id company_id user_id scopes installed_at updated_at uninstalled_at",
            "installations",
        ),
        (
            "refresh_token",
            "id token_digest installation_id created_at last_used_at expires_at",
            "refresh_tokens",
        ),
        (
            "access_token",
            "token_digest installation_id refresh_token_id scopes created_at expires_at",
            "access_tokens",
        ),
        (
            "app_rating",
            "id app_id user_id stars title body helpful_count open_reports created_at updated_at",
            "ratings",
        ),
        ("user_session", "token_digest user_id created_at expires_at", "sessions"),
    )
)


# Writers ----------------------------------------------------------------------------------------
class SqliteWriter:
    """One transaction with durability off: a crash mid-seed just means seeding again."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        for pragma in ("journal_mode=WAL", "synchronous=OFF", "cache_size=-262144"):
            self.conn.execute(f"PRAGMA {pragma}")
        self.conn.execute("BEGIN")

    async def catalogue(self) -> tuple[list[str], list[str]]:
        scopes = [r[0] for r in self.conn.execute("SELECT name FROM scope ORDER BY position")]
        categories = [
            r[0] for r in self.conn.execute("SELECT slug FROM category ORDER BY position")
        ]
        return scopes, categories

    async def insert(self, table: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> None:
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" * len(columns))
        self.conn.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)

    async def count(self, table: str) -> int:
        return self.conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]

    async def finish(self) -> None:
        self.conn.execute("COMMIT")
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.conn.close()


class PostgresWriter:
    """COPY per table in one transaction, then the sequences and planner statistics."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn
        self.transaction = conn.transaction()

    @classmethod
    async def open(cls, url: str) -> PostgresWriter:
        writer = cls(await asyncpg.connect(url))
        await writer.transaction.start()
        return writer

    async def catalogue(self) -> tuple[list[str], list[str]]:
        scopes = [r[0] for r in await self.conn.fetch("SELECT name FROM scope ORDER BY position")]
        categories = [
            r[0] for r in await self.conn.fetch("SELECT slug FROM category ORDER BY position")
        ]
        return scopes, categories

    async def insert(self, table: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> None:
        await self.conn.copy_records_to_table(table, records=rows, columns=list(columns))

    async def count(self, table: str) -> int:
        return await self.conn.fetchval(f'SELECT COUNT(*) FROM "{table}"')

    async def finish(self) -> None:
        for table in SEQUENCED_TABLES:
            await self.conn.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'(SELECT MAX(id) FROM "{table}"))'
            )
        await self.transaction.commit()
        # Statistics as autovacuum would soon gather them; not doing it would let autovacuum
        # start in the middle of a measurement instead.
        await self.conn.execute("VACUUM ANALYZE")
        await self.conn.close()


# Steps ------------------------------------------------------------------------------------------
def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


async def recreate_database(target: Target) -> None:
    DATA_DIR.mkdir(parents=True, exist_ok=True)  # the SQLite files and every seed's marker
    if target.database == "sqlite":
        _remove_sqlite(target.sqlite_path)
        return
    admin = await asyncpg.connect(f"{target.postgres_server.rstrip('/')}/postgres")
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{target.postgres_name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{target.postgres_name}"')
    finally:
        await admin.close()


def migrate(target: Target) -> None:
    """`devhub-gql migrate`: the schema exactly as a deployment gets it, plus the catalogues."""
    command = Path(sys.executable).with_name("devhub-gql")
    env = {**os.environ, "DATABASE_URL": target.url, "DEVHUB_LOG_LEVEL": "WARNING"}
    subprocess.run([str(command), "migrate"], env=env, check=True, capture_output=True)


async def seed(target: Target, *, log=print) -> dict[str, Any]:
    """Recreate, migrate and fill the database; returns the row counts and timings."""
    started = time.perf_counter()
    await recreate_database(target)
    migrate(target)
    if target.database == "sqlite":
        writer: SqliteWriter | PostgresWriter = SqliteWriter(target.sqlite_path)
    else:
        writer = await PostgresWriter.open(target.url)
    scopes, categories = await writer.catalogue()
    plan = Plan(size=target.size, now=datetime.now(UTC), scopes=scopes, categories=categories)
    plan.decide()
    elapsed = time.perf_counter() - started
    log(f"  seed {target.database}/{target.size.name}: migrated and planned in {elapsed:.1f}s")
    for table, columns, rows in TABLES:
        table_started = time.perf_counter()
        await writer.insert(table, columns, getattr(plan, rows)())
        log(f"  seed {table:14} {time.perf_counter() - table_started:6.1f}s")
    counts = {table: await writer.count(table) for table, _, _ in TABLES}
    await writer.finish()
    seeded = {
        "database": target.database,
        "size": target.size.name,
        "seeded_at": plan.now.isoformat(),
        "seconds": round(time.perf_counter() - started, 1),
        "rows": counts,
    }
    target.marker.write_text(json.dumps(seeded, indent=2))
    return seeded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    seeded = asyncio.run(seed(Target(args.database, SIZES[args.size])))
    print(json.dumps(seeded, indent=2))


if __name__ == "__main__":
    main()
