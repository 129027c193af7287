"""The developer's path of an app through review, publishing, revisions and deletion."""

from __future__ import annotations

import httpx
import pytest

from devhub_gql.app import create_app
from devhub_gql.settings import Settings
from tests.support import (
    REJECT,
    STATUS_MUTATIONS,
    UPDATE_APP,
    GraphQLClient,
    approve,
    error_codes,
    fill_listing,
    make_reviewer,
    published_app,
    sign_up,
    submit,
)
from tests.support import (
    create_app as create_test_app,
)

APP_REVIEW_VIEW = """
query A($id: ID!) {
  app(id: $id) {
    status callbackUrl summary scopes { name }
    pendingRevision { status diff { scopesAdded scopesRemoved fields { field old new } } }
    currentSubmission { id kind status }
    latestRejection { status reasons { code message } }
    reviewHistory { kind status }
  }
}
"""

AUDIT_LOG = """
query L($id: ID!) { auditLog(appId: $id) { edges { node { action fromStatus toStatus reason
  actor { email } } } } }
"""

DELETE = """
mutation D($id: ID!, $reason: String!) {
  deleteApp(input: {id: $id, reason: $reason}) { deletedAppId userErrors { field code message } }
}
"""


@pytest.fixture
async def developer(gql: GraphQLClient):
    return await sign_up(gql, "dev@example.com")


@pytest.fixture
async def reviewer(gql: GraphQLClient):
    return await make_reviewer(gql)


async def status_change(gql: GraphQLClient, name: str, app_id: str, token: str) -> dict:
    return (await gql.data(STATUS_MUTATIONS[name], {"id": app_id}, token=token))[name]


async def view(gql: GraphQLClient, app_id: str, token: str) -> dict:
    return (await gql.data(APP_REVIEW_VIEW, {"id": app_id}, token=token))["app"]


async def test_public_app_goes_from_draft_to_published_and_back_with_an_audit_trail(
    gql: GraphQLClient, backoffice: GraphQLClient, developer, reviewer
):
    app_id = (await create_test_app(gql, developer))["app"]["id"]
    await fill_listing(gql, developer, app_id)

    submitted = await submit(gql, developer, app_id)
    assert submitted["app"]["status"] == "IN_REVIEW"
    assert submitted["submission"]["kind"] == "LISTING"
    assert (await view(gql, app_id, developer.token))["currentSubmission"]["status"] == "PENDING"

    await approve(backoffice, reviewer, submitted["submission"]["id"])
    assert (await view(gql, app_id, developer.token))["status"] == "APPROVED"
    for name, expected in [
        ("publishApp", "PUBLISHED"),
        ("unpublishApp", "APPROVED"),
        ("publishApp", "PUBLISHED"),
    ]:
        assert (await status_change(gql, name, app_id, developer.token))["app"][
            "status"
        ] == expected

    log = await backoffice.data(AUDIT_LOG, {"id": app_id}, token=reviewer.token)
    entries = [e["node"] for e in log["auditLog"]["edges"]]
    assert [(e["action"], e["fromStatus"], e["toStatus"]) for e in entries] == [
        ("SUBMIT", "DRAFT", "IN_REVIEW"),
        ("APPROVE", "IN_REVIEW", "APPROVED"),
        ("PUBLISH", "APPROVED", "PUBLISHED"),
        ("UNPUBLISH", "PUBLISHED", "APPROVED"),
        ("PUBLISH", "APPROVED", "PUBLISHED"),
    ]
    assert entries[1]["actor"]["email"] == "reviewer@marketplace.example"
    assert entries[0]["actor"]["email"] == "dev@example.com"


