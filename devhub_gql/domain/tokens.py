"""Authorization codes and access and refresh tokens: read, issued, revoked, introspected.

Every one is a random value stored only as its SHA-256 digest, checked against the injected
clock. Single use is a conditional update, so one code yields one token pair even under races.
Only live tokens count: revoked, expired, replaced or uninstalled ones are as good as unknown.

What an OAuth request needs is read before the protocol engine runs, in one statement (a
`Client`, with the code or the live token the request names), and what it decided is written
after: the token endpoint's and introspection's hot paths are hand-written statements
(devhub_gql/sql.py), four for a refresh, one for an introspection.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import orjson

from devhub_gql import sql
from devhub_gql.domain import install_events, versions
from devhub_gql.domain.catalog import effective_scopes, live_scopes_sql, scope_names
from devhub_gql.domain.installations import count_installation, revoke_tokens, uninstall
from devhub_gql.domain.secrets import digest, digest_matches
from devhub_gql.models import (
    AccessToken,
    App,
    AuthorizationCode,
    Installation,
    InstallEventKind,
    RefreshToken,
    User,
)

CODE_LIFETIME = timedelta(minutes=5)
ACCESS_LIFETIME = timedelta(hours=1)
REFRESH_IDLE_LIFETIME = timedelta(days=60)


def _json_list(value: Any) -> tuple[str, ...]:
    return tuple(sql.json_list(value))


@dataclass(frozen=True)
class Client:
    """An app as its OAuth client: who it is, how it proves it, what it asks for."""

    app_id: int
    client_id: str
    callback_url: str
    secret_digest: str
    previous_digest: str | None
    previous_expires_at: datetime | None
    live_scopes: tuple[str, ...]

    def secret_matches(self, secret: str, now: datetime) -> bool:
        """The current secret, or the previous one during its grace period."""
        if digest_matches(secret, self.secret_digest):
            return True
        return (
            self.previous_expires_at is not None
            and now < self.previous_expires_at
            and digest_matches(secret, self.previous_digest)
        )


@dataclass(frozen=True)
class Code:
    id: int
    user_id: int
    company_id: int  # the user's
    redirect_uri: str | None  # the one the authorize request named, if it named one
    scopes: tuple[str, ...]
    code_challenge: str | None
    code_challenge_method: str | None
    expires_at: datetime
    used: bool


class TokenKind(StrEnum):
    ACCESS = "access_token"
    REFRESH = "refresh_token"


@dataclass(frozen=True)
class LiveToken:
    """A live token of the client's app, with its installation."""

    kind: TokenKind
    id: int
    installation_id: int
    user_id: int
    company_id: int
    granted: tuple[str, ...]  # what the user granted
    scopes: tuple[str, ...]  # an access token's own scopes; a refresh token's: the grant
    created_at: datetime
    expires_at: datetime

    def usable_scopes(self, live: tuple[str, ...]) -> list[str]:
        """What it may use now: its scopes the app still asks for (`X:full` covers `X:read`)."""
        return effective_scopes(self.scopes, live)


_CLIENT_COLUMNS = (
    "a.id AS app_id, a.client_id, a.callback_url, a.client_secret_digest,"
    f" a.previous_secret_digest, a.previous_secret_expires_at, {live_scopes_sql('a')} AS live"
)
# The reads before oauthlib decides (oauth/exchange.py): the client, with what it presents.
_CLIENT_SQL = f"SELECT {_CLIENT_COLUMNS} FROM app a WHERE a.client_id = ? AND a.deleted_at IS NULL"
_CODE_SQL = (
    f"SELECT {_CLIENT_COLUMNS}, c.id AS code_id, c.user_id, u.company_id,"
    " c.redirect_uri, c.scopes, c.code_challenge, c.code_challenge_method, c.expires_at,"
    " c.used_at FROM app a"
    " LEFT JOIN authorization_code c ON c.code_digest = ? AND c.app_id = a.id"
    ' LEFT JOIN "user" u ON u.id = c.user_id'
    " WHERE a.client_id = ? AND a.deleted_at IS NULL"
)
_TOKEN_SQL = (
    f"SELECT {_CLIENT_COLUMNS}, t.id AS access_id, t.scopes AS access_scopes,"
    " t.created_at AS access_created_at, t.expires_at AS access_expires_at,"
    " r.id AS refresh_id, r.created_at AS refresh_created_at,"
    " r.expires_at AS refresh_expires_at, i.id AS installation_id, i.user_id,"
    " i.company_id, i.scopes AS granted FROM app a"
    " LEFT JOIN access_token t"
    " ON t.token_digest = ? AND t.revoked_at IS NULL AND t.expires_at > ?"
    " LEFT JOIN refresh_token r"
    " ON r.token_digest = ? AND r.revoked_at IS NULL AND r.expires_at > ?"
    " LEFT JOIN installation i ON i.id = COALESCE(t.installation_id, r.installation_id)"
    " AND i.app_id = a.id AND i.uninstalled_at IS NULL"
    " WHERE a.client_id = ? AND a.deleted_at IS NULL"
)


