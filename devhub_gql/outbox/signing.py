"""Standard Webhooks signatures with a per-app signing secret.

The secret is derived from the service's secret key and the app's client id, so it never has to
be stored and the developer can be shown it at any time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime

from standardwebhooks import Webhook


def signing_secret(client_id: str, secret_key: str) -> str:
    key = hmac.new(
        secret_key.encode(), f"webhook-signing:{client_id}".encode(), hashlib.sha256
    ).digest()
    return "whsec_" + base64.b64encode(key).decode()


def signed_headers(secret: str, webhook_id: str, sent_at: datetime, payload: str) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": Webhook(secret).sign(webhook_id, sent_at, payload),
    }