async def test_submission_reports_every_missing_requirement_at_once(gql: GraphQLClient, developer):
    app_id = (await create_test_app(gql, developer, callback_url="http://plain.example/cb"))["app"][
        "id"
    ]
    result = await submit(gql, developer, app_id)
    assert sorted(error_codes(result)) == [
        ("callbackUrl", "HTTPS_REQUIRED"),
        ("category", "REQUIRED"),
        ("contactEmail", "REQUIRED"),
        ("description", "REQUIRED"),
        ("iconUrl", "REQUIRED"),
        ("listingImageUrls", "TOO_FEW"),
        ("partnerTermsAccepted", "TERMS_NOT_ACCEPTED"),
        ("privacyPolicyUrl", "REQUIRED"),
        ("scopes", "TOO_FEW"),
        ("summary", "REQUIRED"),
        ("termsOfServiceUrl", "REQUIRED"),
        ("websiteUrl", "REQUIRED"),
    ]
    assert result["submission"] is None
    app = await view(gql, app_id, developer.token)
    assert app["status"] == "DRAFT" and app["reviewHistory"] == []


async def test_only_local_development_accepts_a_plain_http_loopback_callback(
    gql: GraphQLClient, developer, settings: Settings, clock, receiver
):
    """With DEVHUB_ALLOW_PRIVATE_CALLBACKS (local development), an app served on this machine
    needs no certificate; a production service still requires https everywhere."""
    app_id = (await create_test_app(gql, developer))["app"]["id"]
    await fill_listing(gql, developer, app_id, callbackUrl=f"{receiver.url}/callback")
    production = Settings(database_url=settings.database_url, env="production")
    service = create_app(production, clock=clock, manage_database=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=service), base_url="http://devhub.test"
    ) as http:
        refused = await submit(GraphQLClient(http), developer, app_id)
    assert error_codes(refused) == [("callbackUrl", "HTTPS_REQUIRED")]

    submitted = await submit(gql, developer, app_id)
    assert submitted["userErrors"] == []
    checks = {check["id"]: check for check in submitted["submission"]["checks"]}
    assert checks["urls_https"]["passed"] and checks["callback_answers"]["passed"]


async def test_submission_freezes_a_snapshot_with_automated_checks(gql: GraphQLClient, developer):
    app_id = (await create_test_app(gql, developer))["app"]["id"]
    await fill_listing(
        gql,
        developer,
        app_id,
        scopes=["base", "admin"],
        pricingUrl="http://dealsync.example.com/pricing",
        callbackUrl="https://127.0.0.1:9/callback",
    )
    submission = (await submit(gql, developer, app_id))["submission"]

    checks = {check["id"]: check for check in submission["checks"]}
    assert checks["required_fields"]["passed"] is True
    assert checks["urls_https"]["passed"] is False
    assert "http://dealsync.example.com/pricing" in checks["urls_https"]["message"]
    assert checks["least_privilege"]["passed"] is False
    assert "admin" in checks["least_privilege"]["message"]
    assert checks["callback_answers"]["passed"] is False
    assert submission["snapshot"]["scopes"] == ["base", "admin"]

    await status_change(gql, "withdrawAppFromReview", app_id, developer.token)
    await gql.data(
        UPDATE_APP, {"input": {"id": app_id, "summary": "Changed"}}, token=developer.token
    )
    history = (await view(gql, app_id, developer.token))["reviewHistory"]
    assert history == [{"kind": "LISTING", "status": "WITHDRAWN"}]
    node = await gql.data(
        "query N($id: ID!) { node(id: $id) { ... on Submission { snapshot { summary } } } }",
        {"id": submission["id"]},
        token=developer.token,
    )
    assert node["node"]["snapshot"]["summary"] == "Keeps deals in sync."


async def test_withdrawing_returns_the_app_to_draft_and_edits_wait_for_it(
    gql: GraphQLClient, developer
):
    app_id = (await create_test_app(gql, developer))["app"]["id"]
    await fill_listing(gql, developer, app_id)
    await submit(gql, developer, app_id)

    refused = await gql.data(
        UPDATE_APP, {"input": {"id": app_id, "summary": "Sneaky"}}, token=developer.token
    )
    assert error_codes(refused["updateApp"]) == [(None, "APP_IN_REVIEW")]

    withdrawn = await status_change(gql, "withdrawAppFromReview", app_id, developer.token)
    assert withdrawn["app"]["status"] == "DRAFT"
    again = await status_change(gql, "withdrawAppFromReview", app_id, developer.token)
    assert error_codes(again) == [(None, "INVALID_TRANSITION")]


