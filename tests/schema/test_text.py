"""Text is clean on both databases alike: every text argument of both schemas refuses control
characters, bidirectional overrides and invisible-only values before anything runs; passwords are
NFKC-normalised; email addresses are checked strictly."""

from __future__ import annotations

import httpx
import pytest

from backoffice.schema import create_backoffice_schema
from devhub_gql.models import App, Company, User
from schema.build import create_schema
from tests.schema.walk import Probe, probes
from tests.support import (
    PASSWORD,
    GraphQLClient,
    create_app,
    make_reviewer,
    sign_up,
    sign_up_input,
)

UNSAFE = {
    "NUL": "a\x00b",
    "C0 control": "a\x1bb",
    "DEL": "a\x7fb",
    "C1 control": "a\x85b",
    "right-to-left override": "invoice\u202efdp.exe",
    "isolate": "a\u2066b",
    "zero-width only": "\u200b\u200d",
    "zero-width and spaces": " \u200b \ufeff ",
}
PUBLIC = list(probes(create_schema()._schema, "String"))
BACKOFFICE = list(probes(create_backoffice_schema()._schema, "String"))


def test_the_walk_reaches_text_in_arguments_inputs_and_lists():
    found = {(p.field, p.path) for p in PUBLIC + BACKOFFICE}
    assert ("marketplaceApps", ("search",)) in found
    assert ("signUp", ("input", "password")) in found
    assert ("updateApp", ("input", "listingImageUrls", 0)) in found
    assert ("rejectSubmission", ("input", "reasons", 0, "message")) in found
    assert len(found) >= 50


def expect_refused(probe: Probe, body: dict) -> None:
    if probe.operation == "query":
        codes = [error["extensions"]["code"] for error in body.get("errors", [])]
        assert codes == ["BAD_USER_INPUT"], (probe.field, probe.path, body)
        return
    assert "errors" not in body, (probe.field, probe.path, body)
    errors = body["data"][probe.field]["userErrors"]
    expected_field = "".join(
        part if index == 0 else part.title()
        for index, part in enumerate(probe.input_field.split("_"))
    )
    assert {"field": expected_field, "code": "INVALID_CHARACTERS"} in errors, (probe, errors)


@pytest.mark.parametrize("name", UNSAFE)
async def test_every_text_argument_refuses_unsafe_text(
    gql: GraphQLClient, backoffice: GraphQLClient, name: str
):
    for probe in PUBLIC:  # anonymous: nothing but the text is looked at first
        expect_refused(probe, await gql.post(probe.document, probe.with_value(UNSAFE[name])))
    # Refused before anything ran: nothing was created.
    assert await User.all().count() == 0 and await Company.all().count() == 0
    # The back-office lets only reviewers that far.
    reviewer = await make_reviewer(gql)
    for probe in BACKOFFICE:
        body = await backoffice.post(
            probe.document, probe.with_value(UNSAFE[name]), token=reviewer.token
        )
        expect_refused(probe, body)


async def test_a_signed_in_mutation_with_unsafe_text_changes_nothing(gql: GraphQLClient):
    developer = await sign_up(gql, "dev@example.com")
    app = (await create_app(gql, developer))["app"]
    result = await gql.data(
        "mutation U($i: UpdateAppInput!) { updateApp(input: $i) { app { name }"
        " userErrors { field code } } }",
        {"i": {"id": app["id"], "name": "Fine", "description": "evil\x00", "summary": "ok"}},
        token=developer.token,
    )
    assert result["updateApp"] == {
        "app": None,
        "userErrors": [{"field": "description", "code": "INVALID_CHARACTERS"}],
    }
    assert await App.filter(name="Fine").count() == 0


async def test_anonymous_search_with_a_nul_is_a_client_error(gql: GraphQLClient):
    query = "query S($s: String) { marketplaceApps(search: $s) { edges { cursor } } }"
    assert await gql.error_code(query, {"s": "\x00"}) == "BAD_USER_INPUT"


async def test_ordinary_text_with_line_breaks_and_scripts_is_kept(gql: GraphQLClient):
    developer = await sign_up(gql, "dev@example.com")
    app = (await create_app(gql, developer, name="Сделки ⇄ مزامنة"))["app"]
    description = "Line one\n\tLine two — with a zero\u200bwidth joiner inside, and emoji 👍"
    result = await gql.data(
        "mutation U($i: UpdateAppInput!) { updateApp(input: $i) { userErrors { code } } }",
        {"i": {"id": app["id"], "description": description}},
        token=developer.token,
    )
    assert result["updateApp"]["userErrors"] == []
    stored = await App.get(name="Сделки ⇄ مزامنة")
    assert stored.description == description


async def test_the_oauth_endpoints_treat_unsafe_client_ids_as_unknown(
    http: httpx.AsyncClient,
):
    page = await http.get("/oauth/authorize", params={"client_id": "a\x00b", "redirect_uri": "x"})
    assert page.status_code == 400
    token = await http.post(
        "/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": "x"},
        auth=("a\x00b", "secret"),
    )
    assert token.status_code == 401 and token.json()["error"] == "invalid_client"


SIGN_IN = """
mutation S($input: SignInInput!) { signIn(input: $input) { session { token } userErrors { code } } }
"""
SIGN_UP_ERRORS = """
mutation S($input: SignUpInput!) { signUp(input: $input) { userErrors { field code } } }
"""


async def test_passwords_are_nfkc_normalised(gql: GraphQLClient):
    # Full-width "correct" and an "fi" ligature: what another keyboard or system may send.
    typed = "\uff43\uff4f\uff52\uff52\uff45\uff43\uff54 \ufb01sh battery staple"
    data = await gql.data(
        SIGN_UP_ERRORS, {"input": {**sign_up_input("dev@example.com"), "password": typed}}
    )
    assert data["signUp"]["userErrors"] == []
    for password in (typed, "correct fish battery staple"):
        signed_in = await gql.data(
            SIGN_IN, {"input": {"email": "dev@example.com", "password": password}}
        )
        assert signed_in["signIn"]["session"]["token"], password


@pytest.mark.parametrize("password", [" " * 12, "\u00a0" * 12, "\u3000" * 12])
async def test_a_password_of_only_whitespace_is_refused(gql: GraphQLClient, password: str):
    data = await gql.data(
        SIGN_UP_ERRORS, {"input": {**sign_up_input("dev@example.com"), "password": password}}
    )
    assert data["signUp"]["userErrors"] == [{"field": "password", "code": "WEAK_PASSWORD"}]


@pytest.mark.parametrize(
    "email",
    ["a" * 65 + "@example.com", '"quoted local"@example.com', "dev@[127.0.0.1]", "dev@localhost"],
)
async def test_email_addresses_are_checked_strictly(gql: GraphQLClient, email: str):
    data = await gql.data(SIGN_UP_ERRORS, {"input": sign_up_input(email)})
    assert data["signUp"]["userErrors"] == [{"field": "email", "code": "INVALID_EMAIL"}]
    assert await User.all().count() == 0


async def test_the_longest_local_part_is_accepted(gql: GraphQLClient):
    await sign_up(gql, "a" * 64 + "@example.com")
    signed_in = await gql.data(
        SIGN_IN, {"input": {"email": "a" * 64 + "@example.com", "password": PASSWORD}}
    )
    assert signed_in["signIn"]["session"]["token"]
