"""What operators see: one JSON log line per request, and Prometheus metrics at /metrics.

The outermost middleware gives each request an id and a `RequestRecord`; the GraphQL view, the
viewer lookup, the error shaping and the SQL statement counter fill the record in, and when the
response is sent the middleware writes the log line and the metrics from it. Nothing secret goes
in: no query text, no variables, no headers, no tokens, only names, ids, counts and codes.

Metrics use prometheus-client. With several worker processes, set PROMETHEUS_MULTIPROC_DIR to an
empty directory: every process then writes its values there and /metrics adds them up across the
workers. Labels are bounded: unknown paths, methods and (past a number of them) operation names
share the label "other".
"""

from __future__ import annotations

import hmac
import logging
import os
import re
import secrets
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import orjson
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
    multiprocess,
)
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from devhub_gql.clock import Clock
from devhub_gql.documents import operation_of

REQUEST_ID_HEADER = "x-request-id"
MULTIPROCESS = "PROMETHEUS_MULTIPROC_DIR" in os.environ
# Routes by their fixed paths; anything else (scanners, typos) shares one label.
KNOWN_PATHS = frozenset(
    {
        "/graphql",
        "/backoffice/graphql",
        "/oauth/authorize",
        "/oauth/token",
        "/oauth/revoke",
        "/oauth/introspect",
        "/oauth/consent",
        "/.well-known/oauth-authorization-server",
        "/healthz",
        "/readyz",
        "/metrics",
    }
)
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})  # probes and scrapes: DEBUG only
# Operation names are chosen by clients: past this many distinct ones, new names share a label.
MAX_OPERATION_LABELS = 200
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")

request_log = logging.getLogger("devhub_gql.request")


@dataclass(slots=True)
class RequestRecord:
    """What one request did, as the log line and the metrics report it."""

    request_id: str
    endpoint: str | None = None  # "graphql" or "backoffice" once the GraphQL view has it
    operation: str | None = None
    operation_type: str | None = None
    viewer_id: int | None = None
    sql_statements: int = 0
    error_codes: list[str] = field(default_factory=list)
    cache: str | None = None
    trace_id: str | None = None


_current: ContextVar[RequestRecord | None] = ContextVar("devhub_request", default=None)


def current_record() -> RequestRecord | None:
    return _current.get()


def describe_operation(query: str, operation_name: str | None) -> tuple[str, str]:
    """(type, name) of the operation a request runs: "anonymous" or "invalid" when it has none."""
    operation = operation_of(query, operation_name)
    if operation is None:
        return "invalid", "invalid"
    return operation.operation.value, operation.name.value if operation.name else "anonymous"


def note_operation(endpoint: str, query: object, operation_name: object) -> None:
    record = _current.get()
    if record is None:
        return
    record.endpoint = endpoint
    if not isinstance(query, str) or not isinstance(operation_name, str | None):
        record.operation_type, record.operation = "invalid", "invalid"
        return
    record.operation_type, record.operation = describe_operation(query, operation_name)


class Labelled:
    """A labelled metric's children by their label values, looked up once: prometheus_client's
    labels() checks the values and takes a lock on every call (2 us each, five per request).
    Every label here has a bounded set of values (routes, methods and statuses are bucketed,
    operation names capped at MAX_OPERATION_LABELS)."""

    def __init__(self, metric: Any) -> None:
        self.metric = metric
        self.children: dict[tuple[str, ...], Any] = {}

    def __call__(self, *values: str) -> Any:
        child = self.children.get(values)
        if child is None:
            child = self.children[values] = self.metric.labels(*values)
        return child


