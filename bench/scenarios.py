"""The operations measured: each one's HTTP request(s), how to tell a failure, and its baseline.

The GraphQL documents use the field names of schema.graphql. Requests are plain dicts so the
load generator process needs nothing but this data.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from bench.config import (
    CLIENT_APP_ID,
    CLIENT_ID,
    CLIENT_SECRET,
    SESSION_TOKEN,
    TOKEN_PAIRS,
    access_token,
    global_id,
    refresh_token,
)

MARKETPLACE = """
query Marketplace($first: Int!) {
  marketplaceApps(first: $first) {
    edges { node {
      id name slug summary iconUrl developerName installationCount
      category { slug label }
      scopes { name label }
    } }
  }
}
"""

APPS = """
query Apps($first: Int!) {
  apps(first: $first) { edges { node { id name status scopes { name label } } } }
}
"""

APP_DETAIL = """
query AppDetail($id: ID!) {
  app(id: $id) {
    id type status name clientId callbackUrl summary iconUrl listingImageUrls description
    websiteUrl supportEmail partnerTermsAccepted createdAt updatedAt
    scopes { name label description }
    category { slug label }
    company { id name kind }
  }
}
"""

JSON = ("content-type", "application/json")
FORM = ("content-type", "application/x-www-form-urlencoded")
BEARER = ("authorization", f"Bearer {SESSION_TOKEN}")
BASIC = (
    "authorization",
    "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode(),
)
PAGE = 50


def graphql_body(query: str, variables: dict[str, Any]) -> str:
    return json.dumps({"query": query, "variables": variables})


def graphql_request(
    query: str, variables: dict[str, Any], *, signed_in: bool, path: str = "/graphql"
) -> dict[str, Any]:
    headers = [JSON, BEARER] if signed_in else [JSON]
    return {
        "method": "POST",
        "path": path,
        "headers": headers,
        "body": graphql_body(query, variables),
    }


def refresh_requests(path: str = "/oauth/token") -> list[dict[str, Any]]:
    """One request per token pair: connection i refreshes token i."""
    return [
        {
            "method": "POST",
            "path": path,
            "headers": [FORM, BASIC],
            "body": f"grant_type=refresh_token&refresh_token={refresh_token(i)}",
        }
        for i in range(TOKEN_PAIRS)
    ]


def introspect_requests() -> list[dict[str, Any]]:
    return [
        {
            "method": "POST",
            "path": "/oauth/introspect",
            "headers": [FORM, BASIC],
            "body": f"token={access_token(i)}",
        }
        for i in range(TOKEN_PAIRS)
    ]


@dataclass(frozen=True)
class Operation:
    name: str
    server: str  # "service" or "baselines"
    requests: list[dict[str, Any]]
    baseline: str | None = None  # the operation it is compared with
    target_ratio: float | None = None  # the goal, when the ratio to the baseline is one
    reject: str | None = None
    expect: str | None = None
    count_header: str | None = None
    statements: str | None = None  # a baseline's, known by construction

    def load_spec(
        self, port: int, concurrency: int, duration: float, watch_pids: list[int]
    ) -> dict[str, Any]:
        return {
            "port": port,
            "watch_pids": watch_pids,
            "requests": self.requests,
            "concurrency": concurrency,
            "duration": duration,
            "warmup": 1.0,
            "reject": self.reject,
            "expect": self.expect,
            "count_header": self.count_header,
        }


BASELINE_A = "baseline A: SQL + orjson"
BASELINE_B = "baseline B: Strawberry, in memory"
BASELINE_C = "baseline C: refresh SQL"

OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "marketplace, anonymous (cached)",
        "service",
        [graphql_request(MARKETPLACE, {"first": PAGE}, signed_in=False)],
        baseline=BASELINE_A,
        target_ratio=1.0,
        reject='"errors"',
        count_header="x-devhub-cache: hit",
    ),
    Operation(
        "marketplace, signed in",
        "service",
        [graphql_request(MARKETPLACE, {"first": PAGE}, signed_in=True)],
        baseline=BASELINE_B,
        target_ratio=0.6,
        reject='"errors"',
    ),
    Operation(
        "apps (developer)",
        "service",
        [graphql_request(APPS, {"first": PAGE}, signed_in=True)],
        baseline=BASELINE_A,
        reject='"errors"',
    ),
    Operation(
        "app detail",
        "service",
        [graphql_request(APP_DETAIL, {"id": global_id("App", CLIENT_APP_ID)}, signed_in=True)],
        baseline=BASELINE_A,
        reject='"errors"',
    ),
    Operation(
        "oauth refresh grant",
        "service",
        refresh_requests(),
        baseline=BASELINE_C,
        target_ratio=0.4,
        expect='"access_token"',
    ),
    Operation(
        "oauth introspect",
        "service",
        introspect_requests(),
        baseline=BASELINE_A,
        expect='"active": true',
    ),
    Operation(
        BASELINE_A,
        "baselines",
        [graphql_request(MARKETPLACE, {"first": PAGE}, signed_in=False, path="/a/marketplace")],
        reject='"errors"',
        statements="3",
    ),
    Operation(
        BASELINE_B,
        "baselines",
        [graphql_request(MARKETPLACE, {"first": PAGE}, signed_in=True)],
        reject='"errors"',
        statements="0",
    ),
    Operation(
        BASELINE_C,
        "baselines",
        refresh_requests(path="/c/oauth/token"),
        expect='"access_token"',
        statements="5",
    ),
)

BY_NAME = {operation.name: operation for operation in OPERATIONS}
