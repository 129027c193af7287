"""A tiny third-party app: installs itself through DevHub's OAuth flow and hears about uninstalls.

    DEVHUB_URL=http://127.0.0.1:8000 CLIENT_ID=... CLIENT_SECRET=... SIGNING_SECRET=whsec_... \
    PORT=8090 python examples/sample_app.py

It serves plain http on 127.0.0.1 only, so its callback URL is http://127.0.0.1:PORT/callback: a
local DevHub (DEVHUB_ALLOW_PRIVATE_CALLBACKS=true) accepts that for review, a production one
requires https. Routes:

    GET    /          a link to install, the installations and the notices so far
    GET    /install   sends the browser to DevHub's /oauth/authorize with a state and PKCE (S256)
    GET    /callback  DevHub sends the user back with a code; the app exchanges it for tokens
    DELETE /callback  DevHub's uninstall notice, signed with Standard Webhooks: verified or refused
    GET    /notices   the verified notices, as JSON

The tokens are kept in TOKEN_STORE (default sample-app-tokens.json), standing in for a database;
the log and the pages show only their first characters. docs/api-guide.md walks through it all.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import logging
import os
import secrets
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx
import uvicorn
from standardwebhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

log = logging.getLogger("sample-app")
STATE_COOKIE = "sample_app_state"
REQUIRED_SETTINGS = ("CLIENT_ID", "CLIENT_SECRET", "SIGNING_SECRET")


@dataclass(frozen=True)
class Config:
    devhub_url: str
    client_id: str
    client_secret: str
    signing_secret: str
    port: int
    token_store: Path

    @property
    def callback_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/callback"

    @classmethod
    def from_env(cls) -> Config:
        missing = [name for name in REQUIRED_SETTINGS if not os.environ.get(name)]
        if missing:
            sys.exit(f"sample app: set {', '.join(missing)} (see docs/api-guide.md)")
        return cls(
            devhub_url=os.environ.get("DEVHUB_URL", "http://127.0.0.1:8000").rstrip("/"),
            client_id=os.environ["CLIENT_ID"],
            client_secret=os.environ["CLIENT_SECRET"],
            signing_secret=os.environ["SIGNING_SECRET"],
            port=int(os.environ.get("PORT", "8090")),
            token_store=Path(os.environ.get("TOKEN_STORE", "sample-app-tokens.json")),
        )


def masked(secret: str) -> str:
    return f"{secret[:6]}…"


def pkce_pair() -> tuple[str, str]:
    """A code verifier and its S256 challenge (RFC 7636)."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def write_owner_only(path: Path, text: str) -> None:
    """Write a file only its owner can read, whatever mode an earlier run left it with."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(descriptor, "w", encoding="utf-8") as file:
        os.fchmod(descriptor, 0o600)  # the mode given to os.open applies to a new file only
        file.write(text)


def page(title: str, body: str = "", status_code: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}"
        f"</title></head><body><h1>{html.escape(title)}</h1>{body}</body></html>\n",
        status_code=status_code,
    )


def create_app(config: Config) -> Starlette:
    pending: dict[str, str] = {}  # state -> PKCE code verifier, until the user comes back
    installations: dict[tuple[int, int], dict] = {}  # (company_id, user_id) -> tokens
    notices: list[dict] = []

    def save_tokens() -> None:
        write_owner_only(config.token_store, json.dumps(list(installations.values()), indent=2))

    async def home(request: Request) -> HTMLResponse:
        rows = "".join(
            f"<li>user {i['user_id']} of company {i['company_id']}: {html.escape(i['scope'])}, "
            f"access token {masked(i['access_token'])}</li>"
            for i in installations.values()
        )
        return page(
            "Sample app",
            f"<p><a href='/install'>Install it</a></p><h2>Installations</h2><ul>{rows}</ul>"
            f"<p><a href='/notices'>{len(notices)} uninstall notice(s)</a></p>",
        )

    async def install(request: Request) -> Response:
        state = secrets.token_urlsafe(24)
        verifier, challenge = pkce_pair()
        pending[state] = verifier
        query = urlencode(
            {
                "client_id": config.client_id,
                "redirect_uri": config.callback_url,
                "state": state,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            }
        )
        response = RedirectResponse(f"{config.devhub_url}/oauth/authorize?{query}", 302)
        # The state must come back to the browser that started: bind it with a cookie.
        response.set_cookie(STATE_COOKIE, state, max_age=600, httponly=True, samesite="lax")
        return response

    async def callback(request: Request) -> Response:
        params = request.query_params
        state = params.get("state", "")
        if not state or state != request.cookies.get(STATE_COOKIE) or state not in pending:
            return page("Unknown or stale request: start again from Install", status_code=400)
        verifier = pending.pop(state)
        if "code" not in params:
            return page(f"Not installed ({params.get('error', 'no code')})")
        async with httpx.AsyncClient(
            base_url=config.devhub_url, auth=(config.client_id, config.client_secret)
        ) as devhub:
            answer = await devhub.post(
                "/oauth/token",
                data={
                    "grant_type": "authorization_code",
                    "code": params["code"],
                    "redirect_uri": config.callback_url,
                    "code_verifier": verifier,
                },
            )
            if answer.status_code != 200:
                log.warning("token exchange refused: %s", answer.text)
                return page("The token exchange failed", status_code=502)
            tokens = answer.json()
            # Who installed: the notice names the installation by company and user.
            who = await devhub.post("/oauth/introspect", data={"token": tokens["access_token"]})
        claims = who.json()
        installations[(claims["company_id"], claims["user_id"])] = {
            "company_id": claims["company_id"],
            "user_id": claims["user_id"],
            "scope": tokens["scope"],
            "api_domain": tokens["api_domain"],
            "expires_at": int(time.time()) + tokens["expires_in"],
            "access_token": tokens["access_token"],
            "refresh_token": tokens["refresh_token"],
        }
        save_tokens()
        log.info(
            "installed for user %s of company %s: scope %r, access token %s, refresh token %s",
            claims["user_id"],
            claims["company_id"],
            tokens["scope"],
            masked(tokens["access_token"]),
            masked(tokens["refresh_token"]),
        )
        return page(
            "Installed",
            f"<p>User {claims['user_id']} of company {claims['company_id']} granted "
            f"{html.escape(tokens['scope'])}.</p>",
        )

    async def uninstall_notice(request: Request) -> Response:
        body = await request.body()
        try:
            notice = Webhook(config.signing_secret).verify(body, dict(request.headers))
        except (WebhookVerificationError, ValueError) as exc:  # ValueError: malformed headers
            log.warning("refused an uninstall notice: %s", exc or type(exc).__name__)
            return Response("invalid signature\n", status_code=400)
        webhook_id = request.headers["webhook-id"]
        if all(known["webhook_id"] != webhook_id for known in notices):  # delivered at least once
            key = (notice["company_id"], notice["user_id"])
            removed = installations.pop(key, None) is not None
            save_tokens()
            notices.append({"webhook_id": webhook_id, "tokens_deleted": removed, **notice})
            log.info(
                "verified uninstall notice %s: user %s of company %s uninstalled, tokens deleted",
                webhook_id,
                notice["user_id"],
                notice["company_id"],
            )
        return Response(status_code=204)

    async def list_notices(request: Request) -> JSONResponse:
        return JSONResponse(notices)

    return Starlette(
        routes=[
            Route("/", home),
            Route("/install", install),
            Route("/callback", callback, methods=["GET"]),
            Route("/callback", uninstall_notice, methods=["DELETE"]),
            Route("/notices", list_notices),
        ]
    )


def main() -> None:
    config = Config.from_env()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    log.info("listening; callback URL %s, DevHub at %s", config.callback_url, config.devhub_url)
    uvicorn.run(
        create_app(config),
        host="127.0.0.1",
        port=config.port,
        log_level="warning",
        access_log=False,  # request lines would carry authorization codes
    )


if __name__ == "__main__":
    main()
