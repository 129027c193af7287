"""What a user does on the consent page, in the words of the page."""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import TYPE_CHECKING

import pytest

from tests.support import PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Page

# Without the package the browser tests are skipped with this reason, not failed at import.
expect = pytest.importorskip(
    "playwright.sync_api",
    reason="the Playwright package cannot be imported: install the dev extras",
).expect


def pkce_pair() -> tuple[str, str]:
    """A code verifier and its S256 challenge (RFC 7636)."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    expect(page.get_by_role("heading", name="Sign in to continue")).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def land_on(page: Page, callback_url: str) -> None:
    """Wait until the browser has navigated to the app's callback (with a query)."""
    page.wait_for_url(lambda url: url.startswith(f"{callback_url}?"))
    expect(page.get_by_role("heading", name="Back in the app")).to_be_visible()
