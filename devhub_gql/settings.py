"""One Settings object, read from the environment once at start-up.

Every variable is documented in the README's configuration table; a bad value stops start-up with
a one-line message that names the variable.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path


class SettingsError(ValueError):
    """A configuration value is unusable; the message names the variable."""


ENVIRONMENTS = ("development", "production")
# Good enough for a laptop; `devhub-gql serve` refuses it when DEVHUB_ENV=production.
DEVELOPMENT_SECRET_KEY = "development-only-secret-key-do-not-use-in-production"


@dataclass(frozen=True)
class Settings:
    database_url: str
    host: str = "127.0.0.1"
    port: int = 8000
    env: str = "production"
    introspection: bool = True
    response_cache: bool = True
    session_ttl: timedelta = timedelta(days=14)
    allow_private_callbacks: bool = False
    log_level: str = "INFO"
    log_format: str = "json"
    forwarded_allow_ips: str = "127.0.0.1"
    shutdown_grace_seconds: float = 30.0
    max_query_depth: int = 12
    secret_key: str = DEVELOPMENT_SECRET_KEY
    public_url: str = "http://127.0.0.1:8000"
    consent_url: str | None = None
    api_domain_template: str = "https://company{company_id}.api.devhub.example"
    sign_in_limit_per_minute: int = 10
    token_limit_per_minute: int = 120_000
    token_failure_limit_per_minute: int = 30
    redis_url: str | None = None
    redis_prefix: str = "devhub"
    review_limit_per_minute: int = 20
    cors_origins: tuple[str, ...] = ()
    outbox_first_retry_seconds: float = 30.0
    outbox_lease_seconds: float = 60.0
    outbox_poll_seconds: float = 1.0
    extension_timeout_seconds: float = 10.0
    smtp_url: str | None = None
    claim_minutes: int = 30
    mail_from: str = "DevHub <no-reply@devhub.example>"
    metrics_token: str | None = None
    ws_idle_seconds: float = 300.0
    ws_connections_per_user: int = 10
    ws_subscriptions_per_connection: int = 20

    @property
    def graphiql(self) -> bool:
        return self.env == "development"

    @property
    def consent_page(self) -> str:
        """Where /oauth/authorize sends the user: the operator's SPA or the built-in page."""
        return self.consent_url or f"{self.public_url}/oauth/consent"

    @staticmethod
    def check_metrics_directory(env: Mapping[str, str]) -> None:
        """prometheus-client's own variable: a missing directory would stop every process."""
        directory = env.get("PROMETHEUS_MULTIPROC_DIR")
        if directory is not None and not Path(directory).is_dir():
            raise SettingsError(f"PROMETHEUS_MULTIPROC_DIR must be a directory, got {directory!r}")

    def check_production_ready(self) -> None:
        if self.env == "production" and self.secret_key == DEVELOPMENT_SECRET_KEY:
            raise SettingsError(
                "DEVHUB_SECRET_KEY must be set to a long random value in production"
            )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite://")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        cls.check_metrics_directory(env)
        default_db = f"sqlite://{Path.cwd() / 'devhub.sqlite3'}"
        host = env.get("DEVHUB_HOST", "127.0.0.1") or "127.0.0.1"
        port = _integer(env, "DEVHUB_PORT", 8000, low=1, high=65535)
        return cls(
            database_url=_database_url(env.get("DATABASE_URL") or default_db),
            host=host,
            port=port,
            env=_choice(env, "DEVHUB_ENV", "production", ENVIRONMENTS),
            introspection=_boolean(env, "DEVHUB_INTROSPECTION", True),
            response_cache=_boolean(env, "DEVHUB_RESPONSE_CACHE", True),
            session_ttl=timedelta(
                hours=_integer(env, "DEVHUB_SESSION_TTL_HOURS", 336, low=1, high=24 * 365)
            ),
            allow_private_callbacks=_boolean(env, "DEVHUB_ALLOW_PRIVATE_CALLBACKS", False),
            max_query_depth=_integer(env, "DEVHUB_MAX_QUERY_DEPTH", 12, low=2, high=64),
            secret_key=_secret_key(env),
            public_url=_url(env, "DEVHUB_PUBLIC_URL", None) or f"http://{host}:{port}",
            consent_url=_url(env, "DEVHUB_CONSENT_URL", None),
            api_domain_template=_api_domain_template(env),
            sign_in_limit_per_minute=_integer(
                env, "DEVHUB_SIGN_IN_LIMIT_PER_MINUTE", 10, low=1, high=1_000_000
            ),
            token_limit_per_minute=_integer(
                env, "DEVHUB_TOKEN_LIMIT_PER_MINUTE", 120_000, low=1, high=100_000_000
            ),
            token_failure_limit_per_minute=_integer(
                env, "DEVHUB_TOKEN_FAILURE_LIMIT_PER_MINUTE", 30, low=1, high=1_000_000
            ),
            redis_url=_redis_url(env),
            redis_prefix=env.get("DEVHUB_REDIS_PREFIX") or "devhub",
            review_limit_per_minute=_integer(
                env, "DEVHUB_REVIEW_LIMIT_PER_MINUTE", 20, low=1, high=1_000_000
            ),
            cors_origins=_origins(env),
            outbox_first_retry_seconds=_seconds(env, "DEVHUB_OUTBOX_FIRST_RETRY_SECONDS", 30.0),
            outbox_lease_seconds=_seconds(env, "DEVHUB_OUTBOX_LEASE_SECONDS", 60.0),
            outbox_poll_seconds=_seconds(env, "DEVHUB_OUTBOX_POLL_SECONDS", 1.0),
            extension_timeout_seconds=_seconds(env, "DEVHUB_EXTENSION_TIMEOUT_SECONDS", 10.0),
            smtp_url=_smtp_url(env),
            claim_minutes=_integer(env, "DEVHUB_CLAIM_MINUTES", 30, low=1, high=24 * 60),
            mail_from=env.get("DEVHUB_MAIL_FROM") or "DevHub <no-reply@devhub.example>",
            metrics_token=_metrics_token(env),
            ws_idle_seconds=_seconds(env, "DEVHUB_WS_IDLE_SECONDS", 300.0),
            ws_connections_per_user=_integer(
                env, "DEVHUB_WS_CONNECTIONS_PER_USER", 10, low=1, high=10_000
            ),
            ws_subscriptions_per_connection=_integer(
                env, "DEVHUB_WS_SUBSCRIPTIONS_PER_CONNECTION", 20, low=1, high=1_000
            ),
            log_level=_choice(
                env, "DEVHUB_LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"), upper=True
            ),
            log_format=_choice(env, "DEVHUB_LOG_FORMAT", "json", ("json", "text")),
            forwarded_allow_ips=_forwarded_allow_ips(env),
            shutdown_grace_seconds=_seconds(env, "DEVHUB_SHUTDOWN_GRACE_SECONDS", 30.0),
        )


