"""The built-in consent page in headless Chromium: allow, cancel, and every refusal explained.

The service, the database, the app's callback site and the browser are all real and talk over
127.0.0.1; nothing is mocked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx
import pytest

from tests.browser.app_site import AppSite
from tests.browser.consent_page import expect, land_on, pkce_pair, sign_in
from tests.browser.world import DEAL_SYNC_SCOPES, DELETE_APP, Api, World, draft_app
from tests.oauth.support import APPROVE_AUTHORIZATION, basic, query_of

if TYPE_CHECKING:
    from playwright.sync_api import Page

SIGN_OUT = "mutation { signOut { signedOut userErrors { code message } } }"


def test_allow_and_install_lands_on_the_callback_with_a_code_that_buys_tokens(
    page: Page, world: World, app_site: AppSite, console_errors: list[str]
):
    app = world.deal_sync
    verifier, challenge = pkce_pair()
    state = "state-of-the-app-42"
    authorize = world.authorize_url(
        app, state=state, code_challenge=challenge, code_challenge_method="S256"
    )
    response = page.goto(authorize)
    assert response is not None and "'sha256-" in response.headers["content-security-policy"]

    sign_in(page, world.customer.email)

    expect(page.get_by_role("heading", name="Install Deal Sync?")).to_be_visible()
    expect(page.get_by_text("by Dev Studio")).to_be_visible()
    assert len(world.deal_sync_labels) == 5
    scopes = page.get_by_role("list", name="It will be able to").get_by_role("listitem")
    expect(scopes).to_have_count(len(world.deal_sync_labels))
    for label in world.deal_sync_labels:
        expect(page.get_by_text(label, exact=True)).to_be_visible()
    icon = page.locator("#app-icon")
    expect(icon).to_be_visible()
    assert icon.evaluate("(image) => image.complete && image.naturalWidth") == 64

    page.get_by_role("button", name="Allow and install").click()
    land_on(page, app.callback_url)

    landed = query_of(page.url)
    assert set(landed) == {"code", "state"} and landed["state"] == state
    assert any(f"code={landed['code']}" in path for path in app_site.landings())
    tokens = httpx.post(
        f"{world.service_url}/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": landed["code"],
            "redirect_uri": app.callback_url,
            "code_verifier": verifier,
        },
        headers=basic(app.client_id, app.client_secret),
    )
    assert tokens.status_code == 200, tokens.text
    assert set(tokens.json()["scope"].split()) == set(DEAL_SYNC_SCOPES)
    assert console_errors == []  # the hash-pinned CSP let the page's script and style run


def test_cancel_lands_on_the_callback_with_user_denied_and_no_code(
    page: Page, world: World, console_errors: list[str]
):
    app = world.deal_sync
    page.goto(world.authorize_url(app, state="s&1 two"))
    sign_in(page, world.customer.email)
    expect(page.get_by_role("heading", name="Install Deal Sync?")).to_be_visible()

    page.get_by_role("button", name="Cancel").click()
    land_on(page, app.callback_url)

    assert query_of(page.url) == {"error": "user_denied", "state": "s&1 two"}
    assert console_errors == []


def test_a_wrong_password_is_said_plainly_and_marks_both_fields(page: Page, world: World):
    page.goto(world.authorize_url(world.deal_sync, state="s"))
    sign_in(page, world.customer.email, password="not the password")

    expect(page.get_by_role("alert")).to_have_text(
        "Wrong email or password. Check both and try again."
    )
    expect(page.get_by_label("Email")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")


SESSION_ENDED = "Your session has ended. Sign in again to continue."


def end_the_page_session(page: Page, world: World) -> None:
    """Sign out, through the API, the session the page signed in with: it ends for real."""
    token = page.evaluate("sessionStorage.getItem('devhub-session')")
    assert token, "the page keeps no session"
    api = Api(world.service_url)
    try:
        signed_out = api.data(SIGN_OUT, token=token)["signOut"]
    finally:
        api.close()
    assert signed_out == {"signedOut": True, "userErrors": []}


def test_an_ended_session_asks_to_sign_in_again(page: Page, world: World):
    page.goto(world.authorize_url(world.deal_sync, state="s"))
    sign_in(page, world.customer.email)
    expect(page.get_by_role("heading", name="Install Deal Sync?")).to_be_visible()
    end_the_page_session(page, world)
    page.reload()

    expect(page.get_by_role("alert")).to_have_text(SESSION_ENDED)
    expect(page.get_by_label("Email")).to_be_focused()
    sign_in(page, world.customer.email)
    expect(page.get_by_role("heading", name="Install Deal Sync?")).to_be_visible()
    expect(page.locator("#message")).to_be_empty()


@pytest.mark.parametrize(
    ("button", "landing"),
    [("Allow and install", {"code", "state"}), ("Cancel", {"error", "state"})],
    ids=["allow", "cancel"],
)
def test_a_session_ended_before_the_answer_asks_to_sign_in_again_then_answers(
    page: Page, world: World, button: str, landing: set[str]
):
    app = world.deal_sync
    page.goto(world.authorize_url(app, state="after-sign-in"))
    sign_in(page, world.customer.email)
    expect(page.get_by_role("heading", name="Install Deal Sync?")).to_be_visible()
    end_the_page_session(page, world)

    page.get_by_role("button", name=button).click()
    expect(page.get_by_role("alert")).to_have_text(SESSION_ENDED)
    expect(page.get_by_role("heading", name="Sign in to continue")).to_be_visible()
    expect(page.get_by_label("Email")).to_be_focused()
    expect(page.get_by_label("Password")).to_be_empty()  # the one who signs in types it again

    sign_in(page, world.customer.email)
    expect(page.get_by_role("heading", name="Install Deal Sync?")).to_be_visible()
    expect(page.locator("#message")).to_be_empty()
    page.get_by_role("button", name=button).click()
    land_on(page, app.callback_url)
    landed = query_of(page.url)
    assert set(landed) == landing and landed["state"] == "after-sign-in"
    if button == "Cancel":
        assert landed["error"] == "user_denied"


def test_a_user_who_installed_the_app_already_is_told_allowing_again_updates_it(
    page: Page, world: World
):
    app = world.deal_sync
    api = Api(world.service_url)
    try:
        api.payload(
            APPROVE_AUTHORIZATION,
            "approveAuthorization",
            {"input": {"clientId": app.client_id, "redirectUri": app.callback_url}},
            world.customer.token,
        )
    finally:
        api.close()

    page.goto(world.authorize_url(app, state="again"))
    sign_in(page, world.customer.email)
    expect(page.get_by_role("heading", name="Install Deal Sync?")).to_be_visible()
    expect(page.locator("#installed")).to_have_text(
        "You have installed this app already; allowing again updates it."
    )
    expect(page.locator("#installed")).to_be_visible()


INVALID_LINK = (
    "This install link does not work. It names an app that does not exist, was removed or is not "
    "available to your company, or it does not lead back to the app's own address. Go back to "
    "the app and start the installation again."
)
INVALID_LINK_DETAIL = (
    "Details: Unknown client, or a redirect URI that is not the app's callback URL."
)


@dataclass(frozen=True)
class Refusal:
    """A request authorizationRequest turns down, and what the page must say about it."""

    url: Callable[[World], str]
    user: Callable[[World], str]
    message: str
    detail: str | None = None
    # A refused app is still shown (with Cancel); an invalid request shows no app at all.
    shows_app: str | None = None


REFUSALS = {
    "unknown client": Refusal(
        url=lambda w: w.consent_url("0" * 16, w.deal_sync.callback_url),
        user=lambda w: w.customer.email,
        message=INVALID_LINK,
        detail=INVALID_LINK_DETAIL,
    ),
    "redirect uri other than the callback": Refusal(
        url=lambda w: w.consent_url(w.deal_sync.client_id, "https://evil.example/callback"),
        user=lambda w: w.customer.email,
        message=INVALID_LINK,
        detail=INVALID_LINK_DETAIL,
    ),
    "deleted app": Refusal(
        url=lambda w: w.consent_url(w.removed.client_id, w.removed.callback_url),
        user=lambda w: w.customer.email,
        message=INVALID_LINK,
        detail=INVALID_LINK_DETAIL,
    ),
    "no client id": Refusal(
        url=lambda w: f"{w.service_url}/oauth/consent",
        user=lambda w: w.customer.email,
        message=INVALID_LINK,
        detail=INVALID_LINK_DETAIL,
    ),
    # Answered exactly as an unknown client: nothing unreleased is shown to outsiders.
    "draft of another company": Refusal(
        url=lambda w: w.authorize_url(w.lead_radar, state="s"),
        user=lambda w: w.customer.email,
        message=INVALID_LINK,
        detail=INVALID_LINK_DETAIL,
    ),
    "admin scope for a regular member": Refusal(
        url=lambda w: w.authorize_url(w.account_admin, state="s"),
        user=lambda w: w.member.email,
        message="Account Admin asks to administer your company's account, so only a company "
        "admin can install it. Ask an admin of your company to install it.",
        shows_app="Account Admin",
    ),
    "plain PKCE": Refusal(
        url=lambda w: w.consent_url(
            w.deal_sync.client_id,
            w.deal_sync.callback_url,
            code_challenge="x" * 43,
            code_challenge_method="plain",
        ),
        user=lambda w: w.customer.email,
        message="Deal Sync sent an install request that cannot be accepted, or the app changed "
        "while this page was open. Go back to the app and start the installation again.",
        detail="Details: PKCE needs code_challenge_method=S256; plain (also the default without "
        "a method) is refused.",
        shows_app="Deal Sync",
    ),
}


@pytest.mark.parametrize("case", REFUSALS.values(), ids=REFUSALS.keys())
def test_every_refusal_of_the_request_is_explained(page: Page, world: World, case: Refusal):
    page.goto(case.url(world))
    sign_in(page, case.user(world))

    alert = page.get_by_role("alert")
    expect(alert.locator(".message-text")).to_have_text(case.message)
    if case.detail:
        expect(alert.locator(".message-detail")).to_have_text(case.detail)
    else:
        expect(alert.locator(".message-detail")).to_have_count(0)
    expect(page.get_by_role("button", name="Allow and install")).to_have_count(0)
    if case.shows_app:
        expect(page.get_by_role("heading", name=f"Install {case.shows_app}?")).to_be_visible()
        expect(page.get_by_role("button", name="Cancel")).to_be_focused()
    else:
        expect(page.get_by_role("heading", name="This app cannot be installed")).to_be_visible()
        expect(page.get_by_role("button")).to_have_count(0)
        expect(alert).to_be_focused()


def test_a_refused_app_can_still_be_left_with_cancel(page: Page, world: World):
    app = world.account_admin
    page.goto(world.authorize_url(app, state="back"))
    sign_in(page, world.member.email)
    expect(page.get_by_role("alert")).to_contain_text("only a company admin can install it")

    page.get_by_role("button", name="Cancel").click()
    land_on(page, app.callback_url)
    assert query_of(page.url) == {"error": "user_denied", "state": "back"}


def test_an_app_deleted_while_the_page_is_open_is_explained_on_allow(
    page: Page, world: World, app_site: AppSite
):
    api = Api(world.service_url)
    try:
        app = draft_app(api, world.developer, "Short Lived", f"{app_site.url}/callback/short")
        page.goto(world.authorize_url(app, state="s"))
        sign_in(page, world.developer.email)  # the developer's company may install its draft
        expect(page.get_by_role("heading", name="Install Short Lived?")).to_be_visible()
        expect(page.locator("#installed")).to_be_hidden()  # nobody has installed it yet

        deleted = api.data(
            DELETE_APP, {"id": app.id, "reason": "Gone"}, token=world.developer.token
        )
        assert deleted["deleteApp"]["userErrors"] == []
        page.get_by_role("button", name="Allow and install").click()
    finally:
        api.close()

    alert = page.get_by_role("alert")
    expect(alert.locator(".message-text")).to_have_text(
        "Short Lived sent an install request that cannot be accepted, or the app changed while "
        "this page was open. Go back to the app and start the installation again."
    )
    expect(alert.locator(".message-detail")).to_have_text(INVALID_LINK_DETAIL)
    expect(page.get_by_role("button", name="Allow and install")).to_have_count(0)
    assert not any("/callback/short" in path for path in app_site.landings())


def test_authorize_answers_a_bad_client_with_an_error_page_not_a_redirect(page: Page, world: World):
    response = page.goto(world.authorize_url(world.removed, state="s"))
    assert response is not None and response.status == 400
    expect(page.get_by_role("heading", name="This app cannot be installed")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_text("Invalid client_id parameter value.")
    assert page.url.startswith(f"{world.service_url}/oauth/authorize")


def test_authorize_sends_plain_pkce_back_to_the_app_as_invalid_request(page: Page, world: World):
    app = world.deal_sync
    page.goto(
        world.authorize_url(app, state="p", code_challenge="x" * 43, code_challenge_method="plain")
    )
    land_on(page, app.callback_url)
    assert query_of(page.url)["error"] == "invalid_request"
    assert query_of(page.url)["state"] == "p"
