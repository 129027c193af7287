"""A peer for the OAuth hot path: Authlib's authorization server on Starlette, storage through
SQLAlchemy, over the very tables the service uses.

What another well-known Python stack costs for the same two answers, written the way Authlib's
documentation shows (its Flask integration, ported to Starlette as a small subclass):

- `POST /oauth/token`: Authlib's `AuthorizationServer` with its `RefreshTokenGrant`. Clients
  authenticate with HTTP Basic (or body credentials); the refresh token is looked up with its
  installation, the answer's scope is what the user granted and the app still asks for, a new
  access token row is inserted and the refresh token is kept (not rotated) with 60 more days to
  live, all in one transaction. The answer carries the same keys as the service's.
- `POST /oauth/introspect`: Authlib's RFC 7662 `IntrospectionEndpoint`: the client, the token
  with its installation, the app's live scopes, and the service's claims.

Authlib is synchronous, so each request runs in Starlette's thread pool (as the service runs
oauthlib in a worker thread) with one SQLAlchemy session and transaction; SQLite goes through the
standard library's sqlite3 with one pooled connection (the service has one too), PostgreSQL
through psycopg 3 with the service's pool size. Timestamps on SQLite are ISO text, as Tortoise
writes them; tokens are stored as SHA-256 digests (devhub_gql/domain/secrets.py).

`python -m bench.authlib_peer --port P [--workers N]` with DATABASE_URL set.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

from authlib.oauth2 import AuthorizationServer, OAuth2Request
from authlib.oauth2.rfc6749 import ClientMixin, TokenMixin, grants
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from sqlalchemy import JSON, DateTime, Engine, ForeignKey, String, create_engine, event, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    contains_eager,
    mapped_column,
    relationship,
)
from sqlalchemy.types import TypeDecorator
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from devhub_gql import db

ACCESS_LIFETIME = timedelta(hours=1)
REFRESH_IDLE_LIFETIME = timedelta(days=60)
API_DOMAIN = "https://company{company_id}.api.devhub.example"
CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]
CLIENT_ID_LENGTH = 32
# The service's pool bound (Tortoise's asyncpg default) and SQLite pragmas (devhub_gql/db.py).
POSTGRES_POOL = 5
SQLITE_PRAGMAS = tuple(f"{name}={value}" for name, value in db.SQLITE_PRAGMAS.items())


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def now() -> datetime:
    return datetime.now(UTC)


# Storage: the service's tables, as far as these two endpoints need them -------------------------
class Moment(TypeDecorator):
    """timestamptz on PostgreSQL; on SQLite the ISO text Tortoise writes, compared as text."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String())
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value, dialect):
        if value is not None and dialect.name == "sqlite":
            return value.isoformat(" ")
        return value

    def process_result_value(self, value, dialect):
        if isinstance(value, str):
            return datetime.fromisoformat(value)
        return value


ScopeList = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    pass


class Client(Base, ClientMixin):
    """An app, as an OAuth client: every one is confidential."""

    __tablename__ = "app"
    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(32))
    client_secret_digest: Mapped[str] = mapped_column(String(64))
    # After a rotation the previous secret keeps working for a while (domain/apps.py).
    previous_secret_digest: Mapped[str | None] = mapped_column(String(64))
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(Moment())
    deleted_at: Mapped[datetime | None] = mapped_column(Moment())

    def get_client_id(self) -> str:
        return self.client_id

    def check_client_secret(self, client_secret: str) -> bool:
        if hmac.compare_digest(digest(client_secret), self.client_secret_digest):
            return True
        return (
            self.previous_secret_digest is not None
            and self.previous_secret_expires_at is not None
            and now() < self.previous_secret_expires_at
            and hmac.compare_digest(digest(client_secret), self.previous_secret_digest)
        )

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in CLIENT_AUTH_METHODS

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in ("authorization_code", "refresh_token")

    def get_allowed_scope(self, scope: str | None) -> str:
        return scope or ""  # already what the user granted and the app still asks for


class AppScope(Base):
    __tablename__ = "app_scope"
    id: Mapped[int] = mapped_column(primary_key=True)
    app_id: Mapped[int] = mapped_column(ForeignKey("app.id"))
    scope_id: Mapped[str] = mapped_column(String(64))


class Installation(Base):
    __tablename__ = "installation"
    id: Mapped[int] = mapped_column(primary_key=True)
    app_id: Mapped[int] = mapped_column(ForeignKey("app.id"))
    company_id: Mapped[int]
    user_id: Mapped[int]
    scopes: Mapped[list[str]] = mapped_column(ScopeList)  # what the user granted
    uninstalled_at: Mapped[datetime | None] = mapped_column(Moment())


def live_scopes(session: Session, app_id: int) -> set[str]:
    return set(session.scalars(select(AppScope.scope_id).where(AppScope.app_id == app_id)))


