"""/oauth/authorize, the consent screen over GraphQL, and who may install what."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
import pytest

from devhub_gql.models import Role
from tests.oauth.support import (
    APPROVE_AUTHORIZATION,
    DENY_AUTHORIZATION,
    ClientApp,
    authorize,
    live_private_app,
    query_of,
)
from tests.support import (
    STATUS_MUTATIONS,
    GraphQLClient,
    create_app,
    error_codes,
    fill_listing,
    make_reviewer,
    published_app,
    sign_up,
    submit,
)

SCREEN = """
query Screen($clientId: String!, $redirectUri: String!) {
  authorizationRequest(clientId: $clientId, redirectUri: $redirectUri) {
    app { name developerName iconUrl }
    scopes { name label }
    alreadyInstalled canInstall
    refusal { code message }
  }
}
"""


@pytest.fixture
async def developer(gql: GraphQLClient):
    return await sign_up(gql, "dev@example.com", company="Dev Studio")


@pytest.fixture
async def customer(gql: GraphQLClient):
    return await sign_up(gql, "buyer@example.com", kind="PRODUCTION", company="Buyer Co")


@pytest.fixture
async def app(gql: GraphQLClient, developer, receiver) -> ClientApp:
    return await live_private_app(gql, developer, f"{receiver.url}/callback")


async def screen(gql: GraphQLClient, user, client_id: str, redirect_uri: str) -> dict:
    variables = {"clientId": client_id, "redirectUri": redirect_uri}
    return (await gql.data(SCREEN, variables, token=user.token))["authorizationRequest"]


async def test_authorize_sends_a_valid_request_to_the_consent_page(http: httpx.AsyncClient, app):
    params = {
        "client_id": app.client_id,
        "redirect_uri": app.callback_url,
        "state": "xyz",
        "scope": "admin",
    }
    response = await http.get("/oauth/authorize", params=params)
    assert response.status_code == 302
    location = response.headers["location"]
    assert urlsplit(location).path == "/oauth/consent"
    assert query_of(location) == {
        "client_id": app.client_id,
        "redirect_uri": app.callback_url,
        "state": "xyz",
        "response_type": "code",
    }
    page = await http.get(location)
    assert page.status_code == 200 and "Allow and install" in page.text


@pytest.mark.parametrize("case", ["unknown client", "other redirect", "no client"])
async def test_authorize_never_redirects_a_bad_client_or_redirect_uri(
    http: httpx.AsyncClient, app, case
):
    params = {
        "unknown client": {"client_id": "0000000000000000", "redirect_uri": app.callback_url},
        "other redirect": {"client_id": app.client_id, "redirect_uri": "https://evil.example/cb"},
        "no client": {"redirect_uri": app.callback_url},
    }[case]
    response = await http.get("/oauth/authorize", params=params)
    assert response.status_code == 400
    assert "location" not in response.headers
    assert "cannot be installed" in response.text


async def test_authorize_redirects_other_errors_to_the_callback(http: httpx.AsyncClient, app):
    params = {
        "client_id": app.client_id,
        "redirect_uri": app.callback_url,
        "state": "s1",
        "response_type": "token",
    }
    response = await http.get("/oauth/authorize", params=params)
    assert response.status_code == 302
    assert response.headers["location"].startswith(app.callback_url)
    assert query_of(response.headers["location"]) == {
        "error": "unsupported_response_type",
        "state": "s1",
    }


async def test_plain_pkce_is_refused(http: httpx.AsyncClient, app):
    params = {
        "client_id": app.client_id,
        "redirect_uri": app.callback_url,
        "state": "s",
        "code_challenge": "x" * 43,
        "code_challenge_method": "plain",
    }
    response = await http.get("/oauth/authorize", params=params)
    assert query_of(response.headers["location"])["error"] == "invalid_request"


async def test_the_consent_screen_shows_what_the_user_decides_on(
    gql: GraphQLClient, http: httpx.AsyncClient, customer, app
):
    shown = await screen(gql, customer, app.client_id, app.callback_url)
    assert shown["app"] == {"name": "Deal Sync", "developerName": "Dev Studio", "iconUrl": None}
    assert shown["scopes"] == [
        {"name": "base", "label": "Access to basic information"},
        {"name": "deals:read", "label": "Deals: Read only"},
    ]
    assert shown["canInstall"] is True and shown["refusal"] is None
    assert shown["alreadyInstalled"] is False

    approved = await authorize(gql, customer, app, state="abc")
    redirect = approved["redirectUrl"]
    assert redirect.startswith(app.callback_url + "?")
    assert set(query_of(redirect)) == {"code", "state"}
    assert query_of(redirect)["state"] == "abc"


async def test_the_consent_screen_needs_a_sign_in_and_a_valid_request(
    gql: GraphQLClient, customer, app
):
    variables = {"clientId": app.client_id, "redirectUri": app.callback_url}
    assert await gql.error_code(SCREEN, variables) == "UNAUTHENTICATED"
    bad = {"clientId": app.client_id, "redirectUri": "https://evil.example"}
    assert await gql.error_code(SCREEN, bad, token=customer.token) == "BAD_USER_INPUT"
    for mutation, name in (
        (APPROVE_AUTHORIZATION, "approveAuthorization"),
        (DENY_AUTHORIZATION, "denyAuthorization"),
    ):
        result = await gql.data(mutation, {"input": bad}, token=customer.token)
        assert error_codes(result[name]) == [(None, "INVALID_AUTHORIZATION_REQUEST")]
        assert result[name]["redirectUrl"] is None


async def test_cancel_returns_user_denied_and_the_state(gql: GraphQLClient, customer, app):
    data = await gql.data(
        DENY_AUTHORIZATION,
        {"input": {"clientId": app.client_id, "redirectUri": app.callback_url, "state": "s&1"}},
        token=customer.token,
    )
    redirect = data["denyAuthorization"]["redirectUrl"]
    assert query_of(redirect) == {"error": "user_denied", "state": "s&1"}


async def test_who_may_install_follows_type_and_status(
    gql: GraphQLClient, backoffice: GraphQLClient, developer, customer, receiver
):
    reviewer = await make_reviewer(gql)

    async def details(app_id: str) -> dict:
        found = await gql.data(
            "query A($id: ID!) { app(id: $id) { clientId callbackUrl } }",
            {"id": app_id},
            token=developer.token,
        )
        return {"clientId": found["app"]["clientId"], "redirectUri": found["app"]["callbackUrl"]}

    async def answer(user, variables: dict) -> dict:
        """What the consent query and both buttons answer, without the app's own values."""
        body = await gql.post(SCREEN, variables, token=user.token)
        approved = await gql.data(APPROVE_AUTHORIZATION, {"input": variables}, token=user.token)
        denied = await gql.data(DENY_AUTHORIZATION, {"input": variables}, token=user.token)
        return {
            "screen": body.get("errors") or body["data"]["authorizationRequest"]["refusal"],
            "approve": approved["approveAuthorization"]["userErrors"],
            "deny": denied["denyAuthorization"]["userErrors"],
        }

    public_draft = (await create_app(gql, developer, name="Public draft"))["app"]["id"]
    in_review = (await create_app(gql, developer, name="In review"))["app"]["id"]
    await fill_listing(gql, developer, in_review)
    await submit(gql, developer, in_review)
    published = await published_app(gql, backoffice, developer, reviewer)
    private_draft = (
        await create_app(gql, developer, app_type="PRIVATE", callback_url=f"{receiver.url}/draft")
    )["app"]["id"]
    live = await live_private_app(gql, developer, f"{receiver.url}/live")
    unknown = await answer(
        customer, {"clientId": "0" * 16, "redirectUri": "https://nowhere.example/cb"}
    )
    assert unknown["screen"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert unknown["approve"] == unknown["deny"] != []

    for app_id in (public_draft, in_review, private_draft):
        # Unreleased: outsiders learn nothing, not even that it exists.
        variables = await details(app_id)
        assert await answer(customer, variables) == unknown, app_id
        shown = await screen(gql, developer, **_args(variables))
        assert shown["refusal"] is None  # the developer's company tests its drafts
        assert shown["app"]["name"]
    for app_id in (published, live.id):
        shown = await screen(gql, customer, **_args(await details(app_id)))
        assert shown["refusal"] is None and shown["app"]["developerName"] == "Dev Studio"

    await gql.data(STATUS_MUTATIONS["unpublishApp"], {"id": published}, token=developer.token)
    shown = await screen(gql, customer, **_args(await details(published)))
    assert shown["refusal"] is None  # approved: installable by direct link
    assert (await authorize(gql, customer, live))["userErrors"] == []


def _args(variables: dict) -> dict:
    return {"client_id": variables["clientId"], "redirect_uri": variables["redirectUri"]}


async def test_deleted_apps_are_installable_by_nobody(
    gql: GraphQLClient, http: httpx.AsyncClient, developer, customer, app
):
    await gql.data(
        'mutation D($id: ID!) { deleteApp(input: {id: $id, reason: "Gone"}) { deletedAppId } }',
        {"id": app.id},
        token=developer.token,
    )
    response = await http.get(
        "/oauth/authorize", params={"client_id": app.client_id, "redirect_uri": app.callback_url}
    )
    assert response.status_code == 400
    result = await authorize(gql, customer, app)
    assert error_codes(result) == [(None, "INVALID_AUTHORIZATION_REQUEST")]


async def test_only_company_admins_grant_the_admin_scope(
    gql: GraphQLClient, developer, customer, receiver
):
    from devhub_gql.models import User

    app = await live_private_app(gql, developer, f"{receiver.url}/admin", scopes=["base", "admin"])
    await User.filter(email="buyer@example.com").update(role=Role.REGULAR)
    refused = await authorize(gql, customer, app)
    assert error_codes(refused) == [(None, "ADMIN_REQUIRED")]
    await User.filter(email="buyer@example.com").update(role=Role.ADMIN)
    assert (await authorize(gql, customer, app))["userErrors"] == []