async def test_rejected_app_returns_to_draft_with_reasons(
    gql: GraphQLClient, backoffice: GraphQLClient, developer, reviewer
):
    app_id = (await create_test_app(gql, developer))["app"]["id"]
    await fill_listing(gql, developer, app_id)
    submission_id = (await submit(gql, developer, app_id))["submission"]["id"]
    reasons = [
        {"code": "INCOMPLETE_LISTING", "message": "Add screenshots of the deal view."},
        {"code": "BROKEN_CALLBACK", "message": "The callback answers 404."},
    ]
    rejected = await backoffice.data(
        REJECT, {"id": submission_id, "reasons": reasons}, token=reviewer.token
    )
    assert rejected["rejectSubmission"]["submission"]["status"] == "REJECTED"

    app = await view(gql, app_id, developer.token)
    assert app["status"] == "DRAFT"
    assert app["latestRejection"]["reasons"] == reasons
    assert app["currentSubmission"] is None
    assert app["reviewHistory"] == [{"kind": "LISTING", "status": "REJECTED"}]
    resubmitted = await submit(gql, developer, app_id)
    assert resubmitted["app"]["status"] == "IN_REVIEW"


@pytest.mark.parametrize(
    ("app_type", "mutation", "code"),
    [
        ("PUBLIC", "publishApp", "INVALID_TRANSITION"),
        ("PUBLIC", "unpublishApp", "INVALID_TRANSITION"),
        ("PUBLIC", "changeAppToLive", "WRONG_APP_TYPE"),
        ("PUBLIC", "mergePendingRevision", "NO_PENDING_REVISION"),
        ("PUBLIC", "discardPendingRevision", "NO_PENDING_REVISION"),
        ("PRIVATE", "publishApp", "WRONG_APP_TYPE"),
        ("PRIVATE", "unpublishApp", "WRONG_APP_TYPE"),
        ("PRIVATE", "withdrawAppFromReview", "WRONG_APP_TYPE"),
    ],
)
async def test_refused_transitions_of_a_draft_say_why_and_change_nothing(
    gql: GraphQLClient, developer, app_type, mutation, code
):
    app_id = (await create_test_app(gql, developer, app_type=app_type))["app"]["id"]
    result = await status_change(gql, mutation, app_id, developer.token)
    assert error_codes(result) == [(None, code)]
    assert result["userErrors"][0]["message"]
    assert (await view(gql, app_id, developer.token))["status"] == "DRAFT"


async def test_private_apps_are_never_submitted(gql: GraphQLClient, developer):
    app_id = (await create_test_app(gql, developer, app_type="PRIVATE"))["app"]["id"]
    await fill_listing(gql, developer, app_id)
    assert error_codes(await submit(gql, developer, app_id)) == [(None, "WRONG_APP_TYPE")]


async def test_approved_and_published_apps_refuse_out_of_order_transitions(
    gql: GraphQLClient, backoffice: GraphQLClient, developer, reviewer
):
    app_id = (await create_test_app(gql, developer))["app"]["id"]
    await fill_listing(gql, developer, app_id)
    submission_id = (await submit(gql, developer, app_id))["submission"]["id"]
    assert error_codes(await submit(gql, developer, app_id)) == [(None, "INVALID_TRANSITION")]
    await approve(backoffice, reviewer, submission_id)
    assert error_codes(await status_change(gql, "unpublishApp", app_id, developer.token)) == [
        (None, "INVALID_TRANSITION")
    ]
    assert error_codes(
        await status_change(gql, "withdrawAppFromReview", app_id, developer.token)
    ) == [(None, "INVALID_TRANSITION")]
    await status_change(gql, "publishApp", app_id, developer.token)
    assert error_codes(await status_change(gql, "publishApp", app_id, developer.token)) == [
        (None, "INVALID_TRANSITION")
    ]
    assert error_codes(await submit(gql, developer, app_id)) == [(None, "NO_PENDING_REVISION")]