class Token(TokenMixin):
    """What access and refresh tokens share (each has an installation, created_at, expires_at
    and revoked_at): Authlib's token interface."""

    _scope = None  # computed once per request

    def granted(self) -> list[str]:
        return self.installation.scopes

    def check_client(self, client: Client) -> bool:
        return self.installation.app_id == client.id

    def get_scope(self) -> str:
        """What the token may do now: granted, and still asked for by the app."""
        if self._scope is None:
            live = live_scopes(current_session(), self.installation.app_id)
            self._scope = " ".join(name for name in self.granted() if name in live)
        return self._scope

    def get_expires_in(self) -> int:
        return int((self.expires_at - self.created_at).total_seconds())

    def is_expired(self) -> bool:
        return self.expires_at <= now()

    def is_revoked(self) -> bool:
        return self.revoked_at is not None or self.installation.uninstalled_at is not None

    def get_user(self) -> Installation:
        return self.installation


class RefreshToken(Base, Token):
    __tablename__ = "refresh_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_digest: Mapped[str] = mapped_column(String(64))
    installation_id: Mapped[int] = mapped_column(ForeignKey("installation.id"))
    installation: Mapped[Installation] = relationship(lazy="raise")
    created_at: Mapped[datetime] = mapped_column(Moment())
    last_used_at: Mapped[datetime] = mapped_column(Moment())
    expires_at: Mapped[datetime] = mapped_column(Moment())
    revoked_at: Mapped[datetime | None] = mapped_column(Moment())


class AccessToken(Base, Token):
    __tablename__ = "access_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_digest: Mapped[str] = mapped_column(String(64))
    installation_id: Mapped[int] = mapped_column(ForeignKey("installation.id"))
    installation: Mapped[Installation] = relationship(lazy="raise")
    refresh_token_id: Mapped[int] = mapped_column(ForeignKey("refresh_token.id"))
    scopes: Mapped[list[str]] = mapped_column(ScopeList)
    created_at: Mapped[datetime] = mapped_column(Moment())
    expires_at: Mapped[datetime] = mapped_column(Moment())
    revoked_at: Mapped[datetime | None] = mapped_column(Moment())

    def granted(self) -> list[str]:
        return self.scopes


def find_token(model: type[Token], token: str, *, live: bool) -> Any:
    """A token by its digest, with its installation; `live`: not revoked, expired or
    uninstalled (the grant's lookup; introspection lets Authlib judge instead)."""
    query = (
        select(model)
        .join(model.installation)
        .options(contains_eager(model.installation))
        .where(model.token_digest == digest(token))
    )
    if live:
        query = query.where(
            model.revoked_at.is_(None),
            model.expires_at > now(),
            Installation.uninstalled_at.is_(None),
        )
    return current_session().scalars(query.limit(1)).first()


_session: ContextVar[Session] = ContextVar("session")


def current_session() -> Session:
    return _session.get()


# Authlib: the refresh grant, introspection and the server ---------------------------------------
class RefreshTokenGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = CLIENT_AUTH_METHODS
    INCLUDE_NEW_REFRESH_TOKEN = False  # the same refresh token, as the service answers

    def authenticate_refresh_token(self, refresh_token: str) -> RefreshToken | None:
        return find_token(RefreshToken, refresh_token, live=True)

    def authenticate_user(self, refresh_token: RefreshToken) -> Installation:
        return refresh_token.installation

    def revoke_old_credential(self, refresh_token: RefreshToken) -> None:
        # Not rotated: the refresh token lives another 60 days from this use.
        moment = now()
        refresh_token.last_used_at = moment
        refresh_token.expires_at = moment + REFRESH_IDLE_LIFETIME


class Introspection(IntrospectionEndpoint):
    CLIENT_AUTH_METHODS = CLIENT_AUTH_METHODS

    def query_token(self, token_string: str, token_type_hint: str | None) -> Token | None:
        kinds = [AccessToken, RefreshToken]
        if token_type_hint == "refresh_token":
            kinds.reverse()
        for kind in kinds:
            found = find_token(kind, token_string, live=False)
            if found is not None:
                return found
        return None

    def check_permission(self, token: Token, client: Client, request: OAuth2Request) -> bool:
        token.client = client
        return token.check_client(client)

    def introspect_token(self, token: Token) -> dict[str, Any]:
        installation = token.installation
        claims: dict[str, Any] = {
            "active": True,
            "scope": token.get_scope(),
            "client_id": token.client.client_id,
            "iat": int(token.created_at.timestamp()),
            "exp": int(token.expires_at.timestamp()),
            "sub": str(installation.user_id),
            "user_id": installation.user_id,
            "company_id": installation.company_id,
        }
        if isinstance(token, AccessToken):
            claims["token_type"] = "Bearer"  # a refresh token is no bearer credential
        return claims