class Metrics:
    """The service's metrics, in a registry of their own (one per app, so tests stay apart)."""

    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()
        if not MULTIPROCESS:  # the process's CPU, memory and collector figures, as usual
            ProcessCollector(registry=registry)
            PlatformCollector(registry=registry)
            GCCollector(registry=registry)
        self.http_requests = Counter(
            "devhub_http_requests",
            "HTTP requests answered, by route, method and status.",
            ["route", "method", "status"],
            registry=registry,
        )
        self.http_duration = Histogram(
            "devhub_http_request_duration_seconds",
            "Time to answer an HTTP request, by route.",
            ["route"],
            buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=registry,
        )
        self.operations = Counter(
            "devhub_graphql_operations",
            "GraphQL operations, by endpoint, operation name, type and outcome (ok or error).",
            ["endpoint", "operation", "type", "outcome"],
            registry=registry,
        )
        self.operation_duration = Histogram(
            "devhub_graphql_operation_duration_seconds",
            "Time to answer a GraphQL operation, by endpoint and operation name.",
            ["endpoint", "operation"],
            buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=registry,
        )
        self.sql_statements = Histogram(
            "devhub_sql_statements_per_request",
            "SQL statements one request sent, by route.",
            ["route"],
            buckets=(0, 1, 2, 4, 8, 16, 32, 64),
            registry=registry,
        )
        self.token_grants = Counter(
            "devhub_oauth_token_grants",
            "Answers of /oauth/token, by grant type and outcome (issued or the OAuth error code).",
            ["grant_type", "outcome"],
            registry=registry,
        )
        self.outbox_deliveries = Counter(
            "devhub_outbox_delivery_attempts",
            "Uninstall-notice delivery attempts, by outcome (delivered, retry or failed).",
            ["outcome"],
            registry=registry,
        )
        self.outbox_messages = Gauge(
            "devhub_outbox_messages",
            "Outbox messages waiting (pending) or given up on (failed), read at scrape time.",
            ["status"],
            registry=registry,
            multiprocess_mode="mostrecent",
        )
        self.outbox_oldest_pending = Gauge(
            "devhub_outbox_oldest_pending_seconds",
            "Age of the oldest pending outbox message, read at scrape time.",
            registry=registry,
            multiprocess_mode="mostrecent",
        )
        self._operation_names: set[str] = set()
        self._http_requests = Labelled(self.http_requests)
        self._http_duration = Labelled(self.http_duration)
        self._sql_statements = Labelled(self.sql_statements)
        self._operations = Labelled(self.operations)
        self._operation_duration = Labelled(self.operation_duration)
        self._token_grants = Labelled(self.token_grants)

    def operation_label(self, name: str) -> str:
        if name in self._operation_names:
            return name
        if not _NAME.fullmatch(name) or len(self._operation_names) >= MAX_OPERATION_LABELS:
            return "other"
        self._operation_names.add(name)
        return name

    def count_grant(self, grant_type: str, outcome: str) -> None:
        """One answer of /oauth/token (both labels from bounded sets: routes.py)."""
        self._token_grants(grant_type, outcome).inc()

    def observe(self, scope: Scope, record: RequestRecord, status: int, seconds: float) -> None:
        route = scope["path"] if scope["path"] in KNOWN_PATHS else "other"
        method = scope["method"] if scope["method"] in KNOWN_METHODS else "other"
        self._http_requests(route, method, str(status)).inc()
        self._http_duration(route).observe(seconds)
        self._sql_statements(route).observe(record.sql_statements)
        if record.endpoint and record.operation:
            operation = self.operation_label(record.operation)
            outcome = "error" if record.error_codes or status >= 400 else "ok"
            kind = record.operation_type or "invalid"
            self._operations(record.endpoint, operation, kind, outcome).inc()
            self._operation_duration(record.endpoint, operation).observe(seconds)


class OutboxFigures(Protocol):
    @property
    def counts(self) -> dict[str, int]: ...

    @property
    def oldest_pending_seconds(self) -> float: ...


def _bearer_matches(request: Request, token: str) -> bool:
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )


def metrics_routes(
    clock: Clock,
    metrics: Metrics,
    outbox_depth: Callable[[datetime], Awaitable[OutboxFigures]],
    token: str | None = None,
) -> list[Route]:
    async def exposition(request: Request) -> Response:
        """The Prometheus exposition, with the outbox figures read from the database just now;
        behind DEVHUB_METRICS_TOKEN when set (for deployments without a proxy in front)."""
        if token is not None and not _bearer_matches(request, token):
            return Response(
                "Send the metrics token: Authorization: Bearer <DEVHUB_METRICS_TOKEN>.\n",
                status_code=401,
                media_type="text/plain",
                headers={"www-authenticate": 'Bearer realm="metrics"'},
            )
        depth = await outbox_depth(clock.now())
        for status, count in depth.counts.items():
            metrics.outbox_messages.labels(status).set(count)
        metrics.outbox_oldest_pending.set(depth.oldest_pending_seconds)
        registry = metrics.registry
        if MULTIPROCESS:  # every worker process's figures, added up
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return [Route("/metrics", exposition)]


