"""Every root field of both schemas, called by every kind of caller, against a table.

Outcomes: "ok" (an answer, perhaps with userErrors, never an auth error) or the error code.
A root field missing from the table fails the test, so a new field needs its row.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest
from strawberry import relay

from devhub_gql.models import App
from tests.oauth.support import ClientApp, install
from tests.support import (
    PASSWORD,
    STATUS_MUTATIONS,
    GraphQLClient,
    approve,
    create_app,
    fill_listing,
    make_reviewer,
    published_app,
    sign_up,
    submit,
)
from tests.test_extensions import VALID, added

ROLES = ("anonymous", "outsider", "member", "admin", "developer", "reviewer")
U, F, N = "UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND"
NI = "APP_NOT_INSTALLED"
CLOSED_PORT = "http://127.0.0.1:9/extension"
OK = "ok"


def row(anonymous, outsider, member, admin, developer, reviewer) -> dict[str, str]:
    return dict(zip(ROLES, (anonymous, outsider, member, admin, developer, reviewer), strict=True))


EVERYONE = row(OK, OK, OK, OK, OK, OK)
SIGNED_IN = row(U, OK, OK, OK, OK, OK)
DEVELOPERS = row(U, N, OK, N, OK, N)  # the app's company only; others cannot tell it exists
REVIEWERS = row(U, F, F, F, F, OK)

# field -> (document, expected outcome per role); variables come from the scenario by name
PUBLIC = {
    "viewer": ("{ viewer { id } }", EVERYONE),
    "scopes": ("{ scopes { name } }", EVERYONE),
    "categories": ("{ categories { slug } }", EVERYONE),
    "marketplaceApps": ("{ marketplaceApps { edges { node { id } } } }", EVERYONE),
    "marketplaceApp": ('{ marketplaceApp(slug: "deal-sync") { id } }', EVERYONE),
    "marketplaceCollections": ("{ marketplaceCollections { slug } }", EVERYONE),
    "app": ("query Q($draft: ID!) { app(id: $draft) { id } }", DEVELOPERS),
    "apps": ("{ apps { edges { node { id } } } }", SIGNED_IN),
    "appManifest": ("query Q($draft: ID!) { appManifest(appId: $draft) }", DEVELOPERS),
    "notifications": (
        "query Q($draft: ID!) { notifications(appId: $draft) { nodes { subject } } }",
        DEVELOPERS,
    ),
    "notificationSettings": ("{ notificationSettings { kind subscribed } }", SIGNED_IN),
    "appAnalytics": (
        'query Q($draft: ID!) { appAnalytics(appId: $draft, from: "2026-01-01", to: "2026-01-07")'
        " { days { day } } }",
        DEVELOPERS,
    ),
    "uninstallNotices": (
        "query Q($draft: ID!) { uninstallNotices(appId: $draft) { edges { node { webhookId } } } }",
        DEVELOPERS,
    ),
    "node": ("query Q($draft: ID!) { node(id: $draft) { id } }", DEVELOPERS),
    "installations": ("{ installations { edges { node { id } } } }", SIGNED_IN),
    "authorizationRequest": (
        "query Q($clientId: String!, $redirectUri: String!) {"
        " authorizationRequest(clientId: $clientId, redirectUri: $redirectUri) { canInstall } }",
        SIGNED_IN,
    ),
    "signUp": (
        'mutation { signUp(input: {email: "bad", password: "short", name: "", companyName: ""})'
        " { userErrors { code } } }",
        EVERYONE,
    ),
    "signIn": (
        'mutation { signIn(input: {email: "nobody@example.com", password: "wrong password"})'
        " { userErrors { code } } }",
        EVERYONE,
    ),
    "addCompanyMember": (
        'mutation { addCompanyMember(input: {email: "bad", name: "", password: "x"})'
        " { userErrors { code } } }",
        row(U, OK, F, OK, OK, OK),
    ),
    "createApp": (
        'mutation { createApp(input: {type: PUBLIC, name: "", callbackUrl: "nope"})'
        " { userErrors { code } } }",
        row(U, F, OK, F, OK, F),  # sandbox companies only
    ),
    "updateApp": (
        'mutation M($draft: ID!) { updateApp(input: {id: $draft, name: ""})'
        " { userErrors { code } } }",
        DEVELOPERS,
    ),
    "rotateClientSecret": (
        "mutation M($draft: ID!) { rotateClientSecret(input: {id: $draft, gracePeriodHours: -1})"
        " { userErrors { code } } }",
        DEVELOPERS,
    ),
    "submitAppForReview": (
        "mutation M($listed: ID!) { submitAppForReview(input: {id: $listed})"
        " { userErrors { code } } }",
        DEVELOPERS,
    ),
    "withdrawAppFromReview": (
        "mutation M($draft: ID!) { withdrawAppFromReview(input: {id: $draft})"
        " { userErrors { code } } }",
        DEVELOPERS,
    ),
    "publishApp": (
        "mutation M($draft: ID!) { publishApp(input: {id: $draft}) { userErrors { code } } }",
        DEVELOPERS,
    ),
    "unpublishApp": (
        "mutation M($draft: ID!) { unpublishApp(input: {id: $draft}) { userErrors { code } } }",
        DEVELOPERS,
    ),
    "changeAppToLive": (
        "mutation M($draft: ID!) { changeAppToLive(input: {id: $draft}) { userErrors { code } } }",
        DEVELOPERS,
    ),
    "mergePendingRevision": (
        "mutation M($draft: ID!) { mergePendingRevision(input: {id: $draft})"
        " { userErrors { code } } }",
        DEVELOPERS,
    ),
    "discardPendingRevision": (
        "mutation M($draft: ID!) { discardPendingRevision(input: {id: $draft})"
        " { userErrors { code } } }",
        DEVELOPERS,
    ),
    "deleteApp": (
        'mutation M($draft: ID!) { deleteApp(input: {id: $draft, reason: ""})'
        " { userErrors { code } } }",
        DEVELOPERS,
    ),
    "addAppExtension": (
        "mutation M($draft: ID!) { addAppExtension(input: {appId: $draft, kind: LINK_ACTION,"
        ' fields: {name: ""}}) { userErrors { code } } }',
        DEVELOPERS,
    ),
    "updateAppExtension": (  # an app in review: refused with a userError, nothing changes
        "mutation M($reviewing: ID!, $reviewingExtension: ID!) { updateAppExtension(input:"
        ' {appId: $reviewing, extensionId: $reviewingExtension, fields: {name: "x"}})'
        " { userErrors { code } } }",
        DEVELOPERS,
    ),
    "removeAppExtension": (
        "mutation M($reviewing: ID!, $reviewingExtension: ID!) { removeAppExtension(input:"
        " {appId: $reviewing, extensionId: $reviewingExtension}) { userErrors { code } } }",
        DEVELOPERS,
    ),
    "setNotificationSetting": (  # on is always allowed; each user changes only their own
        "mutation { setNotificationSetting(input: {kind: APP_UNPUBLISHED, subscribed: true})"
        " { userErrors { code } } }",
        SIGNED_IN,
    ),
    "applyAppManifest": (  # a dry run: nothing changes, whoever asks
        "mutation M($draft: ID!) { applyAppManifest(input: {appId: $draft, dryRun: true,"
        " manifest: {version: 1}}) { changed } }",
        DEVELOPERS,
    ),
    "checkAppExtension": (
        "mutation M($reviewing: ID!, $reviewingExtension: ID!) { checkAppExtension(input:"
        " {appId: $reviewing, extensionId: $reviewingExtension}) { passed } }",
        DEVELOPERS,
    ),
    "openAppExtension": (  # the admin installed the listed app; nobody else did
        "mutation M($extension: ID!) { openAppExtension(input: {extensionId: $extension})"
        " { url } }",
        row(U, NI, NI, OK, NI, NI),
    ),
    "rateApp": (  # refused for its stars, whoever asks: nothing changes
        "mutation M($listing: ID!) { rateApp(input: {appId: $listing, stars: 0})"
        " { userErrors { code } } }",
        SIGNED_IN,
    ),
    "deleteAppRating": (  # nobody but the admin rated it, and the admin's is kept
        "mutation M($draft: ID!) { deleteAppRating(input: {appId: $draft}) { deleted } }",
        row(U, N, N, N, N, N),
    ),
    "replyToReview": (  # the app's developers only; an empty reply is refused
        'mutation M($review: ID!) { replyToReview(input: {reviewId: $review, body: ""})'
        " { userErrors { code } } }",
        row(U, F, OK, F, OK, F),
    ),
    "markReviewHelpful": (  # anyone signed in (the author gets OWN_REVIEW)
        "mutation M($review: ID!) { markReviewHelpful(input: {reviewId: $review})"
        " { userErrors { code } } }",
        SIGNED_IN,
    ),
    "reportReview": (
        'mutation M($review: ID!) { reportReview(input: {reviewId: $review, reason: ""})'
        " { userErrors { code } } }",
        SIGNED_IN,
    ),
    "approveAuthorization": (
        "mutation M($clientId: String!, $redirectUri: String!) {"
        " approveAuthorization(input: {clientId: $clientId, redirectUri: $redirectUri})"
        " { userErrors { code } } }",
        SIGNED_IN,
    ),
    "denyAuthorization": (
        "mutation M($clientId: String!, $redirectUri: String!) {"
        " denyAuthorization(input: {clientId: $clientId, redirectUri: $redirectUri})"
        " { userErrors { code } } }",
        SIGNED_IN,
    ),
    "uninstallApp": (
        "mutation M($installation: ID!) { uninstallApp(input: {installationId: $installation})"
        " { userErrors { code } } }",
        row(U, N, N, OK, N, N),  # the installing user's company admin (or the user)
    ),
    "signOut": ("mutation { signOut { signedOut } }", SIGNED_IN),  # last: it ends sessions
}

BACKOFFICE = {
    "viewer": ("{ viewer { id } }", REVIEWERS),
    "reviewQueue": ("{ reviewQueue { edges { node { id } } } }", REVIEWERS),
    "apps": ("{ apps { nodes { id } } }", REVIEWERS),
    "app": ("query Q($listed: ID!) { app(id: $listed) { id } }", REVIEWERS),
    "submission": (
        "query Q($submission: ID!) { submission(id: $submission) { id } }",
        REVIEWERS,
    ),
    "auditLog": (
        "query Q($listed: ID!) { auditLog(appId: $listed) { edges { node { action } } } }",
        REVIEWERS,
    ),
    "approveSubmission": (
        "mutation M($submission: ID!) { approveSubmission(input: {id: $submission})"
        " { userErrors { code } } }",
        REVIEWERS,
    ),
    "rejectSubmission": (
        "mutation M($submission: ID!) { rejectSubmission(input: {id: $submission,"
        ' reasons: [{code: OTHER, message: "x"}]}) { userErrors { code } } }',
        REVIEWERS,
    ),
    "unpublishApp": (
        'mutation M($draft: ID!) { unpublishApp(input: {appId: $draft, reason: "x"})'
        " { userErrors { code } } }",
        REVIEWERS,
    ),
    "reportedReviews": ("{ reportedReviews { nodes { appName } } }", REVIEWERS),
    "claimSubmission": (  # decided already: refused with a userError
        "mutation M($submission: ID!) { claimSubmission(input: {id: $submission})"
        " { userErrors { code } } }",
        REVIEWERS,
    ),
    "releaseSubmission": (
        "mutation M($submission: ID!) { releaseSubmission(input: {id: $submission})"
        " { submission { id } } }",
        REVIEWERS,
    ),
    "editListingText": (  # refused for its reason: nothing changes
        'mutation M($listed: ID!) { editListingText(input: {appId: $listed, reason: ""})'
        " { userErrors { code } } }",
        REVIEWERS,
    ),
    "hideReview": (
        'mutation M($review: ID!) { hideReview(input: {reviewId: $review, reason: ""})'
        " { userErrors { code } } }",
        REVIEWERS,
    ),
    "dismissReviewReports": (  # it has no open reports
        "mutation M($review: ID!) { dismissReviewReports(input: {reviewId: $review})"
        " { userErrors { code } } }",
        REVIEWERS,
    ),
}

ROOT_FIELDS = """
{ __schema { queryType { fields { name } } mutationType { fields { name } } } }
"""


@dataclass
class Scenario:
    tokens: dict[str, str | None]
    variables: dict[str, str]


@pytest.fixture
async def scenario(
    gql: GraphQLClient, http: httpx.AsyncClient, backoffice: GraphQLClient
) -> Scenario:
    developer = await sign_up(gql, "dev@example.com", company="Dev Studio")
    await gql.data(
        'mutation { addCompanyMember(input: {email: "member@example.com", name: "Mem",'
        f' password: "{PASSWORD}"}}) {{ user {{ id }} }} }}',
        token=developer.token,
    )
    member_token = (
        await gql.data(
            f'mutation {{ signIn(input: {{email: "member@example.com", password: "{PASSWORD}"}})'
            " { session { token } } }"
        )
    )["signIn"]["session"]["token"]
    admin = await sign_up(gql, "admin@customer.example", kind="PRODUCTION", company="Customer")
    outsider = await sign_up(gql, "someone@else.example", kind="PRODUCTION", company="Elsewhere")
    reviewer = await make_reviewer(gql)

    listed = await published_app(gql, backoffice, developer, reviewer)
    rotated = await gql.data(
        "mutation R($id: ID!) { rotateClientSecret(input: {id: $id, gracePeriodHours: 0})"
        " { clientSecret } }",
        {"id": listed},
        token=developer.token,
    )
    row_ = await App.get(name="Deal Sync")
    client = ClientApp(
        listed, row_.client_id, rotated["rotateClientSecret"]["clientSecret"], row_.callback_url
    )
    await install(gql, http, admin, client)
    installation = (
        await gql.data("{ installations { edges { node { id } } } }", token=admin.token)
    )["installations"]["edges"][0]["node"]["id"]
    submission = (
        await gql.data(
            "query A($id: ID!) { app(id: $id) { reviewHistory { id } } }",
            {"id": listed},
            token=developer.token,
        )
    )["app"]["reviewHistory"][0]["id"]
    draft = (await create_app(gql, developer, name="Draft"))["app"]["id"]
    listing = relay.to_base64("MarketplaceApp", row_.id)
    rated = await gql.data(
        "mutation R($id: ID!) { rateApp(input: {appId: $id, stars: 4}) { review { id } } }",
        {"id": listing},
        token=admin.token,
    )
    # A live extension of the listed app (through a reviewed revision), and an app in review
    # with one.
    extension = await added(gql, developer, listed, "CUSTOM_PANEL", **VALID["CUSTOM_PANEL"])
    revision = await submit(gql, developer, listed)
    await approve(backoffice, reviewer, revision["submission"]["id"])
    merged = await gql.data(
        STATUS_MUTATIONS["mergePendingRevision"], {"id": listed}, token=developer.token
    )
    assert merged["mergePendingRevision"]["userErrors"] == []
    reviewing = (await create_app(gql, developer, name="Reviewing"))["app"]["id"]
    reviewing_extension = await added(  # nothing listens there: its check fails at once
        gql, developer, reviewing, "LINK_ACTION", **VALID["LINK_ACTION"] | {"url": CLOSED_PORT}
    )
    await fill_listing(gql, developer, reviewing)
    assert (await submit(gql, developer, reviewing))["userErrors"] == []
    return Scenario(
        tokens={
            "anonymous": None,
            "outsider": outsider.token,
            "member": member_token,
            "admin": admin.token,
            "developer": developer.token,
            "reviewer": reviewer.token,
        },
        variables={
            "draft": draft,
            "listed": listed,
            "submission": submission,
            "installation": installation,
            "listing": listing,
            "review": rated["rateApp"]["review"]["id"],
            "extension": extension,
            "reviewing": reviewing,
            "reviewingExtension": reviewing_extension,
            "clientId": client.client_id,
            "redirectUri": client.callback_url,
        },
    )


def used_variables(document: str, variables: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in variables.items() if f"${name}" in document}


async def outcome(client: GraphQLClient, document: str, variables: dict, token: str | None) -> str:
    body = await client.post(document, variables, token=token)
    if body.get("errors"):
        return body["errors"][0]["extensions"]["code"]
    return OK


async def test_every_root_field_answers_every_caller_as_the_table_says(
    gql: GraphQLClient, backoffice: GraphQLClient, scenario: Scenario
):
    mismatches = []
    for client, table in ((backoffice, BACKOFFICE), (gql, PUBLIC)):  # signOut comes last
        for field, (document, expected) in table.items():
            variables = used_variables(document, scenario.variables)
            for role in ROLES:
                got = await outcome(client, document, variables, scenario.tokens[role])
                if got != expected[role]:
                    mismatches.append(f"{field} as {role}: expected {expected[role]}, got {got}")
    assert mismatches == []


async def test_the_table_covers_every_root_field(
    gql: GraphQLClient, backoffice: GraphQLClient, scenario: Scenario
):
    public = await gql.data(ROOT_FIELDS)
    reviewer = scenario.tokens["reviewer"]
    back = await backoffice.data(ROOT_FIELDS, token=reviewer)
    for schema, table in ((public, PUBLIC), (back, BACKOFFICE)):
        fields = {
            field["name"]
            for root in ("queryType", "mutationType")
            for field in schema["__schema"][root]["fields"]
        }
        assert fields == set(table), f"root fields without a row: {sorted(fields - set(table))}"
