"""The automated checks of an app's extensions: every page and endpoint answers over https, and
every JSON panel endpoint, called as the CRM calls it (a sample context, a signed token, its HTTP
Basic credentials), answers in time with data its schema accepts. Run at submission (the reviewer
sees the result) and on demand by the developer, before submitting."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

import httpx
import orjson

from devhub_gql import outbound
from devhub_gql.domain import extension_schemas, secrets
from devhub_gql.domain.extensions import (
    HTTP_PASSWORD,
    HTTP_USERNAME,
    JSON_SCHEMA,
    NAME,
    URL,
    Extension,
    ExtensionKind,
    sign_token,
    signing_secret,
)
from devhub_gql.domain.validation import is_secure_url

# The sample context a JSON panel is called with: a deal's detail view, seen by nobody real.
SAMPLE_USER_ID = 0
SAMPLE_COMPANY_ID = 0
SAMPLE_CONTEXT = {
    "resource": "deal",
    "view": "details",
    "userId": str(SAMPLE_USER_ID),
    "companyId": str(SAMPLE_COMPANY_ID),
    "selectedIds": "1",
    "isShared": "false",
}


@dataclass(frozen=True)
class ExtensionCheck:
    key: str
    name: str
    problems: list[str]

    @property
    def passed(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Checker:
    client_id: str
    secret_key: str
    allow_private: bool
    timeout_seconds: float
    now: datetime

    async def check(self, extension: Extension) -> ExtensionCheck:
        url = extension.definition[URL]
        label = extension.definition.get(NAME) or extension.kind.value.lower()
        if not is_secure_url(url, allow_loopback_http=self.allow_private):
            return ExtensionCheck(extension.key, label, [f"{url} is not https."])
        if extension.kind == ExtensionKind.JSON_PANEL:
            problems = await self._panel(extension, url)
        else:
            probe = await outbound.probe(url, allow_private=self.allow_private)
            problems = [] if probe.answered else [probe.message]
        return ExtensionCheck(extension.key, label, problems)

    async def _panel(self, extension: Extension, url: str) -> list[str]:
        token = sign_token(
            extension,
            client_id=self.client_id,
            user_id=SAMPLE_USER_ID,
            company_id=SAMPLE_COMPANY_ID,
            secret=signing_secret(extension, self.client_id, self.secret_key),
            now=self.now,
        )
        headers = {"accept": "application/json"}
        definition = extension.definition
        if HTTP_PASSWORD in definition:
            password = secrets.decrypt(self.secret_key, definition[HTTP_PASSWORD])
            pair = f"{definition.get(HTTP_USERNAME, '')}:{password}".encode()
            headers["authorization"] = "Basic " + base64.b64encode(pair).decode()
        separator = "&" if "?" in url else "?"
        called = f"{url}{separator}{urlencode({**SAMPLE_CONTEXT, 'token': token})}"
        try:
            response = await outbound.request(
                "GET",
                called,
                allow_private=self.allow_private,
                headers=headers,
                time_limits=httpx.Timeout(self.timeout_seconds),
            )
        except outbound.TargetRefused as exc:
            return [f"Refused to call {url}: {exc}."]
        except httpx.TimeoutException:
            return [f"{url} did not answer within {self.timeout_seconds:g} seconds."]
        except httpx.HTTPError as exc:
            return [f"{url} did not answer ({type(exc).__name__})."]
        if response.status_code != 200:
            return [f"{url} answered with HTTP {response.status_code}, not 200."]
        try:
            answer = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            return [f"{url} did not answer with JSON."]
        return [
            f"{problem.path}: {problem.message}"
            for problem in extension_schemas.panel_data_problems(definition[JSON_SCHEMA], answer)
        ]

    async def check_all(self, extensions: Sequence[Extension]) -> list[ExtensionCheck]:
        return [await self.check(extension) for extension in extensions]


def summary(checks: Sequence[ExtensionCheck]) -> dict[str, object]:
    """The `extensions_answer` automated check of a submission."""
    failed = [check for check in checks if not check.passed]
    if not checks:
        message = "The app has no extensions."
    elif not failed:
        message = f"All {len(checks)} extensions answer over https as their kind requires."
    else:
        message = "; ".join(f"{c.name}: {' '.join(c.problems)}" for c in failed)
    return {"id": "extensions_answer", "passed": not failed, "message": message[:2000]}
