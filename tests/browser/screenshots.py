"""The review console's screenshots in docs/, taken on `seed-demo`'s data as a newcomer sees it:

.venv/bin/python -m tests.browser.screenshots docs
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from tests.browser.conftest import CHROMIUM_ARGS, chromium_executable
from tests.processes import cli, service_env, start_server

DEMO_PASSWORD = "demo-password-2026"


def take(directory: Path) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        env = service_env(f"sqlite://{scratch}/demo.sqlite3")
        cli(env, "migrate")
        cli(env, "seed-demo")
        server = start_server(env)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=chromium_executable(), headless=True, args=CHROMIUM_ARGS
                )
                page = browser.new_page(viewport={"width": 1200, "height": 800}, locale="en-US")
                page.route(  # the demo's image URLs do not exist; never leave the machine
                    "**/*",
                    lambda route: (
                        route.continue_() if "127.0.0.1" in route.request.url else route.abort()
                    ),
                )
                page.goto(f"http://127.0.0.1:{env['DEVHUB_PORT']}/backoffice/")
                page.get_by_label("Email").fill("reviewer@devhub-demo.example")
                page.get_by_label("Password").fill(DEMO_PASSWORD)
                page.get_by_role("button", name="Sign in").click()
                expect(page.get_by_role("link", name="Review Radar")).to_be_visible()
                page.screenshot(path=directory / "console-queue.png")
                page.get_by_role("link", name="Published Pipeline").click()
                page.get_by_role("button", name="Claim", exact=True).click()
                expect(page.locator("#claim-status")).to_contain_text("You have claimed it")
                page.screenshot(path=directory / "console-submission.png", full_page=True)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    take(Path(sys.argv[1] if len(sys.argv) > 1 else "docs"))
