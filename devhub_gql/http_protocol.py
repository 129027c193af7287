"""uvicorn's httptools protocol with TCP_NODELAY on every accepted connection.

httptools parses HTTP in C (h11, uvicorn's other choice, parses in Python: a tenth of a short
request's CPU). asyncio only turns Nagle's algorithm off on connections accepted from a listening
socket made with proto=IPPROTO_TCP, and uvicorn's own multi-worker socket is made with proto=0:
a response written as head then body then waits for the client's delayed ACK, about 40 ms added
to every keep-alive answer (uvicorn issue #3149). Setting it here holds however the socket was made.
"""

from __future__ import annotations

import asyncio
import socket

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class NoDelayHttpToolsProtocol(HttpToolsProtocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
