"""What every part of the benchmark agrees on: data sizes, databases and the known secrets.

The secrets are fixed strings, not random ones, so the seeder, the baselines, the statement
counter and the load generator can all derive them without passing files around. They exist only
in throw-away benchmark databases.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
DATA_DIR = BENCH_DIR / ".data"
RESULTS_FILE = BENCH_DIR / "RESULTS.md"

DEFAULT_POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"


@dataclass(frozen=True)
class Size:
    name: str
    apps: int
    installations: int
    developer_companies: int

    @property
    def customer_users(self) -> int:
        return self.installations // INSTALLS_PER_USER


# Every customer user installs this many distinct published apps.
INSTALLS_PER_USER = 5
SIZES = {
    "small": Size("small", apps=1_000, installations=10_000, developer_companies=10),
    "large": Size("large", apps=100_000, installations=1_000_000, developer_companies=100),
}

# The signed-in developer: user 1, admin of developer company 1, which owns apps 1, 11, 21...
DEVELOPER_USER_ID = 1
DEVELOPER_COMPANY_ID = 1
SESSION_TOKEN = "dhsess_bench-developer-session-token-not-a-real-secret"

# The OAuth client: app 1, published by company 1, installed by the first TOKEN_PAIRS customers.
CLIENT_APP_ID = 1
CLIENT_ID = "bench00000001"
CLIENT_SECRET = "dhcs_bench-client-secret-not-a-real-secret"
# One refresh/access token pair per load connection (64 at most), so concurrent refresh grants
# update different rows, as real clients do, instead of queueing on one row lock.
TOKEN_PAIRS = 64
# Live token pairs in the seeded database, the bench's own included: installed apps hold tokens, so
# the token tables start the size of a real deployment's, not at the bench's 64. (Seeded that
# small, a connection's prepared token lookup kept the sequential-scan plan made for a one-page
# table while the refresh rows grew it, wherever nothing analyzes the table again.)
SEEDED_TOKEN_PAIRS = 10_000


def refresh_token(index: int) -> str:
    return f"dhrt_bench-refresh-token-{index:04d}"


def access_token(index: int) -> str:
    return f"dhat_bench-access-token-{index:04d}"


def global_id(type_name: str, row_id: int) -> str:
    """Strawberry's relay global id: base64 of "Type:id"."""
    return base64.b64encode(f"{type_name}:{row_id}".encode()).decode()


@dataclass(frozen=True)
class Target:
    """One benchmark database: where the seeder writes and the servers read."""

    database: str  # "sqlite" or "postgres"
    size: Size
    postgres_server: str = DEFAULT_POSTGRES_SERVER

    @property
    def sqlite_path(self) -> Path:
        return DATA_DIR / f"bench-{self.size.name}.sqlite3"

    @property
    def postgres_name(self) -> str:
        return f"devhub_bench_{self.size.name}"

    @property
    def url(self) -> str:
        if self.database == "sqlite":
            return f"sqlite://{self.sqlite_path}"
        return f"{self.postgres_server.rstrip('/')}/{self.postgres_name}"

    @property
    def marker(self) -> Path:
        """Written after a complete seeding; `--reuse-data` trusts a database that has one."""
        return DATA_DIR / f"seeded-{self.database}-{self.size.name}.json"
