"""The review console's session over HTTP: an HttpOnly cookie for reviewers only, accepted by the
back-office only from the console itself (its header), never by the public API; the page and its
files under a strict CSP; the back-office's `viewer`, `apps` and `app` for the console."""

from __future__ import annotations

import httpx

from devhub_gql.models import UserSession
from tests.support import (
    PASSWORD,
    GraphQLClient,
    create_app,
    fill_listing,
    make_reviewer,
    sign_up,
    submit,
)

CONSOLE = {"x-devhub-console": "1"}
VIEWER = "query { viewer { email isReviewer } }"
APPS = """
query A($search: String) {
  apps(first: 10, search: $search) { nodes { id name status } pageInfo { hasNextPage } }
}
"""


async def _console_sign_in(http: httpx.AsyncClient, email: str, **headers: str) -> httpx.Response:
    return await http.post(
        "/backoffice/session",
        json={"email": email, "password": PASSWORD},
        headers={**CONSOLE, **headers},
    )


async def _backoffice(
    http: httpx.AsyncClient, query: str, headers: dict[str, str], **variables: object
) -> dict:
    response = await http.post(
        "/backoffice/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_reviewer_gets_an_httponly_cookie_the_console_alone_can_use(
    http: httpx.AsyncClient, gql: GraphQLClient
):
    await make_reviewer(gql, "rev@marketplace.example")
    open_before = await UserSession.filter(revoked_at=None).count()
    signed_in = await _console_sign_in(http, "rev@marketplace.example")
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.json() == {"user": {"name": "Rev", "email": "rev@marketplace.example"}}
    cookie = signed_in.headers["set-cookie"]
    assert cookie.startswith("devhub_console=dhsess")
    for attribute in ("HttpOnly", "Path=/backoffice", "SameSite=strict", "Max-Age=1209600"):
        assert attribute in cookie, cookie
    assert "token" not in signed_in.text  # the token is in the cookie only

    answer = await _backoffice(http, VIEWER, CONSOLE)
    assert answer == {"data": {"viewer": {"email": "rev@marketplace.example", "isReviewer": True}}}

    # Without the console's header the cookie counts for nothing (a cross-site form cannot set
    # it), and the public API never takes it.
    refused = await _backoffice(http, VIEWER, {})
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    public = await http.post(
        "/graphql", json={"query": "query { viewer { email } }"}, headers=CONSOLE
    )
    assert public.json()["data"]["viewer"] is None

    signed_out = await http.delete("/backoffice/session", headers=CONSOLE)
    assert signed_out.status_code == 204
    assert 'devhub_console=""' in signed_out.headers["set-cookie"]
    assert await UserSession.filter(revoked_at=None).count() == open_before  # ended, not forgotten
    http.cookies.set("devhub_console", cookie.split(";")[0].split("=", 1)[1], path="/backoffice")
    ended = await _backoffice(http, VIEWER, CONSOLE)
    assert ended["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_anyone_but_a_reviewer_is_refused_before_a_session_opens(
    http: httpx.AsyncClient, gql: GraphQLClient
):
    await sign_up(gql, "dev@example.com")
    sessions = await UserSession.all().count()

    refused = await _console_sign_in(http, "dev@example.com")
    assert refused.status_code == 403
    assert refused.json() == {
        "error": {"code": "FORBIDDEN", "message": "The back-office is for reviewers only."}
    }
    assert "set-cookie" not in refused.headers
    assert await UserSession.all().count() == sessions

    wrong = await http.post(
        "/backoffice/session",
        json={"email": "dev@example.com", "password": "wrong password"},
        headers=CONSOLE,
    )
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (401, "INVALID_CREDENTIALS")
    garbled = await http.post("/backoffice/session", content=b"{", headers=CONSOLE)
    assert (garbled.status_code, garbled.json()["error"]["code"]) == (400, "BAD_REQUEST")
    no_header = await http.post(
        "/backoffice/session", json={"email": "dev@example.com", "password": PASSWORD}
    )
    assert no_header.status_code == 403


async def test_the_page_and_its_files_are_served_under_a_strict_policy(http: httpx.AsyncClient):
    redirect = await http.get("/backoffice")
    assert (redirect.status_code, redirect.headers["location"]) == (308, "/backoffice/")
    page = await http.get("/backoffice/")
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "style-src 'self';" in policy
    assert "unsafe-inline" not in policy
    assert "<script>" not in page.text  # no inline script: only the file the policy allows
    assert '<script src="/backoffice/assets/console.js">' in page.text
    script = await http.get("/backoffice/assets/console.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith(
        "text/javascript"
    )
    assert (await http.get("/backoffice/assets/index.html")).status_code == 404
    assert (await http.get("/backoffice/assets/..%2Fconsole.py")).status_code == 404


async def test_reviewers_find_apps_they_may_act_on_by_name(
    gql: GraphQLClient, backoffice: GraphQLClient
):
    developer = await sign_up(gql, "dev@example.com")
    reviewer = await make_reviewer(gql)
    names = ["Deal Sync", "Deal Radar", "Calendar Bridge"]
    for name in names:
        app_id = (await create_app(gql, developer, name=name))["app"]["id"]
        await fill_listing(gql, developer, app_id)
        if name != "Deal Radar":  # a draft: nothing for a reviewer to act on
            await submit(gql, developer, app_id)

    found = await backoffice.data(APPS, {"search": "DEAL"}, token=reviewer.token)
    assert [n["name"] for n in found["apps"]["nodes"]] == ["Deal Sync"]
    every = await backoffice.data(APPS, {}, token=reviewer.token)
    assert [n["name"] for n in every["apps"]["nodes"]] == ["Calendar Bridge", "Deal Sync"]

    one = await backoffice.data(
        "query O($id: ID!) { app(id: $id) { name status } }",
        {"id": every["apps"]["nodes"][0]["id"]},
        token=reviewer.token,
    )
    assert one == {"app": {"name": "Calendar Bridge", "status": "IN_REVIEW"}}
    refused = await backoffice.post(APPS, {}, token=developer.token)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
