"""What the browser tests install: accounts and apps made through the public API of the service.

Everything goes over HTTP to the running service, as a developer, a reviewer and customers would
do it; the reviewer flag comes from `devhub-gql reviewers add`, the only way to grant it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from tests.oauth.support import ClientApp
from tests.processes import cli
from tests.support import (
    APPROVE,
    COMPLETE_LISTING,
    CREATE_APP,
    DELETE_APP,
    PASSWORD,
    SIGN_UP,
    STATUS_MUTATIONS,
    SUBMIT,
    UPDATE_APP,
    sign_up_input,
)

ADD_MEMBER = """
mutation Add($input: AddCompanyMemberInput!) {
  addCompanyMember(input: $input) { user { id role } userErrors { field code message } }
}
"""

SCOPE_LABELS = "query L($id: ID!) { app(id: $id) { scopes { name label } } }"

# Several scopes of different areas and levels, none of them admin.
DEAL_SYNC_SCOPES = ["base", "deals:full", "contacts:read", "activities:full", "mail:read"]


class Api:
    """The public GraphQL API (or the back-office's) over real HTTP, synchronously."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, timeout=30)

    def data(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        path: str = "/graphql",
    ) -> dict[str, Any]:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        response = self.http.post(
            path, json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body["errors"]
        return body["data"]

    def payload(self, query: str, name: str, variables: dict[str, Any], token: str) -> Any:
        """A mutation's payload that must have no user errors."""
        payload = self.data(query, variables, token=token)[name]
        assert payload["userErrors"] == [], payload
        return payload

    def close(self) -> None:
        self.http.close()


@dataclass(frozen=True)
class User:
    email: str
    token: str


@dataclass(frozen=True)
class World:
    service_url: str
    developer: User
    customer: User  # admin of a production company: installs anything open to all
    member: User  # a regular member of the same company: no admin scope
    reviewer: User  # of the marketplace team, as `devhub-gql reviewers add` makes one
    second_reviewer: User
    site_url: str  # the third-party app's site (https), for apps the tests make
    deal_sync: ClientApp  # published, several scopes, an icon
    deal_sync_labels: list[str]
    account_admin: ClientApp  # published, asks for the admin scope
    lead_radar: ClientApp  # a public draft: only its developer's company may install it
    removed: ClientApp  # deleted by its developer

    def authorize_url(self, app: ClientApp, **extra: str) -> str:
        query = {"client_id": app.client_id, "redirect_uri": app.callback_url, **extra}
        return f"{self.service_url}/oauth/authorize?{urlencode(query)}"

    def consent_url(self, client_id: str, redirect_uri: str, **extra: str) -> str:
        """The built-in page opened directly, as a link or another front end might."""
        query = {"client_id": client_id, "redirect_uri": redirect_uri, **extra}
        return f"{self.service_url}/oauth/consent?{urlencode(query)}"


def member_input(email: str) -> dict[str, str]:
    return {"email": email, "name": "Member", "password": PASSWORD, "role": "REGULAR"}


def sign_up(api: Api, email: str, company: str, kind: str) -> User:
    payload = api.data(SIGN_UP, {"input": sign_up_input(email, company=company, kind=kind)})[
        "signUp"
    ]
    assert payload["userErrors"] == [], payload
    return User(email, payload["session"]["token"])


def draft_app(api: Api, developer: User, name: str, callback_url: str, **listing: Any) -> ClientApp:
    created = api.payload(
        CREATE_APP,
        "createApp",
        {"input": {"type": "PUBLIC", "name": name, "callbackUrl": callback_url}},
        developer.token,
    )
    app_id = created["app"]["id"]
    if listing:
        api.payload(UPDATE_APP, "updateApp", {"input": {"id": app_id, **listing}}, developer.token)
    return ClientApp(app_id, created["app"]["clientId"], created["clientSecret"], callback_url)


def publish(api: Api, developer: User, reviewer: User, app: ClientApp) -> None:
    """Review and publication, as the developer and a reviewer go through them."""
    submitted = api.payload(SUBMIT, "submitAppForReview", {"id": app.id}, developer.token)
    approved = api.data(
        APPROVE,
        {"id": submitted["submission"]["id"]},
        token=reviewer.token,
        path="/backoffice/graphql",
    )["approveSubmission"]
    assert approved["userErrors"] == [], approved
    published = api.payload(
        STATUS_MUTATIONS["publishApp"], "publishApp", {"id": app.id}, developer.token
    )
    assert published["app"]["status"] == "PUBLISHED"


def listed_app(
    api: Api, developer: User, reviewer: User, name: str, site_url: str, scopes: list[str]
) -> ClientApp:
    slug = name.lower().replace(" ", "-")
    listing = {
        **COMPLETE_LISTING,
        "callbackUrl": f"{site_url}/callback/{slug}",
        "iconUrl": f"{site_url}/icon.png",
        "scopes": scopes,
    }
    app = draft_app(api, developer, name, listing["callbackUrl"], **listing)
    publish(api, developer, reviewer, app)
    return app


def build_world(env: dict[str, str], service_url: str, site_url: str) -> World:
    api = Api(service_url)
    try:
        developer = sign_up(api, "dev@example.com", "Dev Studio", "SANDBOX")
        customer = sign_up(api, "buyer@example.com", "Buyer Co", "PRODUCTION")
        reviewer = sign_up(api, "reviewer@marketplace.example", "Marketplace Team", "PRODUCTION")
        second_reviewer = User("second-reviewer@marketplace.example", "")  # the console only
        api.payload(
            ADD_MEMBER,
            "addCompanyMember",
            {"input": {**member_input(second_reviewer.email), "name": "Sam Second"}},
            reviewer.token,
        )
        for email in (reviewer.email, second_reviewer.email):
            cli(env, "reviewers", "add", email)
        api.payload(
            ADD_MEMBER,
            "addCompanyMember",
            {"input": member_input("member@example.com")},
            customer.token,
        )
        member = User("member@example.com", "")  # signs in on the page only

        deal_sync = listed_app(api, developer, reviewer, "Deal Sync", site_url, DEAL_SYNC_SCOPES)
        scopes = api.data(SCOPE_LABELS, {"id": deal_sync.id}, token=developer.token)
        account_admin = listed_app(
            api, developer, reviewer, "Account Admin", site_url, ["base", "admin"]
        )
        lead_radar = draft_app(api, developer, "Lead Radar", f"{site_url}/callback/lead-radar")
        removed = draft_app(api, developer, "Old Sync", f"{site_url}/callback/old-sync")
        api.payload(
            DELETE_APP, "deleteApp", {"id": removed.id, "reason": "Replaced"}, developer.token
        )
        return World(
            service_url=service_url,
            developer=developer,
            customer=customer,
            member=member,
            reviewer=reviewer,
            second_reviewer=second_reviewer,
            site_url=site_url,
            deal_sync=deal_sync,
            deal_sync_labels=[scope["label"] for scope in scopes["app"]["scopes"]],
            account_admin=account_admin,
            lead_radar=lead_radar,
            removed=removed,
        )
    finally:
        api.close()
