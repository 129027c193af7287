"""The consent step: what the screen shows, and the user's answer (code or user_denied)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from oauthlib.oauth2.rfc6749 import errors

from devhub_gql.domain import installations, revisions
from devhub_gql.domain.accounts import Viewer
from devhub_gql.domain.errors import BadRequest, ErrorCode, UserErrors
from devhub_gql.domain.installations import Refusal, RefusalCode
from devhub_gql.models import App, Company, Installation
from devhub_gql.oauth.grants import S256AuthorizationCodeGrant
from devhub_gql.oauth.server import DevhubOAuthServer
from devhub_gql.oauth.submission import usable_client_id


@dataclass(frozen=True)
class AuthorizationParams:
    client_id: str
    redirect_uri: str | None = None  # none: the app's one registered callback (RFC 6749 §3.1.2.3)
    state: str | None = None
    code_challenge: str | None = None
    code_challenge_method: str | None = None

    def authorize_url(self, public_url: str) -> str:
        query = {"response_type": "code", "client_id": self.client_id}
        for name in ("redirect_uri", "state", "code_challenge", "code_challenge_method"):
            if value := getattr(self, name):
                query[name] = value
        return f"{public_url}/oauth/authorize?{urlencode(query)}"


@dataclass(frozen=True)
class ConsentScreen:
    app: App
    developer: Company
    scopes: list[str]
    already_installed: bool
    refusal: Refusal | None


INVALID_REQUEST = "Unknown client, or a redirect URI that is not the app's callback URL."
UNSUPPORTED_PKCE = Refusal(
    RefusalCode.INVALID_AUTHORIZATION_REQUEST,
    "PKCE needs code_challenge_method=S256; plain (also the default without a method) is refused.",
)


async def active_app(client_id: str | None) -> App | None:
    """The app a client id names, unless deleted."""
    usable = usable_client_id(client_id)
    return await App.filter(client_id=usable, deleted_at=None).first() if usable else None


async def _matching_app(viewer: Viewer, params: AuthorizationParams) -> App | None:
    """The app of a well-formed request that this viewer may know of; anything else never
    reaches a callback, and an app not released to the viewer answers as an unknown client."""
    app = await active_app(params.client_id)
    if app is None or params.redirect_uri not in (None, app.callback_url):
        return None
    if not installations.visible_to(app, viewer.user):
        return None
    return app


def _invalid_request() -> UserErrors:
    return UserErrors.single(None, ErrorCode.INVALID_AUTHORIZATION_REQUEST, INVALID_REQUEST)


def _pkce_refusal(params: AuthorizationParams) -> Refusal | None:
    """What the S256-only grant would refuse once the user clicks Allow, said before they decide.

    /oauth/authorize sends such a request back to the app; only a consent page opened directly
    (or a front end of its own) can carry one.
    """
    if not params.code_challenge:  # authorize_url() drops an empty one, as if absent
        return None
    supported = S256AuthorizationCodeGrant._code_challenge_methods
    return None if (params.code_challenge_method or "plain") in supported else UNSUPPORTED_PKCE


async def _screen(viewer: Viewer, app: App, params: AuthorizationParams) -> ConsentScreen:
    scopes = await revisions.live_scopes(app.id)
    installed = await Installation.filter(
        app_id=app.id, user_id=viewer.user.id, uninstalled_at=None
    ).exists()
    return ConsentScreen(
        app=app,
        developer=await Company.get(id=app.company_id),
        scopes=scopes,
        already_installed=installed,
        refusal=installations.install_refusal(viewer.user, scopes) or _pkce_refusal(params),
    )


async def describe(viewer: Viewer, params: AuthorizationParams) -> ConsentScreen:
    app = await _matching_app(viewer, params)
    if app is None:
        raise BadRequest(INVALID_REQUEST)
    return await _screen(viewer, app, params)


async def approve(
    server: DevhubOAuthServer, viewer: Viewer, params: AuthorizationParams, public_url: str
) -> str:
    """Allow and install: a redirect to the callback with a fresh code and the state."""
    app = await _matching_app(viewer, params)
    if app is None:
        raise _invalid_request()
    screen = await _screen(viewer, app, params)
    if screen.refusal is not None:
        raise screen.refusal.as_user_errors()
    try:
        headers, _, _ = await server.authorize(
            params.authorize_url(public_url), app.client_id, viewer.user.id, screen.scopes
        )
    except errors.OAuth2Error as exc:
        raise UserErrors.single(
            None, ErrorCode.INVALID_AUTHORIZATION_REQUEST, exc.description or exc.error
        ) from None
    return headers["Location"]


async def deny(viewer: Viewer, params: AuthorizationParams) -> str:
    """Cancel: back to the callback with error=user_denied (and never with a code)."""
    app = await _matching_app(viewer, params)
    if app is None:
        raise _invalid_request()
    query = {"error": "user_denied"}
    if params.state:
        query["state"] = params.state
    separator = "&" if "?" in app.callback_url else "?"
    return f"{app.callback_url}{separator}{urlencode(query)}"
