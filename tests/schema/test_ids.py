"""No id can crash anything: every ID argument of both schemas decodes strictly, and any id that
is not the canonical form of a row id answers exactly as a well-formed id of no row does."""

from __future__ import annotations

import base64

import pytest

from backoffice.schema import create_backoffice_schema
from devhub_gql.settings import Settings
from schema.build import create_schema
from tests.schema.walk import PLACEHOLDERS, Probe, probes
from tests.support import GraphQLClient, make_reviewer, sign_up


@pytest.fixture
def settings(database_url: str) -> Settings:
    # Hundreds of probes of the review mutations in a minute: the review budget is not what this
    # tests (tests/test_ratings.py does), so it is lifted here.
    return Settings(
        database_url=database_url,
        env="development",
        allow_private_callbacks=True,
        review_limit_per_minute=1_000_000,
    )


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


UNKNOWN = b64("App:2147483647")  # well-formed, the largest row id, and no such row
assert PLACEHOLDERS["ID"] == UNKNOWN
MALFORMED = {
    "beyond 64 bits": b64("App:9223372036854775808"),
    "beyond the id column": b64("App:2147483648"),
    "negative": b64("App:-1"),
    "plus sign": b64("App:+1"),
    "leading zero": b64("App:01"),
    "space": b64("App: 1"),
    "trailing newline": b64("App:1\n"),
    "other digits": b64("App:\u0661"),
    "exponent": b64("App:1e3"),
    "no number": b64("App:"),
    "no colon": b64("App1"),
    "unpadded": b64("App:12").rstrip("="),
    "url-safe alphabet": base64.urlsafe_b64encode(b"App:1>>?").decode(),
    "not base64": "!!!",
    "empty": "",
    "raw text": "App:1",
    "not utf-8": base64.b64encode(b"App:\xff").decode(),
    "huge": "A" * 10_000,
}


PUBLIC = list(probes(create_schema()._schema, "ID"))
BACKOFFICE = list(probes(create_backoffice_schema()._schema, "ID"))


def test_the_walk_finds_the_id_arguments_of_both_schemas():
    found = {f"{a.field}.{'.'.join(map(str, a.path))}" for a in PUBLIC + BACKOFFICE}
    expected = {
        "node.id",
        "app.id",
        "updateApp.input.id",
        "marketplaceApp.id",
        "uninstallApp.input.installationId",
        "submission.id",
        "approveSubmission.input.id",
        "auditLog.appId",
    }
    assert expected <= found
    assert len(found) >= 20


async def answers(client: GraphQLClient, probe: Probe, value: str, token: str | None):
    return await client.post(probe.document, probe.with_value(value), token=token)


@pytest.mark.parametrize("caller", ["anonymous", "developer", "reviewer"])
async def test_every_malformed_id_answers_as_an_unknown_one(
    gql: GraphQLClient, backoffice: GraphQLClient, caller: str
):
    tokens = {"anonymous": None}
    if caller == "developer":
        tokens[caller] = (await sign_up(gql, "dev@example.com")).token
    elif caller == "reviewer":
        tokens[caller] = (await make_reviewer(gql)).token
    token = tokens[caller]
    for client, arguments in ((gql, PUBLIC), (backoffice, BACKOFFICE)):
        for argument in arguments:
            reference = await answers(client, argument, UNKNOWN, token)
            codes = {error["extensions"]["code"] for error in reference.get("errors", [])}
            assert codes <= {"NOT_FOUND", "UNAUTHENTICATED", "FORBIDDEN"}, (argument, reference)
            assert codes, (argument.field, reference)  # the probe reaches the id check
            for name, value in MALFORMED.items():
                answer = await answers(client, argument, value, token)
                assert answer == reference, (argument.field, argument.path, name, answer)
