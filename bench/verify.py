"""Checks, before any measurement, that every server gives the right answer on the seeded data.

A fast wrong answer is worthless: the service must list 50 marketplace apps and 50 of the
developer's apps, serve the anonymous page from its cache, grant and introspect tokens; its
instance with the response cache off must never answer from a cache; each baseline B must return
exactly the service's `data` for its document, A the marketplace's; C, D and the Authlib peer
must give the service's token and introspection answers (but the new access token itself), and
a token issued by the peer must be good at the service and the other way round.
"""

from __future__ import annotations

from typing import Any

import httpx

from bench.config import CLIENT_APP_ID, global_id
from bench.processes import Server
from bench.scenarios import (
    APP_DETAIL_ROW,
    APPS_LIST,
    AUTHLIB,
    AUTHLIB_INTROSPECT,
    AUTHLIB_REFRESH,
    BASELINE_A,
    BASELINE_B_APPS,
    BASELINE_B_DETAIL,
    BASELINE_B_LISTING,
    BASELINE_B_MARKETPLACE,
    BASELINE_C,
    BASELINE_D,
    BASELINES,
    BASIC,
    BY_NAME,
    CACHED,
    FORM,
    INTROSPECT,
    LISTING_REVIEWS,
    PAGE,
    REFRESH,
    SERVICE,
    SIGNED_IN,
    SIGNED_IN_CACHED,
    UNCACHED,
)

CACHE_TRIES = 12
CACHE_HEADER = "x-devhub-cache"


class VerificationError(RuntimeError):
    pass


def _send(port: int, request: dict[str, Any]) -> httpx.Response:
    return httpx.request(
        request.get("method", "POST"),
        f"http://127.0.0.1:{port}{request['path']}",
        headers=dict(request.get("headers", [])),
        content=request.get("body", "").encode(),
        timeout=30,
    )


def _data(port: int, operation: str) -> dict[str, Any]:
    response = _send(port, BY_NAME[operation].requests[0])
    body = response.json()
    if response.status_code != 200 or body.get("errors"):
        raise VerificationError(f"{operation}: HTTP {response.status_code} {response.text[:500]}")
    return body["data"]


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise VerificationError(message)


def _cache_hits(port: int, operation: str) -> int:
    """Each worker process has its own cache: a few requests reach them all."""
    request = BY_NAME[operation].requests[0]
    return sum(_send(port, request).headers.get(CACHE_HEADER) == "hit" for _ in range(CACHE_TRIES))


def _token(port: int, operation: str) -> dict[str, Any]:
    """A refresh grant's answer (token pair 0)."""
    response = _send(port, BY_NAME[operation].requests[0])
    _require(response.status_code == 200, f"{operation}: {response.status_code} {response.text}")
    answer = response.json()
    _require(bool(answer.get("access_token")), f"{operation}: {response.text}")
    return answer


def _introspect(port: int, operation: str, token: str | None = None) -> dict[str, Any]:
    request = BY_NAME[operation].requests[0]
    if token is not None:
        request = {**request, "headers": [FORM, BASIC], "body": f"token={token}"}
    response = _send(port, request)
    _require(response.status_code == 200, f"{operation}: {response.status_code} {response.text}")
    answer = response.json()
    _require(answer.get("active") is True, f"{operation}: {response.text}")
    return answer


def _without_token(answer: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in answer.items() if key != "access_token"}


