"""The real service, a third-party app's site and headless Chromium, started once for these tests.

The service runs as `devhub-gql serve` (uvicorn) on 127.0.0.1 against a migrated SQLite file; the
browser is Debian's Chromium driven by Playwright. Without a Chromium or the Playwright package
the tests are skipped, saying which one is missing.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from tests.browser.app_site import AppSite
from tests.browser.world import World, build_world
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


def _chromium() -> str | None:
    return CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        pytest.skip(f"the Playwright package cannot be imported ({exc}): install the dev extras")
    path = _chromium()
    if path is None:
        pytest.skip(
            f"no Chromium at {CHROMIUM} or on PATH (`make browser` installs it where it can)"
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
    directory = tmp_path_factory.mktemp("service")
    # Every test signs in on the page; the per-IP sign-in limit is not what these tests are about.
    env = service_env(
        f"sqlite://{directory / 'devhub.sqlite3'}", DEVHUB_SIGN_IN_LIMIT_PER_MINUTE="1000"
    )
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


@pytest.fixture
def page(browser: Browser, world: World, console_errors: list[str]) -> Iterator[Page]:
    """A fresh browser context (no storage shared between tests) that reaches only 127.0.0.1."""
    context = browser.new_context(ignore_https_errors=True, locale="en-US")

    def only_local(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            route.abort()

    context.route("**/*", only_local)
    tab = context.new_page()
    tab.set_default_timeout(10_000)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            console_errors.append(message.text)

    tab.on("console", on_console)
    tab.on("pageerror", lambda error: console_errors.append(str(error)))
    yield tab
    context.close()
