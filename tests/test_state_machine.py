"""Random sequences of developer, reviewer and customer actions keep the service's invariants.

A real server process; Hypothesis drives it through the public API, the back-office and OAuth.
After every step: a published app's live scopes are ones a reviewer approved; no active token
outlives its installation or its app; no deleted app is installable; audit logs only grow.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule

from tests.processes import cli, service_env, start_server

PASSWORD = "correct horse battery staple"
LISTING = {
    "category": "productivity",
    "summary": "Sync.",
    "iconUrl": "https://cdn.example.com/i.png",
    "listingImageUrls": ["https://cdn.example.com/1.png"],
    "description": "An app.",
    "websiteUrl": "https://x.example.com",
    "termsOfServiceUrl": "https://x.example.com/t",
    "privacyPolicyUrl": "https://x.example.com/p",
    "contactEmail": "owner@x.example.com",
    "partnerTermsAccepted": True,
    "scopes": ["base", "deals:read"],
}


@dataclass
class World:
    url: str
    database: Path
    tokens: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Iterator[World]:
    path = tmp_path_factory.mktemp("machine") / "machine.sqlite3"
    env = service_env(f"sqlite://{path}", DEVHUB_SIGN_IN_LIMIT_PER_MINUTE="1000")
    cli(env, "migrate")
    process = start_server(env)
    world = World(url=f"http://127.0.0.1:{env['DEVHUB_PORT']}", database=path)
    try:
        for role, kind in (
            ("developer", "SANDBOX"),
            ("customer", "PRODUCTION"),
            ("reviewer", "PRODUCTION"),
        ):
            world.tokens[role] = gql(
                world,
                "mutation S($i: SignUpInput!) { signUp(input: $i) { session { token } } }",
                {
                    "i": {
                        "email": f"{role}@m.example",
                        "password": PASSWORD,
                        "name": role,
                        "companyName": role,
                        "companyKind": kind,
                    }
                },
            )["signUp"]["session"]["token"]
        cli(env, "reviewers", "add", "reviewer@m.example")
        yield world
    finally:
        process.terminate()
        process.wait(timeout=30)


def gql(
    world: World,
    query: str,
    variables: dict | None = None,
    *,
    token: str | None = None,
    path: str = "/graphql",
) -> dict:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(
        f"{world.url}{path}",
        json={"query": query, "variables": variables or {}},
        headers=headers,
        timeout=30,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    return body["data"]


@dataclass
class TestApp:
    id: str
    client_id: str
    secret: str
    callback: str
    refresh_token: str | None = None
    deleted: bool = False


def status_mutation(name: str) -> str:
    return f"mutation M($id: ID!) {{ {name}(input: {{id: $id}}) {{ userErrors {{ code }} }} }}"


class Marketplace(RuleBasedStateMachine):
    world: World
    apps = Bundle("apps")

    def __init__(self) -> None:
        super().__init__()
        self.audit_lengths: dict[str, int] = {}

    def dev(self, query: str, variables: dict | None = None) -> dict:
        return gql(self.world, query, variables, token=self.world.tokens["developer"])

    def review(self, query: str, variables: dict | None = None) -> dict:
        return gql(
            self.world,
            query,
            variables,
            token=self.world.tokens["reviewer"],
            path="/backoffice/graphql",
        )

    @initialize()
    def start(self) -> None:
        self.audit_lengths = {}

    @rule(target=apps)
    def create(self) -> TestApp:
        created = self.dev(
            'mutation { createApp(input: {type: PUBLIC, name: "App",'
            ' callbackUrl: "https://x.example.com/cb"}) { app { id clientId } clientSecret } }'
        )["createApp"]
        app = TestApp(
            created["app"]["id"],
            created["app"]["clientId"],
            created["clientSecret"],
            "https://x.example.com/cb",
        )
        self.dev(
            "mutation U($i: UpdateAppInput!) { updateApp(input: $i) { userErrors { code } } }",
            {"i": {"id": app.id, **LISTING}},
        )
        return app

    @rule(app=apps)
    def submit(self, app: TestApp) -> None:
        if app.deleted:  # gone from the hub: every call would be NOT_FOUND
            return
        self.dev(status_mutation("submitAppForReview"), {"id": app.id})

    @rule(app=apps, approve=st.sampled_from([True, True, False]), publish=st.booleans())
    def review_round(self, app: TestApp, approve: bool, publish: bool) -> None:
        """Send to review, decide and maybe publish at once: reaches listed apps in few steps."""
        self.submit(app)
        self.decide(app, approve)
        if publish:
            self.change_status(app, "publishApp")

    @rule(app=apps, approve=st.booleans())
    def decide(self, app: TestApp, approve: bool) -> None:
        if app.deleted:
            return
        current = self.dev(
            "query A($id: ID!) { app(id: $id) { currentSubmission { id } } }", {"id": app.id}
        )["app"]["currentSubmission"]
        if current is None:
            return
        if approve:
            self.review(
                "mutation M($id: ID!) { approveSubmission(input: {id: $id})"
                " { userErrors { code } } }",
                {"id": current["id"]},
            )
        else:
            self.review(
                "mutation M($id: ID!) { rejectSubmission(input: {id: $id, reasons:"
                ' [{code: OTHER, message: "No."}]}) { userErrors { code } } }',
                {"id": current["id"]},
            )

    @rule(
        app=apps,
        name=st.sampled_from(
            [
                "publishApp",
                "unpublishApp",
                "withdrawAppFromReview",
                "mergePendingRevision",
                "discardPendingRevision",
            ]
        ),
    )
    def change_status(self, app: TestApp, name: str) -> None:
        if app.deleted:  # gone from the hub: every call would be NOT_FOUND
            return
        self.dev(status_mutation(name), {"id": app.id})

    @rule(
        app=apps,
        scopes=st.sampled_from(
            [["base", "deals:read"], ["base", "deals:full"], ["base", "contacts:read", "admin"]]
        ),
    )
    def edit_scopes(self, app: TestApp, scopes: list[str]) -> None:
        if app.deleted:  # gone from the hub: every call would be NOT_FOUND
            return
        self.dev(
            "mutation U($i: UpdateAppInput!) { updateApp(input: $i) { userErrors { code } } }",
            {"i": {"id": app.id, "scopes": scopes}},
        )

    @rule(app=apps)
    def install(self, app: TestApp) -> None:
        approved = gql(
            self.world,
            "mutation A($i: AuthorizationInput!) { approveAuthorization(input: $i)"
            " { redirectUrl userErrors { code } } }",
            {"i": {"clientId": app.client_id, "redirectUri": app.callback}},
            token=self.world.tokens["customer"],
        )["approveAuthorization"]
        if approved["redirectUrl"] is None:
            return
        code = parse_qs(urlsplit(approved["redirectUrl"]).query)["code"][0]
        response = httpx.post(
            f"{self.world.url}/oauth/token",
            auth=(app.client_id, app.secret),
            data={"grant_type": "authorization_code", "code": code, "redirect_uri": app.callback},
        )
        if response.status_code == 200:
            app.refresh_token = response.json()["refresh_token"]

    @rule(app=apps)
    def refresh(self, app: TestApp) -> None:
        if app.refresh_token:
            response = httpx.post(
                f"{self.world.url}/oauth/token",
                auth=(app.client_id, app.secret),
                data={"grant_type": "refresh_token", "refresh_token": app.refresh_token},
            )
            assert response.status_code in (200, 400, 401)

    @rule(app=apps)
    def uninstall(self, app: TestApp) -> None:
        if app.refresh_token:
            httpx.post(
                f"{self.world.url}/oauth/revoke",
                auth=(app.client_id, app.secret),
                data={"token": app.refresh_token},
            )

    @rule(app=apps, dice=st.integers(0, 3))
    def delete(self, app: TestApp, dice: int) -> None:
        if app.deleted:  # gone from the hub: every call would be NOT_FOUND
            return
        result = self.dev(
            'mutation D($id: ID!) { deleteApp(input: {id: $id, reason: "Done."})'
            " { deletedAppId } }",
            {"id": app.id},
        )
        if result["deleteApp"]["deletedAppId"]:
            app.deleted = True

    @invariant()
    def published_scopes_were_approved(self) -> None:
        with sqlite3.connect(self.world.database) as db:
            published = db.execute("SELECT id FROM app WHERE status = 'PUBLISHED'").fetchall()
            for (app_id,) in published:
                live = {
                    row[0]
                    for row in db.execute(
                        "SELECT scope_id FROM app_scope WHERE app_id = ?", (app_id,)
                    )
                }
                approved = [
                    set(__import__("json").loads(row[0])["scopes"])
                    for row in db.execute(
                        "SELECT snapshot FROM submission WHERE app_id = ? AND status = 'APPROVED'",
                        (app_id,),
                    )
                ]
                assert live in approved, (app_id, live, approved)

    @invariant()
    def no_active_token_outlives_its_installation(self) -> None:
        with sqlite3.connect(self.world.database) as db:
            for table in ("access_token", "refresh_token"):
                orphans = db.execute(
                    f"SELECT count(*) FROM {table} t"
                    " JOIN installation i ON i.id = t.installation_id"
                    " JOIN app a ON a.id = i.app_id WHERE t.revoked_at IS NULL"
                    " AND (i.uninstalled_at IS NOT NULL OR a.deleted_at IS NOT NULL)"
                ).fetchone()[0]
                assert orphans == 0, table

    @invariant()
    def deleted_apps_are_not_installable(self) -> None:
        with sqlite3.connect(self.world.database) as db:
            deleted = db.execute(
                "SELECT client_id, callback_url FROM app WHERE deleted_at IS NOT NULL"
            ).fetchall()
        for client_id, callback in deleted[-3:]:
            response = httpx.get(
                f"{self.world.url}/oauth/authorize",
                params={"client_id": client_id, "redirect_uri": callback},
            )
            assert response.status_code == 400

    @invariant()
    def audit_logs_only_grow(self) -> None:
        with sqlite3.connect(self.world.database) as db:
            rows = db.execute("SELECT app_id, count(*) FROM audit_entry GROUP BY app_id").fetchall()
        for app_id, count in rows:
            key = str(app_id)
            assert count >= self.audit_lengths.get(key, 0)
            self.audit_lengths[key] = count


def test_random_journeys_keep_the_invariants(world: World):
    Marketplace.world = world
    run = Marketplace.TestCase
    run.settings = settings(
        max_examples=10,
        stateful_step_count=25,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    run().runTest()
