"""The one-click unsubscribe endpoint (RFC 8058): a signed link, no sign-in.

GET shows a page with one button (mail scanners follow links; they do not submit forms); POST,
from that button or from a mail client's one-click `List-Unsubscribe=One-Click`, unsubscribes.
"""

from __future__ import annotations

import html

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from devhub_gql.clock import Clock
from devhub_gql.domain.errors import UserErrors
from devhub_gql.domain.notification_settings import set_choice
from devhub_gql.notifications.kinds import SECURITY, NotificationKind
from devhub_gql.notifications.unsubscribe import PATH, read
from devhub_gql.settings import Settings

_HEADERS = {
    "content-security-policy": "default-src 'none'; form-action 'self'; base-uri 'none'",
    "cache-control": "no-store",
}


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    document = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head><body><main><h1>{html.escape(title)}</h1>"
        f"{body}</main></body></html>"
    )
    return HTMLResponse(document, status_code=status, headers=_HEADERS)


def unsubscribe_routes(settings: Settings, clock: Clock) -> list[Route]:
    def target(request: Request) -> tuple[str, NotificationKind] | None:
        found = read(settings.secret_key, request.query_params.get("token", ""))
        if found is None or found[1] not in NotificationKind.__members__:
            return None
        kind = NotificationKind(found[1])
        return None if kind in SECURITY else (found[0], kind)

    def refused() -> HTMLResponse:
        return _page("This link does not work", "<p>Open the link from the email again.</p>", 400)

    async def confirm(request: Request) -> HTMLResponse:
        found = target(request)
        if found is None:
            return refused()
        email, kind = found
        label = kind.value.replace("_", " ").lower()
        return _page(
            "Unsubscribe",
            f"<p>Stop emails about <strong>{html.escape(label)}</strong> to "
            f'{html.escape(email)}?</p><form method="post"><button type="submit">'
            "Unsubscribe</button></form>",
        )

    async def unsubscribe(request: Request) -> HTMLResponse:
        found = target(request)
        if found is None:
            return refused()
        email, kind = found
        try:
            await set_choice(email, kind, False, clock.now())
        except UserErrors:
            return refused()
        return _page("Unsubscribed", f"<p>{html.escape(email)} will get no more of these.</p>")

    return [
        Route(PATH, confirm, methods=["GET"]),
        Route(PATH, unsubscribe, methods=["POST"]),
    ]
