"""The operations measured: each one's HTTP request(s), the server that answers it, how to tell a
failure, and the baselines and peers it is compared with (each with its target ratio).

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

LISTING_WITH_REVIEWS = """
query Listing($id: ID!) {
  marketplaceApp(id: $id) {
    id name summary developerName installationCount
    rating { average count distribution }
    reviews(first: 20, sort: MOST_HELPFUL) {
      edges { node { id stars title body authorName createdAt edited helpfulCount reply { body } } }
    }
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


def introspect_requests(path: str = "/oauth/introspect") -> list[dict[str, Any]]:
    return [
        {
            "method": "POST",
            "path": path,
            "headers": [FORM, BASIC],
            "body": f"token={access_token(i)}",
        }
        for i in range(TOKEN_PAIRS)
    ]


# The servers, each its own process (bench/processes.py).
SERVICE = "service"  # `devhub-gql serve`, as deployed
UNCACHED = "service, response cache off"  # the same with DEVHUB_RESPONSE_CACHE=false
BASELINES = "baselines"  # bench/baselines.py
AUTHLIB = "authlib"  # bench/authlib_peer.py
SERVERS = (SERVICE, UNCACHED, BASELINES, AUTHLIB)
SERVICE_SERVERS = (SERVICE, UNCACHED)

CACHE_HIT = "x-devhub-cache: hit"


@dataclass(frozen=True)
class Versus:
    """A comparison: req/s of the operation over req/s of `baseline`, with its target."""

    baseline: str
    goal: float


@dataclass(frozen=True)
class Operation:
    name: str
    server: str  # one of SERVERS
    requests: list[dict[str, Any]]
    versus: tuple[Versus, ...] = ()  # the baselines or peers it is held to
    reject: str | None = None
    expect: str | None = None
    count_header: str | None = None  # cached rows: the answers carrying it are counted
    forbid_header: str | None = None  # an answer carrying it is an error
    statements: str | None = None  # a baseline's, known by construction

    @property
    def of_service(self) -> bool:
        return self.server in SERVICE_SERVERS

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
            "forbid_header": self.forbid_header,
        }


BASELINE_A = "baseline A: SQL + orjson"
BASELINE_B_MARKETPLACE = "baseline B: marketplace, in memory"
BASELINE_B_APPS = "baseline B: apps, in memory"
BASELINE_B_DETAIL = "baseline B: app detail, in memory"
BASELINE_B_LISTING = "baseline B: listing with reviews, in memory"
BASELINE_C = "baseline C: refresh SQL"
BASELINE_D = "baseline D: introspect SQL"
AUTHLIB_REFRESH = "authlib refresh grant"
AUTHLIB_INTROSPECT = "authlib introspect"
# How the "vs" column names each baseline or peer.
SHORT = {
    BASELINE_A: "A",
    BASELINE_B_MARKETPLACE: "B",
    BASELINE_B_APPS: "B",
    BASELINE_B_DETAIL: "B",
    BASELINE_B_LISTING: "B",
    BASELINE_C: "C",
    BASELINE_D: "D",
    AUTHLIB_REFRESH: "Authlib",
    AUTHLIB_INTROSPECT: "Authlib",
}

CACHED = "marketplace, anonymous (cached)"
SIGNED_IN_CACHED = "marketplace, signed in (cached)"
SIGNED_IN = "marketplace, signed in"
APPS_LIST = "apps (developer)"
APP_DETAIL_ROW = "app detail"
LISTING_REVIEWS = "listing with reviews, signed in"
REFRESH = "oauth refresh grant"
INTROSPECT = "oauth introspect"

MARKETPLACE_SIGNED_IN = graphql_request(MARKETPLACE, {"first": PAGE}, signed_in=True)
APPS_REQUEST = graphql_request(APPS, {"first": PAGE}, signed_in=True)
APP_DETAIL_REQUEST = graphql_request(
    APP_DETAIL, {"id": global_id("App", CLIENT_APP_ID)}, signed_in=True
)
LISTING_REVIEWS_REQUEST = graphql_request(
    LISTING_WITH_REVIEWS, {"id": global_id("MarketplaceApp", CLIENT_APP_ID)}, signed_in=True
)
GRAPHQL = {"reject": '"errors"'}
TOKEN = {"expect": '"access_token"'}
ACTIVE = {"expect": '"active":true'}  # orjson writes no spaces

OPERATIONS: tuple[Operation, ...] = (
    Operation(
        CACHED,
        SERVICE,
        [graphql_request(MARKETPLACE, {"first": PAGE}, signed_in=False)],
        versus=(Versus(BASELINE_A, 1.0),),
        count_header=CACHE_HIT,
        **GRAPHQL,
    ),
    Operation(
        SIGNED_IN_CACHED,
        SERVICE,
        [MARKETPLACE_SIGNED_IN],
        versus=(Versus(BASELINE_A, 1.0),),
        count_header=CACHE_HIT,
        **GRAPHQL,
    ),
    Operation(
        SIGNED_IN,
        UNCACHED,
        [MARKETPLACE_SIGNED_IN],
        versus=(Versus(BASELINE_B_MARKETPLACE, 0.6),),
        forbid_header=CACHE_HIT,
        **GRAPHQL,
    ),
    Operation(
        APPS_LIST,
        UNCACHED,
        [APPS_REQUEST],
        versus=(Versus(BASELINE_B_APPS, 0.6),),
        forbid_header=CACHE_HIT,
        **GRAPHQL,
    ),
    Operation(
        APP_DETAIL_ROW,
        UNCACHED,
        [APP_DETAIL_REQUEST],
        versus=(Versus(BASELINE_B_DETAIL, 0.6),),
        forbid_header=CACHE_HIT,
        **GRAPHQL,
    ),
    Operation(
        LISTING_REVIEWS,
        UNCACHED,
        [LISTING_REVIEWS_REQUEST],
        versus=(Versus(BASELINE_B_LISTING, 0.6),),
        forbid_header=CACHE_HIT,
        **GRAPHQL,
    ),
    Operation(
        REFRESH,
        SERVICE,
        refresh_requests(),
        versus=(Versus(AUTHLIB_REFRESH, 1.5), Versus(BASELINE_C, 0.6)),
        **TOKEN,
    ),
    Operation(
        INTROSPECT,
        SERVICE,
        introspect_requests(),
        versus=(Versus(AUTHLIB_INTROSPECT, 1.5), Versus(BASELINE_D, 0.6)),
        **ACTIVE,
    ),
    Operation(
        BASELINE_A,
        BASELINES,
        [graphql_request(MARKETPLACE, {"first": PAGE}, signed_in=False, path="/a/marketplace")],
        statements="3",
        **GRAPHQL,
    ),
    Operation(
        BASELINE_B_MARKETPLACE, BASELINES, [MARKETPLACE_SIGNED_IN], statements="0", **GRAPHQL
    ),
    Operation(BASELINE_B_APPS, BASELINES, [APPS_REQUEST], statements="0", **GRAPHQL),
    Operation(BASELINE_B_DETAIL, BASELINES, [APP_DETAIL_REQUEST], statements="0", **GRAPHQL),
    Operation(BASELINE_B_LISTING, BASELINES, [LISTING_REVIEWS_REQUEST], statements="0", **GRAPHQL),
    Operation(
        BASELINE_C, BASELINES, refresh_requests(path="/c/oauth/token"), statements="5", **TOKEN
    ),
    Operation(
        BASELINE_D,
        BASELINES,
        introspect_requests(path="/d/oauth/introspect"),
        statements="2",
        **ACTIVE,
    ),
    Operation(AUTHLIB_REFRESH, AUTHLIB, refresh_requests(), **TOKEN),
    Operation(AUTHLIB_INTROSPECT, AUTHLIB, introspect_requests(), expect='"active": true'),
)

BY_NAME = {operation.name: operation for operation in OPERATIONS}

# Measured in the open loop only, beside each operation of the service at that operation's rate:
# the tail the load generator, uvicorn and this host make by themselves.
EMPTY_ANSWER = Operation(
    "empty answer", BASELINES, [{"method": "GET", "path": "/health"}], expect="ok"
)