def _client(found: dict[str, Any]) -> Client:
    return Client(
        app_id=int(found["app_id"]),
        client_id=str(found["client_id"]),
        callback_url=str(found["callback_url"]),
        secret_digest=str(found["client_secret_digest"]),
        previous_digest=found["previous_secret_digest"],
        previous_expires_at=sql.maybe_moment(found["previous_secret_expires_at"]),
        live_scopes=tuple(scope_names(found["live"])),
    )


async def load_client(client_id: str | None) -> Client | None:
    """The active (not deleted) app of a client id, and its live scopes."""
    if not client_id:
        return None
    found = await sql.row(_CLIENT_SQL, client_id)
    return _client(found) if found else None


async def load_code(client_id: str | None, code: str | None) -> tuple[Client | None, Code | None]:
    """The client, and the code it presents if that code is the client's (used or not)."""
    if not client_id:
        return None, None
    found = await sql.row(_CODE_SQL, digest(code or ""), client_id)
    if found is None:
        return None, None
    if found["code_id"] is None:
        return _client(found), None
    return _client(found), Code(
        id=int(found["code_id"]),
        user_id=int(found["user_id"]),
        company_id=int(found["company_id"]),
        redirect_uri=found["redirect_uri"],
        scopes=_json_list(found["scopes"]),
        code_challenge=found["code_challenge"],
        code_challenge_method=found["code_challenge_method"],
        expires_at=sql.moment(found["expires_at"]),
        used=found["used_at"] is not None,
    )


async def load_token(
    client_id: str | None, token: str | None, now: datetime
) -> tuple[Client | None, LiveToken | None]:
    """The client, and the live access or refresh token of its app that `token` is, if any."""
    if not client_id:
        return None, None
    token_digest = digest(token or "")
    found = await sql.row(_TOKEN_SQL, token_digest, now, token_digest, now, client_id)
    if found is None:
        return None, None
    client = _client(found)
    if found["installation_id"] is None:
        return client, None
    granted = _json_list(found["granted"])
    kind = TokenKind.ACCESS if found["access_id"] is not None else TokenKind.REFRESH
    prefix = "access" if kind == TokenKind.ACCESS else "refresh"
    return client, LiveToken(
        kind=kind,
        id=int(found[f"{prefix}_id"]),
        installation_id=int(found["installation_id"]),
        user_id=int(found["user_id"]),
        company_id=int(found["company_id"]),
        granted=granted,
        scopes=_json_list(found["access_scopes"]) if kind == TokenKind.ACCESS else granted,
        created_at=sql.moment(found[f"{prefix}_created_at"]),
        expires_at=sql.moment(found[f"{prefix}_expires_at"]),
    )


async def save_code(
    client: Client,
    user_id: int,
    code: str,
    *,
    redirect_uri: str | None,
    scopes: list[str],
    code_challenge: str | None,
    code_challenge_method: str | None,
    now: datetime,
) -> None:
    await AuthorizationCode.create(
        code_digest=digest(code),
        app_id=client.app_id,
        user_id=user_id,
        redirect_uri=redirect_uri,
        scopes=scopes,
        code_challenge=code_challenge,
        code_challenge_method=code_challenge_method if code_challenge else None,
        created_at=now,
        expires_at=now + CODE_LIFETIME,
    )


async def revoke_tokens_of_code(code_id: int, now: datetime) -> None:
    """A replayed code: the tokens it produced die (RFC 6749 §4.1.2)."""
    refresh_ids = await RefreshToken.filter(code_id=code_id).values_list("id", flat=True)
    await RefreshToken.filter(id__in=refresh_ids, revoked_at=None).update(revoked_at=now)
    await AccessToken.filter(refresh_token_id__in=refresh_ids, revoked_at=None).update(
        revoked_at=now
    )


async def claim_code(client: Client, code: Code, now: datetime) -> bool:
    """Use a code once; False when it was used meanwhile (its tokens are then revoked) or its
    app deleted."""
    # Hold the app's row until this exchange commits: a concurrent deleteApp then either waits
    # and uninstalls the new installation too, or has already won and the app is gone.
    if await App.filter(id=client.app_id, deleted_at=None).select_for_update().first() is None:
        return False
    claimed = await AuthorizationCode.filter(id=code.id, used_at=None).update(used_at=now)
    if not claimed:
        await revoke_tokens_of_code(code.id, now)
    return bool(claimed)


