"""The reviewers' back-office: who gets in, the queue, decisions and their races."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from backoffice.schema import create_backoffice_schema
from tests.support import (
    APPROVE,
    REJECT,
    GraphQLClient,
    approve,
    create_app,
    error_codes,
    fill_listing,
    make_reviewer,
    published_app,
    sign_up,
    submit,
)

ROOT = Path(__file__).resolve().parents[2]

QUEUE = """
query Q($first: Int, $after: String) {
  reviewQueue(first: $first, after: $after) {
    edges { node { id kind submittedAt app { name } developer { name } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

SUBMISSION = """
query S($id: ID!) {
  submission(id: $id) {
    id kind status snapshot { name scopes summary } checks { id passed }
    diff { scopesAdded }
    earlierDecisions { status reasons { code message } }
  }
}
"""

UNPUBLISH = """
mutation U($id: ID!, $reason: String!) {
  unpublishApp(input: {appId: $id, reason: $reason}) {
    app { status } userErrors { field code message }
  }
}
"""


@pytest.fixture
async def developer(gql: GraphQLClient):
    return await sign_up(gql, "dev@example.com")


@pytest.fixture
async def reviewer(gql: GraphQLClient):
    return await make_reviewer(gql)


async def submitted_app(gql: GraphQLClient, developer, name: str = "Deal Sync") -> tuple[str, str]:
    app_id = (await create_app(gql, developer, name=name))["app"]["id"]
    await fill_listing(gql, developer, app_id)
    return app_id, (await submit(gql, developer, app_id))["submission"]["id"]


def test_committed_backoffice_schema_matches_the_code():
    committed = (ROOT / "backoffice" / "schema.graphql").read_text()
    assert committed == create_backoffice_schema().as_str() + "\n", (
        "backoffice/schema.graphql is stale: run `make schema` and commit it"
    )


async def test_only_reviewers_get_in_and_nobody_else_learns_whether_ids_exist(
    gql: GraphQLClient, backoffice: GraphQLClient, developer, reviewer
):
    app_id, submission_id = await submitted_app(gql, developer)
    missing_id = "U3VibWlzc2lvbjo5OTk="  # Submission:999
    operations = [
        (QUEUE, {}),
        (SUBMISSION, {"id": submission_id}),
        (SUBMISSION, {"id": missing_id}),
        (
            "query L($id: ID!) { auditLog(appId: $id) { edges { node { action } } } }",
            {"id": app_id},
        ),
        (APPROVE, {"id": submission_id}),
        (APPROVE, {"id": missing_id}),
        (REJECT, {"id": submission_id, "reasons": [{"code": "OTHER", "message": "x"}]}),
        (UNPUBLISH, {"id": app_id, "reason": "x"}),
    ]
    for document, variables in operations:
        assert await backoffice.error_code(document, variables) == "UNAUTHENTICATED"
        assert await backoffice.error_code(document, variables, token=developer.token) == (
            "FORBIDDEN"
        )
    assert await backoffice.error_code(SUBMISSION, {"id": missing_id}, token=reviewer.token) == (
        "NOT_FOUND"
    )
    queue = await backoffice.data(QUEUE, token=reviewer.token)
    assert len(queue["reviewQueue"]["edges"]) == 1


async def test_backoffice_introspection_answers_reviewers_only(
    backoffice: GraphQLClient, developer, reviewer
):
    introspection = "{ __schema { mutationType { name } } }"
    for token in (None, developer.token):
        body = await backoffice.post(introspection, token=token)
        assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        assert "data" not in body or body["data"] is None
    data = await backoffice.data(introspection, token=reviewer.token)
    assert data["__schema"]["mutationType"]["name"] == "Mutation"


async def test_the_queue_is_oldest_first_and_paginated(
    gql: GraphQLClient, backoffice: GraphQLClient, clock, developer, reviewer
):
    for name in ("First", "Second", "Third"):
        clock.advance(minutes=5)
        await submitted_app(gql, developer, name=name)
    page = (await backoffice.data(QUEUE, {"first": 2}, token=reviewer.token))["reviewQueue"]
    assert [e["node"]["app"]["name"] for e in page["edges"]] == ["First", "Second"]
    assert page["edges"][0]["node"]["developer"]["name"] == "Acme"
    rest = await backoffice.data(
        QUEUE, {"first": 2, "after": page["pageInfo"]["endCursor"]}, token=reviewer.token
    )
    assert [e["node"]["app"]["name"] for e in rest["reviewQueue"]["edges"]] == ["Third"]


async def test_one_submission_has_one_id_for_developer_and_reviewer(
    gql: GraphQLClient, backoffice: GraphQLClient, developer, reviewer
):
    _, submitted_id = await submitted_app(gql, developer, name="Queued")
    queue = (await backoffice.data(QUEUE, token=reviewer.token))["reviewQueue"]
    queued_id = queue["edges"][0]["node"]["id"]
    assert queued_id == submitted_id  # what submitAppForReview answered is what reviewers see
    opened = await backoffice.data(SUBMISSION, {"id": queued_id}, token=reviewer.token)
    assert opened["submission"]["id"] == queued_id
    decided = await approve(backoffice, reviewer, queued_id)
    assert decided["userErrors"] == [] and decided["submission"]["status"] == "APPROVED"
    assert decided["submission"]["id"] == submitted_id


async def test_a_submission_shows_snapshot_checks_and_earlier_decisions(
    gql: GraphQLClient, backoffice: GraphQLClient, developer, reviewer
):
    app_id, first_id = await submitted_app(gql, developer)
    reasons = [{"code": "INCOMPLETE_LISTING", "message": "Needs screenshots."}]
    await backoffice.data(REJECT, {"id": first_id, "reasons": reasons}, token=reviewer.token)
    second_id = (await submit(gql, developer, app_id))["submission"]["id"]

    data = await backoffice.data(SUBMISSION, {"id": second_id}, token=reviewer.token)
    submission = data["submission"]
    assert submission["status"] == "PENDING" and submission["kind"] == "LISTING"
    assert submission["snapshot"] == {
        "name": "Deal Sync",
        "scopes": ["base", "deals:read"],
        "summary": "Keeps deals in sync.",
    }
    assert {c["id"] for c in submission["checks"]} == {
        "required_fields",
        "urls_https",
        "least_privilege",
        "callback_answers",
        "extensions_answer",
    }
    assert submission["earlierDecisions"] == [{"status": "REJECTED", "reasons": reasons}]


async def test_rejection_needs_a_reason_with_a_message(
    gql: GraphQLClient, backoffice: GraphQLClient, developer, reviewer
):
    _, submission_id = await submitted_app(gql, developer)
    none = await backoffice.data(REJECT, {"id": submission_id, "reasons": []}, token=reviewer.token)
    assert error_codes(none["rejectSubmission"]) == [("reasons", "REASON_REQUIRED")]
    blank = await backoffice.data(
        REJECT,
        {"id": submission_id, "reasons": [{"code": "OTHER", "message": " "}]},
        token=reviewer.token,
    )
    assert error_codes(blank["rejectSubmission"]) == [("reasons", "REQUIRED")]
    bad_code = await backoffice.post(
        REJECT,
        {"id": submission_id, "reasons": [{"code": "BORING", "message": "x"}]},
        token=reviewer.token,
    )
    assert bad_code["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    queue = await backoffice.data(QUEUE, token=reviewer.token)
    assert len(queue["reviewQueue"]["edges"]) == 1


async def test_a_decided_submission_cannot_be_decided_again(
    gql: GraphQLClient, backoffice: GraphQLClient, developer, reviewer
):
    _, submission_id = await submitted_app(gql, developer)
    assert (await approve(backoffice, reviewer, submission_id))["userErrors"] == []
    again = await approve(backoffice, reviewer, submission_id)
    assert error_codes(again) == [(None, "ALREADY_DECIDED")]


async def test_reviewers_cannot_decide_on_their_own_companys_apps(
    gql: GraphQLClient, backoffice: GraphQLClient, developer
):
    from devhub_gql.domain.accounts import set_reviewer

    await set_reviewer("dev@example.com", True)
    _, submission_id = await submitted_app(gql, developer)
    result = await approve(backoffice, developer, submission_id)
    assert error_codes(result) == [(None, "OWN_COMPANY_APP")]


async def test_two_reviewers_deciding_at_once_land_exactly_one_decision(
    gql: GraphQLClient, backoffice: GraphQLClient, developer, reviewer
):
    other = await make_reviewer(gql, "second@marketplace.example")
    app_id, submission_id = await submitted_app(gql, developer)
    reasons = [{"code": "SECURITY", "message": "Token stored in local storage."}]

    approval, rejection = await asyncio.gather(
        backoffice.data(APPROVE, {"id": submission_id}, token=reviewer.token),
        backoffice.data(REJECT, {"id": submission_id, "reasons": reasons}, token=other.token),
    )
    outcomes = [approval["approveSubmission"], rejection["rejectSubmission"]]
    winners = [o for o in outcomes if not o["userErrors"]]
    losers = [o for o in outcomes if o["userErrors"]]
    assert len(winners) == 1 and len(losers) == 1
    assert error_codes(losers[0]) == [(None, "ALREADY_DECIDED")]

    status = (
        await gql.data(
            "query A($id: ID!) { app(id: $id) { status } }", {"id": app_id}, token=developer.token
        )
    )["app"]["status"]
    assert status == ("APPROVED" if winners[0] is outcomes[0] else "DRAFT")
    log = await backoffice.data(
        "query L($id: ID!) { auditLog(appId: $id) { edges { node { action } } } }",
        {"id": app_id},
        token=reviewer.token,
    )
    decisions = [e["node"]["action"] for e in log["auditLog"]["edges"]][1:]
    assert decisions == ["APPROVE"] or decisions == ["REJECT"]


async def test_a_reviewer_unpublishes_with_a_reason(
    gql: GraphQLClient, backoffice: GraphQLClient, developer, reviewer
):
    app_id = await published_app(gql, backoffice, developer, reviewer)
    no_reason = await backoffice.data(UNPUBLISH, {"id": app_id, "reason": ""}, token=reviewer.token)
    assert error_codes(no_reason["unpublishApp"]) == [("reason", "REASON_REQUIRED")]
    done = await backoffice.data(
        UNPUBLISH, {"id": app_id, "reason": "Privacy policy link is dead."}, token=reviewer.token
    )
    assert done["unpublishApp"] == {"app": {"status": "APPROVED"}, "userErrors": []}
    again = await backoffice.data(UNPUBLISH, {"id": app_id, "reason": "x"}, token=reviewer.token)
    assert error_codes(again["unpublishApp"]) == [(None, "INVALID_TRANSITION")]
    log = await backoffice.data(
        "query L($id: ID!) { auditLog(appId: $id) { edges { node { action reason } } } }",
        {"id": app_id},
        token=reviewer.token,
    )
    assert log["auditLog"]["edges"][-1]["node"] == {
        "action": "UNPUBLISH",
        "reason": "Privacy policy link is dead.",
    }
