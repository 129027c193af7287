"""A form-encoded request to the token, revocation or introspection endpoint, read once.

The rate limit, the reads before oauthlib runs, the validator's client authentication and the
metrics all need the same few facts: the form's fields and the client credentials presented.
They are taken from the body and the headers here, once per request.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote

from devhub_gql.domain.validation import is_safe_text

CLIENT_ID_LENGTH = 32  # the column's size: longer values cannot name a client


def usable_client_id(client_id: str | None) -> str | None:
    """A value that can name a client at all (PostgreSQL would refuse a NUL in the lookup)."""
    if not client_id or len(client_id) > CLIENT_ID_LENGTH or not is_safe_text(client_id):
        return None
    return client_id


def client_credentials(
    authorization: str, client_id: str | None, secret: str | None
) -> tuple[str | None, str | None]:
    """HTTP Basic first, body parameters as the fallback (RFC 6749 §2.3.1)."""
    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() == "basic" and encoded:
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None, None
        basic_id, _, basic_secret = decoded.partition(":")
        return unquote(basic_id), unquote(basic_secret)
    return client_id, secret


def form_of(body: str) -> dict[str, str]:
    """A form body's fields (the first of each)."""
    form: dict[str, str] = {}
    for name, value in parse_qsl(body, keep_blank_values=True):
        form.setdefault(name, value)
    return form


@dataclass(frozen=True)
class Submission:
    uri: str  # the endpoint's public address, as oauthlib is told
    body: str
    content_type: str  # the media type, without parameters
    form: dict[str, str]
    client_id: str | None  # as presented: HTTP Basic, else the form's
    client_secret: str | None

    @classmethod
    def of(cls, uri: str, body: str, content_type: str, authorization: str) -> Submission:
        """From the body and the two headers these endpoints read (oauthlib reads none)."""
        form = form_of(body)
        client_id, secret = client_credentials(
            authorization, form.get("client_id"), form.get("client_secret")
        )
        media_type = content_type.split(";")[0].strip()
        return cls(uri, body, media_type, form, client_id, secret)

    @property
    def client(self) -> str | None:
        """The client id, when it can name a client at all."""
        return usable_client_id(self.client_id)
