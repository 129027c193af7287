"""The one guarded HTTP client for calls the service makes to developers' URLs.

Short time-outs, no redirects, and no loopback, private, link-local or reserved targets unless the
operator allows them (DEVHUB_ALLOW_PRIVATE_CALLBACKS, for local development and tests): a callback
URL must not become a way to probe the service's own network.

The host name is resolved once, the address is checked, and the connection goes to that very
address (the Host header and TLS's server name and certificate check still use the name): a DNS
answer that changes between the check and the connection (DNS rebinding) cannot redirect it.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
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


# Host name and port to the addresses they resolve to; tests inject their own, as they do clocks.
Resolver = Callable[[str, int], Awaitable[list[str]]]


async def system_resolver(host: str, port: int) -> list[str]:
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise TargetRefused(f"the host name does not resolve ({exc.strerror})") from None
    return [str(info[4][0]) for info in infos]


@dataclass(frozen=True)
class Target:
    """Where a checked URL is sent: its address, and the name it stands for."""

    url: httpx.URL  # with the checked address in place of the host name
    host_header: str
    server_name: str


async def _check_target(url: str, allow_private: bool, resolve: Resolver) -> Target:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetRefused("not an absolute http(s) URL")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = [ipaddress.ip_address(a) for a in await resolve(parts.hostname, port)]
    if not addresses:
        raise TargetRefused("the host name does not resolve")
    if not allow_private and not all(address.is_global for address in addresses):
        raise TargetRefused(f"{parts.hostname} resolves to a non-public address")
    original = httpx.URL(url)
    return Target(
        url=original.copy_with(host=str(addresses[0])),
        host_header=original.netloc.decode("ascii"),
        server_name=parts.hostname,
    )


async def request(
    method: str,
    url: str,
    *,
    allow_private: bool,
    headers: dict[str, str] | None = None,
    content: bytes | None = None,
    time_limits: httpx.Timeout = TIMEOUT,
    resolve: Resolver = system_resolver,
) -> httpx.Response:
    """Send one request; raises TargetRefused or httpx.HTTPError."""
    target = await _check_target(url, allow_private, resolve)
    async with httpx.AsyncClient(timeout=time_limits, follow_redirects=False) as client:
        return await client.request(
            method,
            target.url,
            headers={**(headers or {}), "host": target.host_header},
            content=content,
            extensions={"sni_hostname": target.server_name},
        )


async def probe(url: str, *, allow_private: bool, resolve: Resolver = system_resolver) -> Probe:
    """Whether a URL answers at all (any HTTP response below 500 counts)."""
    try:
        response = await request("GET", url, allow_private=allow_private, resolve=resolve)
    except TargetRefused as exc:
        return Probe(False, f"Refused to call {url}: {exc}.")
    except httpx.HTTPError as exc:
        return Probe(False, f"{url} did not answer ({type(exc).__name__}).")
    if response.status_code >= 500:
        return Probe(False, f"{url} answered with HTTP {response.status_code}.")
    return Probe(True, f"{url} answered with HTTP {response.status_code}.")
