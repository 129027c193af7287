"""create_app(settings): the ASGI application with its routes and its lifespan."""

from __future__ import annotations

import asyncio
import gc
import inspect
import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import orjson
from graphql import GraphQLError
from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.schema import BaseSchema
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from tortoise import Tortoise

from backoffice import console
from backoffice.schema import create_backoffice_schema
from devhub_gql import events, ide, tracing
from devhub_gql.clock import Clock, SystemClock
from devhub_gql.db import tortoise_config
from devhub_gql.documents import operation_count
from devhub_gql.domain import manifests
from devhub_gql.health import Readiness, health_routes
from devhub_gql.http_guard import (
    ErrorShield,
    RequestGuard,
    SecurityHeadersMiddleware,
    internal_error_message,
    refusal_body,
)
from devhub_gql.notifications.routes import unsubscribe_routes
from devhub_gql.oauth.routes import oauth_routes
from devhub_gql.oauth.server import DevhubOAuthServer
from devhub_gql.observability import (
    Metrics,
    ObservabilityMiddleware,
    listen_to_sql,
    metrics_routes,
    note_operation,
)
from devhub_gql.outbox.worker import OutboxWorker, outbox_depth
from devhub_gql.ratelimit import Limiters, counters_for
from devhub_gql.response_cache import ResponseCache
from devhub_gql.settings import Settings
from devhub_gql.websocket import ConnectionSlots, TextFrames, TransportHandler
from resolvers.loaders import Loaders
from schema.build import create_schema
from schema.context import Context
from schema.scopes import DocumentScopes