class FormRequest(OAuth2Request):
    """A form-encoded Starlette request, as Authlib reads one."""

    def __init__(self, method: str, uri: str, headers: Any, form: dict[str, str]) -> None:
        super().__init__(method, uri, headers=headers)
        self._form = form
        self.payload = BasicOAuth2Payload(form)

    @property
    def args(self) -> dict[str, str]:
        return {}

    @property
    def form(self) -> dict[str, str]:
        return self._form


class StarletteAuthorizationServer(AuthorizationServer):
    def __init__(self) -> None:
        super().__init__()
        self.register_token_generator(
            "default",
            BearerTokenGenerator(
                access_token_generator=lambda **_: f"dhat_{secrets.token_urlsafe(32)}",
                expires_generator=int(ACCESS_LIFETIME.total_seconds()),
            ),
        )
        self.register_grant(RefreshTokenGrant)
        self.register_endpoint(Introspection)

    def query_client(self, client_id: str | None) -> Client | None:
        if not client_id or len(client_id) > CLIENT_ID_LENGTH:
            return None
        query = select(Client).where(Client.client_id == client_id, Client.deleted_at.is_(None))
        return current_session().scalars(query.limit(1)).first()

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        refresh: RefreshToken = request.refresh_token
        moment = now()
        current_session().add(
            AccessToken(
                token_digest=digest(token["access_token"]),
                installation_id=refresh.installation_id,
                refresh_token_id=refresh.id,
                scopes=token.get("scope", "").split(),
                created_at=moment,
                expires_at=moment + timedelta(seconds=token["expires_in"]),
            )
        )
        # The service's answer: the same refresh token, and where the API lives.
        token["refresh_token"] = request.form["refresh_token"]
        token["api_domain"] = API_DOMAIN.format(company_id=refresh.installation.company_id)

    def create_oauth2_request(self, request: FormRequest) -> FormRequest:
        return request

    def create_json_request(self, request: Any) -> Any:
        raise NotImplementedError("no JSON endpoints here")

    def handle_response(self, status: int, body: Any, headers: list[tuple[str, str]]) -> Any:
        return status, body, headers

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        pass


def open_engine(database_url: str) -> Engine:
    if database_url.startswith("sqlite://"):
        path = database_url.removeprefix("sqlite://")
        engine = create_engine(f"sqlite:///{path}", pool_size=1, max_overflow=0, pool_timeout=60)

        @event.listens_for(engine, "connect")
        def pragmas(connection: Any, _: Any) -> None:
            for pragma in SQLITE_PRAGMAS:
                connection.execute(f"PRAGMA {pragma}")

        return engine
    url = database_url.replace("postgres://", "postgresql+psycopg://", 1)
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    return create_engine(url, pool_size=POSTGRES_POOL, max_overflow=0, pool_timeout=60)


def create_app(engine: Engine | None = None) -> Starlette:
    engine = engine or open_engine(os.environ["DATABASE_URL"])
    server = StarletteAuthorizationServer()

    def in_transaction(entry_point: Any, request: FormRequest) -> tuple[int, Any, list]:
        with Session(engine, expire_on_commit=False) as session, session.begin():
            _session.set(session)
            return entry_point(request)

    async def respond(request: Request, entry_point: Any) -> Response:
        body = (await request.body()).decode()
        form = dict(parse_qsl(body, keep_blank_values=True))
        oauth_request = FormRequest(request.method, str(request.url), request.headers, form)
        status, answer, headers = await run_in_threadpool(
            in_transaction, entry_point, oauth_request
        )
        return Response(json.dumps(answer), status, headers=dict(headers))

    async def token(request: Request) -> Response:
        return await respond(request, server.create_token_response)

    async def introspect(request: Request) -> Response:
        return await respond(
            request,
            lambda oauth_request: server.create_endpoint_response("introspection", oauth_request),
        )

    async def health(request: Request) -> Response:
        return PlainTextResponse("ok")

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            engine.dispose()

    return Starlette(
        routes=[
            Route("/health", health, methods=["GET"]),
            Route("/oauth/token", token, methods=["POST"]),
            Route("/oauth/introspect", introspect, methods=["POST"]),
        ],
        lifespan=lifespan,
    )


def main() -> None:
    import uvicorn

    from devhub_gql import workers
    from devhub_gql.cli import HTTP_PROTOCOL

    parser = argparse.ArgumentParser(description="Serve the Authlib peer (DATABASE_URL).")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    config = uvicorn.Config(
        "bench.authlib_peer:create_app",
        factory=True,
        host="127.0.0.1",
        port=args.port,
        http=HTTP_PROTOCOL,  # the service's protocol, too
        log_level="warning",
        proxy_headers=True,
    )
    # The service's process layout, too: with several workers, connections handed out in turn.
    raise SystemExit(workers.serve(config, args.workers))


if __name__ == "__main__":
    main()
