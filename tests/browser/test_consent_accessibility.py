"""The consent page works for everyone: named controls, the keyboard alone, WCAG AA contrast."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.browser.accessibility import (
    UNNAMED_CONTROLS,
    assert_focus_is_visible,
    assert_text_meets_aa,
)
from tests.browser.consent_page import expect, land_on, sign_in
from tests.browser.world import World
from tests.oauth.support import query_of
from tests.support import PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Page


def test_every_field_button_and_image_has_an_accessible_name(page: Page, world: World):
    page.goto(world.authorize_url(world.deal_sync, state="s"))
    expect(page.get_by_role("heading", name="Sign in to continue")).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "en"
    expect(page.get_by_role("textbox", name="Email")).to_have_attribute("type", "email")
    expect(page.get_by_label("Password")).to_have_attribute("type", "password")
    expect(page.get_by_label("Email")).to_have_attribute("autocomplete", "username")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert page.evaluate(UNNAMED_CONTROLS) == []

    sign_in(page, world.customer.email)
    expect(page.get_by_role("region", name="Install Deal Sync?")).to_be_visible()
    expect(page.get_by_role("button", name="Allow and install")).to_be_visible()
    expect(page.get_by_role("button", name="Cancel")).to_be_visible()
    expect(
        page.get_by_role("list", name="It will be able to").get_by_role("listitem")
    ).to_have_count(len(world.deal_sync_labels))
    expect(page.locator("#app-icon")).to_have_attribute("alt", "")  # decorative: the name is in h1
    assert page.evaluate(UNNAMED_CONTROLS) == []
    expect(page).to_have_title("Install Deal Sync?")


def test_the_keyboard_alone_signs_in_and_installs_with_a_visible_focus(page: Page, world: World):
    app = world.deal_sync
    page.goto(world.authorize_url(app, state="keys"))
    email, password = page.get_by_label("Email"), page.get_by_label("Password")
    sign_in_button = page.get_by_role("button", name="Sign in")

    assert_focus_is_visible(email)  # the page starts where the user types
    page.keyboard.type(world.customer.email)
    page.keyboard.press("Tab")
    assert_focus_is_visible(password)
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    assert_focus_is_visible(sign_in_button)
    page.keyboard.press("Shift+Tab")
    expect(password).to_be_focused()
    page.keyboard.press("Enter")  # Enter in a field submits the sign-in form

    allow = page.get_by_role("button", name="Allow and install")
    cancel = page.get_by_role("button", name="Cancel")
    assert_focus_is_visible(allow)  # after signing in, the decision has the focus
    page.keyboard.press("Tab")
    assert_focus_is_visible(cancel)
    page.keyboard.press("Shift+Tab")
    expect(allow).to_be_focused()
    page.keyboard.press("Enter")

    land_on(page, app.callback_url)  # no PKCE here: it is optional, as on the platform we model
    assert set(query_of(page.url)) == {"code", "state"}


def test_text_contrast_meets_wcag_aa_on_every_screen(page: Page, world: World):
    page.goto(world.authorize_url(world.deal_sync, state="s"))
    sign_in(page, world.customer.email, password="wrong password")
    expect(page.get_by_role("alert")).to_contain_text("Wrong email or password")
    assert assert_text_meets_aa(page, "sign-in with an error") >= 6

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Install Deal Sync?")).to_be_visible()
    expect(page.get_by_text(world.deal_sync_labels[-1], exact=True)).to_be_visible()
    assert assert_text_meets_aa(page, "consent") >= 2 * len(world.deal_sync_labels) + 5

    page.goto(world.authorize_url(world.account_admin, state="s"))  # the session carries over
    expect(page.get_by_role("heading", name="Install Account Admin?")).to_be_visible()
    page.evaluate("sessionStorage.clear()")
    page.reload()
    sign_in(page, world.member.email)
    expect(page.get_by_role("alert")).to_contain_text("only a company admin can install it")
    assert assert_text_meets_aa(page, "consent refused") >= 8

    page.goto(world.consent_url("0" * 16, world.deal_sync.callback_url))
    expect(page.get_by_role("heading", name="This app cannot be installed")).to_be_visible()
    assert assert_text_meets_aa(page, "invalid link") == 3