class ObservabilityMiddleware:
    """Outermost: a request id (X-Request-ID), then the log line and metrics when it is answered."""

    def __init__(
        self,
        app: ASGIApp,
        metrics: Metrics,
        annotate: Callable[[RequestRecord], None] | None = None,
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.annotate = annotate  # tracing, when on: copies the record onto the request's span

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        record = RequestRecord(request_id=secrets.token_hex(8))
        scope.setdefault("state", {})["request_id"] = record.request_id
        token = _current.set(record)
        status = 500  # what the server answers when the app raises before starting a response

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.encode(), record.request_id.encode()))
                for name, value in headers:
                    if name == b"x-devhub-cache":
                        record.cache = value.decode()
                message = {**message, "headers": headers}
                if self.annotate is not None:  # the span ends with the response body
                    self.annotate(record)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            _current.reset(token)
            seconds = time.perf_counter() - started
            self.metrics.observe(scope, record, status, seconds)
            _log_request(scope, record, status, seconds)


def _log_request(scope: Scope, record: RequestRecord, status: int, seconds: float) -> None:
    level = logging.DEBUG if scope["path"] in QUIET_PATHS and status < 500 else logging.INFO
    if not request_log.isEnabledFor(level):
        return
    client = scope.get("client")
    message = f"{scope['method']} {scope['path']} {status}"
    fields = {
        "request_id": record.request_id,
        "method": scope["method"],
        "path": scope["path"],
        "status": status,
        "duration_ms": round(seconds * 1000, 2),
        "sql_statements": record.sql_statements,
        "client_ip": client[0] if client else None,
    }
    if record.operation:
        fields["operation"] = record.operation
        fields["operation_type"] = record.operation_type
    if record.viewer_id is not None:
        fields["viewer_id"] = record.viewer_id
    if record.error_codes:
        fields["error_codes"] = record.error_codes
    if record.cache:
        fields["cache"] = record.cache
    if record.trace_id:
        fields["trace_id"] = record.trace_id
    lines = _request_lines
    if lines is None:  # logging is not the service's own (an embedding app's, a test's)
        request_log.log(level, message, extra={"fields": fields})
        return
    # The service's JSON lines, written without a LogRecord: a record and logging's handler
    # chain were 15 us of the line's 27 us, on every request (the line is the same).
    level_name = "info" if level == logging.INFO else "debug"
    lines.write(_entry(time.time(), level_name, request_log.name, message, fields))


@dataclass
class CapturedStatements:
    """The SQL statements sent while a capture was open, with their parameters."""

    statements: list[str] = field(default_factory=list)
    parameters: list[list[object]] = field(default_factory=list)


_captures: list[CapturedStatements] = []


class SqlStatements:
    """The one listener on the statements Tortoise sends. Every Tortoise client logs each one
    through the "tortoise.db_client" logger as debug("%s: %s", sql, parameters); this takes that
    logger's `debug`, counts the statement into the request's record (its log line and metrics)
    and hands it to every open capture (tests, the benchmark), without making a log record: a
    record per statement was 6% of a token refresh's CPU.

    The statements themselves (their values hold digests and e-mail addresses) reach the log only
    when shown, at DEBUG level.
    """

    def __init__(self, logger: logging.Logger) -> None:
        self.log_statement = logger.debug
        self.show = False

    def __call__(self, msg: object, *args: Any, **kwargs: Any) -> None:
        if msg == "%s: %s" and args:
            current = _current.get()
            if current is not None:
                current.sql_statements += 1
            for capture in _captures:
                capture.statements.append(str(args[0]))
                capture.parameters.append(list(args[1] or []))
        if self.show:
            self.log_statement(msg, *args, **kwargs)