async def issue_for_code(
    client: Client, code: Code, *, access_token: str, refresh_token: str, now: datetime
) -> None:
    """Install (or re-install) the app for the user and store the new token pair.

    Re-installing updates the granted scopes and revokes the earlier tokens.
    """
    user = await User.get(id=code.user_id)
    scopes = list(code.scopes)
    installation = await Installation.get_or_none(app_id=client.app_id, user_id=user.id)
    if installation is None:
        installation = await Installation.create(
            app_id=client.app_id,
            company_id=user.company_id,
            user_id=user.id,
            scopes=scopes,
            installed_at=now,
            updated_at=now,
        )
        await count_installation(client.app_id, +1)
        await install_events.record(client.app_id, installation.id, InstallEventKind.INSTALL, now)
    else:
        if installation.uninstalled_at is not None:
            await count_installation(client.app_id, +1)
            await install_events.record(
                client.app_id, installation.id, InstallEventKind.REINSTALL, now
            )
        # The installation's row first, then its tokens: the order a refresh and an uninstall
        # take them in too, so that none of them waits for another in a cycle.
        installation.scopes = scopes
        installation.uninstalled_at = None
        installation.updated_at = now
        await installation.save()
        await revoke_tokens([installation.id], now)
    # A re-install changes what the installer's company sees (scopes, updatedAt) but no count.
    await versions.company_changed(installation.company_id)
    refresh = await RefreshToken.create(
        token_digest=digest(refresh_token),
        installation_id=installation.id,
        code_id=code.id,
        created_at=now,
        last_used_at=now,
        expires_at=now + REFRESH_IDLE_LIFETIME,
    )
    await AccessToken.create(
        token_digest=digest(access_token),
        installation_id=installation.id,
        refresh_token_id=refresh.id,
        scopes=scopes,
        created_at=now,
        expires_at=now + ACCESS_LIFETIME,
    )


async def issue_for_refresh(
    refresh: LiveToken, *, access_token: str, scopes: list[str], now: datetime
) -> bool:
    """A new access token; the refresh token is kept (not rotated) and lives 60 more days.
    False, and nothing written, when the installation or the refresh token died since it was read.

    The renewal finds the installation still installed and, on PostgreSQL, holds its row until
    the transaction ends (FOR SHARE: an uninstall's update of that row waits; on SQLite write
    transactions take turns anyway). An uninstall racing the refresh then either waits and
    revokes the new access token with the rest, or has already won and the refresh fails, so no
    access token outlives its installation. The renewal also finds the refresh token still live
    (a re-install revokes it without uninstalling). A share lock writes no new row version, as
    the no-op update of the installation that held it before did on every refresh.
    """
    renewed = await sql.execute(
        "UPDATE refresh_token SET last_used_at = ?, expires_at = ?"
        " WHERE id = ? AND revoked_at IS NULL AND expires_at > ? AND EXISTS (SELECT 1"
        " FROM installation WHERE id = ? AND uninstalled_at IS NULL FOR SHARE)",
        now,
        now + REFRESH_IDLE_LIFETIME,
        refresh.id,
        now,
        refresh.installation_id,
    )
    if renewed != 1:
        return False
    await sql.execute(
        "INSERT INTO access_token"
        " (token_digest, installation_id, refresh_token_id, scopes, created_at, expires_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        digest(access_token),
        refresh.installation_id,
        refresh.id,
        orjson.dumps(scopes).decode(),
        now,
        now + ACCESS_LIFETIME,
    )
    return True


async def revoke(client: Client, token: LiveToken, now: datetime) -> None:
    """RFC 7009. A refresh token uninstalls the app for that user; an access token dies alone."""
    if token.kind == TokenKind.REFRESH:
        installation = await Installation.get(id=token.installation_id)
        app = await App.get(id=client.app_id)
        await uninstall(installation, app, now=now)
    else:
        await AccessToken.filter(id=token.id, revoked_at=None).update(revoked_at=now)


def claims(client: Client, token: LiveToken) -> dict[str, Any]:
    """RFC 7662 claims for a live token. The scopes are those it may use now: a scope the app
    has since dropped is gone at once, not only from the next refresh. A refresh token gets no
    token_type: it is no bearer credential, so a resource server that requires Bearer never
    takes one."""
    found = {
        "active": True,
        "scope": " ".join(token.usable_scopes(client.live_scopes)),
        "client_id": client.client_id,
        "iat": int(token.created_at.timestamp()),
        "exp": int(token.expires_at.timestamp()),
        "sub": str(token.user_id),
        "user_id": token.user_id,
        "company_id": token.company_id,
    }
    if token.kind == TokenKind.ACCESS:
        found["token_type"] = "Bearer"
    return found