def verify(servers: dict[str, Server]) -> tuple[list[str], list[str]]:
    """Raises VerificationError on a wrong answer; returns what was checked, and notes on what
    was found but does not stop a run (a cache that is not there yet)."""
    service, uncached = servers[SERVICE].port, servers[UNCACHED].port
    baselines, authlib = servers[BASELINES].port, servers[AUTHLIB].port
    notes = []

    anonymous = _data(service, CACHED)
    edges = anonymous["marketplaceApps"]["edges"]
    _require(len(edges) == PAGE, f"marketplace lists {len(edges)} apps, not {PAGE}")
    _require(_cache_hits(service, CACHED) > 0, f"{CACHED}: never cached in {CACHE_TRIES} requests")
    _require(_data(service, SIGNED_IN_CACHED) == anonymous, "signed-in marketplace differs")
    signed_in_hits = _cache_hits(service, SIGNED_IN_CACHED)
    if not signed_in_hits:
        notes.append(
            f"{SIGNED_IN_CACHED}: no `{CACHE_HEADER}: hit` in {CACHE_TRIES} requests with the same"
            " Bearer token, so this row measures uncached answers and its target cannot pass"
        )
    for operation in (SIGNED_IN, APPS_LIST, APP_DETAIL_ROW, LISTING_REVIEWS):
        hits = _cache_hits(uncached, operation)
        _require(
            hits == 0,
            f"{operation}: the service with DEVHUB_RESPONSE_CACHE=false answered {hits} of"
            f" {CACHE_TRIES} requests from its cache; the uncached rows would measure the cache",
        )

    signed_in = _data(uncached, SIGNED_IN)
    _require(signed_in == anonymous, "signed-in marketplace differs from the anonymous one")
    apps = _data(uncached, APPS_LIST)
    _require(
        len(apps["apps"]["edges"]) == PAGE,
        f"the developer sees {len(apps['apps']['edges'])} apps, not {PAGE}",
    )
    detail = _data(uncached, APP_DETAIL_ROW)
    _require(
        detail["app"]["id"] == global_id("App", CLIENT_APP_ID), f"app detail returned {detail}"
    )
    listing = _data(uncached, LISTING_REVIEWS)
    _require(
        len(listing["marketplaceApp"]["reviews"]["edges"]) > 0,
        f"the listing with reviews shows no review: {listing}",
    )
    _require(_data(baselines, BASELINE_A) == anonymous, f"{BASELINE_A}: other data")
    for name, expected in (
        (BASELINE_B_MARKETPLACE, signed_in),
        (BASELINE_B_APPS, apps),
        (BASELINE_B_DETAIL, detail),
        (BASELINE_B_LISTING, listing),
    ):
        data = _data(baselines, name)
        _require(data == expected, f"{name} returns other data than the service:\n{data}")

    granted = _token(service, REFRESH)
    for port, name in ((baselines, BASELINE_C), (authlib, AUTHLIB_REFRESH)):
        answer = _token(port, name)
        _require(
            _without_token(answer) == _without_token(granted),
            f"{name} answers {_without_token(answer)}, the service {_without_token(granted)}",
        )
        # The same storage: a token one issued is good at the other.
        if name == AUTHLIB_REFRESH:
            seen = _introspect(service, INTROSPECT, answer["access_token"])
            _require(seen["scope"] == answer["scope"], f"the peer's token at the service: {seen}")
            peer_seen = _introspect(authlib, AUTHLIB_INTROSPECT, granted["access_token"])
            _require(peer_seen["scope"] == granted["scope"], f"service token at peer: {peer_seen}")

    introspected = _introspect(service, INTROSPECT)
    for port, name in ((baselines, BASELINE_D), (authlib, AUTHLIB_INTROSPECT)):
        answer = _introspect(port, name)
        _require(answer == introspected, f"{name} answers {answer}, the service {introspected}")

    checked = [
        f"marketplace: {PAGE} apps, the anonymous page cached; signed-in answer identical"
        f" (cached {signed_in_hits} of {CACHE_TRIES} times)",
        f"response cache off: no cache hit; apps: {PAGE} of the developer's; app detail:"
        f" {detail['app']['name']}",
        "A returns the marketplace data, each B exactly the service's data for its document",
        f"refresh grant (scope {granted['scope']!r}): C and Authlib give the service's answer;"
        " tokens issued by Authlib and the service are good at the other",
        "introspection: D and Authlib give the service's claims",
    ]
    return checked, notes
