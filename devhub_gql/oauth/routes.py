"""The OAuth endpoints as plain Starlette routes: form-encoded in, RFC 6749 JSON out."""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import urlencode

import orjson
from oauthlib.oauth2.rfc6749 import errors
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from devhub_gql.domain.catalog import SCOPES
from devhub_gql.oauth.exchange import Response as ExchangeResponse
from devhub_gql.oauth.grants import GRANTS
from devhub_gql.oauth.server import DevhubOAuthServer
from devhub_gql.oauth.submission import Submission
from devhub_gql.observability import Metrics
from devhub_gql.ratelimit import Limiters
from devhub_gql.settings import Settings

FORM = "application/x-www-form-urlencoded"
CONSENT_PAGE = Path(__file__).with_name("consent.html").read_text()


def _content_security_policy(page: str) -> str:
    """Only the page's own inline script and style may run (pinned by hash), icons from https."""
    hashes = {
        tag: " ".join(
            f"'sha256-{base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()}'"
            for body in re.findall(rf"<{tag}>(.*?)</{tag}>", page, flags=re.S)
        )
        for tag in ("script", "style")
    }
    return (
        f"default-src 'none'; script-src {hashes['script']}; style-src {hashes['style']}; "
        "img-src https:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; "
        "base-uri 'none'"
    )


CONSENT_POLICY = _content_security_policy(CONSENT_PAGE)


def _error_page(message: str) -> HTMLResponse:
    body = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Cannot install"
        "</title></head><body><main><h1>This app cannot be installed</h1>"
        f"<p role='alert'>{html.escape(message)}</p></main></body></html>"
    )
    return HTMLResponse(body, status_code=400)


def _invalid_request(description: str) -> JSONResponse:
    return JSONResponse(
        {"error": "invalid_request", "error_description": description},
        status_code=400,
        headers={"cache-control": "no-store"},
    )


# RFC 6749 §5.2: a failed client authentication answers 401 with a challenge in the scheme
# clients authenticate with (HTTP Basic; oauthlib would name Bearer, the resource scheme).
CLIENT_CHALLENGE = 'Basic realm="DevHub OAuth", charset="UTF-8"'


def _oauth_response(headers: dict[str, str], body: str | None, status: int) -> Response:
    if status == 401:
        headers = {**headers, "WWW-Authenticate": CLIENT_CHALLENGE}
    return Response(body or "", status_code=status, headers=headers, media_type=None)


# RFC 6749 §5.2 error codes, plus `issued` and the rate limit's answer: a bounded label set.
TOKEN_OUTCOMES = frozenset(
    {
        "issued",
        "invalid_request",
        "invalid_client",
        "invalid_grant",
        "unauthorized_client",
        "unsupported_grant_type",
        "invalid_scope",
        "temporarily_unavailable",
    }
)


def _oauth_error(response: Response) -> str:
    """The OAuth error code an answer carries (`error` when it carries none)."""
    try:
        return str(orjson.loads(response.body).get("error", "error"))
    except (orjson.JSONDecodeError, AttributeError):
        return "error"


def _count_grant(metrics: Metrics, submission: Submission, response: Response) -> None:
    """Token answers by grant type and outcome: `issued`, or the OAuth error code."""
    grant_type = submission.form.get("grant_type") or "none"
    outcome = "issued" if response.status_code == 200 else _oauth_error(response)
    metrics.count_grant(
        grant_type if grant_type in GRANTS else "other",
        outcome if outcome in TOKEN_OUTCOMES else "error",
    )


# What guessing a client secret, a code or a refresh token produces.
GUESSES = frozenset({"invalid_client", "invalid_grant"})


def _too_many(retry_after: int) -> Response:
    return JSONResponse(
        {
            "error": "temporarily_unavailable",
            "error_description": f"Too many requests; retry in {retry_after} s.",
        },
        status_code=429,
        headers={"retry-after": str(retry_after), "cache-control": "no-store"},
    )