class GraphQLEndpoint(GraphQL):
    """Strawberry's ASGI view with our context and orjson; JSON POST only (no GET, no multipart)."""

    def __init__(
        self,
        schema: BaseSchema,
        name: str,
        settings: Settings,
        clock: Clock,
        oauth: DevhubOAuthServer,
        limiters: Limiters,
        slots: ConnectionSlots,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql else None,
            allow_queries_via_get=False,
            multipart_uploads_enabled=False,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=timedelta(seconds=10),
            max_subscriptions_per_connection=settings.ws_subscriptions_per_connection,
        )
        self.name = name  # "graphql" or "backoffice", in logs and metrics
        self.settings = settings
        self.clock = clock
        self.oauth = oauth
        self.limiters = limiters
        self.slots = slots

    graphql_transport_ws_handler_class = TransportHandler
    websocket_adapter_class = TextFrames

    async def get_context(  # type: ignore[override]
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        return Context(
            request=request,
            # A WebSocket's operations have no HTTP answer to set headers on.
            response=response if isinstance(response, Response) else Response(),
            settings=self.settings,
            clock=self.clock,
            request_id=getattr(request.state, "request_id", None) or new_request_id(),
            loaders=Loaders(),
            oauth=self.oauth,
            limiters=self.limiters,
        )

    async def on_ws_connect(self, context: Context) -> None:  # type: ignore[override]
        """Accept `connection_init` only with a live session, within the user's connections."""
        viewer = await context.viewer()
        if viewer is None:
            raise ConnectionRejectionError({"message": "Sign in first: a session token."})
        self.slots.take(viewer.user.id)
        context.ws_user_id = viewer.user.id

    async def execute_single(self, **kwargs: Any) -> ExecutionResult:  # type: ignore[override]
        request_data = kwargs["request_data"]
        note_operation(self.name, request_data.query, request_data.operation_name)
        if request_data.operation_name is None and operation_count(request_data.query) > 1:
            # GraphQL §6.1 (GetOperation); Strawberry would run the first operation instead.
            error = GraphQLError(
                "Several operations and no operationName: name the one to run.",
                extensions={"code": "GRAPHQL_VALIDATION_FAILED"},
            )
            return ExecutionResult(data=None, errors=[error])
        return await super().execute_single(**kwargs)

    async def render_graphql_ide(self, request: Request) -> Response:
        return ide.graphiql_page()

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> Any:
        return orjson.loads(data)


def new_request_id() -> str:
    """For a WebSocket, which the request-id layer (HTTP only) does not see."""
    return secrets.token_hex(8)


class BackofficeEndpoint(GraphQLEndpoint):
    """The back-office view looks the viewer up before validation (introspection is gated)."""

    async def get_context(  # type: ignore[override]
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        context = await super().get_context(request, response)
        context.session_cookie = console.session_cookie(request)
        if isinstance(request, Request):  # a WebSocket's session comes with connection_init
            await context.viewer()
        return context


GRAPHQL_PATHS = frozenset({"/graphql", "/backoffice/graphql"})


class Service:
    """The ASGI application: Starlette's routes inside the HTTP layers, and its metrics (tests
    drive the outbox worker themselves, counting into them)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


class FixedPaths:
    """Starlette, with the routes whose path has no parameters found by one dictionary lookup.

    Starlette's router tries every route's pattern in turn, then runs the endpoint inside three
    exception layers whose one handler, a JSON 500, ErrorShield outside repeats. A request for a
    fixed path with a method its route allows goes straight to the route's endpoint, outside
    them; anything else (a path with parameters, a 404 or 405, a WebSocket, the lifespan) goes
    through Starlette.
    """

    def __init__(self, starlette: Starlette) -> None:
        self.starlette = starlette
        self.routes = {
            (method, route.path): (route, _direct(route))
            for route in starlette.routes
            if isinstance(route, Route) and not route.param_convertors
            for method in route.methods or ()
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope.get("root_path"):
            found = self.routes.get((scope["method"], scope["path"]))
            if found is not None:
                route, app = found
                scope["app"] = self.starlette
                scope["route"] = route
                await app(scope, receive, send)
                return
        await self.starlette(scope, receive, send)


def _direct(route: Route) -> ASGIApp:
    """A route's endpoint as an ASGI app. For an async function, what Starlette's
    request_response does, without its exception layer: outside Starlette that layer has no
    handlers, and only passed every exception on (1.5% of an introspection's instructions)."""
    endpoint = route.endpoint
    if not inspect.iscoroutinefunction(endpoint):
        return route.app  # an ASGI app already (the GraphQL views), or a sync function

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        response = await endpoint(Request(scope, receive, send))
        await response(scope, receive, send)

    return app


async def _internal_error(request: Request, exc: Exception) -> Response:
    """A route's crash, answered as JSON with the request id (the log line carries it too)."""
    request_id = request.state.request_id
    body = refusal_body(
        request.url.path,
        500,
        "INTERNAL_SERVER_ERROR",
        internal_error_message(request_id),
        requestId=request_id,
    )
    return Response(body, status_code=500, media_type="application/json")


def create_app(
    settings: Settings, *, clock: Clock | None = None, manage_database: bool = True
) -> Service:
    """The service, with its outbox worker.

    Tests pass `manage_database=False`: they open the database themselves and drive the outbox
    worker with their own clock.
    """
    clock = clock or SystemClock()
    traced = tracing.setup(os.environ)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        if not manage_database:
            yield
            return
        await Tortoise.init(
            config=tortoise_config(settings.database_url), _enable_global_fallback=True
        )
        stop = asyncio.Event()
        worker = asyncio.create_task(
            OutboxWorker(settings, clock, metrics, oauth.refresh_tally).run_forever(stop)
        )
        # On PostgreSQL live events travel between processes and hosts through LISTEN/NOTIFY.
        listener = (
            None
            if settings.is_sqlite
            else asyncio.create_task(events.listen_to_postgres(settings.database_url, stop))
        )
        readiness.worker = worker
        # Everything made at start-up lives as long as the process: keep it out of the garbage
        # collector's full passes, whose pauses made the latency tail.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            stop.set()
            await worker
            if listener is not None:
                await listener
            events.HUB.close_all()
            await Tortoise.close_connections()

    metrics = Metrics()
    oauth = DevhubOAuthServer(settings, clock)
    readiness = Readiness(settings.database_url)
    limiters = Limiters.build(
        counters=counters_for(settings.redis_url, settings.redis_prefix),
        clock=clock,
        sign_in_failures=settings.sign_in_limit_per_minute,
        reviews=settings.review_limit_per_minute,
        token_failures=settings.token_failure_limit_per_minute,
        token_volume=settings.token_limit_per_minute,
    )

    slots = ConnectionSlots(settings.ws_connections_per_user)
    public_schema = create_schema(
        introspection=settings.introspection, max_depth=settings.max_query_depth
    )
    graphql = GraphQLEndpoint(
        public_schema,
        name="graphql",
        settings=settings,
        clock=clock,
        oauth=oauth,
        limiters=limiters,
        slots=slots,
    )
    backoffice = BackofficeEndpoint(
        create_backoffice_schema(max_depth=settings.max_query_depth),
        name="backoffice",
        settings=settings,
        clock=clock,
        oauth=oauth,
        limiters=limiters,
        slots=slots,
    )
    starlette = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/backoffice/graphql", backoffice, methods=["GET", "POST"]),
            WebSocketRoute("/backoffice/graphql", backoffice),
            *oauth_routes(oauth, settings, limiters, metrics),
            *health_routes(readiness),
            *metrics_routes(clock, metrics, outbox_depth, settings.metrics_token),
            Route(manifests.SCHEMA_PATH, _manifest_schema, methods=["GET"]),
            *unsubscribe_routes(settings, clock),
            *console.console_routes(settings, clock, limiters.sign_in_failures),
            *ide.asset_routes(),
        ],
        lifespan=lifespan,
        exception_handlers={Exception: _internal_error},
    )
    # Outside Starlette's own error layer, so that every answer, refusals and crashes included,
    # passes through the headers and the request log. Listed innermost first.
    app: ASGIApp = FixedPaths(starlette)
    if settings.response_cache:
        scopes = DocumentScopes(public_schema._schema)
        app = ResponseCache(app, scopes=scopes, clock=clock)
    app = RequestGuard(app, GRAPHQL_PATHS, ide=settings.graphiql)
    if settings.cors_origins:
        app = CORSMiddleware(
            app,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["authorization", "content-type"],
            expose_headers=["x-request-id", "retry-after"],
            max_age=600,
        )
    app = ErrorShield(app)
    app = SecurityHeadersMiddleware(app, https=settings.public_url.startswith("https://"))
    app = ObservabilityMiddleware(
        app, metrics=metrics, annotate=tracing.annotate if traced else None
    )
    listen_to_sql()
    return Service(tracing.instrument(app) if traced else app, metrics)


_MANIFEST_SCHEMA = orjson.dumps(manifests.manifest_schema(), option=orjson.OPT_INDENT_2)


async def _manifest_schema(_: Request) -> Response:
    """The JSON Schema app manifests are checked against, for the developers' own tooling."""
    return Response(
        _MANIFEST_SCHEMA,
        media_type="application/schema+json",
        headers={"cache-control": "public, max-age=3600"},
    )
