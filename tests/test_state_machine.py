"""Random sequences of developer, reviewer and customer actions do what a model says they do.

A real server process; Hypothesis drives it through the public API, the back-office and OAuth.
Every step's answer is checked against a model of the apps (status, live scopes, pending revision,
submission in review, deletion) and of the customer's installation of each (granted scopes, the
current refresh and access tokens): what the step must return, success or the exact error, and
what it changes. After every step the server's view of each app equals the model's, and the
service's invariants hold: a published app's live scopes are ones a reviewer approved; no active
token outlives its installation or its app; no deleted app is installable; audit logs only grow.
The run must also have got somewhere: every outcome in REQUIRED_PROGRESS (published, installed,
refreshed, refused a dead refresh token, uninstalled, ...) happened at least once. Besides rules
on any app (most answer with an error), rules aimed at apps in a state where the step does
something keep that so, whatever the seed (checked with other seeds too).

The model follows the service's rules: a refresh grants the scopes the user granted that the app
still asks for (`X:full` covering `X:read`), and an access token may use those of its scopes the
app still asks for; an app's scopes growing beyond a user's grant ends that user's access tokens
(not their refresh token); revoking a refresh token that is already dead changes nothing.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from hypothesis import HealthCheck, Phase, seed, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, precondition, rule

from tests.processes import cli, service_env, start_server
from tests.support import PASSWORD, Receiver

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
SCOPE_CHOICES = [
    ["base", "deals:read"],
    ["base", "deals:full"],
    ["base", "deals:read", "deals:full"],  # the same as deals:full alone
    ["base", "contacts:read", "admin"],
    ["base"],  # nothing besides base: not enough for review
]
# What the run must have done, at least once each, for it to prove anything.
REQUIRED_PROGRESS = (
    "submitted",
    "approved",
    "rejected",
    "published",
    "installed",
    "refreshed",
    "refresh refused",
    "uninstalled",
    "revision merged",
    "refreshed after a scope change",
    "access ended by a scope growth",
    "replaced refresh token revoked",
    "deleted",
)
PROGRESS: Counter[str] = Counter()
CHECKED_DELETED_APPS: set[str] = set()  # a deleted app stays deleted: checked once is enough
APP_NUMBERS = itertools.count(1)


# The scope rules, written out independently of the service's code.
def expand(scopes: Iterable[str]) -> frozenset[str]:
    """Every scope a set covers: `X:full` covers `X:read`."""
    covered = set()
    for name in scopes:
        covered.add(name)
        if name.endswith(":full"):
            covered.add(name.removesuffix(":full") + ":read")
    return frozenset(covered)


def normalize(scopes: Iterable[str]) -> frozenset[str]:
    chosen = set(scopes)
    return frozenset(
        name
        for name in chosen
        if not (name.endswith(":read") and name.removesuffix(":read") + ":full" in chosen)
    )


def covers(granted: Iterable[str], asked: Iterable[str]) -> bool:
    return expand(asked) <= expand(granted)


def effective(granted: Iterable[str], asked: Iterable[str]) -> frozenset[str]:
    return normalize(expand(granted) & expand(asked))


@dataclass
class World:
    url: str
    database: Path
    callback: str
    http: httpx.Client
    tokens: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Iterator[World]:
    path = tmp_path_factory.mktemp("machine") / "machine.sqlite3"
    env = service_env(f"sqlite://{path}", DEVHUB_SIGN_IN_LIMIT_PER_MINUTE="1000")
    cli(env, "migrate")
    receiver = Receiver()  # every app's callback: answers the review's probe and the notices
    process = start_server(env)
    http = httpx.Client(base_url=f"http://127.0.0.1:{env['DEVHUB_PORT']}", timeout=30)
    world = World(str(http.base_url), path, f"{receiver.url}/cb", http)
    try:
        for role, kind in (
            ("developer", "SANDBOX"),
            ("customer", "PRODUCTION"),
            ("reviewer", "PRODUCTION"),
        ):
            body = call(
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
            )
            world.tokens[role] = data(body, "signUp")["session"]["token"]
        cli(env, "reviewers", "add", "reviewer@m.example")
        yield world
    finally:
        http.close()
        process.terminate()
        process.wait(timeout=30)
        receiver.close()


def call(
    world: World,
    query: str,
    variables: dict | None = None,
    *,
    token: str | None = None,
    path: str = "/graphql",
) -> dict:
    """The whole GraphQL response body (HTTP 200 always)."""
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = world.http.post(
        path, json={"query": query, "variables": variables or {}}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


def data(body: dict, root: str) -> Any:
    assert "errors" not in body, body["errors"]
    return body["data"][root]


def top_error(body: dict) -> str:
    assert body.get("errors"), body
    return body["errors"][0]["extensions"]["code"]


def codes(payload: dict) -> list[str]:
    return [error["code"] for error in payload["userErrors"]]


def oauth(response: httpx.Response) -> tuple[int, str | None]:
    """(status, OAuth error or None)."""
    if response.status_code == 200:
        return 200, None
    return response.status_code, response.json().get("error")


@dataclass
class Revision:
    status: str  # DRAFT, IN_REVIEW or APPROVED (merged and discarded ones are gone)
    scopes: frozenset[str] | None  # None: changes nothing


@dataclass
class ModelApp:
    """What the service should hold about one app, and the customer's installation of it."""

    id: str
    name: str
    client_id: str
    secret: str
    status: str = "DRAFT"
    deleted: bool = False
    scopes: frozenset[str] = frozenset({"base"})
    revision: Revision | None = None
    pending: str | None = None  # the kind of the submission waiting for a reviewer
    submission_id: str | None = None  # the latest submission
    installation_id: str | None = None
    installed: bool = False
    granted: frozenset[str] = frozenset()
    refresh_tokens: list[str] = field(default_factory=list)  # all issued; the last is current
    access_token: str | None = None  # the latest issued
    access_scopes: frozenset[str] = frozenset()
    access_live: bool = False

    @property
    def guarded(self) -> bool:
        """Approved or published: critical edits wait in a revision."""
        return self.status in ("APPROVED", "PUBLISHED")

    def tokens_die(self) -> None:
        self.installed = False
        self.access_live = False


