"""Per-process request budgets: for the endpoints that guess secrets (signIn, /oauth/token), and
for the writes that attract abuse (reviews, votes, reports).

A fixed window per key (client IP, or OAuth client id): cheap, and a burst can reach at most twice
the limit at a window's edge, which is fine for slowing down guessing. Each worker process keeps
its own counts, so N workers allow N times the budget.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from devhub_gql.clock import Clock


@dataclass
class RateLimiter:
    limit: int
    window_seconds: int
    clock: Clock
    _counts: dict[str, tuple[int, int]] = field(default_factory=dict)

    def retry_after(self, key: str) -> int | None:
        """Count one request for `key`; the seconds to wait when over budget, else None."""
        now = self.clock.now().timestamp()
        window = int(now // self.window_seconds)
        seen_window, count = self._counts.get(key, (window, 0))
        if seen_window != window:
            count = 0
            if len(self._counts) > 100_000:  # forget old windows wholesale
                self._counts.clear()
        count += 1
        self._counts[key] = (window, count)
        if count <= self.limit:
            return None
        return max(1, math.ceil((window + 1) * self.window_seconds - now))


@dataclass(frozen=True)
class Limiters:
    """The budgets GraphQL mutations check: sign-in attempts per client IP, and review writes
    (ratings, replies, helpful votes, reports) per user."""

    sign_in: RateLimiter
    reviews: RateLimiter
