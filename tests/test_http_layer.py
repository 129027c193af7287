"""The HTTP layer answers in GraphQL's shape, with its headers, always: refusals before execution,
crashes, and the response cache never answering what the service would refuse."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from devhub_gql import response_cache
from devhub_gql.app import create_app
from devhub_gql.oauth.server import DevhubOAuthServer

GRAPHQL_PATHS = ["/graphql", "/backoffice/graphql"]
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}
CATEGORIES = b'{"query": "{ categories { slug } }"}'


@pytest.fixture
async def production(settings, clock, database) -> AsyncIterator[httpx.AsyncClient]:
    """The service as deployed: no IDE, GET answers nothing."""
    app = create_app(
        dataclasses.replace(settings, env="production"), clock=clock, manage_database=False
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://devhub.test") as client:
        yield client


def assert_framed(response: httpx.Response) -> None:
    """Every answer: the security headers and a request id."""
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (name, response.status_code)
    assert len(response.headers.get("x-request-id", "")) == 16


def graphql_refusal(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert list(body) == ["errors"]
    [error] = body["errors"]
    assert error["extensions"]["code"] == code and error["message"]
    assert_framed(response)


REFUSALS: dict[str, tuple[dict[str, Any], int, str]] = {
    "a JSON string": ({"content": b'"x"', "json_type": True}, 400, "BAD_REQUEST"),
    "a JSON number": ({"content": b"123", "json_type": True}, 400, "BAD_REQUEST"),
    "JSON null": ({"content": b"null", "json_type": True}, 400, "BAD_REQUEST"),
    "JSON true": ({"content": b"true", "json_type": True}, 400, "BAD_REQUEST"),
    "an empty batch": ({"content": b"[]", "json_type": True}, 400, "BAD_REQUEST"),
    "a batch": (
        {"content": b'[{"query": "{ __typename }"}]', "json_type": True},
        400,
        "BAD_REQUEST",
    ),
    "malformed JSON": ({"content": b'{"query": ', "json_type": True}, 400, "BAD_REQUEST"),
    "no query": ({"content": b'{"variables": {}}', "json_type": True}, 400, "BAD_REQUEST"),
    "a query that is no string": (
        {"content": b'{"query": 1}', "json_type": True},
        400,
        "BAD_REQUEST",
    ),
    "variables that are no object": (
        {"content": b'{"query": "{ __typename }", "variables": [1]}', "json_type": True},
        400,
        "BAD_REQUEST",
    ),
    "text/plain": (
        {"content": CATEGORIES, "headers": {"content-type": "text/plain"}},
        415,
        "UNSUPPORTED_MEDIA_TYPE",
    ),
    "a form": ({"data": {"query": "{ __typename }"}}, 415, "UNSUPPORTED_MEDIA_TYPE"),
    "multipart": (
        {"files": {"operations": (None, b'{"query": "{ __typename }"}')}},
        415,
        "UNSUPPORTED_MEDIA_TYPE",
    ),
    "a body over 1 MiB": (
        {"content": b'{"query": "' + b" " * (1024 * 1024) + b'"}', "json_type": True},
        413,
        "PAYLOAD_TOO_LARGE",
    ),
}


@pytest.mark.parametrize("path", GRAPHQL_PATHS)
@pytest.mark.parametrize("case", REFUSALS.values(), ids=REFUSALS.keys())
async def test_every_refusal_before_execution_is_a_coded_graphql_error(
    production: httpx.AsyncClient, path: str, case
):
    request, status, code = case
    request = dict(request)
    if request.pop("json_type", False):
        request["headers"] = {"content-type": "application/json"}
    graphql_refusal(await production.post(path, **request), status, code)


@pytest.mark.parametrize("path", GRAPHQL_PATHS)
async def test_methods_other_than_post_are_refused_with_allow(
    production: httpx.AsyncClient, path: str
):
    for response in (
        await production.get(path, params={"query": "{ __typename }"}),
        await production.get(path, params={"query": "mutation { __typename }"}),
        await production.get(path),
        await production.put(path, content=CATEGORIES),
        await production.delete(path),
    ):
        graphql_refusal(response, 405, "METHOD_NOT_ALLOWED")
        assert response.headers["allow"] == "POST"


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("GET", "/oauth/token", {"POST"}),
        ("DELETE", "/oauth/introspect", {"POST"}),
        ("POST", "/.well-known/oauth-authorization-server", {"GET", "HEAD"}),
    ],
)
async def test_a_route_asked_with_a_method_it_does_not_take_answers_405_with_allow(
    production: httpx.AsyncClient, method: str, path: str, allowed: set[str]
):
    response = await production.request(method, path)
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == allowed
    assert_framed(response)


async def test_the_ide_is_served_in_development_only(http: httpx.AsyncClient, production):
    page = await http.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    assert_framed(page)
    graphql_refusal(
        await production.get("/graphql", headers={"accept": "text/html"}), 405, "METHOD_NOT_ALLOWED"
    )


async def test_other_endpoints_refuse_large_bodies_in_their_own_shape(production):
    response = await production.post(
        "/oauth/token",
        content=b"grant_type=refresh_token&refresh_token=" + b"x" * (1024 * 1024),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413
    assert response.json()["error"] == "invalid_request"
    assert_framed(response)
    missing = await production.get("/no/such/page")
    assert missing.status_code == 404
    assert_framed(missing)


async def test_a_crash_in_a_route_is_a_json_500_with_the_request_id(
    production: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
):
    async def crash(self, *args, **kwargs):
        raise RuntimeError("a fault injected by the test")

    monkeypatch.setattr(DevhubOAuthServer, "token", crash)
    response = await production.post(
        "/oauth/token", data={"grant_type": "refresh_token", "refresh_token": "x"}
    )
    assert response.status_code == 500
    assert_framed(response)
    body = response.json()
    assert body["error"] == "server_error"
    assert body["requestId"] == response.headers["x-request-id"]
    assert "injected" not in response.text


async def test_a_crash_around_the_routes_is_a_coded_500_with_the_request_id(
    production: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
):
    def crash(*args: object) -> bytes:
        raise RuntimeError("a fault injected by the test")

    monkeypatch.setattr(response_cache, "_sharing", crash)
    response = await production.post(
        "/graphql", content=CATEGORIES, headers={"content-type": "application/json"}
    )
    graphql_refusal(response, 500, "INTERNAL_SERVER_ERROR")
    error = response.json()["errors"][0]
    assert error["extensions"]["requestId"] == response.headers["x-request-id"]
    assert "injected" not in response.text


async def test_the_response_cache_never_answers_what_the_service_refuses(
    production: httpx.AsyncClient,
):
    json_headers = {"content-type": "application/json"}
    first = await production.post("/graphql", content=CATEGORIES, headers=json_headers)
    second = await production.post("/graphql", content=CATEGORIES, headers=json_headers)
    assert (first.headers["x-devhub-cache"], second.headers["x-devhub-cache"]) == ("miss", "hit")
    # The very body, in the shapes a cross-site form or a simple request can take:
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data"):
        refused = await production.post(
            "/graphql", content=CATEGORIES, headers={"content-type": content_type}
        )
        graphql_refusal(refused, 415, "UNSUPPORTED_MEDIA_TYPE")
        assert "x-devhub-cache" not in refused.headers
    refused = await production.get("/graphql", params={"query": "{ categories { slug } }"})
    graphql_refusal(refused, 405, "METHOD_NOT_ALLOWED")


async def test_several_operations_need_an_operation_name(http: httpx.AsyncClient):
    document = "query A { __typename } query B { categories { slug } }"
    unnamed = await http.post("/graphql", json={"query": document})
    assert unnamed.status_code == 200
    body = unnamed.json()
    assert body.get("data") is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["GRAPHQL_VALIDATION_FAILED"]
    assert "x-devhub-cache" not in unnamed.headers  # never cached either
    named = await http.post("/graphql", json={"query": document, "operationName": "B"})
    assert "categories" in named.json()["data"]
    single = await http.post("/graphql", json={"query": "query A { __typename }"})
    assert single.json() == {"data": {"__typename": "Query"}}
