"""Helpers the tests share: a GraphQL client over HTTP and an SQL statement counter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from devhub_gql.observability import capture_statements

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


def sign_up_input(email: str, *, company: str = "Acme", kind: str = "SANDBOX") -> dict[str, Any]:
    """signUp's input for the first user of a new company, who signs in with PASSWORD."""
    return {
        "email": email,
        "password": PASSWORD,
        "name": email.split("@")[0].title(),
        "companyName": company,
        "companyKind": kind,
    }


@dataclass
class Account:
    token: str
    user_id: str
    company_id: str
    email: str


async def sign_up(
    gql: GraphQLClient, email: str, *, kind: str = "SANDBOX", company: str = "Acme"
) -> Account:
    data = await gql.data(SIGN_UP, {"input": sign_up_input(email, company=company, kind=kind)})
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


# The SQL statements a block sends, from the service's own listener (the one its metrics and
# the benchmark use): `.statements` and `.parameters`.
count_statements = capture_statements


UPDATE_APP = """
mutation Update($input: UpdateAppInput!) {
  updateApp(input: $input) { app { id status } userErrors { field code message } }
}
"""

SUBMIT = """
mutation Submit($id: ID!) {
  submitAppForReview(input: {id: $id}) {
    app { id status }
    submission { id kind status checks { id passed message } diff { scopesAdded scopesRemoved
      fields { field old new } } snapshot { name scopes callbackUrl summary } }
    userErrors { field code message }
  }
}
"""

APPROVE = """
mutation Approve($id: ID!, $note: String) {
  approveSubmission(input: {id: $id, note: $note}) {
    submission { id status note decidedAt }
    userErrors { field code message }
  }
}
"""

REJECT = """
mutation Reject($id: ID!, $reasons: [RejectionReasonInput!]!) {
  rejectSubmission(input: {id: $id, reasons: $reasons}) {
    submission { id status reasons { code message } }
    userErrors { field code message }
  }
}
"""

STATUS_MUTATIONS = {
    name: f"""
    mutation M($id: ID!) {{
      {name}(input: {{id: $id}}) {{ app {{ id status }} userErrors {{ field code message }} }}
    }}
    """
    for name in (
        "withdrawAppFromReview",
        "publishApp",
        "unpublishApp",
        "changeAppToLive",
        "mergePendingRevision",
        "discardPendingRevision",
    )
}

# Everything a public app needs before review, with an https callback.
COMPLETE_LISTING = {
    "callbackUrl": "https://dealsync.example.com/oauth/callback",
    "category": "productivity",
    "summary": "Keeps deals in sync.",
    "iconUrl": "https://cdn.example.com/icon.png",
    "listingImageUrls": ["https://cdn.example.com/1.png"],
    "description": "A longer description of what it does.",
    "websiteUrl": "https://dealsync.example.com",
    "termsOfServiceUrl": "https://dealsync.example.com/terms",
    "privacyPolicyUrl": "https://dealsync.example.com/privacy",
    "contactEmail": "owner@dealsync.example.com",
    "partnerTermsAccepted": True,
    "scopes": ["base", "deals:read"],
}


async def make_reviewer(gql: GraphQLClient, email: str = "reviewer@marketplace.example") -> Account:
    """A user of the marketplace team's own company, flagged the way the CLI does it."""
    from devhub_gql.domain.accounts import set_reviewer

    account = await sign_up(gql, email, kind="PRODUCTION", company="Marketplace Team")
    assert await set_reviewer(email, True)
    return account


async def fill_listing(gql: GraphQLClient, account: Account, app_id: str, **fields: Any) -> None:
    data = await gql.data(
        UPDATE_APP, {"input": {"id": app_id, **COMPLETE_LISTING, **fields}}, token=account.token
    )
    assert data["updateApp"]["userErrors"] == [], data


async def submit(gql: GraphQLClient, account: Account, app_id: str) -> dict[str, Any]:
    return (await gql.data(SUBMIT, {"id": app_id}, token=account.token))["submitAppForReview"]


async def approve(backoffice: GraphQLClient, reviewer: Account, submission_id: str) -> dict:
    data = await backoffice.data(APPROVE, {"id": submission_id}, token=reviewer.token)
    return data["approveSubmission"]


async def published_app(
    gql: GraphQLClient, backoffice: GraphQLClient, developer: Account, reviewer: Account, **fields
) -> str:
    """A public app taken through review and published."""
    app_id = (await create_app(gql, developer))["app"]["id"]
    await fill_listing(gql, developer, app_id, **fields)
    submitted = await submit(gql, developer, app_id)
    assert submitted["userErrors"] == [], submitted
    assert (await approve(backoffice, reviewer, submitted["submission"]["id"]))["userErrors"] == []
    published = await gql.data(
        STATUS_MUTATIONS["publishApp"], {"id": app_id}, token=developer.token
    )
    assert published["publishApp"]["app"]["status"] == "PUBLISHED"
    return app_id


class Receiver:
    """A real HTTP server on 127.0.0.1 standing in for a third-party app's callback URL."""

    def __init__(self, port: int = 0) -> None:
        import http.server
        import threading

        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        self.status = 200
        self.body = b""  # what it answers (JSON when set)
        # Clear `gate` to hold requests unanswered (in flight) until it is set again.
        self.gate = threading.Event()
        self.gate.set()
        self.held = threading.Semaphore(0)  # released once per request that has arrived
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {key.lower(): value for key, value in self.headers.items()}
                receiver.requests.append((self.command, self.path, headers, body))
                receiver.held.release()
                receiver.gate.wait(timeout=60)
                self.send_response(receiver.status)
                self.send_header("content-length", str(len(receiver.body)))
                if receiver.body:
                    self.send_header("content-type", "application/json")
                self.end_headers()
                self.wfile.write(receiver.body)

            do_GET = do_POST = do_DELETE = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @classmethod
    def on_port(cls, port: int) -> Receiver:
        return cls(port)

    def close(self) -> None:
        if self.thread.is_alive():
            self.server.shutdown()
        self.server.server_close()


DELETE_APP = """
mutation D($id: ID!, $reason: String!) {
  deleteApp(input: {id: $id, reason: $reason}) { deletedAppId userErrors { field code message } }
}
"""
