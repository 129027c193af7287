"""The grants /oauth/token serves, registered once.

Each entry names oauthlib's handler for the grant, what the grant's request reads before
oauthlib runs, and what issuing a token pair writes. The server registers the handlers from this
table, the token route reads with it, the validator accepts exactly these grant types and
dispatches saving to them, and the metadata and metrics list them. To add a grant: an entry here,
and the domain functions it calls.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from oauthlib.oauth2.rfc6749 import errors
from oauthlib.oauth2.rfc6749.grant_types import AuthorizationCodeGrant, RefreshTokenGrant
from oauthlib.oauth2.rfc6749.grant_types.authorization_code import code_challenge_method_s256
from oauthlib.oauth2.rfc6749.grant_types.base import GrantTypeBase

from devhub_gql.domain import tokens
from devhub_gql.domain.tokens import TokenKind
from devhub_gql.oauth.exchange import Exchange, Write
from devhub_gql.oauth.submission import Submission


class S256AuthorizationCodeGrant(AuthorizationCodeGrant):
    """PKCE with S256 only: `plain` (also what a challenge without a method means) is refused."""

    _code_challenge_methods = {"S256": code_challenge_method_s256}


# (what the client sent, now) → the exchange oauthlib will decide on
Read = Callable[[Submission, datetime], Awaitable[Exchange]]
# (the exchange, oauthlib's request as the validator filled it in, the token pair) → the write
Issue = Callable[[Exchange, Any, dict[str, Any]], Write]


@dataclass(frozen=True)
class Grant:
    handler: type[GrantTypeBase]
    read: Read
    issue: Issue


async def _read_code(submission: Submission, now: datetime) -> Exchange:
    client, code = await tokens.load_code(submission.client, submission.form.get("code"))
    return Exchange(now=now, submission=submission, client=client, code=code)


def _issue_for_code(exchange: Exchange, request: Any, token: dict[str, Any]) -> Write:
    client, code, now = exchange.client, request.devhub_code, exchange.now
    assert client is not None

    async def write() -> errors.OAuth2Error | None:
        if not await tokens.claim_code(client, code, now):
            return errors.InvalidGrantError(description="authorization_code is invalid")
        await tokens.issue_for_code(
            client,
            code,
            access_token=token["access_token"],
            refresh_token=token["refresh_token"],
            now=now,
        )
        return None

    return write


async def _read_refresh(submission: Submission, now: datetime) -> Exchange:
    refresh_token = submission.form.get("refresh_token")
    client, token = await tokens.load_token(submission.client, refresh_token, now)
    if token is not None and token.kind != TokenKind.REFRESH:
        token = None
    return Exchange(now=now, submission=submission, client=client, token=token)


def _issue_for_refresh(exchange: Exchange, request: Any, token: dict[str, Any]) -> Write:
    refresh, scopes, now = request.devhub_refresh, list(request.scopes), exchange.now

    async def write() -> errors.OAuth2Error | None:
        if not await tokens.issue_for_refresh(
            refresh, access_token=token["access_token"], scopes=scopes, now=now
        ):
            return errors.InvalidGrantError(description="refresh_token is invalid")
        return None

    return write


GRANTS: Mapping[str, Grant] = {
    "authorization_code": Grant(S256AuthorizationCodeGrant, _read_code, _issue_for_code),
    "refresh_token": Grant(RefreshTokenGrant, _read_refresh, _issue_for_refresh),
}


async def read_for_grant(submission: Submission, now: datetime) -> Exchange:
    """What a token request reads: its grant's, or only the client for any other grant type
    (which oauthlib then refuses)."""
    grant = GRANTS.get(submission.form.get("grant_type") or "")
    if grant is not None:
        return await grant.read(submission, now)
    client = await tokens.load_client(submission.client)
    return Exchange(now=now, submission=submission, client=client)
