"""Generated GraphQL operations against the real server: no 5xx, every error coded, none masked.

Schemathesis builds operations from the committed SDL of each schema (arguments and inputs
included, valid and odd), and sends them as an anonymous caller, a developer, a customer and a
reviewer. A masked INTERNAL_SERVER_ERROR is a bug, so it fails the run too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.processes import ROOT, cli, service_env, start_server

PASSWORD = "correct horse battery staple"
EXAMPLES_PER_CALLER = 80


@dataclass
class Server:
    url: str
    tokens: dict[str, str | None]


def _sign_up(url: str, email: str, kind: str) -> str:
    document = """
    mutation S($input: SignUpInput!) { signUp(input: $input) { session { token } } }
    """
    variables = {
        "input": {
            "email": email,
            "password": PASSWORD,
            "name": "Fuzz",
            "companyName": email,
            "companyKind": kind,
        }
    }
    body = httpx.post(f"{url}/graphql", json={"query": document, "variables": variables}).json()
    return body["data"]["signUp"]["session"]["token"]


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    path: Path = tmp_path_factory.mktemp("fuzz") / "fuzz.sqlite3"
    env = service_env(f"sqlite://{path}", DEVHUB_SIGN_IN_LIMIT_PER_MINUTE="1000")
    cli(env, "migrate")
    process = start_server(env)
    url = f"http://127.0.0.1:{env['DEVHUB_PORT']}"
    try:
        tokens: dict[str, str | None] = {
            "anonymous": None,
            "developer": _sign_up(url, "dev@fuzz.example", "SANDBOX"),
            "customer": _sign_up(url, "buyer@fuzz.example", "PRODUCTION"),
            "reviewer": _sign_up(url, "reviewer@fuzz.example", "PRODUCTION"),
        }
        cli(env, "reviewers", "add", "reviewer@fuzz.example")
        yield Server(url, tokens)
    finally:
        process.terminate()
        process.wait(timeout=30)


def operations(sdl: Path) -> st.SearchStrategy:
    schema = schemathesis.graphql.from_path(str(sdl))
    ops = [
        result.ok()
        for result in schema.get_all_operations()
        if result.ok().label != "Mutation.signOut"  # keeps each caller signed in
    ]
    return st.sampled_from(ops).flatmap(lambda operation: operation.as_strategy())


def check_response(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    assert "Traceback" not in response.text
    if response.status_code == 200:
        body = response.json()
        for error in body.get("errors") or []:
            code = (error.get("extensions") or {}).get("code")
            assert code, error
            assert code != "INTERNAL_SERVER_ERROR", error


@pytest.mark.parametrize(
    ("sdl", "path", "callers"),
    [
        ("schema.graphql", "/graphql", ("anonymous", "developer", "customer")),
        (
            "backoffice/schema.graphql",
            "/backoffice/graphql",
            ("anonymous", "developer", "reviewer"),
        ),
    ],
)
def test_generated_operations_never_break_the_server(server: Server, sdl, path, callers):
    strategy = operations(ROOT / sdl)
    with httpx.Client(timeout=10) as client:
        for caller in callers:
            fuzz_as(client, strategy, f"{server.url}{path}", server.tokens[caller])


def fuzz_as(client: httpx.Client, strategy, url: str, token: str | None) -> None:
    headers = {"authorization": f"Bearer {token}"} if token else {}

    @settings(
        max_examples=EXAMPLES_PER_CALLER,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def send(case) -> None:
        request = case.as_transport_kwargs(base_url=url, headers=headers)
        check_response(client.post(url, json=request["json"], headers=headers))

    send()
