"""One OAuth request: read what it names, let oauthlib decide, then write what it decided.

oauthlib is synchronous, and it asks its validator questions one at a time. Instead of a thread
for oauthlib and a hop back to the event loop for every question, everything a request can ask
about is read first (in one statement: the client with the code or the live token it presents),
oauthlib then runs inline against that `Exchange`, and the writes it decided on run afterwards,
in one transaction begun only then: the reads take no locks anyway, so a pooled connection is
held for the writes alone. A write can lose a race (a code used, a token revoked meanwhile): it
checks what it changes, and the answer is then the error oauthlib would have given.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from oauthlib.oauth2.rfc6749 import errors
from tortoise.transactions import in_transaction

from devhub_gql.domain.tokens import Client, Code, LiveToken
from devhub_gql.oauth.submission import Submission

# A write oauthlib decided on; it answers the error to send instead when it could not happen.
Write = Callable[[], Awaitable[errors.OAuth2Error | None]]
Response = tuple[dict[str, str], str | None, int]


@dataclass
class Exchange:
    now: datetime
    submission: Submission | None = None  # what the client sent (none on the consent screen)
    client: Client | None = None
    code: Code | None = None
    token: LiveToken | None = None
    user_id: int | None = None  # on the consent screen: who allows
    writes: list[Write] = field(default_factory=list)


_current: ContextVar[Exchange] = ContextVar("oauth_exchange")


def current() -> Exchange:
    """The exchange oauthlib is deciding on (the validator's only source of facts)."""
    return _current.get()


@contextmanager
def deciding(exchange: Exchange) -> Iterator[Exchange]:
    token = _current.set(exchange)
    try:
        yield exchange
    finally:
        _current.reset(token)


async def run(exchange: Exchange, decide: Callable[[], Any]) -> Any:
    """oauthlib's answer for the exchange, once its writes are done, in one transaction (or a
    write's error)."""
    with deciding(exchange):
        answer = decide()
    if not exchange.writes:
        return answer
    async with in_transaction():
        for write in exchange.writes:
            refused = await write()
            if refused is not None:  # what the writes before it did stands (a replay's revocation)
                headers = {"Content-Type": "application/json", "Cache-Control": "no-store"}
                return {**headers, **refused.headers}, refused.json, refused.status_code
    return answer
