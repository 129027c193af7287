"""Helpers for the OAuth tests: an installable app, a consent, a token exchange."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.support import STATUS_MUTATIONS, Account, GraphQLClient, create_app

APPROVE_AUTHORIZATION = """
mutation Approve($input: AuthorizationInput!) {
  approveAuthorization(input: $input) { redirectUrl userErrors { field code message } }
}
"""

DENY_AUTHORIZATION = """
mutation Deny($input: AuthorizationInput!) {
  denyAuthorization(input: $input) { redirectUrl userErrors { field code message } }
}
"""

UPDATE_SCOPES = """
mutation S($id: ID!, $scopes: [String!]) {
  updateApp(input: {id: $id, scopes: $scopes}) { userErrors { code } }
}
"""


@dataclass
class ClientApp:
    id: str
    client_id: str
    client_secret: str
    callback_url: str


async def live_private_app(
    gql: GraphQLClient, developer: Account, callback_url: str, scopes: list[str] | None = None
) -> ClientApp:
    """A private app gone live: anyone with the link may install it."""
    created = await create_app(gql, developer, app_type="PRIVATE", callback_url=callback_url)
    app_id = created["app"]["id"]
    scopes = scopes or ["base", "deals:read"]
    await gql.data(UPDATE_SCOPES, {"id": app_id, "scopes": scopes}, token=developer.token)
    live = await gql.data(
        STATUS_MUTATIONS["changeAppToLive"], {"id": app_id}, token=developer.token
    )
    assert live["changeAppToLive"]["app"]["status"] == "LIVE", live
    return ClientApp(app_id, created["app"]["clientId"], created["clientSecret"], callback_url)


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


async def authorize(
    gql: GraphQLClient, user: Account, app: ClientApp, **extra: str
) -> dict[str, Any]:
    """The user allows the app on the consent screen; returns the approveAuthorization payload."""
    data = await gql.data(
        APPROVE_AUTHORIZATION,
        {"input": {"clientId": app.client_id, "redirectUri": app.callback_url, **extra}},
        token=user.token,
    )
    return data["approveAuthorization"]


async def code_for(gql: GraphQLClient, user: Account, app: ClientApp, **extra: str) -> str:
    payload = await authorize(gql, user, app, **extra)
    assert payload["userErrors"] == [], payload
    return query_of(payload["redirectUrl"])["code"]


def basic(client_id: str, secret: str) -> dict[str, str]:
    credentials = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"authorization": f"Basic {credentials}"}


async def token_request(
    http: httpx.AsyncClient, app: ClientApp, path: str = "/oauth/token", **form: str
) -> httpx.Response:
    return await http.post(path, data=form, headers=basic(app.client_id, app.client_secret))


async def exchange(
    http: httpx.AsyncClient, app: ClientApp, code: str, **extra: str
) -> httpx.Response:
    return await token_request(
        http,
        app,
        grant_type="authorization_code",
        code=code,
        redirect_uri=app.callback_url,
        **extra,
    )


async def install(
    gql: GraphQLClient, http: httpx.AsyncClient, user: Account, app: ClientApp
) -> dict[str, Any]:
    """Consent and code exchange: the token response."""
    response = await exchange(http, app, await code_for(gql, user, app))
    assert response.status_code == 200, response.text
    return response.json()


async def introspect(http: httpx.AsyncClient, app: ClientApp, token: str) -> dict[str, Any]:
    response = await token_request(http, app, "/oauth/introspect", token=token)
    assert response.status_code == 200, response.text
    return response.json()
