"""The real service, a third-party app's site and headless Chromium, started once for these tests.

The service runs as `devhub-gql serve` (uvicorn) on 127.0.0.1 against a migrated SQLite file; the
browser is Debian's Chromium driven by Playwright. Without a Chromium or the Playwright package
the tests are skipped, saying which one is missing.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from tests.browser.app_site import AppSite
from tests.browser.world import World, build_world
from tests.conftest import TEST_DATABASE_ENV, scratch_postgres
from tests.processes import cli, service_env, start_server

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Route

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_executable() -> str | None:
    return CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        pytest.skip(f"the Playwright package cannot be imported ({exc}): install the dev extras")
    path = chromium_executable()
    if path is None:
        pytest.skip(
            f"no Chromium at {CHROMIUM} or on PATH (`make test-tools` installs it where it can)"
        )
    return path


@pytest.fixture(scope="session")
def app_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppSite]:
    site = AppSite(tmp_path_factory.mktemp("app-site"))
    yield site
    site.close()
    assert site.errors == [], "the app's site failed to answer:\n" + "\n".join(site.errors)


@pytest.fixture(scope="session")
def world(
    chromium_path: str, app_site: AppSite, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    with ExitStack() as stack:
        # The service's own database: PostgreSQL where the suite runs on it, else a SQLite file.
        server_url = os.environ.get(TEST_DATABASE_ENV)
        database_url = (
            stack.enter_context(scratch_postgres(server_url))
            if server_url
            else f"sqlite://{tmp_path_factory.mktemp('service') / 'devhub.sqlite3'}"
        )
        # Every test signs in on a page; the per-IP sign-in limit is not what they are about.
        env = service_env(database_url, DEVHUB_SIGN_IN_LIMIT_PER_MINUTE="1000")
        cli(env, "migrate")
        server = start_server(env)
        try:
            yield build_world(env, f"http://127.0.0.1:{env['DEVHUB_PORT']}", app_site.url)
        finally:
            server.terminate()
            server.wait(timeout=30)


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Browser]:
    """One Chromium per module; Playwright gives it a fresh temporary profile (user-data dir)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def console_errors() -> list[str]:
    """What the page logged as errors: a Content-Security-Policy refusal would show up here."""
    return []


def open_tab(browser: Browser, console_errors: list[str]) -> Page:
    """A fresh browser context (no storage shared) that reaches only 127.0.0.1; what it tried to
    reach elsewhere is logged as an error, so a test fails on it."""
    context = browser.new_context(ignore_https_errors=True, locale="en-US")

    def only_local(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            console_errors.append(f"blocked a request to {route.request.url}")
            route.abort()

    context.route("**/*", only_local)
    tab = context.new_page()
    tab.set_default_timeout(10_000)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            console_errors.append(message.text)

    tab.on("console", on_console)
    tab.on("pageerror", lambda error: console_errors.append(str(error)))
    return tab


@pytest.fixture
def page(browser: Browser, console_errors: list[str]) -> Iterator[Page]:
    tab = open_tab(browser, console_errors)
    yield tab
    tab.context.close()


@pytest.fixture
def second_page(browser: Browser, console_errors: list[str]) -> Iterator[Page]:
    """Another person's browser: a context of its own, beside `page`."""
    tab = open_tab(browser, console_errors)
    yield tab
    tab.context.close()
