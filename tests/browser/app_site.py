"""A third-party app's own site on https://127.0.0.1: the callback the browser lands on, its icon.

The consent page's Content-Security-Policy loads images over https only (`img-src https:`), so
the site serves TLS, with a certificate made for the run, for the app's icon to show; the browser
context is told to accept the certificate. (Review itself would take a plain http callback on
127.0.0.1 in local development.)
"""

from __future__ import annotations

import datetime
import http.server
import ipaddress
import ssl
import struct
import sys
import threading
import traceback
import zlib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def _self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "app-site.crt", directory / "app-site.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _png(size: int, rgb: tuple[int, int, int]) -> bytes:
    """A square of one colour, small enough to build by hand."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * size
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * size))
        + chunk(b"IEND", b"")
    )


ICON = _png(64, (11, 92, 173))


class AppSite:
    """Records every request; answers /callback with a page saying where the user came back."""

    def __init__(self, directory: Path) -> None:
        self.requests: list[str] = []
        self.errors: list[str] = []  # what went wrong handling a request, as tracebacks
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.requests.append(self.path)
                path = urlsplit(self.path).path
                if path == "/icon.png":
                    self._answer(200, "image/png", ICON)
                elif path.startswith("/callback"):
                    page = (
                        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
                        "<title>Back in the app</title></head>"
                        "<body><h1>Back in the app</h1></body></html>"
                    )
                    self._answer(200, "text/html; charset=utf-8", page.encode())
                else:
                    self._answer(404, "text/plain", b"not found")

            def _answer(self, status: int, content_type: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("content-type", content_type)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                error = sys.exc_info()[1]
                # Review probes the callback without trusting this certificate, so it drops the
                # handshake: expected, quiet. Anything else is a bug that must not pass unseen.
                if isinstance(error, ssl.SSLError):
                    return
                site.errors.append("".join(traceback.format_exception(error)))
                super().handle_error(request, client_address)

        cert_path, key_path = _self_signed_certificate(directory)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_path, key_path)
        self.server = Server(("127.0.0.1", 0), Handler)
        # The handshake happens in each connection's thread, not in the accepting loop.
        self.server.socket = context.wrap_socket(
            self.server.socket, server_side=True, do_handshake_on_connect=False
        )
        self.url = f"https://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def landings(self) -> list[str]:
        return [path for path in self.requests if path.startswith("/callback")]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
