"""Optional OpenTelemetry tracing, on when the operator installs the `otel` extra and sets OTEL_*.

The usual variables apply: OTEL_TRACES_EXPORTER (otlp, console or none), OTEL_EXPORTER_OTLP_ENDPOINT
and OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (OTLP over HTTP/protobuf), OTEL_SERVICE_NAME,
OTEL_RESOURCE_ATTRIBUTES, OTEL_BSP_* for batching, OTEL_SDK_DISABLED. Every HTTP request becomes a
server span that continues the caller's `traceparent`; GraphQL requests carry their operation's
name and type, the request id and the SQL statement count as attributes.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from starlette.types import ASGIApp

from devhub_gql.observability import RequestRecord

log = logging.getLogger("devhub_gql.tracing")


def setup(environ: Mapping[str, str]) -> bool:
    """Whether requests are traced: OTEL_* ask for it and the extra is there to do it."""
    return _requested(environ) and _configure(
        environ.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    )


def _requested(environ: Mapping[str, str]) -> bool:
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    exporters = environ.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if exporters:
        return exporters != "none"
    return bool(
        environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
        or environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    )


_configured = False


def _configure(exporter_names: str) -> bool:
    """The process's tracer provider, once; False when the extra is not installed."""
    global _configured
    if _configured:
        return True
    try:
        from opentelemetry import trace
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware  # noqa: F401 - needed later
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter
    except ImportError:
        log.warning(
            "OTEL_* variables ask for tracing but the otel extra is not installed "
            "(pip install 'devhub-gql[otel]'); serving without traces"
        )
        return False
    provider = TracerProvider(resource=Resource.create())  # reads OTEL_SERVICE_NAME and friends
    for name in (item.strip() for item in (exporter_names or "otlp").split(",")):
        exporter: Any
        if name == "console":
            exporter = ConsoleSpanExporter()
        elif name == "otlp":
            exporter = OTLPSpanExporter()  # reads OTEL_EXPORTER_OTLP_* itself
        else:
            log.warning("OTEL_TRACES_EXPORTER names an exporter this service lacks: %s", name)
            continue
        provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    _configured = True
    return True


def instrument(app: ASGIApp) -> ASGIApp:
    """The app inside OpenTelemetry's ASGI middleware (after `setup` said yes)."""
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

    # Probes and scrapes every few seconds would drown the traces that matter; the spans per
    # ASGI message add nothing here.
    return OpenTelemetryMiddleware(
        app, excluded_urls="healthz,readyz,metrics", exclude_spans=["receive", "send"]
    )


def annotate(record: RequestRecord) -> None:
    """Copies what the request did onto its server span (ObservabilityMiddleware's hook)."""
    from opentelemetry import trace

    span = trace.get_current_span()
    context = span.get_span_context()
    if not context.is_valid:
        return
    record.trace_id = format(context.trace_id, "032x")
    span.set_attribute("devhub.request_id", record.request_id)
    span.set_attribute("devhub.sql_statements", record.sql_statements)
    if record.operation:
        span.set_attribute("graphql.operation.name", record.operation)
        span.set_attribute("graphql.operation.type", record.operation_type or "")
        span.update_name(f"{record.operation_type} {record.operation}")
    if record.viewer_id is not None:
        span.set_attribute("enduser.id", str(record.viewer_id))
    if record.error_codes:
        span.set_attribute("graphql.error_codes", record.error_codes)
