"""The reviewer console at /backoffice/: static files the service serves itself (no build step, no
CDN), talking to the back-office GraphQL endpoint, and the one thing GraphQL cannot do for it —
putting the session in a cookie the page's scripts cannot read.

Why a cookie: a token in `localStorage` or `sessionStorage` is readable by any script that ever
runs on the origin, so one injection would carry a reviewer's session away. The console's session
is an HttpOnly, SameSite=Strict cookie scoped to /backoffice: scripts never see it, other sites
never send it, the public API never receives it. Cross-site requests are refused twice over: the
cookie is not sent, and the back-office accepts it only with the `X-Devhub-Console` header, which
no cross-site form can set and which no CORS answer allows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from starlette.requests import HTTPConnection, Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from devhub_gql.clock import Clock
from devhub_gql.domain import accounts
from devhub_gql.domain.errors import AccessError, RateLimited, Unavailable, UserErrors
from devhub_gql.ratelimit import RateLimiter
from devhub_gql.settings import Settings

COOKIE = "devhub_console"
CONSOLE_HEADER = "x-devhub-console"
COOKIE_PATH = "/backoffice"
FILES = Path(__file__).with_name("console")
ASSETS = {"console.js": "text/javascript", "console.css": "text/css"}

# Scripts and styles from the service only, never inline; images are the listing's own (https).
POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https:; "
    "connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
)


def session_cookie(connection: HTTPConnection) -> str | None:
    """The console's session: over HTTP only from the console itself (it sends the header); over
    WebSocket only from a browser page (it sends an Origin, which Strawberry has already checked
    is this service's own: a page elsewhere is refused at the handshake)."""
    if connection.scope["type"] == "websocket":
        allowed = "origin" in connection.headers
    else:
        allowed = connection.headers.get(CONSOLE_HEADER) == "1"
    return connection.cookies.get(COOKIE) if allowed else None


def _problem(status: int, code: str, message: str, **headers: str) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message}},
        status_code=status,
        headers={"cache-control": "no-store", **headers},
    )


def console_routes(settings: Settings, clock: Clock, failures: RateLimiter) -> list[Route]:
    secure = settings.public_url.startswith("https://")

    async def page(_: Request) -> Response:
        return FileResponse(
            FILES / "index.html",
            media_type="text/html; charset=utf-8",
            headers={"content-security-policy": POLICY, "cache-control": "no-cache"},
        )

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in ASSETS:
            return _problem(404, "NOT_FOUND", "No such file.")
        return FileResponse(
            FILES / name, media_type=ASSETS[name], headers={"cache-control": "no-cache"}
        )

    async def sign_in(request: Request) -> Response:
        if request.headers.get(CONSOLE_HEADER) != "1":
            return _problem(403, "FORBIDDEN", "Sign in from the console.")
        try:
            body: Any = orjson.loads(await request.body())
            email, password = str(body["email"]), str(body["password"])
        except (orjson.JSONDecodeError, KeyError, TypeError):
            return _problem(400, "BAD_REQUEST", "Send JSON with an email and a password.")
        try:  # failed sign-ins count here as on /graphql
            signed_in = await accounts.sign_in_guarded(
                failures,
                address=request.client.host if request.client else "unknown",
                email=email,
                password=password,
                now=clock.now(),
                session_ttl=settings.session_ttl,
                reviewers_only=True,
            )
        except UserErrors as refused:
            return _problem(401, "INVALID_CREDENTIALS", refused.errors[0].message)
        except (RateLimited, Unavailable) as refused:
            status = 429 if isinstance(refused, RateLimited) else 503
            headers = {"retry-after": str(refused.retry_after)}
            return _problem(status, refused.code, str(refused), **headers)
        except AccessError as refused:
            return _problem(403, refused.code, str(refused))
        response = JSONResponse(
            {"user": {"name": signed_in.user.name, "email": signed_in.user.email}},
            headers={"cache-control": "no-store"},
        )
        response.set_cookie(
            COOKIE,
            signed_in.token,
            max_age=int(settings.session_ttl.total_seconds()),
            path=COOKIE_PATH,
            secure=secure,
            httponly=True,
            samesite="strict",
        )
        return response

    async def sign_out(request: Request) -> Response:
        token = session_cookie(request)
        if token is None:
            return _problem(403, "FORBIDDEN", "Sign out from the console.")
        now = clock.now()
        viewer = await accounts.authenticate(token, now)
        if viewer is not None:
            await accounts.sign_out(viewer, now)
        response = Response(status_code=204, headers={"cache-control": "no-store"})
        response.delete_cookie(
            COOKIE, path=COOKIE_PATH, secure=secure, httponly=True, samesite="strict"
        )
        return response

    async def to_console(_: Request) -> Response:
        return RedirectResponse("/backoffice/", status_code=308)

    return [
        Route("/backoffice", to_console, methods=["GET"]),
        Route("/backoffice/", page, methods=["GET"]),
        Route("/backoffice/assets/{name}", asset, methods=["GET"]),
        Route("/backoffice/session", sign_in, methods=["POST"]),
        Route("/backoffice/session", sign_out, methods=["DELETE"]),
    ]
