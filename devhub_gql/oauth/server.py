"""The oauthlib server: WebApplicationServer with the grants of the GRANTS table (S256-only PKCE)
and our token formats, run through an Exchange (oauth/exchange.py) for each request."""

from __future__ import annotations

import logging
from typing import Any

import orjson
from oauthlib.common import Request
from oauthlib.oauth2 import WebApplicationServer
from oauthlib.oauth2.rfc6749.endpoints.base import catch_errors_and_unavailability
from oauthlib.oauth2.rfc6749.errors import OAuth2Error

from devhub_gql.clock import Clock
from devhub_gql.domain import tokens
from devhub_gql.domain.install_events import RefreshTally
from devhub_gql.domain.secrets import new_secret
from devhub_gql.domain.tokens import ACCESS_LIFETIME
from devhub_gql.oauth.exchange import Exchange, Response, run
from devhub_gql.oauth.grants import GRANTS, read_for_grant
from devhub_gql.oauth.submission import Submission, usable_client_id
from devhub_gql.oauth.validator import DevhubRequestValidator
from devhub_gql.settings import Settings

# oauthlib logs whole token responses at DEBUG: never let them reach a log, whatever the level.
logging.getLogger("oauthlib").setLevel(logging.WARNING)

# oauthlib reads no request header on the token, revocation and introspection endpoints: the
# client's credentials come from the exchange, and its CORS answer to an Origin needs a validator
# hook that stays at its default (refused). Handed the request's headers, it only copied them
# into a mapping of its own (3% of an introspection's instructions).
NO_HEADERS: dict[str, str] = {}

ACCESS_TOKEN_PREFIX = "dhat"
REFRESH_TOKEN_PREFIX = "dhrt"


class DevhubOAuthServer(WebApplicationServer):
    """oauthlib's web-application server, with exactly the grants of the GRANTS table."""

    def __init__(self, settings: Settings, clock: Clock) -> None:
        validator = DevhubRequestValidator(settings)
        super().__init__(
            validator,
            token_generator=lambda request: new_secret(ACCESS_TOKEN_PREFIX),
            refresh_token_generator=lambda request: new_secret(REFRESH_TOKEN_PREFIX),
            token_expires_in=int(ACCESS_LIFETIME.total_seconds()),
        )
        self._grant_types = {name: grant.handler(validator) for name, grant in GRANTS.items()}
        self._response_types = {"code": self._grant_types["authorization_code"]}
        self.clock = clock
        # Refreshes granted, counted for the analytics in memory (install_events.RefreshTally).
        self.refresh_tally = RefreshTally()

    # Each of these reads, lets oauthlib decide and writes (oauth/exchange.py).

    async def token(self, submission: Submission) -> Response:
        exchange = await read_for_grant(submission, self.clock.now())
        response: Response = await run(
            exchange,
            lambda: self.create_token_response(submission.uri, "POST", submission.body, NO_HEADERS),
        )
        refreshed = submission.form.get("grant_type") == "refresh_token" and response[2] == 200
        if refreshed and exchange.client is not None:
            self.refresh_tally.count(exchange.client.app_id, exchange.now)
        return response

    async def revoke(self, submission: Submission) -> Response:
        response: Response = await run(
            await self._read_token(submission),
            lambda: self.create_revocation_response(
                submission.uri, "POST", submission.body, NO_HEADERS
            ),
        )
        return response

    async def introspect(self, submission: Submission) -> Response:
        response: Response = await run(
            await self._read_token(submission),
            lambda: self.create_introspect_response(
                submission.uri, "POST", submission.body, NO_HEADERS
            ),
        )
        return response

    @catch_errors_and_unavailability
    def create_introspect_response(
        self,
        uri: str,
        http_method: str = "POST",
        body: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        """oauthlib's, step for step, with the claims written by orjson: its `json.dumps` was a
        twentieth of an introspection's instructions."""
        answer_headers = {
            "Content-Type": "application/json",
            "Cache-Control": "no-store",
            "Pragma": "no-cache",
        }
        request = Request(uri, http_method, body, headers)
        try:
            self.validate_introspect_request(request)
        except OAuth2Error as exc:
            return {**answer_headers, **exc.headers}, exc.json, exc.status_code
        claims = self.request_validator.introspect_token(
            request.token, request.token_type_hint, request
        )
        answer = {"active": False} if claims is None else {**claims, "active": True}
        return answer_headers, orjson.dumps(answer).decode(), 200

    async def _read_token(self, submission: Submission) -> Exchange:
        now = self.clock.now()
        token = submission.form.get("token")
        client, found = await tokens.load_token(submission.client, token, now)
        return Exchange(now=now, submission=submission, client=client, token=found)

    async def check_authorization(self, uri: str, client_id: str | None) -> Any:
        """oauthlib's check of an authorize request (raises its errors)."""
        exchange = Exchange(
            now=self.clock.now(), client=await tokens.load_client(usable_client_id(client_id))
        )
        return await run(exchange, lambda: self.validate_authorization_request(uri, "GET"))

    async def authorize(
        self, uri: str, client_id: str, user_id: int, scopes: list[str]
    ) -> Response:
        """The user allowed: a code for them (saved), and where the browser goes next."""
        exchange = Exchange(
            now=self.clock.now(),
            client=await tokens.load_client(usable_client_id(client_id)),
            user_id=user_id,
        )
        response: Response = await run(
            exchange,
            lambda: self.create_authorization_response(
                uri, "GET", None, {}, scopes=scopes, credentials={"user": user_id}
            ),
        )
        return response
