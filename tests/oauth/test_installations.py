"""Installations: listing, uninstalling, re-installing, and scope changes reaching them."""

from __future__ import annotations

import httpx
import pytest

from devhub_gql.models import Channel, OutboxMessage
from tests.oauth.support import (
    UPDATE_SCOPES,
    ClientApp,
    install,
    introspect,
    live_private_app,
    token_request,
)
from tests.support import PASSWORD, Account, GraphQLClient, error_codes, sign_up

INSTALLATIONS = """
query I($all: Boolean) {
  installations(includeUninstalled: $all) {
    edges { node { id installedAt uninstalledAt needsReauthorization
      scopes { name label } app { name developerName } user { email } } }
  }
}
"""

UNINSTALL = """
mutation U($id: ID!) {
  uninstallApp(input: {installationId: $id}) {
    installation { uninstalledAt } userErrors { field code message }
  }
}
"""

ADD_MEMBER = """
mutation A($input: AddCompanyMemberInput!) { addCompanyMember(input: $input) { user { id } } }
"""
SIGN_IN = """
mutation S($input: SignInInput!) { signIn(input: $input) { session { token } } }
"""


@pytest.fixture
async def developer(gql: GraphQLClient):
    return await sign_up(gql, "dev@example.com", company="Dev Studio")


@pytest.fixture
async def admin(gql: GraphQLClient):
    return await sign_up(gql, "admin@buyer.example", kind="PRODUCTION", company="Buyer Co")


@pytest.fixture
async def member(gql: GraphQLClient, admin):
    await gql.data(
        ADD_MEMBER,
        {"input": {"email": "member@buyer.example", "name": "Mem", "password": PASSWORD}},
        token=admin.token,
    )
    token = (
        await gql.data(SIGN_IN, {"input": {"email": "member@buyer.example", "password": PASSWORD}})
    )["signIn"]["session"]["token"]
    return Account(token=token, user_id="", company_id=admin.company_id, email="member@")


@pytest.fixture
async def app(gql: GraphQLClient, developer, receiver) -> ClientApp:
    return await live_private_app(gql, developer, f"{receiver.url}/callback")


async def listed(gql: GraphQLClient, user, include_uninstalled: bool = False) -> list[dict]:
    data = await gql.data(INSTALLATIONS, {"all": include_uninstalled}, token=user.token)
    return [edge["node"] for edge in data["installations"]["edges"]]


async def test_members_see_their_installations_and_admins_the_companys(
    gql: GraphQLClient, http: httpx.AsyncClient, admin, member, app
):
    await install(gql, http, member, app)
    mine = await listed(gql, member)
    assert len(mine) == 1
    assert mine[0]["app"] == {"name": "Deal Sync", "developerName": "Dev Studio"}
    assert mine[0]["user"]["email"] == "member@buyer.example"
    assert [s["label"] for s in mine[0]["scopes"]] == [
        "Access to basic information",
        "Deals: Read only",
    ]
    assert mine[0]["needsReauthorization"] is False
    assert [i["user"]["email"] for i in await listed(gql, admin)] == ["member@buyer.example"]
    await install(gql, http, admin, app)
    assert len(await listed(gql, member)) == 1
    assert len(await listed(gql, admin)) == 2


async def test_a_user_or_their_admin_uninstalls_and_tokens_die_at_once(
    gql: GraphQLClient, http: httpx.AsyncClient, admin, member, app
):
    member_tokens = await install(gql, http, member, app)
    admin_tokens = await install(gql, http, admin, app)
    member_installation = (await listed(gql, member))[0]["id"]
    admin_installation = next(
        i["id"] for i in await listed(gql, admin) if i["user"]["email"] == "admin@buyer.example"
    )

    assert await gql.error_code(UNINSTALL, {"id": admin_installation}, token=member.token) == (
        "NOT_FOUND"
    )
    by_admin = await gql.data(UNINSTALL, {"id": member_installation}, token=admin.token)
    assert by_admin["uninstallApp"]["installation"]["uninstalledAt"] is not None
    assert await introspect(http, app, member_tokens["access_token"]) == {"active": False}
    refresh = await token_request(
        http, app, grant_type="refresh_token", refresh_token=member_tokens["refresh_token"]
    )
    assert refresh.status_code == 400
    assert (await introspect(http, app, admin_tokens["access_token"]))["active"] is True

    again = await gql.data(UNINSTALL, {"id": member_installation}, token=member.token)
    assert error_codes(again["uninstallApp"]) == [(None, "ALREADY_UNINSTALLED")]
    assert await listed(gql, member) == []
    assert len(await listed(gql, member, include_uninstalled=True)) == 1
    assert await OutboxMessage.filter(app__client_id=app.client_id).count() == 1


async def test_reinstalling_updates_scopes_and_revokes_the_earlier_tokens(
    gql: GraphQLClient, http: httpx.AsyncClient, developer, member, app
):
    first = await install(gql, http, member, app)
    await gql.data(
        UPDATE_SCOPES, {"id": app.id, "scopes": ["base", "contacts:read"]}, token=developer.token
    )
    second = await install(gql, http, member, app)
    assert second["scope"] == "base contacts:read"
    for token in (first["access_token"], first["refresh_token"]):
        assert await introspect(http, app, token) == {"active": False}
    assert (await introspect(http, app, second["access_token"]))["active"] is True
    installations = await listed(gql, member)
    assert len(installations) == 1
    assert [s["name"] for s in installations[0]["scopes"]] == ["base", "contacts:read"]
    assert installations[0]["needsReauthorization"] is False


async def test_added_scopes_need_reauthorization_and_removed_ones_vanish(
    gql: GraphQLClient, http: httpx.AsyncClient, developer, member, app
):
    tokens = await install(gql, http, member, app)
    await gql.data(
        UPDATE_SCOPES,
        {"id": app.id, "scopes": ["base", "deals:read", "contacts:read"]},
        token=developer.token,
    )
    assert (await listed(gql, member))[0]["needsReauthorization"] is True
    assert await introspect(http, app, tokens["access_token"]) == {"active": False}
    refreshed = await token_request(
        http, app, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    assert refreshed.json()["scope"] == "base deals:read"  # the old grant only

    await gql.data(UPDATE_SCOPES, {"id": app.id, "scopes": ["base"]}, token=developer.token)
    refreshed = await token_request(
        http, app, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    assert refreshed.json()["scope"] == "base"


async def test_deleting_an_app_uninstalls_it_for_everyone(
    gql: GraphQLClient, http: httpx.AsyncClient, developer, admin, member, app
):
    tokens = [await install(gql, http, user, app) for user in (admin, member)]
    deleted = await gql.data(
        "mutation D($id: ID!, $reason: String!) {"
        " deleteApp(input: {id: $id, reason: $reason}) { userErrors { code } } }",
        {"id": app.id, "reason": "End of life"},
        token=developer.token,
    )
    assert deleted["deleteApp"]["userErrors"] == []
    for pair in tokens:
        refresh = await token_request(
            http, app, grant_type="refresh_token", refresh_token=pair["refresh_token"]
        )
        assert refresh.status_code == 401  # the client itself is gone
    assert await listed(gql, admin) == []
    assert await OutboxMessage.filter(channel=Channel.WEBHOOK).count() == 2
