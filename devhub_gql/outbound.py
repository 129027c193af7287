"""The one guarded HTTP client for calls the service makes to developers' URLs.

Short time-outs, no redirects, and no loopback, private, link-local or reserved targets unless the
operator allows them (DEVHUB_ALLOW_PRIVATE_CALLBACKS, for local development and tests): a callback
URL must not become a way to probe the service's own network.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

TIMEOUT = httpx.Timeout(3.0, connect=2.0)


class TargetRefused(Exception):
    """The URL points where the service may not call."""


@dataclass(frozen=True)
class Probe:
    answered: bool
    message: str


async def _check_target(url: str, allow_private: bool) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetRefused("not an absolute http(s) URL")
    if allow_private:
        return
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            parts.hostname, port, type=socket.SOCK_STREAM
        )
    except socket.gaierror as exc:
        raise TargetRefused(f"the host name does not resolve ({exc.strerror})") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise TargetRefused(f"{parts.hostname} resolves to a non-public address")


async def request(
    method: str,
    url: str,
    *,
    allow_private: bool,
    headers: dict[str, str] | None = None,
    content: bytes | None = None,
    time_limits: httpx.Timeout = TIMEOUT,
) -> httpx.Response:
    """Send one request; raises TargetRefused or httpx.HTTPError."""
    await _check_target(url, allow_private)
    async with httpx.AsyncClient(timeout=time_limits, follow_redirects=False) as client:
        return await client.request(method, url, headers=headers, content=content)


async def probe(url: str, *, allow_private: bool) -> Probe:
    """Whether a URL answers at all (any HTTP response below 500 counts)."""
    try:
        response = await request("GET", url, allow_private=allow_private)
    except TargetRefused as exc:
        return Probe(False, f"Refused to call {url}: {exc}.")
    except httpx.HTTPError as exc:
        return Probe(False, f"{url} did not answer ({type(exc).__name__}).")
    if response.status_code >= 500:
        return Probe(False, f"{url} answered with HTTP {response.status_code}.")
    return Probe(True, f"{url} answered with HTTP {response.status_code}.")
