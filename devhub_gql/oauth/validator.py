"""oauthlib's RequestValidator over our storage.

oauthlib is synchronous: the routes run it in a worker thread and every method here hops back to
the event loop (`anyio.from_thread.run`) for its database work, inside the route's transaction.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar
from urllib.parse import unquote

import anyio.from_thread
from oauthlib.oauth2 import RequestValidator
from oauthlib.oauth2.rfc6749 import errors

from devhub_gql.clock import Clock
from devhub_gql.domain import revisions, tokens
from devhub_gql.domain.apps import client_secret_matches
from devhub_gql.domain.tokens import CodeCheck
from devhub_gql.domain.validation import is_safe_text
from devhub_gql.models import App, User
from devhub_gql.oauth.grants import GRANTS
from devhub_gql.settings import Settings

T = TypeVar("T")


CLIENT_ID_LENGTH = 32  # the column's size: longer values cannot name a client


async def active_app(client_id: str | None) -> App | None:
    if not client_id or len(client_id) > CLIENT_ID_LENGTH or not is_safe_text(client_id):
        return None  # names no client (and PostgreSQL would refuse a NUL in the lookup)
    return await App.filter(client_id=client_id, deleted_at=None).first()


def client_credentials(headers: dict[str, str], client_id: str | None, secret: str | None):
    """HTTP Basic first, body parameters as the fallback (RFC 6749 §2.3.1)."""
    authorization = headers.get("Authorization") or headers.get("authorization") or ""
    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() == "basic" and encoded:
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None, None
        basic_id, _, basic_secret = decoded.partition(":")
        return unquote(basic_id), unquote(basic_secret)
    return client_id, secret


class DevhubRequestValidator(RequestValidator):
    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock

    def _run(self, function: Callable[..., Coroutine[Any, Any, T]], *args: Any) -> T:
        return anyio.from_thread.run(function, *args)

    # Clients ---------------------------------------------------------------------------------
    def client_authentication_required(self, request, *args, **kwargs) -> bool:
        return True

    def authenticate_client(self, request, *args, **kwargs) -> bool:
        client_id, secret = client_credentials(
            dict(request.headers), request.client_id, getattr(request, "client_secret", None)
        )
        app = self._run(active_app, client_id)
        if app is None or not secret or not client_secret_matches(app, secret, self.clock.now()):
            return False
        request.client = app
        request.client_id = app.client_id
        return True

    def authenticate_client_id(self, client_id, request, *args, **kwargs) -> bool:
        return False  # every client is confidential

    def validate_client_id(self, client_id, request, *args, **kwargs) -> bool:
        app = self._run(active_app, client_id)
        request.client = app
        return app is not None

    # Authorization ---------------------------------------------------------------------------
    def validate_redirect_uri(self, client_id, redirect_uri, request, *args, **kwargs) -> bool:
        return request.client is not None and redirect_uri == request.client.callback_url

    def get_default_redirect_uri(self, client_id, request, *args, **kwargs) -> str | None:
        return request.client.callback_url if request.client else None

    def validate_response_type(self, client_id, response_type, client, request, *a, **k) -> bool:
        return response_type == "code"

    def get_default_scopes(self, client_id, request, *args, **kwargs) -> list[str]:
        # No `scope` parameter: the user accepts all of the app's live scopes or none.
        return self._run(revisions.live_scopes, request.client.id)

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs) -> bool:
        return set(scopes) <= set(self._run(revisions.live_scopes, client.id))

    def is_pkce_required(self, client_id, request) -> bool:
        return False  # verified whenever the code carries a challenge

    def save_authorization_code(self, client_id, code, request, *args, **kwargs) -> None:
        async def save() -> None:
            await tokens.save_code(
                request.client,
                await User.get(id=request.user),
                code["code"],
                # Remembered only when the request named it: then the exchange must repeat it.
                redirect_uri=None if request.using_default_redirect_uri else request.redirect_uri,
                scopes=list(request.scopes),
                code_challenge=request.code_challenge,
                code_challenge_method=request.code_challenge_method,
                now=self.clock.now(),
            )

        self._run(save)

    # Token: authorization_code ---------------------------------------------------------------
    def validate_grant_type(self, client_id, grant_type, client, request, *args, **kwargs) -> bool:
        return grant_type in GRANTS

    def validate_code(self, client_id, code, client, request, *args, **kwargs) -> bool:
        claimed = self._run(tokens.claim_code, client, code, self.clock.now())
        if claimed.check == CodeCheck.EXPIRED:
            raise errors.InvalidGrantError(
                description="authorization_code has expired", request=request
            )
        if claimed.code is None:
            raise errors.InvalidGrantError(
                description="authorization_code is invalid", request=request
            )
        if claimed.code.code_challenge is None and request.code_verifier is not None:
            # RFC 9700 §2.1.1: a verifier for a code issued without a challenge means someone
            # is trying to pass off a stolen code as PKCE-protected.
            raise errors.InvalidGrantError(
                description="code_verifier given for a code issued without code_challenge",
                request=request,
            )
        request.devhub_code = claimed.code
        request.user = claimed.code.user_id
        request.scopes = list(claimed.code.scopes)
        return True

    def confirm_redirect_uri(self, client_id, code, redirect_uri, client, request, *a, **k) -> bool:
        """RFC 6749 §4.1.3: required, and identical, when the authorize request carried one."""
        authorized = request.devhub_code.redirect_uri  # None: the request used the default
        sent = None if request.using_default_redirect_uri else redirect_uri
        if sent != authorized and not (authorized is None and sent == client.callback_url):
            # RFC 6749 §5.2 names this invalid_grant (oauthlib would say invalid_request).
            raise errors.InvalidGrantError(description="redirect_uri is invalid", request=request)
        return True

    def get_code_challenge(self, code, request) -> str | None:
        return request.devhub_code.code_challenge

    def get_code_challenge_method(self, code, request) -> str | None:
        return request.devhub_code.code_challenge_method

    def invalidate_authorization_code(self, client_id, code, request, *args, **kwargs) -> None:
        pass  # claimed once and for all in validate_code

    def save_bearer_token(self, token, request, *args, **kwargs) -> None:
        issue = GRANTS[request.grant_type].issue
        installation = self._run(issue, request, token, self.clock.now())
        token["api_domain"] = self.settings.api_domain_template.format(
            company_id=installation.company_id
        )

    # Token: refresh_token --------------------------------------------------------------------
    def validate_refresh_token(self, refresh_token, client, request, *args, **kwargs) -> bool:
        row = self._run(tokens.claim_refresh_token, client, refresh_token, self.clock.now())
        if row is None:
            raise errors.InvalidGrantError(description="refresh_token is invalid", request=request)
        request.devhub_refresh = row
        return True

    def get_original_scopes(self, refresh_token, request, *args, **kwargs) -> list[str]:
        return self._run(tokens.refresh_scopes, request.devhub_refresh)

    def is_within_original_scope(self, request_scopes, refresh_token, request, *a, **k) -> bool:
        return False

    def rotate_refresh_token(self, request) -> bool:
        return False  # as the platform we model: the same refresh token, with a new 60 days

    # Revocation and introspection ------------------------------------------------------------
    def revoke_token(self, token, token_type_hint, request, *args, **kwargs) -> None:
        self._run(tokens.revoke, request.client, token, token_type_hint, self.clock.now())

    def introspect_token(self, token, token_type_hint, request, *args, **kwargs) -> dict | None:
        return self._run(tokens.introspect, request.client, token, self.clock.now())
