"""oauthlib's RequestValidator, answering from the request's Exchange (oauth/exchange.py).

Nothing here touches the database: every fact comes from what the exchange read before oauthlib
ran, and every change oauthlib decides on is recorded as a write the exchange runs afterwards.
"""

from __future__ import annotations

from typing import Any

from oauthlib.oauth2 import RequestValidator
from oauthlib.oauth2.rfc6749 import errors

from devhub_gql.domain import tokens
from devhub_gql.domain.catalog import effective_scopes
from devhub_gql.domain.tokens import TokenKind
from devhub_gql.oauth.exchange import current
from devhub_gql.oauth.grants import GRANTS
from devhub_gql.settings import Settings


class DevhubRequestValidator(RequestValidator):
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    # Clients ---------------------------------------------------------------------------------
    def client_authentication_required(self, request: Any, *args: Any, **kwargs: Any) -> bool:
        return True

    def authenticate_client(self, request: Any, *args: Any, **kwargs: Any) -> bool:
        exchange = current()
        client, submission = exchange.client, exchange.submission
        if client is None or submission is None or client.client_id != submission.client_id:
            return False
        secret = submission.client_secret
        if not secret or not client.secret_matches(secret, exchange.now):
            return False
        request.client = client
        request.client_id = client.client_id
        return True

    def authenticate_client_id(self, client_id: str, request: Any, *a: Any, **k: Any) -> bool:
        return False  # every client is confidential

    def validate_client_id(self, client_id: str, request: Any, *args: Any, **kwargs: Any) -> bool:
        client = current().client
        request.client = client if client is not None and client.client_id == client_id else None
        return request.client is not None

    # Authorization ---------------------------------------------------------------------------
    def validate_redirect_uri(
        self, client_id: str, redirect_uri: str, request: Any, *a: Any, **k: Any
    ) -> bool:
        return request.client is not None and redirect_uri == request.client.callback_url

    def get_default_redirect_uri(self, client_id: str, request: Any, *a: Any, **k: Any) -> Any:
        return request.client.callback_url if request.client else None

    def validate_response_type(
        self, client_id: str, response_type: str, client: Any, request: Any, *a: Any, **k: Any
    ) -> bool:
        return response_type == "code"

    def get_default_scopes(self, client_id: str, request: Any, *a: Any, **k: Any) -> list[str]:
        # No `scope` parameter: the user accepts all of the app's live scopes or none.
        return list(request.client.live_scopes)

    def validate_scopes(
        self, client_id: str, scopes: list[str], client: Any, request: Any, *a: Any, **k: Any
    ) -> bool:
        return set(scopes) <= set(client.live_scopes)

    def is_pkce_required(self, client_id: str, request: Any) -> bool:
        return False  # verified whenever the code carries a challenge

    def save_authorization_code(
        self, client_id: str, code: dict[str, str], request: Any, *a: Any, **k: Any
    ) -> None:
        exchange = current()
        client, user_id, now = request.client, exchange.user_id, exchange.now
        assert user_id is not None  # only the consent screen issues codes, for its viewer
        # Remembered only when the request named it: then the exchange must repeat it.
        redirect_uri = None if request.using_default_redirect_uri else request.redirect_uri
        scopes, challenge = list(request.scopes), request.code_challenge
        method = request.code_challenge_method

        async def write() -> errors.OAuth2Error | None:
            await tokens.save_code(
                client,
                user_id,
                code["code"],
                redirect_uri=redirect_uri,
                scopes=scopes,
                code_challenge=challenge,
                code_challenge_method=method,
                now=now,
            )
            return None

        exchange.writes.append(write)

    # Token: authorization_code ---------------------------------------------------------------
    def validate_grant_type(
        self, client_id: str, grant_type: str, client: Any, request: Any, *a: Any, **k: Any
    ) -> bool:
        return grant_type in GRANTS

    def validate_code(
        self, client_id: str, code: str, client: Any, request: Any, *a: Any, **k: Any
    ) -> bool:
        exchange = current()
        found = exchange.code
        if found is None:
            raise errors.InvalidGrantError(
                description="authorization_code is invalid", request=request
            )
        if found.used:
            # A replay: the tokens the code produced die (RFC 6749 §4.1.2).
            async def revoke() -> errors.OAuth2Error | None:
                await tokens.revoke_tokens_of_code(found.id, exchange.now)
                return None

            exchange.writes.append(revoke)
            raise errors.InvalidGrantError(
                description="authorization_code is invalid", request=request
            )
        if exchange.now >= found.expires_at:
            raise errors.InvalidGrantError(
                description="authorization_code has expired", request=request
            )
        if found.code_challenge is None and request.code_verifier is not None:
            # RFC 9700 §2.1.1: a verifier for a code issued without a challenge means someone
            # is trying to pass off a stolen code as PKCE-protected.
            raise errors.InvalidGrantError(
                description="code_verifier given for a code issued without code_challenge",
                request=request,
            )
        request.devhub_code = found
        request.user = found.user_id
        request.scopes = list(found.scopes)
        return True

    def confirm_redirect_uri(
        self,
        client_id: str,
        code: str,
        redirect_uri: str | None,
        client: Any,
        request: Any,
        *a: Any,
        **k: Any,
    ) -> bool:
        """RFC 6749 §4.1.3: required, and identical, when the authorize request carried one."""
        authorized = request.devhub_code.redirect_uri  # None: the request used the default
        sent = None if request.using_default_redirect_uri else redirect_uri
        if sent != authorized and not (authorized is None and sent == client.callback_url):
            # RFC 6749 §5.2 names this invalid_grant (oauthlib would say invalid_request).
            raise errors.InvalidGrantError(description="redirect_uri is invalid", request=request)
        return True

    def get_code_challenge(self, code: str, request: Any) -> str | None:
        challenge: str | None = request.devhub_code.code_challenge
        return challenge

    def get_code_challenge_method(self, code: str, request: Any) -> str | None:
        method: str | None = request.devhub_code.code_challenge_method
        return method

    def invalidate_authorization_code(
        self, client_id: str, code: str, request: Any, *a: Any, **k: Any
    ) -> None:
        pass  # claimed once and for all by the issuing write

    def save_bearer_token(self, token: dict[str, Any], request: Any, *a: Any, **k: Any) -> None:
        exchange = current()
        exchange.writes.append(GRANTS[request.grant_type].issue(exchange, request, token))
        company_id = (
            request.devhub_code.company_id
            if request.grant_type == "authorization_code"
            else request.devhub_refresh.company_id
        )
        token["api_domain"] = self.settings.api_domain_template.format(company_id=company_id)

    # Token: refresh_token --------------------------------------------------------------------
    def validate_refresh_token(
        self, refresh_token: str, client: Any, request: Any, *a: Any, **k: Any
    ) -> bool:
        found = current().token
        if found is None or found.kind != TokenKind.REFRESH:
            raise errors.InvalidGrantError(description="refresh_token is invalid", request=request)
        request.devhub_refresh = found
        return True

    def get_original_scopes(self, refresh_token: str, request: Any, *a: Any, **k: Any) -> list[str]:
        """Granted scopes the app still asks for: removed ones vanish, added ones need the user."""
        return effective_scopes(request.devhub_refresh.granted, request.client.live_scopes)

    def is_within_original_scope(
        self, request_scopes: list[str], refresh_token: str, request: Any, *a: Any, **k: Any
    ) -> bool:
        return False

    def rotate_refresh_token(self, request: Any) -> bool:
        return False  # as the platform we model: the same refresh token, with a new 60 days

    # Revocation and introspection ------------------------------------------------------------
    def revoke_token(
        self, token: str, token_type_hint: str | None, request: Any, *a: Any, **k: Any
    ) -> None:
        """RFC 7009: only a live token of this client's app changes anything."""
        exchange = current()
        client, found = exchange.client, exchange.token
        if client is None or found is None:
            return

        async def write() -> errors.OAuth2Error | None:
            await tokens.revoke(client, found, exchange.now)
            return None

        exchange.writes.append(write)

    def introspect_token(
        self, token: str, token_type_hint: str | None, request: Any, *a: Any, **k: Any
    ) -> dict[str, Any] | None:
        exchange = current()
        if exchange.client is None or exchange.token is None:
            return None
        return tokens.claims(exchange.client, exchange.token)
