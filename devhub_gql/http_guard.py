"""The HTTP layers around every route: security headers, a JSON answer for every failure, and the
checks a GraphQL request must pass before anything (the response cache included) looks at it.

Order, outermost first (see app.create_app): request id and log line, security headers, error
shield, CORS, request guard, response cache, then the routes (app.FixedPaths). Whatever answers,
even a refusal before execution or a crash, answers through the outer three.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_SIZE = 1024 * 1024
JSON = b"application/json"

log = logging.getLogger("devhub_gql.http")


class SecurityHeadersMiddleware:
    """The headers browsers act on: no sniffing, no framing, no referrer, HSTS behind https."""

    def __init__(self, app: ASGIApp, https: bool) -> None:
        self.app = app
        self.headers = [
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"no-referrer"),
            (b"cross-origin-opener-policy", b"same-origin"),
        ]
        if https:
            self.headers.append((b"strict-transport-security", b"max-age=31536000"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *self.headers]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def refusal_body(path: str, status: int, code: str, message: str, **extensions: str) -> bytes:
    """A refusal in the shape the endpoint speaks: GraphQL's errors list on the GraphQL
    endpoints (GraphQL over HTTP), RFC 6749's error object elsewhere."""
    if path.endswith("/graphql"):
        error = {"message": message, "extensions": {"code": code, **extensions}}
        return orjson.dumps({"errors": [error]})
    oauth_code = "server_error" if status >= 500 else "invalid_request"
    return orjson.dumps({"error": oauth_code, "error_description": message, **extensions})


async def send_refusal(
    scope: Scope,
    send: Send,
    status: int,
    code: str,
    message: str,
    *,
    headers: Iterable[tuple[bytes, bytes]] = (),
    **extensions: str,
) -> None:
    body = refusal_body(scope["path"], status, code, message, **extensions)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", JSON),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def internal_error_message(request_id: str) -> str:
    return f"Unexpected error; quote request id {request_id} when reporting it."


class ErrorShield:
    """Whatever escapes the layers inside becomes a JSON 500 carrying the request id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watching(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watching)
        except Exception:
            request_id = scope.get("state", {}).get("request_id", "unknown")
            log.exception("unhandled error (request %s)", request_id)
            if not started:
                await send_refusal(
                    scope,
                    send,
                    500,
                    "INTERNAL_SERVER_ERROR",
                    internal_error_message(request_id),
                    requestId=request_id,
                )


class RequestGuard:
    """Refuses, before any layer inside sees it, what the service will not answer.

    Every request: a body larger than MAX_BODY_SIZE (413). The GraphQL endpoints: any method but
    POST (405; GET only serves the IDE page in development), a content type other than JSON
    (415), a body that is not one JSON object with a string `query` (400: batches included).
    The body is read once, here, and handed on.
    """

    def __init__(self, app: ASGIApp, graphql_paths: frozenset[str], ide: bool) -> None:
        self.app = app
        self.graphql_paths = graphql_paths
        self.ide = ide

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        graphql = scope["path"] in self.graphql_paths
        if graphql and scope["method"] != "POST":
            if not (self.ide and scope["method"] == "GET" and not scope.get("query_string")):
                await send_refusal(
                    scope,
                    send,
                    405,
                    "METHOD_NOT_ALLOWED",
                    "Send GraphQL requests as POST with a JSON body.",
                    headers=[(b"allow", b"POST")],
                )
                return
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_SIZE:
            await _too_large(scope, send)
            return
        body = await read_body(receive)
        if body is None:
            await _too_large(scope, send)
            return
        if graphql and scope["method"] == "POST":
            problem = _graphql_request_problem(headers.get(b"content-type", b""), body)
            if problem is not None:
                status, code, message = problem
                await send_refusal(scope, send, status, code, message)
                return
        await self.app(scope, replay(body, receive), send)


async def _too_large(scope: Scope, send: Send) -> None:
    await send_refusal(
        scope,
        send,
        413,
        "PAYLOAD_TOO_LARGE",
        f"The request body is larger than {MAX_BODY_SIZE // 1024} KiB.",
    )


def _graphql_request_problem(content_type: bytes, body: bytes) -> tuple[int, str, str] | None:
    if content_type.split(b";")[0].strip().lower() != JSON:
        return 415, "UNSUPPORTED_MEDIA_TYPE", "Send the request body as application/json."
    try:
        request = orjson.loads(body)
    except orjson.JSONDecodeError:
        return 400, "BAD_REQUEST", "The request body is not valid JSON."
    if isinstance(request, list):
        return 400, "BAD_REQUEST", "Batched requests are not supported: send one operation."
    if not isinstance(request, dict):
        return 400, "BAD_REQUEST", "The request body must be a JSON object."
    if not isinstance(request.get("query"), str):
        return 400, "BAD_REQUEST", "The request must have a 'query' string."
    if not isinstance(request.get("operationName"), str | None):
        return 400, "BAD_REQUEST", "'operationName' must be a string or null."
    if not isinstance(request.get("variables"), dict | None):
        return 400, "BAD_REQUEST", "'variables' must be an object or null."
    if not isinstance(request.get("extensions"), dict | None):
        return 400, "BAD_REQUEST", "'extensions' must be an object or null."
    return None


async def read_body(receive: Receive) -> bytes | None:
    """The whole body, or None once it grows past MAX_BODY_SIZE."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"".join(chunks)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_SIZE:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    """The body already read, then the connection's own messages (a disconnect, in time)."""
    sent = False

    async def replaying() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replaying
