"""What every page must pass, measured as a reader meets it: named controls, a visible focus ring,
WCAG AA contrast."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.browser.consent_page import expect
from tests.browser.wcag import AA_NON_TEXT, AA_TEXT, contrast, focus_ring, text_contrasts

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

UNNAMED_CONTROLS = """() => [...document.querySelectorAll("input, button, select, textarea, img")]
  .filter((element) => element.checkVisibility())
  .filter((element) => {
    if (element.tagName === "IMG") return !element.hasAttribute("alt");
    if (element.tagName === "BUTTON") return !element.textContent.trim();
    return ![...element.labels].some((label) => label.textContent.trim());
  })
  .map((element) => element.outerHTML)"""


def assert_focus_is_visible(locator: Locator) -> None:
    expect(locator).to_be_focused()
    ring = focus_ring(locator)
    assert ring["focusVisible"] and ring["outlineStyle"] != "none", ring
    assert ring["outlineWidth"] >= 2, ring
    assert contrast(ring["outline"], ring["behind"]) >= AA_NON_TEXT, ring


def assert_text_meets_aa(page: Page, screen: str) -> int:
    measured = text_contrasts(page)
    too_faint = [item for item in measured if item.ratio < AA_TEXT]
    assert too_faint == [], f"{screen}: text below {AA_TEXT}:1: {too_faint}"
    return len(measured)