# One fixed run. derandomize alone would derive the seed from this class's source, so that any
# edit of it (a message, a comment) would reshuffle the journeys; the seed keeps them.
@seed(20261202)
class Marketplace(RuleBasedStateMachine):
    world: World
    apps = Bundle("apps")

    def __init__(self) -> None:
        super().__init__()
        self.audit_lengths: dict[str, int] = {}
        self.models: list[ModelApp] = []

    def dev(self, query: str, variables: dict | None = None) -> dict:
        return call(self.world, query, variables, token=self.world.tokens["developer"])

    def review(self, query: str, variables: dict | None = None) -> dict:
        return call(
            self.world,
            query,
            variables,
            token=self.world.tokens["reviewer"],
            path="/backoffice/graphql",
        )

    def oauth_post(self, app: ModelApp, path: str, form: dict[str, str]) -> httpx.Response:
        return self.world.http.post(path, data=form, auth=(app.client_id, app.secret))

    # Developer ---------------------------------------------------------------------------------

    @rule(target=apps)
    def create(self) -> ModelApp:
        name = f"App {next(APP_NUMBERS)}"
        created = data(
            self.dev(
                "mutation C($i: CreateAppInput!) { createApp(input: $i)"
                " { app { id clientId status } clientSecret userErrors { code } } }",
                {"i": {"type": "PUBLIC", "name": name, "callbackUrl": self.world.callback}},
            ),
            "createApp",
        )
        assert codes(created) == [] and created["app"]["status"] == "DRAFT"
        app = ModelApp(
            created["app"]["id"], name, created["app"]["clientId"], created["clientSecret"]
        )
        updated = data(
            self.dev(
                "mutation U($i: UpdateAppInput!) { updateApp(input: $i) { userErrors { code } } }",
                {"i": {"id": app.id, **LISTING}},
            ),
            "updateApp",
        )
        assert codes(updated) == []
        app.scopes = frozenset(LISTING["scopes"])
        self.models.append(app)
        return app

    @rule(app=apps)
    def submit(self, app: ModelApp) -> None:
        body = self.dev(
            "mutation M($id: ID!) { submitAppForReview(input: {id: $id})"
            " { app { status } submission { id kind status } userErrors { field code } } }",
            {"id": app.id},
        )
        if app.deleted:
            assert top_error(body) == "NOT_FOUND"
            return
        payload = data(body, "submitAppForReview")
        if app.status == "IN_REVIEW":
            expected = ["INVALID_TRANSITION"]
        elif app.guarded and (app.revision is None or app.revision.status != "DRAFT"):
            expected = ["NO_PENDING_REVISION"]
        else:
            changes = app.revision.scopes if app.guarded else None
            if not (changes if changes is not None else app.scopes) - {"base"}:
                expected = ["TOO_FEW"]  # a scope besides base is required
            elif app.guarded and changes in (None, app.scopes):
                expected = ["NO_CHANGES"]
            else:
                expected = []
        assert codes(payload) == expected, (app, payload)
        if expected:
            return
        submission = payload["submission"]
        assert submission["status"] == "PENDING"
        if app.guarded:
            assert submission["kind"] == "REVISION"
            app.revision.status = "IN_REVIEW"
        else:
            assert submission["kind"] == "LISTING"
            app.status = "IN_REVIEW"
        assert payload["app"]["status"] == app.status
        app.pending = submission["kind"]
        app.submission_id = submission["id"]
        PROGRESS["submitted"] += 1

    @rule(
        app=apps,
        name=st.sampled_from(
            [
                "publishApp",
                "unpublishApp",
                "withdrawAppFromReview",
                "mergePendingRevision",
                "discardPendingRevision",
                "changeAppToLive",
            ]
        ),
    )
    def change_status(self, app: ModelApp, name: str) -> None:
        body = self.dev(
            f"mutation M($id: ID!) {{ {name}(input: {{id: $id}})"
            " { app { status } userErrors { code } } }",
            {"id": app.id},
        )
        if app.deleted:
            assert top_error(body) == "NOT_FOUND"
            return
        payload = data(body, name)
        expected = self.apply_status_change(app, name)
        assert codes(payload) == expected, (name, app, payload)
        if not expected:
            assert payload["app"]["status"] == app.status

    def apply_status_change(self, app: ModelApp, name: str) -> list[str]:
        """The errors the change must answer, after changing the model if it lands."""
        revision = app.revision
        if name == "changeAppToLive":
            return ["WRONG_APP_TYPE"]  # private apps only
        if name in ("publishApp", "unpublishApp"):
            source, target = {
                "publishApp": ("APPROVED", "PUBLISHED"),
                "unpublishApp": ("PUBLISHED", "APPROVED"),
            }[name]
            if app.status != source:
                return ["INVALID_TRANSITION"]
            app.status = target
            PROGRESS["published" if name == "publishApp" else "unpublished"] += 1
            return []
        if name == "withdrawAppFromReview":
            if app.pending is None:
                return ["INVALID_TRANSITION"]
            if app.pending == "LISTING":
                app.status = "DRAFT"
            else:
                revision.status = "DRAFT"
            app.pending = None
            return []
        if name == "mergePendingRevision":
            if revision is None or not app.guarded:
                return ["NO_PENDING_REVISION"]
            if revision.status != "APPROVED":
                return ["INVALID_TRANSITION"]
            if revision.scopes is not None:
                grows = not covers(app.scopes, revision.scopes)
                app.scopes = revision.scopes
                if grows and app.installed and not covers(app.granted, app.scopes):
                    app.access_live = False  # the user must consent again for more
                    PROGRESS["access ended by a scope growth"] += 1
            app.revision = None
            PROGRESS["revision merged"] += 1
            return []
        assert name == "discardPendingRevision"
        if revision is None:
            return ["NO_PENDING_REVISION"]
        if revision.status == "IN_REVIEW":
            return ["REVISION_LOCKED"]
        app.revision = None
        return []

    @rule(app=apps, scopes=st.sampled_from(SCOPE_CHOICES))
    def edit_scopes(self, app: ModelApp, scopes: list[str]) -> None:
        body = self.dev(
            "mutation U($i: UpdateAppInput!) { updateApp(input: $i) { userErrors { code } } }",
            {"i": {"id": app.id, "scopes": scopes}},
        )
        if app.deleted:
            assert top_error(body) == "NOT_FOUND"
            return
        payload = data(body, "updateApp")
        wanted = normalize(scopes)
        if app.status == "IN_REVIEW":
            expected = ["APP_IN_REVIEW"]
        elif app.guarded and app.revision is not None and app.revision.status != "DRAFT":
            expected = ["REVISION_LOCKED"]
        else:
            expected = []
            if not app.guarded:  # a draft: live at once (and nobody else can install a draft)
                app.scopes = wanted
            elif app.revision is not None:
                app.revision.scopes = None if wanted == app.scopes else wanted
            elif wanted != app.scopes:
                app.revision = Revision("DRAFT", wanted)
        assert codes(payload) == expected, (app, scopes, payload)

    # While few apps are alive, none is deleted: journeys need apps that live long enough.
    @precondition(lambda self: sum(not app.deleted for app in self.models) >= 3)
    @rule(app=apps)
    def delete(self, app: ModelApp) -> None:
        body = self.dev(
            'mutation D($id: ID!) { deleteApp(input: {id: $id, reason: "Done."})'
            " { deletedAppId userErrors { code } } }",
            {"id": app.id},
        )
        if app.deleted:
            assert top_error(body) == "NOT_FOUND"
            return
        payload = data(body, "deleteApp")
        if app.status == "PUBLISHED":
            assert codes(payload) == ["INVALID_TRANSITION"]
            return
        assert codes(payload) == [] and payload["deletedAppId"] == app.id
        app.deleted = True
        app.pending = None
        app.tokens_die()
        PROGRESS["deleted"] += 1

    # Reviewer ----------------------------------------------------------------------------------

    @rule(app=apps, approve=st.booleans())
    def decide(self, app: ModelApp, approve: bool) -> None:
        """Decide the app's latest submission: the pending one, or one already decided."""
        if app.submission_id is None:
            return
        if approve:
            body = self.review(
                "mutation M($id: ID!) { approveSubmission(input: {id: $id})"
                " { submission { status } userErrors { code } } }",
                {"id": app.submission_id},
            )
        else:
            body = self.review(
                "mutation M($id: ID!) { rejectSubmission(input: {id: $id, reasons:"
                ' [{code: OTHER, message: "No."}]})'
                " { submission { status } userErrors { code } } }",
                {"id": app.submission_id},
            )
        if app.deleted:
            assert top_error(body) == "NOT_FOUND"
            return
        payload = data(body, "approveSubmission" if approve else "rejectSubmission")
        if app.pending is None:
            assert codes(payload) == ["ALREADY_DECIDED"], (app, payload)
            return
        assert codes(payload) == [], (app, payload)
        assert payload["submission"]["status"] == ("APPROVED" if approve else "REJECTED")
        if app.pending == "LISTING":
            app.status = "APPROVED" if approve else "DRAFT"
        else:
            app.revision.status = "APPROVED" if approve else "DRAFT"
        app.pending = None
        PROGRESS["approved" if approve else "rejected"] += 1

    @rule(app=apps, approve=st.sampled_from([True, True, False]), publish=st.booleans())
    def review_round(self, app: ModelApp, approve: bool, publish: bool) -> None:
        """Submit, decide and maybe publish at once: reaches listed apps in few steps."""
        self.submit(app)
        self.decide(app, approve)
        if publish:
            self.change_status(app, "publishApp")

    @rule(app=apps, scopes=st.sampled_from(SCOPE_CHOICES[:4]))
    def revision_round(self, app: ModelApp, scopes: list[str]) -> None:
        """Edit an app's scopes, submit, approve and merge: a revision's whole way, in one step."""
        self.edit_scopes(app, scopes)
        self.submit(app)
        self.decide(app, True)
        self.change_status(app, "mergePendingRevision")

    # Customer and the app's back end -----------------------------------------------------------

    @rule(app=apps)
    def install(self, app: ModelApp) -> None:
        approved = data(
            call(
                self.world,
                "mutation A($i: AuthorizationInput!) { approveAuthorization(input: $i)"
                " { redirectUrl userErrors { code } } }",
                {"i": {"clientId": app.client_id, "redirectUri": self.world.callback}},
                token=self.world.tokens["customer"],
            ),
            "approveAuthorization",
        )
        if app.deleted or not app.guarded:  # only approved and published apps are released
            assert codes(approved) == ["INVALID_AUTHORIZATION_REQUEST"], (app, approved)
            assert approved["redirectUrl"] is None
            PROGRESS["install refused"] += 1
            return
        assert codes(approved) == [], (app, approved)
        code = parse_qs(urlsplit(approved["redirectUrl"]).query)["code"][0]
        response = self.oauth_post(
            app,
            "/oauth/token",
            {"grant_type": "authorization_code", "code": code, "redirect_uri": self.world.callback},
        )
        assert response.status_code == 200, response.text
        tokens = response.json()
        assert frozenset(tokens["scope"].split()) == app.scopes
        assert tokens["refresh_token"] not in app.refresh_tokens
        app.installed = True
        app.granted = app.scopes
        app.refresh_tokens.append(tokens["refresh_token"])  # the earlier ones are revoked
        app.access_token, app.access_scopes, app.access_live = (
            tokens["access_token"],
            app.scopes,
            True,
        )
        if app.installation_id is None:
            app.installation_id = self.find_installation(app)
        PROGRESS["installed"] += 1

    def find_installation(self, app: ModelApp) -> str:
        edges = data(
            call(
                self.world,
                "{ installations(first: 100) { edges { node { id app { name } } } } }",
                token=self.world.tokens["customer"],
            ),
            "installations",
        )["edges"]
        [node_id] = [
            edge["node"]["id"] for edge in edges if edge["node"]["app"]["name"] == app.name
        ]
        return node_id

    @rule(app=apps, earliest=st.booleans())
    def refresh(self, app: ModelApp, earliest: bool) -> None:
        """Refresh with the current refresh token, or with the first one the app ever got."""
        if not app.refresh_tokens:
            return
        token = app.refresh_tokens[0 if earliest else -1]
        response = self.oauth_post(
            app, "/oauth/token", {"grant_type": "refresh_token", "refresh_token": token}
        )
        if app.deleted:
            assert oauth(response) == (401, "invalid_client"), response.text
            return
        if not app.installed or token != app.refresh_tokens[-1]:
            assert oauth(response) == (400, "invalid_grant"), (app, response.text)
            PROGRESS["refresh refused"] += 1
            return
        assert response.status_code == 200, (app, response.text)
        tokens = response.json()
        assert tokens["refresh_token"] == token  # kept, not rotated
        scopes = effective(app.granted, app.scopes)
        assert frozenset(tokens["scope"].split()) == scopes, (app, tokens["scope"])
        if scopes != app.granted:
            PROGRESS["refreshed after a scope change"] += 1
        app.access_token, app.access_scopes, app.access_live = tokens["access_token"], scopes, True
        PROGRESS["refreshed"] += 1

    @rule(app=apps, via_api=st.booleans(), earliest=st.booleans())
    def uninstall(self, app: ModelApp, via_api: bool, earliest: bool) -> None:
        """The customer uninstalls in the hub, or the app revokes a refresh token: its current
        one, or the first it ever got (dead once the app was installed again: a no-op)."""
        if via_api:
            if app.installation_id is None:
                return
            payload = data(
                call(
                    self.world,
                    "mutation U($id: ID!) { uninstallApp(input: {installationId: $id})"
                    " { installation { uninstalledAt } userErrors { code } } }",
                    {"id": app.installation_id},
                    token=self.world.tokens["customer"],
                ),
                "uninstallApp",
            )
            if not app.installed:
                assert codes(payload) == ["ALREADY_UNINSTALLED"], (app, payload)
                return
            assert codes(payload) == [] and payload["installation"]["uninstalledAt"]
        else:
            if not app.refresh_tokens:
                return
            token = app.refresh_tokens[0 if earliest else -1]
            response = self.oauth_post(app, "/oauth/revoke", {"token": token})
            if app.deleted:
                assert oauth(response) == (401, "invalid_client"), response.text
                return
            assert response.status_code == 200, response.text  # dead or alive, RFC 7009
            if not app.installed:
                return  # a dead token: nothing changes (checked by the next steps)
            if token != app.refresh_tokens[-1]:
                PROGRESS["replaced refresh token revoked"] += 1
                return
        app.tokens_die()
        PROGRESS["uninstalled"] += 1

    @rule(app=apps, which=st.sampled_from(["access", "refresh"]))
    def introspect(self, app: ModelApp, which: str) -> None:
        """The app asks whether its latest token of a kind is active, and for what."""
        token = app.access_token if which == "access" else (app.refresh_tokens or [None])[-1]
        if token is None:
            return
        response = self.oauth_post(app, "/oauth/introspect", {"token": token})
        if app.deleted:
            assert oauth(response) == (401, "invalid_client"), response.text
            return
        assert response.status_code == 200, response.text
        claims = response.json()
        if which == "access":
            active, scopes = app.access_live, effective(app.access_scopes, app.scopes)
        else:
            active, scopes = app.installed, effective(app.granted, app.scopes)
        if not active:
            assert claims == {"active": False}, (app, which, claims)
            return
        assert claims["active"] is True, (app, which, claims)
        assert frozenset(claims["scope"].split()) == scopes, (app, which, claims)

    # The same steps aimed at apps where they change something: every run gets far, whatever
    # seed Hypothesis derives from this class's source. ------------------------------------------

    def pick(self, data: st.DataObject, wanted) -> ModelApp:
        return data.draw(st.sampled_from([app for app in self.models if wanted(app)]), "app")

    @precondition(lambda self: any(app.pending for app in self.models))
    @rule(data=st.data(), approve=st.booleans())
    def decide_a_pending_submission(self, data: st.DataObject, approve: bool) -> None:
        self.decide(self.pick(data, lambda app: app.pending), approve)

    @precondition(lambda self: any(app.status == "APPROVED" for app in self.models))
    @rule(data=st.data())
    def publish_an_approved_app(self, data: st.DataObject) -> None:
        self.change_status(self.pick(data, lambda app: app.status == "APPROVED"), "publishApp")

    @precondition(lambda self: any(app.guarded and not app.deleted for app in self.models))
    @rule(data=st.data())
    def install_a_released_app(self, data: st.DataObject) -> None:
        self.install(self.pick(data, lambda app: app.guarded and not app.deleted))

    @precondition(lambda self: any(app.installed for app in self.models))
    @rule(data=st.data())
    def change_an_installed_apps_scopes(self, data: st.DataObject) -> None:
        """A revision to scopes other than those the user granted goes live; then the app's
        tokens: the one it holds, a refresh, the new one."""
        app = self.pick(data, lambda app: app.installed)
        others = [scopes for scopes in SCOPE_CHOICES[:4] if normalize(scopes) != app.granted]
        self.revision_round(app, data.draw(st.sampled_from(others), "scopes"))
        self.introspect(app, "access")
        self.refresh(app, earliest=False)
        self.introspect(app, "access")

    @precondition(lambda self: any(app.installed for app in self.models))
    @rule(data=st.data())
    def reinstall_and_revoke_the_replaced_token(self, data: st.DataObject) -> None:
        """Installed again, the app revokes its first refresh token (dead since): nothing ends."""
        app = self.pick(data, lambda app: app.installed)
        self.install(app)
        self.uninstall(app, via_api=False, earliest=True)
        self.refresh(app, earliest=False)

    @precondition(lambda self: any(app.refresh_tokens and not app.installed for app in self.models))
    @rule(data=st.data())
    def refresh_an_uninstalled_app(self, data: st.DataObject) -> None:
        self.refresh(self.pick(data, lambda app: app.refresh_tokens and not app.installed), False)

    @precondition(lambda self: any(app.installed for app in self.models))
    @rule(data=st.data(), via_api=st.booleans())
    def uninstall_an_installed_app(self, data: st.DataObject, via_api: bool) -> None:
        """Uninstalled in the hub or by revoking the refresh token; then the app's tokens."""
        app = self.pick(data, lambda app: app.installed)
        self.uninstall(app, via_api, earliest=False)
        self.refresh(app, earliest=False)
        self.introspect(app, "access")

    # The server's view equals the model's, and the invariants ----------------------------------

    @invariant()
    def the_server_holds_what_the_model_says(self) -> None:
        live = [app for app in self.models if not app.deleted]
        fields = "status scopes { name } pendingRevision { status } currentSubmission { id kind }"
        for start in range(0, len(live), 25):  # the API allows 30 aliases per document
            batch = live[start : start + 25]
            aliased = (f'a{n}: app(id: "{app.id}") {{ {fields} }}' for n, app in enumerate(batch))
            body = self.dev("{ " + " ".join(aliased) + " }")
            assert "errors" not in body, body["errors"]
            for n, app in enumerate(batch):
                seen = body["data"][f"a{n}"]
                assert seen["status"] == app.status, (app, seen)
                assert frozenset(s["name"] for s in seen["scopes"]) == app.scopes, (app, seen)
                revision = seen["pendingRevision"]
                assert (revision and revision["status"]) == (app.revision and app.revision.status)
                pending = app.pending and {"id": app.submission_id, "kind": app.pending}
                assert seen["currentSubmission"] == pending, (app, seen)

    @invariant()
    def the_customer_sees_the_installations_the_model_says(self) -> None:
        installed = [app for app in self.models if app.installation_id]
        fields = "... on Installation { uninstalledAt needsReauthorization scopes { name } }"
        for start in range(0, len(installed), 25):
            batch = installed[start : start + 25]
            aliased = (
                f'i{n}: node(id: "{app.installation_id}") {{ {fields} }}'
                for n, app in enumerate(batch)
            )
            body = call(
                self.world, "{ " + " ".join(aliased) + " }", token=self.world.tokens["customer"]
            )
            assert "errors" not in body, body["errors"]
            for n, app in enumerate(batch):
                seen = body["data"][f"i{n}"]
                assert (seen["uninstalledAt"] is None) == app.installed, (app, seen)
                assert frozenset(s["name"] for s in seen["scopes"]) == app.granted, (app, seen)
                reauthorize = not covers(app.granted, app.scopes)
                assert seen["needsReauthorization"] == reauthorize, (app, seen)

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
                    set(json.loads(row[0])["scopes"])
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
        """Each app deleted since the last step (whoever deleted it) is refused at authorize."""
        with sqlite3.connect(self.world.database) as db:
            deleted = db.execute(
                "SELECT client_id, callback_url FROM app WHERE deleted_at IS NOT NULL"
            ).fetchall()
        for client_id, callback in deleted:
            if client_id in CHECKED_DELETED_APPS:
                continue
            response = self.world.http.get(
                "/oauth/authorize", params={"client_id": client_id, "redirect_uri": callback}
            )
            assert response.status_code == 400
            CHECKED_DELETED_APPS.add(client_id)

    @invariant()
    def audit_logs_only_grow(self) -> None:
        with sqlite3.connect(self.world.database) as db:
            rows = db.execute("SELECT app_id, count(*) FROM audit_entry GROUP BY app_id").fetchall()
        for app_id, count in rows:
            key = str(app_id)
            assert count >= self.audit_lengths.get(key, 0)
            self.audit_lengths[key] = count


def test_random_journeys_do_what_the_model_says(world: World):
    Marketplace.world = world
    PROGRESS.clear()
    run = Marketplace.TestCase
    run.settings = settings(
        max_examples=40,
        stateful_step_count=25,
        deadline=None,
        derandomize=True,
        # A failure is reported at once, with its whole journey: shrinking it on a server whose
        # data only grows takes minutes (add Phase.shrink here to get the shortest one).
        phases=[Phase.explicit, Phase.generate],
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    run().runTest()
    missing = [step for step in REQUIRED_PROGRESS if not PROGRESS[step]]
    assert not missing, f"no journey got to: {', '.join(missing)} (progress: {dict(PROGRESS)})"