def oauth_routes(
    server: DevhubOAuthServer, settings: Settings, limiters: Limiters, metrics: Metrics
) -> list[Route]:
    async def submission_of(request: Request) -> Submission:
        body = (await request.body()).decode("utf-8", errors="replace")
        uri = f"{settings.public_url}{request.scope['path']}"
        headers = request.headers
        return Submission.of(
            uri, body, headers.get("content-type", ""), headers.get("authorization", "")
        )

    async def guarded(
        request: Request,
        submission: Submission,
        endpoint: Callable[[], Awaitable[Response]],
        *,
        volume: bool = False,
    ) -> Response:
        """Refused while the client or the address has used its budget of failed attempts (and,
        with `volume`, the client its ceiling of requests); a failed attempt counts."""
        client_id = submission.client_id or submission.form.get("client_id")
        address = f"ip:{request.client.host if request.client else 'unknown'}"
        keys = (f"client:{client_id[:200]}", address) if client_id else (address,)
        retry_after = await limiters.token_failures.over(*keys)
        if retry_after is None and volume:
            retry_after = await limiters.token_volume.count(keys[0])
        if retry_after is not None:
            return _too_many(retry_after)
        response = await endpoint()
        if response.status_code in (400, 401) and _oauth_error(response) in GUESSES:
            await limiters.token_failures.count(*keys)
        return response

    async def authorize(request: Request) -> Response:
        params = dict(request.query_params)
        params.pop("scope", None)  # scopes are fixed on the app, never chosen per request
        params.setdefault("response_type", "code")
        uri = f"{settings.public_url}/oauth/authorize?{urlencode(params)}"
        try:
            await server.check_authorization(uri, params.get("client_id"))
        except errors.FatalClientError as exc:
            # Unknown client or a redirect URI that is not the callback: never redirect.
            return _error_page(exc.description or "Invalid client or redirect URI.")
        except errors.OAuth2Error as exc:
            return RedirectResponse(exc.in_uri(exc.redirect_uri), status_code=302)
        return RedirectResponse(f"{settings.consent_page}?{urlencode(params)}", status_code=302)

    async def form_endpoint(
        submission: Submission,
        answer: Callable[[Submission], Awaitable[ExchangeResponse]],
        *,
        required: str | None = None,
    ) -> Response:
        if submission.content_type != FORM:
            return _invalid_request(f"content must be {FORM}")
        if required and not submission.form.get(required):
            return _invalid_request(f"Missing parameter: {required}")
        return _oauth_response(*await answer(submission))

    async def token(request: Request) -> Response:
        submission = await submission_of(request)
        response = await guarded(
            request,
            submission,
            lambda: form_endpoint(submission, server.token, required="grant_type"),
            volume=True,
        )
        _count_grant(metrics, submission, response)
        return response

    async def revoke(request: Request) -> Response:
        submission = await submission_of(request)
        return await guarded(request, submission, lambda: form_endpoint(submission, server.revoke))

    async def introspect(request: Request) -> Response:
        submission = await submission_of(request)
        return await guarded(
            request,
            submission,
            lambda: form_endpoint(submission, server.introspect),
        )

    async def metadata(request: Request) -> Response:
        base = settings.public_url
        return JSONResponse(
            {
                "issuer": base,
                "authorization_endpoint": f"{base}/oauth/authorize",
                "token_endpoint": f"{base}/oauth/token",
                "revocation_endpoint": f"{base}/oauth/revoke",
                "introspection_endpoint": f"{base}/oauth/introspect",
                "response_types_supported": ["code"],
                "grant_types_supported": list(GRANTS),
                "token_endpoint_auth_methods_supported": [
                    "client_secret_basic",
                    "client_secret_post",
                ],
                "revocation_endpoint_auth_methods_supported": [
                    "client_secret_basic",
                    "client_secret_post",
                ],
                "introspection_endpoint_auth_methods_supported": [
                    "client_secret_basic",
                    "client_secret_post",
                ],
                "code_challenge_methods_supported": ["S256"],
                "scopes_supported": [entry.name for entry in SCOPES],
            }
        )

    async def consent_page(request: Request) -> Response:
        return HTMLResponse(CONSENT_PAGE, headers={"content-security-policy": CONSENT_POLICY})

    return [
        Route("/oauth/authorize", authorize, methods=["GET"]),
        Route("/oauth/token", token, methods=["POST"]),
        Route("/oauth/revoke", revoke, methods=["POST"]),
        Route("/oauth/introspect", introspect, methods=["POST"]),
        Route("/oauth/consent", consent_page, methods=["GET"]),
        Route("/.well-known/oauth-authorization-server", metadata, methods=["GET"]),
    ]
