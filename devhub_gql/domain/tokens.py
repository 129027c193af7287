"""Authorization codes and access and refresh tokens: issued, checked, revoked, introspected.

Every one is a random value stored only as its SHA-256 digest, checked against the injected
clock. Single use is a conditional update, so one code yields one token pair even under races.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from devhub_gql.domain import revisions, versions
from devhub_gql.domain.catalog import effective_scopes
from devhub_gql.domain.installations import count_installation, revoke_tokens, uninstall
from devhub_gql.domain.secrets import digest
from devhub_gql.models import (
    AccessToken,
    App,
    AuthorizationCode,
    Installation,
    RefreshToken,
    User,
)

CODE_LIFETIME = timedelta(minutes=5)
ACCESS_LIFETIME = timedelta(hours=1)
REFRESH_IDLE_LIFETIME = timedelta(days=60)


class CodeCheck(StrEnum):
    VALID = "valid"
    INVALID = "invalid"
    EXPIRED = "expired"


@dataclass(frozen=True)
class ClaimedCode:
    check: CodeCheck
    code: AuthorizationCode | None = None


async def save_code(
    app: App,
    user: User,
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
        app_id=app.id,
        user_id=user.id,
        redirect_uri=redirect_uri,
        scopes=scopes,
        code_challenge=code_challenge,
        code_challenge_method=code_challenge_method if code_challenge else None,
        created_at=now,
        expires_at=now + CODE_LIFETIME,
    )


async def _revoke_tokens_of_code(code_id: int, now: datetime) -> None:
    refresh_ids = await RefreshToken.filter(code_id=code_id).values_list("id", flat=True)
    await RefreshToken.filter(id__in=refresh_ids, revoked_at=None).update(revoked_at=now)
    await AccessToken.filter(refresh_token_id__in=refresh_ids, revoked_at=None).update(
        revoked_at=now
    )


async def claim_code(app: App, code: str, now: datetime) -> ClaimedCode:
    """Use a code once. A second use is a replay: the tokens it produced are revoked."""
    row = await AuthorizationCode.get_or_none(code_digest=digest(code), app_id=app.id)
    if row is None:
        return ClaimedCode(CodeCheck.INVALID)
    # Lock the app's row until this exchange commits: a concurrent deleteApp then either waits
    # and uninstalls the new installation too, or has already won and the app is gone.
    if await App.filter(id=app.id, deleted_at=None).select_for_update().first() is None:
        return ClaimedCode(CodeCheck.INVALID)
    if row.used_at is None and now >= row.expires_at:
        return ClaimedCode(CodeCheck.EXPIRED)
    claimed = await AuthorizationCode.filter(id=row.id, used_at=None).update(used_at=now)
    if not claimed:
        await _revoke_tokens_of_code(row.id, now)
        return ClaimedCode(CodeCheck.INVALID)
    return ClaimedCode(CodeCheck.VALID, row)


async def issue_for_code(
    code: AuthorizationCode, *, access_token: str, refresh_token: str, now: datetime
) -> Installation:
    """Install (or re-install) the app for the user and store the new token pair.

    Re-installing updates the granted scopes and revokes the earlier tokens.
    """
    user = await User.get(id=code.user_id)
    installation = await Installation.get_or_none(app_id=code.app_id, user_id=user.id)
    if installation is None:
        installation = await Installation.create(
            app_id=code.app_id,
            company_id=user.company_id,
            user_id=user.id,
            scopes=code.scopes,
            installed_at=now,
            updated_at=now,
        )
        await count_installation(code.app_id, +1)
    else:
        if installation.uninstalled_at is not None:
            await count_installation(code.app_id, +1)
        await revoke_tokens([installation.id], now)
        installation.scopes = code.scopes
        installation.uninstalled_at = None
        installation.updated_at = now
        await installation.save()
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
        scopes=code.scopes,
        created_at=now,
        expires_at=now + ACCESS_LIFETIME,
    )
    return installation


async def find_refresh_token(app: App, token: str, now: datetime) -> RefreshToken | None:
    """A usable refresh token of this app: not revoked, used within 60 days, still installed."""
    return (
        await RefreshToken.filter(
            token_digest=digest(token),
            revoked_at=None,
            expires_at__gt=now,
            installation__app_id=app.id,
            installation__uninstalled_at=None,
        )
        .select_related("installation")
        .first()
    )


async def claim_refresh_token(app: App, token: str, now: datetime) -> RefreshToken | None:
    """find_refresh_token, holding the installation's row until the grant commits.

    An uninstall racing the refresh then either waits and revokes the new access token with the
    rest, or has already won and the refresh fails: no access token outlives its installation.
    """
    row = await find_refresh_token(app, token, now)
    if row is None:
        return None
    # A write that changes nothing but takes the row's lock (PostgreSQL; SQLite's transactions
    # take turns anyway): nothing an installation shows changes when its token is used.
    still_installed = await Installation.filter(id=row.installation_id, uninstalled_at=None).update(
        uninstalled_at=None
    )
    return row if still_installed else None


async def refresh_scopes(refresh: RefreshToken) -> list[str]:
    """Granted scopes the app still has: removed ones vanish, added ones need the user."""
    installation = refresh.installation  # loaded with the token by find_refresh_token
    return effective_scopes(installation.scopes, await revisions.live_scopes(installation.app_id))


async def issue_for_refresh(
    refresh: RefreshToken, *, access_token: str, scopes: list[str], now: datetime
) -> Installation:
    """A new access token; the refresh token is kept (not rotated) and lives 60 more days."""
    await RefreshToken.filter(id=refresh.id).update(
        last_used_at=now, expires_at=now + REFRESH_IDLE_LIFETIME
    )
    await AccessToken.create(
        token_digest=digest(access_token),
        installation_id=refresh.installation_id,
        refresh_token_id=refresh.id,
        scopes=scopes,
        created_at=now,
        expires_at=now + ACCESS_LIFETIME,
    )
    return refresh.installation


async def _live_access_token(app: App, token: str, now: datetime) -> AccessToken | None:
    return (
        await AccessToken.filter(
            token_digest=digest(token),
            revoked_at=None,
            expires_at__gt=now,
            installation__app_id=app.id,
            installation__uninstalled_at=None,
        )
        .select_related("installation")
        .first()
    )


async def revoke(app: App, token: str, hint: str | None, now: datetime) -> None:
    """RFC 7009. A refresh token uninstalls the app for that user; an access token dies alone.

    Only live tokens of this app count: revoking one already dead (expired, revoked, replaced by
    a re-install, of another app, or unknown) changes nothing, and the answer is the same.
    """
    lookups = ("refresh_token", "access_token")
    if hint == "access_token":
        lookups = ("access_token", "refresh_token")
    for kind in lookups:
        if kind == "refresh_token":
            refresh = await find_refresh_token(app, token, now)
            if refresh is not None:
                await uninstall(refresh.installation, app, now=now)
                return
        else:
            access = await _live_access_token(app, token, now)
            if access is not None:
                await AccessToken.filter(id=access.id, revoked_at=None).update(revoked_at=now)
                return


async def introspect(app: App, token: str, now: datetime) -> dict[str, Any] | None:
    """RFC 7662 claims for a live token of this app, or None.

    The scopes are those the token may use now: a scope the app has since dropped is gone at
    once, not only from the next refresh.
    """
    access = await _live_access_token(app, token, now)
    if access is not None:
        live = await revisions.live_scopes(app.id)
        claims = _claims(app, access.installation, effective_scopes(access.scopes, live), access)
        return {**claims, "token_type": "Bearer"}
    refresh = await find_refresh_token(app, token, now)
    if refresh is not None:
        # No token_type: a refresh token is no bearer credential for the API, so a resource
        # server that requires token_type=Bearer never accepts one.
        return _claims(app, refresh.installation, await refresh_scopes(refresh), refresh)
    return None


def _claims(
    app: App, installation: Installation, scopes: list[str], token: AccessToken | RefreshToken
) -> dict[str, Any]:
    return {
        "active": True,
        "scope": " ".join(scopes),
        "client_id": app.client_id,
        "iat": int(token.created_at.timestamp()),
        "exp": int(token.expires_at.timestamp()),
        "sub": str(installation.user_id),
        "user_id": installation.user_id,
        "company_id": installation.company_id,
    }
