"""GraphiQL at /graphql is served by the service itself: it loads and runs a query with every
address but 127.0.0.1 blocked (as on a machine without internet)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.browser.consent_page import expect
from tests.browser.world import World

if TYPE_CHECKING:
    from playwright.sync_api import Page


def test_graphiql_runs_a_query_offline(page: Page, world: World, console_errors: list[str]):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    response = page.goto(f"{world.service_url}/graphql")
    assert response is not None and response.status == 200
    assert "script-src 'self';" in response.headers["content-security-policy"]

    editor = page.locator(".graphiql-query-editor .CodeMirror")
    expect(editor).to_be_visible()
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("{ categories { slug label } }")
    page.get_by_role("button", name="Execute query (Ctrl-Enter)").click()
    expect(page.locator(".result-window")).to_contain_text('"slug": "accounting-invoicing"')

    assert console_errors == []  # nothing blocked, nothing refused by the CSP
    assert all(url.startswith(world.service_url) for url in requested), requested
    assert any(url.endswith("/ide/graphiql.js") for url in requested)
