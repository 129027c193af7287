"""The grants /oauth/token serves, registered once.

Each entry names oauthlib's handler for the grant and what issuing a token pair means for it in
our storage. The server registers the handlers from this table, the validator accepts exactly
these grant types and dispatches saving to them, and the metadata and metrics list them. To add
a grant: an entry here, and the domain function it calls.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from oauthlib.oauth2.rfc6749.grant_types import AuthorizationCodeGrant, RefreshTokenGrant
from oauthlib.oauth2.rfc6749.grant_types.authorization_code import code_challenge_method_s256
from oauthlib.oauth2.rfc6749.grant_types.base import GrantTypeBase

from devhub_gql.domain import tokens
from devhub_gql.models import Installation


class S256AuthorizationCodeGrant(AuthorizationCodeGrant):
    """PKCE with S256 only: `plain` (also what a challenge without a method means) is refused."""

    _code_challenge_methods = {"S256": code_challenge_method_s256}


# (the oauthlib request, as the validator filled it in; the token dict; now) → the installation
Issue = Callable[[Any, dict[str, Any], datetime], Coroutine[Any, Any, Installation]]


@dataclass(frozen=True)
class Grant:
    handler: type[GrantTypeBase]
    issue: Issue


async def _issue_for_code(request: Any, token: dict[str, Any], now: datetime) -> Installation:
    return await tokens.issue_for_code(
        request.devhub_code,
        access_token=token["access_token"],
        refresh_token=token["refresh_token"],
        now=now,
    )


async def _issue_for_refresh(request: Any, token: dict[str, Any], now: datetime) -> Installation:
    return await tokens.issue_for_refresh(
        request.devhub_refresh,
        access_token=token["access_token"],
        scopes=list(request.scopes),
        now=now,
    )


GRANTS: Mapping[str, Grant] = {
    "authorization_code": Grant(S256AuthorizationCodeGrant, _issue_for_code),
    "refresh_token": Grant(RefreshTokenGrant, _issue_for_refresh),
}