@contextmanager
def capture_statements() -> Iterator[CapturedStatements]:
    """Collect every SQL statement sent until the block ends (by any task of the process)."""
    listen_to_sql()
    captured = CapturedStatements()
    _captures.append(captured)
    try:
        yield captured
    finally:
        _captures.remove(captured)


# The last second a line was written in, as text: formatting a datetime for every line was 1% of
# an introspection's instructions. One tuple, replaced whole (lines come from any thread).
_second: tuple[int, str] = (0, "")


def _timestamp(created: float) -> str:
    """ISO 8601 in UTC to the millisecond, as `datetime.isoformat(timespec="milliseconds")`."""
    global _second
    second = int(created)
    microseconds = round((created - second) * 1_000_000)  # as datetime rounds
    if microseconds == 1_000_000:
        second, microseconds = second + 1, 0
    cached, text = _second
    if cached != second:
        text = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S")
        _second = (second, text)
    return f"{text}.{microseconds // 1000:03d}+00:00"


def _entry(
    created: float, level: str, logger: str, message: str, fields: dict[str, Any] | None
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "time": _timestamp(created),
        "level": level,
        "logger": logger,
        "message": message,
    }
    if fields:
        entry.update(fields)
    return entry


class JsonLines(logging.Handler):
    """One JSON object per line (time, level, logger, message and the record's `fields`), each
    line one write(2) to a file descriptor (stderr): no text layer to encode through, no buffer
    to flush. Worker processes sharing a pipe never split one another's lines up to its atomic
    size (4 KiB), as a line is one write. logging's StreamHandler with a formatter cost 15.6 us
    a line in the service; this, 13 us.
    """

    def __init__(self, fd: int) -> None:
        super().__init__()
        self.fd = fd
        self.tracebacks = logging.Formatter()  # its formatException, for exc_info

    def emit(self, record: logging.LogRecord) -> None:
        try:
            entry = _entry(
                record.created,
                record.levelname.lower(),
                record.name,
                record.getMessage(),
                getattr(record, "fields", None),
            )
            if record.exc_info:
                entry["exception"] = self.tracebacks.formatException(record.exc_info)
        except Exception:
            self.handleError(record)
            return
        self.write(entry)

    def write(self, entry: dict[str, Any]) -> None:
        """Never raises: a line that cannot be written (stderr closed, say) must not fail the
        request that wrote it. As logging's own handlers do, the failure is reported instead."""
        try:
            line = memoryview(orjson.dumps(entry, default=str, option=orjson.OPT_APPEND_NEWLINE))
            while line:
                line = line[os.write(self.fd, line) :]
        except Exception:
            fields = {"name": entry.get("logger"), "msg": entry.get("message")}
            self.handleError(logging.makeLogRecord(fields))


# The request lines' writer once configure_logging has made the process log JSON lines.
_request_lines: JsonLines | None = None


def configure_logging(level: str, log_format: str) -> None:
    """Root logging for the process: JSON lines (or text for a terminal) on stderr."""
    global _request_lines
    handler: logging.Handler
    if log_format == "json":
        handler = _request_lines = JsonLines(sys.stderr.fileno())
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        _request_lines = None
    # No line of ours shows a thread or process name: the logging documentation's switches for
    # not looking them up for every record.
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Uvicorn's own loggers log through ours; its access log is replaced by the request line.
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True
    listen_to_sql(show=level == "DEBUG")


def listen_to_sql(*, show: bool | None = None) -> None:
    """Attach the one statement listener (once). `show` passes the statements on to the log too
    (configure_logging does so at DEBUG); by default they are only counted."""
    sql = logging.getLogger("tortoise.db_client")
    # Finding the caller's file and line for each log record walks the stack, and no log line of
    # ours shows them. The logging documentation's own switch for that:
    logging._srcfile = None
    listener = sql.__dict__.get("debug")
    if not isinstance(listener, SqlStatements):
        listener = SqlStatements(sql)
        # Tortoise's clients (and their transactions) all log through this one logger object.
        sql.debug = listener  # type: ignore[method-assign]
        sql.setLevel(logging.DEBUG)
        sql.propagate = False
    if show is not None:
        listener.show = show
        sql.propagate = show
