"""Helpers the tests share: a GraphQL client over HTTP and an SQL statement counter."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

PASSWORD = "correct horse battery staple"


class GraphQLClient:
    """Posts GraphQL documents to the app the way a single-page front end does."""

    def __init__(self, http: httpx.AsyncClient, path: str = "/graphql") -> None:
        self.http = http
        self.path = path

    async def post(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> dict[str, Any]:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        response = await self.http.post(
            self.path, json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def data(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> dict[str, Any]:
        """The `data` of a response that must have no errors."""
        body = await self.post(query, variables, token=token)
        assert "errors" not in body, body["errors"]
        return body["data"]

    async def error_code(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> str:
        body = await self.post(query, variables, token=token)
        assert body.get("errors"), body
        return body["errors"][0]["extensions"]["code"]


def error_codes(payload: dict[str, Any]) -> list[tuple[str | None, str]]:
    return [(e["field"], e["code"]) for e in payload["userErrors"]]


SIGN_UP = """
mutation SignUp($input: SignUpInput!) {
  signUp(input: $input) {
    user { id email role company { id name kind } }
    session { token expiresAt }
    userErrors { field code message }
  }
}
"""

CREATE_APP = """
mutation CreateApp($input: CreateAppInput!) {
  createApp(input: $input) {
    app { id name type status clientId callbackUrl scopes { name } }
    clientSecret
    userErrors { field code message }
  }
}
"""


@dataclass
class Account:
    token: str
    user_id: str
    company_id: str
    email: str


async def sign_up(
    gql: GraphQLClient, email: str, *, kind: str = "SANDBOX", company: str = "Acme"
) -> Account:
    data = await gql.data(
        SIGN_UP,
        {
            "input": {
                "email": email,
                "password": PASSWORD,
                "name": email.split("@")[0].title(),
                "companyName": company,
                "companyKind": kind,
            }
        },
    )
    payload = data["signUp"]
    assert payload["userErrors"] == []
    return Account(
        token=payload["session"]["token"],
        user_id=payload["user"]["id"],
        company_id=payload["user"]["company"]["id"],
        email=email,
    )


async def create_app(
    gql: GraphQLClient,
    account: Account,
    *,
    name: str = "Deal Sync",
    app_type: str = "PUBLIC",
    callback_url: str = "https://app.example.com/callback",
) -> dict[str, Any]:
    data = await gql.data(
        CREATE_APP,
        {"input": {"type": app_type, "name": name, "callbackUrl": callback_url}},
        token=account.token,
    )
    assert data["createApp"]["userErrors"] == []
    return data["createApp"]


class StatementCounter(logging.Handler):
    """Counts the SQL statements Tortoise sends (it logs each one at DEBUG)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg == "%s: %s" and record.args:
            self.statements.append(str(record.args[0]))


@contextmanager
def count_statements() -> Iterator[StatementCounter]:
    logger = logging.getLogger("tortoise.db_client")
    counter = StatementCounter()
    previous = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(counter)
    try:
        yield counter
    finally:
        logger.removeHandler(counter)
        logger.setLevel(previous)