async def test_private_app_goes_live_once_its_callback_answers(
    gql: GraphQLClient, developer, receiver
):
    app_id = (
        await create_test_app(
            gql, developer, app_type="PRIVATE", callback_url=f"{receiver.url}/callback"
        )
    )["app"]["id"]
    receiver.status = 503
    refused = await status_change(gql, "changeAppToLive", app_id, developer.token)
    assert error_codes(refused) == [("callbackUrl", "CALLBACK_UNREACHABLE")]
    assert "503" in refused["userErrors"][0]["message"]

    receiver.status = 404  # answering at all is enough: no code comes with the check
    live = await status_change(gql, "changeAppToLive", app_id, developer.token)
    assert live["app"]["status"] == "LIVE"
    assert [(method, path) for method, path, *_ in receiver.requests][-1] == ("GET", "/callback")

    again = await status_change(gql, "changeAppToLive", app_id, developer.token)
    assert error_codes(again) == [(None, "INVALID_TRANSITION")]
    edited = await gql.data(
        UPDATE_APP,
        {"input": {"id": app_id, "scopes": ["base", "deals:read"]}},
        token=developer.token,
    )
    assert edited["updateApp"]["userErrors"] == []
    assert [s["name"] for s in (await view(gql, app_id, developer.token))["scopes"]] == [
        "base",
        "deals:read",
    ]


