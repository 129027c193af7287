"""The oauthlib server: WebApplicationServer with S256-only PKCE and our token formats."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import anyio.to_thread
from oauthlib.oauth2 import WebApplicationServer

from devhub_gql.clock import Clock
from devhub_gql.domain.secrets import new_secret
from devhub_gql.domain.tokens import ACCESS_LIFETIME
from devhub_gql.oauth.grants import GRANTS
from devhub_gql.oauth.validator import DevhubRequestValidator
from devhub_gql.settings import Settings

# oauthlib logs whole token responses at DEBUG: never let them reach a log, whatever the level.
logging.getLogger("oauthlib").setLevel(logging.WARNING)

ACCESS_TOKEN_PREFIX = "dhat"
REFRESH_TOKEN_PREFIX = "dhrt"


class DevhubOAuthServer(WebApplicationServer):
    """oauthlib's web-application server, with exactly the grants of the GRANTS table."""

    def __init__(self, settings: Settings, clock: Clock) -> None:
        validator = DevhubRequestValidator(settings, clock)
        super().__init__(
            validator,
            token_generator=lambda request: new_secret(ACCESS_TOKEN_PREFIX),
            refresh_token_generator=lambda request: new_secret(REFRESH_TOKEN_PREFIX),
            token_expires_in=int(ACCESS_LIFETIME.total_seconds()),
        )
        self._grant_types = {name: grant.handler(validator) for name, grant in GRANTS.items()}
        self._response_types = {"code": self._grant_types["authorization_code"]}

    async def call(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run a (blocking) oauthlib entry point in a worker thread."""
        return await anyio.to_thread.run_sync(lambda: method(*args, **kwargs))
