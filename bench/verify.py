"""Checks, before any measurement, that every server gives the right answer on the seeded data.

A fast wrong answer is worthless: the service must list 50 marketplace apps and 50 of the
developer's apps, serve the anonymous page from its cache, grant and introspect tokens; the
baselines must return exactly the service's marketplace data, so their comparison is fair.
"""

from __future__ import annotations

from typing import Any

import httpx

from bench.config import CLIENT_APP_ID, global_id
from bench.processes import Server
from bench.scenarios import BASELINE_A, BASELINE_B, BASELINE_C, BY_NAME, PAGE

CACHE_TRIES = 12


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


def verify(service: Server, baselines: Server) -> list[str]:
    """Raises VerificationError on a wrong answer; returns what was checked."""
    anonymous = _data(service.port, "marketplace, anonymous (cached)")
    edges = anonymous["marketplaceApps"]["edges"]
    _require(len(edges) == PAGE, f"marketplace lists {len(edges)} apps, not {PAGE}")
    # Each worker process has its own cache: a few requests reach them all.
    hits = [
        _send(service.port, BY_NAME["marketplace, anonymous (cached)"].requests[0]).headers.get(
            "x-devhub-cache"
        )
        for _ in range(CACHE_TRIES)
    ]
    _require("hit" in hits, f"anonymous marketplace never cached in {CACHE_TRIES} requests")
    signed_in = _data(service.port, "marketplace, signed in")
    _require(signed_in == anonymous, "signed-in marketplace differs from the anonymous one")

    apps = _data(service.port, "apps (developer)")["apps"]["edges"]
    _require(len(apps) == PAGE, f"the developer sees {len(apps)} apps, not {PAGE}")
    detail = _data(service.port, "app detail")["app"]
    _require(detail["id"] == global_id("App", CLIENT_APP_ID), f"app detail returned {detail}")

    grant = _send(service.port, BY_NAME["oauth refresh grant"].requests[0])
    _require(grant.status_code == 200, f"refresh grant: {grant.status_code} {grant.text}")
    _require("access_token" in grant.json(), f"refresh grant: {grant.text}")
    introspected = _send(service.port, BY_NAME["oauth introspect"].requests[0])
    _require(introspected.json().get("active") is True, f"introspect: {introspected.text}")

    for name in (BASELINE_A, BASELINE_B):
        data = _data(baselines.port, name)
        _require(data == anonymous, f"{name} returns other data than the service")
    token = _send(baselines.port, BY_NAME[BASELINE_C].requests[0])
    _require(token.status_code == 200 and "access_token" in token.json(), f"C: {token.text}")
    return [
        f"marketplace: {PAGE} apps, cached on the second request; signed-in answer identical",
        f"apps: {PAGE} of the developer's; app detail: {detail['name']}",
        "refresh grant and introspection answer 200 with a token / active: true",
        "baselines A and B return exactly the service's marketplace data; C grants a token",
    ]