def _redis_url(env: Mapping[str, str]) -> str | None:
    value = env.get("DEVHUB_REDIS_URL") or None
    if value is not None and not value.startswith(("redis://", "rediss://", "unix://")):
        raise SettingsError(
            f"DEVHUB_REDIS_URL must be a redis://, rediss:// or unix:// URL, got {value!r}"
        )
    return value


def _metrics_token(env: Mapping[str, str]) -> str | None:
    value = env.get("DEVHUB_METRICS_TOKEN") or None
    if value is not None and len(value) < 32:
        raise SettingsError("DEVHUB_METRICS_TOKEN must be at least 32 characters")
    return value


def _smtp_url(env: Mapping[str, str]) -> str | None:
    # Here, not at the top: the notifications package loads the models, which load settings.
    from devhub_gql.notifications.mailer import SmtpServer, SmtpUrlError

    value = env.get("DEVHUB_SMTP_URL") or None
    if value is not None:
        try:
            SmtpServer.from_url(value)
        except SmtpUrlError as exc:
            raise SettingsError(f"DEVHUB_SMTP_URL {exc}") from None
    return value


def _database_url(value: str) -> str:
    if value.startswith("postgresql://"):
        value = "postgres://" + value.removeprefix("postgresql://")
    if value.startswith("sqlite://") and len(value) > len("sqlite://"):
        return value
    if value.startswith("postgres://") and len(value) > len("postgres://"):
        return value
    raise SettingsError(
        f"DATABASE_URL must start with sqlite:// or postgres:// and name a database, got {value!r}"
    )


def _integer(env: Mapping[str, str], name: str, default: int, *, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}, got {value}")
    return value


def _boolean(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


def _choice(
    env: Mapping[str, str],
    name: str,
    default: str,
    choices: tuple[str, ...],
    *,
    upper: bool = False,
) -> str:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().upper() if upper else raw.strip().lower()
    if value not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
    return value


def _secret_key(env: Mapping[str, str]) -> str:
    raw = env.get("DEVHUB_SECRET_KEY")
    if not raw:
        return DEVELOPMENT_SECRET_KEY
    if len(raw) < 32:
        raise SettingsError("DEVHUB_SECRET_KEY must be at least 32 characters long")
    return raw


def _url(env: Mapping[str, str], name: str, default: str | None) -> str | None:
    raw = env.get(name)
    if not raw:
        return default
    if not raw.startswith(("http://", "https://")):
        raise SettingsError(f"{name} must be an absolute http(s) URL, got {raw!r}")
    return raw.rstrip("/")


def _api_domain_template(env: Mapping[str, str]) -> str:
    raw = env.get("DEVHUB_API_DOMAIN_TEMPLATE") or "https://company{company_id}.api.devhub.example"
    if "{company_id}" not in raw:
        raise SettingsError("DEVHUB_API_DOMAIN_TEMPLATE must contain {company_id}")
    return raw


def _origins(env: Mapping[str, str]) -> tuple[str, ...]:
    raw = env.get("DEVHUB_CORS_ORIGINS") or ""
    origins = tuple(origin.strip().rstrip("/") for origin in raw.split(",") if origin.strip())
    for origin in origins:
        if not origin.startswith(("http://", "https://")):
            raise SettingsError(
                f"DEVHUB_CORS_ORIGINS entries must be http(s) origins, got {origin!r}"
            )
    return origins


def _forwarded_allow_ips(env: Mapping[str, str]) -> str:
    """The proxies whose X-Forwarded-For/-Proto are believed: addresses or networks, or *."""
    raw = (env.get("DEVHUB_FORWARDED_ALLOW_IPS") or "127.0.0.1").strip()
    if raw == "*":
        return raw
    for entry in (item.strip() for item in raw.split(",")):
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise SettingsError(
                "DEVHUB_FORWARDED_ALLOW_IPS entries must be IP addresses or networks,"
                f" got {entry!r}"
            ) from None
    return raw


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number of seconds, got {raw!r}") from None
    if not 0.05 <= value <= 86_400:
        raise SettingsError(f"{name} must be between 0.05 and 86400 seconds, got {raw}")
    return value
