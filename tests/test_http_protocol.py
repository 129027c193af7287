"""The service's HTTP protocol on a real uvicorn at 127.0.0.1: an answer leaves in one TCP
segment, and arrives whole when the connection closes right after it."""

from __future__ import annotations

import asyncio
import socket
import struct
import sys

import orjson
import pytest

from tests.live import serving

QUERY = b'{"query": "{ marketplaceApps(first: 1) { edges { node { id } } } }"}'


def _request(connection: str) -> bytes:
    return (
        b"POST /graphql HTTP/1.1\r\nhost: devhub.test\r\ncontent-type: application/json\r\n"
        + f"connection: {connection}\r\ncontent-length: {len(QUERY)}\r\n\r\n".encode()
        + QUERY
    )


async def _answer(reader: asyncio.StreamReader) -> tuple[bytes, dict[str, object]]:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    return head, orjson.loads(await reader.readexactly(length))


# Linux's struct tcp_info: tcpi_data_segs_in, the segments with data this socket received.
DATA_SEGMENTS_IN = 152


def _data_segments_in(sock: socket.socket) -> int:
    info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, DATA_SEGMENTS_IN + 4)
    if len(info) < DATA_SEGMENTS_IN + 4:
        pytest.skip("this kernel's tcp_info counts no data segments (Linux 4.6 and later do)")
    return int(struct.unpack_from("I", info, DATA_SEGMENTS_IN)[0])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads Linux's TCP_INFO")
async def test_each_answer_reaches_the_client_in_one_segment(service):
    async with serving(service) as address:
        host, port = address.split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        sock = writer.get_extra_info("socket")
        try:
            for _ in range(5):  # one keep-alive connection, one answer after another
                before = _data_segments_in(sock)
                writer.write(_request("keep-alive"))
                head, body = await _answer(reader)
                assert head.startswith(b"HTTP/1.1 200 ")
                assert body == {"data": {"marketplaceApps": {"edges": []}}}
                # Head and body together: two segments were two sends and two wake-ups.
                assert _data_segments_in(sock) - before == 1
        finally:
            writer.close()
            await writer.wait_closed()


async def test_an_answer_arrives_whole_when_the_connection_closes_after_it(service):
    async with serving(service) as address:
        host, port = address.split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            writer.write(_request("close"))
            head, body = await _answer(reader)
            assert head.startswith(b"HTTP/1.1 200 ")
            assert body == {"data": {"marketplaceApps": {"edges": []}}}
            assert await reader.read() == b""  # and then the server closed the connection
        finally:
            writer.close()
            await writer.wait_closed()