async def test_callbacks_on_private_networks_are_refused_unless_allowed(
    database_url, database, clock, receiver
):
    strict = Settings(database_url=database_url, allow_private_callbacks=False)
    transport = httpx.ASGITransport(app=create_app(strict, clock=clock, manage_database=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        gql = GraphQLClient(client)
        developer = await sign_up(gql, "dev@example.com")
        app_id = (
            await create_test_app(
                gql, developer, app_type="PRIVATE", callback_url=f"{receiver.url}/callback"
            )
        )["app"]["id"]
        refused = await status_change(gql, "changeAppToLive", app_id, developer.token)
    assert error_codes(refused) == [("callbackUrl", "CALLBACK_UNREACHABLE")]
    assert "non-public address" in refused["userErrors"][0]["message"]
    assert receiver.requests == []


async def test_critical_edits_of_a_published_app_wait_in_a_pending_revision(
    gql: GraphQLClient, backoffice: GraphQLClient, developer, reviewer
):
    app_id = await published_app(gql, backoffice, developer, reviewer)
    edit = {
        "id": app_id,
        "summary": "Now with contacts.",
        "callbackUrl": "https://dealsync.example.com/v2/callback",
        "scopes": ["base", "deals:full", "contacts:read"],
    }
    result = await gql.data(UPDATE_APP, {"input": edit}, token=developer.token)
    assert result["updateApp"]["userErrors"] == []

    app = await view(gql, app_id, developer.token)
    assert app["status"] == "PUBLISHED"
    assert app["summary"] == "Now with contacts."  # non-critical: live at once
    assert app["callbackUrl"] == "https://dealsync.example.com/oauth/callback"
    assert [s["name"] for s in app["scopes"]] == ["base", "deals:read"]
    expected_diff = {
        "scopesAdded": ["deals:full", "contacts:read"],
        "scopesRemoved": ["deals:read"],
        "fields": [
            {
                "field": "callbackUrl",
                "old": "https://dealsync.example.com/oauth/callback",
                "new": "https://dealsync.example.com/v2/callback",
            }
        ],
    }
    assert app["pendingRevision"] == {"status": "DRAFT", "diff": expected_diff}

    submitted = await submit(gql, developer, app_id)
    assert submitted["app"]["status"] == "PUBLISHED"
    assert submitted["submission"]["kind"] == "REVISION"
    assert submitted["submission"]["diff"] == expected_diff

    locked = await gql.data(
        UPDATE_APP, {"input": {"id": app_id, "category": "other"}}, token=developer.token
    )
    assert error_codes(locked["updateApp"]) == [(None, "REVISION_LOCKED")]
    fine = await gql.data(
        UPDATE_APP, {"input": {"id": app_id, "summary": "Still editable."}}, token=developer.token
    )
    assert fine["updateApp"]["userErrors"] == []

    early = await status_change(gql, "mergePendingRevision", app_id, developer.token)
    assert error_codes(early) == [(None, "INVALID_TRANSITION")]
    await approve(backoffice, reviewer, submitted["submission"]["id"])
    approved = await view(gql, app_id, developer.token)
    assert approved["pendingRevision"]["status"] == "APPROVED"
    assert [s["name"] for s in approved["scopes"]] == ["base", "deals:read"]

    merged = await status_change(gql, "mergePendingRevision", app_id, developer.token)
    assert merged["app"]["status"] == "PUBLISHED"
    app = await view(gql, app_id, developer.token)
    assert app["pendingRevision"] is None
    assert app["callbackUrl"] == "https://dealsync.example.com/v2/callback"
    assert [s["name"] for s in app["scopes"]] == ["base", "deals:full", "contacts:read"]

    log = await backoffice.data(AUDIT_LOG, {"id": app_id}, token=reviewer.token)
    actions = [e["node"]["action"] for e in log["auditLog"]["edges"]]
    assert actions[-3:] == ["REVISION_SUBMITTED", "REVISION_APPROVED", "REVISION_MERGED"]


async def test_a_revision_can_be_discarded_and_an_empty_one_is_not_submitted(
    gql: GraphQLClient, backoffice: GraphQLClient, developer, reviewer
):
    app_id = await published_app(gql, backoffice, developer, reviewer)
    await gql.data(
        UPDATE_APP, {"input": {"id": app_id, "category": "other"}}, token=developer.token
    )
    await gql.data(
        UPDATE_APP, {"input": {"id": app_id, "category": "productivity"}}, token=developer.token
    )
    app = await view(gql, app_id, developer.token)
    assert app["pendingRevision"]["diff"] == {"scopesAdded": [], "scopesRemoved": [], "fields": []}
    assert error_codes(await submit(gql, developer, app_id)) == [(None, "NO_CHANGES")]

    discarded = await status_change(gql, "discardPendingRevision", app_id, developer.token)
    assert discarded["userErrors"] == []
    assert (await view(gql, app_id, developer.token))["pendingRevision"] is None


async def test_deleting_needs_a_reason_is_refused_while_published_and_keeps_the_audit_trail(
    gql: GraphQLClient, backoffice: GraphQLClient, developer, reviewer
):
    app_id = await published_app(gql, backoffice, developer, reviewer)
    no_reason = await gql.data(DELETE, {"id": app_id, "reason": " "}, token=developer.token)
    assert error_codes(no_reason["deleteApp"]) == [("reason", "REASON_REQUIRED")]
    published = await gql.data(DELETE, {"id": app_id, "reason": "Sunset"}, token=developer.token)
    assert error_codes(published["deleteApp"]) == [(None, "INVALID_TRANSITION")]

    await status_change(gql, "unpublishApp", app_id, developer.token)
    deleted = await gql.data(DELETE, {"id": app_id, "reason": "Sunset"}, token=developer.token)
    assert deleted["deleteApp"] == {"deletedAppId": app_id, "userErrors": []}

    assert await gql.error_code(APP_REVIEW_VIEW, {"id": app_id}, token=developer.token) == (
        "NOT_FOUND"
    )
    listed = await gql.data("{ apps { edges { node { id } } } }", token=developer.token)
    assert listed["apps"]["edges"] == []
    log = await backoffice.data(AUDIT_LOG, {"id": app_id}, token=reviewer.token)
    last = log["auditLog"]["edges"][-1]["node"]
    assert (last["action"], last["fromStatus"], last["reason"]) == ("DELETE", "APPROVED", "Sunset")


async def test_deleting_an_app_in_review_takes_it_off_the_queue(
    gql: GraphQLClient, backoffice: GraphQLClient, developer, reviewer
):
    app_id = (await create_test_app(gql, developer))["app"]["id"]
    await fill_listing(gql, developer, app_id)
    await submit(gql, developer, app_id)
    await gql.data(DELETE, {"id": app_id, "reason": "Changed my mind"}, token=developer.token)
    queue = await backoffice.data("{ reviewQueue { edges { node { id } } } }", token=reviewer.token)
    assert queue["reviewQueue"]["edges"] == []
