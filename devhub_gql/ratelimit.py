"""Request budgets, aimed at guessing rather than at volume.

What guessing produces is counted: failed sign-ins (per client address and per account), failed
client authentications and invalid grants at the OAuth endpoints (per client and per address).
Volume gets a ceiling only where it costs something: token requests per client (generous: a
popular app refreshing all day never reaches it) and review writes per user.

A fixed window per key: cheap, and a burst reaches at most twice a budget at a window's edge,
which is fine for slowing guessing down. The counts live in this process, or, with
DEVHUB_REDIS_URL, in Redis (one INCR and EXPIRE in a MULTI per count), shared by every worker
and host. When Redis cannot be reached, each budget does what it declares: sign-in fails closed
(guessing passwords is the attack worth stopping), the others fail open (their secrets are 256-bit
random values, and refusing refreshes would break every installed app). A failed store is not
asked again for a few seconds, so an outage costs one time-out, not one per request.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from redis import asyncio as aioredis
from redis.exceptions import RedisError

from devhub_gql.clock import Clock
from devhub_gql.domain.errors import RateLimited, Unavailable

log = logging.getLogger("devhub.ratelimit")

STORE_TIMEOUT_SECONDS = 0.25
STORE_RETRY_SECONDS = float(Unavailable.retry_after)


@dataclass(frozen=True)
class Budget:
    name: str
    limit: int
    window_seconds: int = 60
    fail_closed: bool = False


class Counters(Protocol):
    async def add(self, keys: list[str], ttl_seconds: int) -> list[int]:
        """Count one for each key; the counts after."""

    async def read(self, keys: list[str]) -> list[int]: ...


@dataclass
class MemoryCounters:
    """Per process: N workers allow N times a budget."""

    _counts: dict[str, int] = field(default_factory=dict)

    async def add(self, keys: list[str], ttl_seconds: int) -> list[int]:
        if len(self._counts) > 100_000:  # keys carry their window: old ones are forgotten wholesale
            self._counts.clear()
        counts = []
        for key in keys:
            self._counts[key] = self._counts.get(key, 0) + 1
            counts.append(self._counts[key])
        return counts

    async def read(self, keys: list[str]) -> list[int]:
        return [self._counts.get(key, 0) for key in keys]


class StoreUnreachable(Exception):
    pass


class RedisCounters:
    """Shared by every process that names the same Redis and prefix."""

    def __init__(self, url: str, prefix: str) -> None:
        self.client = aioredis.from_url(
            url,
            socket_connect_timeout=STORE_TIMEOUT_SECONDS,
            socket_timeout=STORE_TIMEOUT_SECONDS,
        )
        self.prefix = prefix
        self._down_until = 0.0

    async def _run(self, keys: list[str], ttl_seconds: int | None) -> list[int]:
        if time.monotonic() < self._down_until:
            raise StoreUnreachable
        try:
            async with self.client.pipeline(transaction=ttl_seconds is not None) as pipe:
                for key in keys:
                    name = f"{self.prefix}:ratelimit:{key}"
                    if ttl_seconds is None:
                        pipe.get(name)
                    else:
                        pipe.incr(name)
                        pipe.expire(name, ttl_seconds)
                answers = await pipe.execute()
        except (RedisError, OSError) as exc:
            self._down_until = time.monotonic() + STORE_RETRY_SECONDS
            log.warning("rate-limit store unreachable: %s", exc)
            raise StoreUnreachable from exc
        if ttl_seconds is None:
            return [int(answer or 0) for answer in answers]
        return [int(answer) for answer in answers[0::2]]

    async def add(self, keys: list[str], ttl_seconds: int) -> list[int]:
        return await self._run(keys, ttl_seconds)

    async def read(self, keys: list[str]) -> list[int]:
        return await self._run(keys, None)


def counters_for(redis_url: str | None, prefix: str) -> Counters:
    return RedisCounters(redis_url, prefix) if redis_url else MemoryCounters()


@dataclass
class RateLimiter:
    budget: Budget
    counters: Counters
    clock: Clock

    def _window(self) -> tuple[int, int]:
        """This window's number, and the seconds until it ends."""
        now = self.clock.now().timestamp()
        window = int(now // self.budget.window_seconds)
        return window, max(1, math.ceil((window + 1) * self.budget.window_seconds - now))

    def _keys(self, keys: Iterable[str], window: int) -> list[str]:
        return [f"{self.budget.name}:{key}:{window}" for key in keys]

    async def count(self, *keys: str) -> int | None:
        """Count one for each key; the seconds to wait when one is now over budget, else None.
        Raises Unavailable when the budget fails closed and its store is down (as `over`)."""
        window, left = self._window()
        try:
            counts = await self.counters.add(
                self._keys(keys, window), self.budget.window_seconds * 2
            )
        except StoreUnreachable:
            if self.budget.fail_closed:
                raise Unavailable() from None
            return None
        return left if max(counts, default=0) > self.budget.limit else None

    async def over(self, *keys: str) -> int | None:
        """Without counting: the seconds to wait when a key has used its budget, else None."""
        window, left = self._window()
        try:
            counts = await self.counters.read(self._keys(keys, window))
        except StoreUnreachable:
            if self.budget.fail_closed:
                raise Unavailable() from None
            return None
        return left if max(counts, default=0) >= self.budget.limit else None

    async def enforce(self, *keys: str, count: bool = True) -> None:
        """Raise RateLimited when a key is over budget (counting this request, unless `count` is
        False); Unavailable when the budget fails closed and its store is down."""
        retry_after = await (self.count(*keys) if count else self.over(*keys))
        if retry_after is not None:
            raise RateLimited(retry_after)


def account_key(email: str) -> str:
    """An account as a counter key: a digest, so the store never holds addresses."""
    return "account:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Limiters:
    """Every budget, built once per process from the settings."""

    sign_in_failures: RateLimiter  # per client address and per account; fails closed
    reviews: RateLimiter  # review writes (ratings, replies, votes, reports) per user
    token_failures: RateLimiter  # failed client authentications and grants, per client and address
    token_volume: RateLimiter  # token requests per client: a ceiling, not a guard

    @classmethod
    def build(
        cls,
        *,
        counters: Counters,
        clock: Clock,
        sign_in_failures: int,
        reviews: int,
        token_failures: int,
        token_volume: int,
    ) -> Limiters:
        def limiter(name: str, limit: int, fail_closed: bool = False) -> RateLimiter:
            return RateLimiter(Budget(name, limit, 60, fail_closed), counters, clock)

        return cls(
            sign_in_failures=limiter("sign-in-failures", sign_in_failures, fail_closed=True),
            reviews=limiter("reviews", reviews),
            token_failures=limiter("token-failures", token_failures),
            token_volume=limiter("token-volume", token_volume),
        )
