"""Claims over HTTP: a reviewer claims a submission before deciding it; another reviewer's
running claim blocks claims and decisions (unless overridden, which the audit log records); a
claim lapses after DEVHUB_CLAIM_MINUTES or is released; the queue filters by kind and by claim."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.support import (
    APPROVE,
    PASSWORD,
    Account,
    GraphQLClient,
    create_app,
    error_codes,
    fill_listing,
    make_reviewer,
    sign_up,
    submit,
)

CLAIM = """
mutation C($id: ID!) {
  claimSubmission(input: {id: $id}) {
    submission { id claimedBy { email } claimedUntil } userErrors { code message }
  }
}
"""
RELEASE = """
mutation R($id: ID!) { releaseSubmission(input: {id: $id}) { submission { claimedBy { email } } } }
"""
OVERRIDE = """
mutation A($id: ID!) {
  approveSubmission(input: {id: $id, override: true}) {
    submission { status } userErrors { code }
  }
}
"""
QUEUE = """
query Q($mine: Boolean!, $kind: SubmissionKind) {
  reviewQueue(first: 20, claimedByMe: $mine, kind: $kind) { nodes { id claimedBy { email } } }
}
"""


async def _setup(gql: GraphQLClient) -> tuple[Any, Any, Any, str]:
    developer = await sign_up(gql, "dev@example.com")
    first = await make_reviewer(gql, "first@marketplace.example")
    second = await make_reviewer(gql, "second@marketplace.example")
    app_id = (await create_app(gql, developer))["app"]["id"]
    await fill_listing(gql, developer, app_id)
    submitted = await submit(gql, developer, app_id)
    return first, second, app_id, submitted["submission"]["id"]


async def test_a_claim_holds_off_other_reviewers_until_it_lapses_or_is_released(
    gql: GraphQLClient, backoffice: GraphQLClient, clock
):
    first, second, _, submission = await _setup(gql)
    claimed = (await backoffice.data(CLAIM, {"id": submission}, token=first.token))[
        "claimSubmission"
    ]
    assert claimed["userErrors"] == []
    assert claimed["submission"]["claimedBy"] == {"email": "first@marketplace.example"}
    taken = (await backoffice.data(CLAIM, {"id": submission}, token=second.token))[
        "claimSubmission"
    ]
    assert [e["code"] for e in taken["userErrors"]] == ["CLAIMED_BY_ANOTHER"]
    blocked = await backoffice.data(APPROVE, {"id": submission}, token=second.token)
    assert error_codes(blocked["approveSubmission"]) == [(None, "CLAIMED_BY_ANOTHER")]

    mine = await backoffice.data(QUEUE, {"mine": True}, token=first.token)
    assert [n["id"] for n in mine["reviewQueue"]["nodes"]] == [submission]
    theirs = await backoffice.data(QUEUE, {"mine": True}, token=second.token)
    assert theirs["reviewQueue"]["nodes"] == []
    revisions = await backoffice.data(QUEUE, {"mine": False, "kind": "REVISION"}, token=first.token)
    assert revisions["reviewQueue"]["nodes"] == []

    clock.advance(minutes=31)  # the claim lapsed (DEVHUB_CLAIM_MINUTES, 30)
    lapsed = await backoffice.data(QUEUE, {"mine": False}, token=second.token)
    assert lapsed["reviewQueue"]["nodes"][0]["claimedBy"] is None
    second = await _signed_in(gql, second)
    first = await _signed_in(gql, first)
    retaken = (await backoffice.data(CLAIM, {"id": submission}, token=second.token))[
        "claimSubmission"
    ]
    assert retaken["submission"]["claimedBy"] == {"email": "second@marketplace.example"}
    released = await backoffice.data(RELEASE, {"id": submission}, token=second.token)
    assert released["releaseSubmission"]["submission"]["claimedBy"] is None
    assert (await backoffice.data(CLAIM, {"id": submission}, token=first.token))["claimSubmission"][
        "userErrors"
    ] == []


async def test_deciding_over_another_claim_needs_an_override_that_the_log_records(
    gql: GraphQLClient, backoffice: GraphQLClient
):
    first, second, app_id, submission = await _setup(gql)
    await backoffice.data(CLAIM, {"id": submission}, token=first.token)
    decided = await backoffice.data(OVERRIDE, {"id": submission}, token=second.token)
    assert decided["approveSubmission"] == {"submission": {"status": "APPROVED"}, "userErrors": []}
    log = await backoffice.data(
        "query A($id: ID!) { auditLog(appId: $id, first: 10) { nodes { action reason } } }",
        {"id": app_id},
        token=second.token,
    )
    [approval] = [n for n in log["auditLog"]["nodes"] if n["action"] == "APPROVE"]
    assert approval["reason"] == "(overrode the claim of first@marketplace.example)"
    late = (await backoffice.data(CLAIM, {"id": submission}, token=first.token))["claimSubmission"]
    assert [e["code"] for e in late["userErrors"]] == ["ALREADY_DECIDED"]


async def test_the_claimant_decides_without_an_override(
    gql: GraphQLClient, backoffice: GraphQLClient
):
    first, _, _, submission = await _setup(gql)
    await backoffice.data(CLAIM, {"id": submission}, token=first.token)
    decided = await backoffice.data(APPROVE, {"id": submission}, token=first.token)
    assert decided["approveSubmission"]["userErrors"] == []


async def _signed_in(gql: GraphQLClient, who: Account) -> Account:
    data = await gql.data(
        "mutation S($e: String!, $p: String!) { signIn(input: {email: $e, password: $p})"
        " { session { token } } }",
        {"e": who.email, "p": PASSWORD},
    )
    return Account(data["signIn"]["session"]["token"], who.user_id, who.company_id, who.email)


async def test_of_two_reviewers_claiming_at_once_one_wins(
    gql: GraphQLClient, backoffice: GraphQLClient
):
    first, second, _, submission = await _setup(gql)
    answers = await asyncio.gather(
        *(backoffice.data(CLAIM, {"id": submission}, token=who.token) for who in (first, second))
    )
    codes = sorted([e["code"] for e in a["claimSubmission"]["userErrors"]] for a in answers)
    assert codes == [[], ["CLAIMED_BY_ANOTHER"]]
