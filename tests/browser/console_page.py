"""What a reviewer does in the review console, in the words of the page; and the submissions the
tests review, made through the public API as a developer makes them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.browser.consent_page import expect
from tests.browser.world import Api, User, World, draft_app, publish
from tests.oauth.support import APPROVE_AUTHORIZATION, ClientApp, query_of
from tests.support import COMPLETE_LISTING, PASSWORD, SUBMIT, UPDATE_APP

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

RATE = """
mutation Rate($input: RateAppInput!) {
  rateApp(input: $input) { review { id } userErrors { field code message } }
}
"""
LISTING_ID = "query L($slug: String!) { marketplaceApp(slug: $slug) { id } }"
REPORT = """
mutation Report($input: ReportReviewInput!) {
  reportReview(input: $input) { reported userErrors { field code message } }
}
"""
APP_STATE = """
query State($id: ID!) {
  app(id: $id) {
    status name summary
    latestRejection { reasons { code message } note }
    reviewHistory { kind status note }
    pendingRevision { status }
  }
}
"""


def open_console(page: Page, world: World, path: str = "") -> None:
    page.goto(f"{world.service_url}/backoffice/{path}")


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    expect(page.get_by_role("heading", name="Sign in to the review console")).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def signed_in(page: Page, world: World, reviewer: User, path: str = "") -> None:
    open_console(page, world, path)
    sign_in(page, reviewer.email)
    expect(page.get_by_text(f"({reviewer.email})")).to_be_visible()


def submission_path(submission_id: str) -> str:
    return f"#/submissions/{submission_id}"


def confirm(page: Page, title: str, action: str) -> None:
    dialog = page.get_by_role("dialog", name=title)
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name=action, exact=True).click()
    expect(dialog).to_be_hidden()


def outcome(page: Page) -> Locator:
    """What the console says came of the reviewer's last action."""
    return page.locator("#outcome")


def _draft(api: Api, world: World, name: str) -> ClientApp:
    """A draft public app with a complete listing whose images are on the app's own site."""
    slug = name.lower().replace(" ", "-")
    listing = {
        **COMPLETE_LISTING,
        "callbackUrl": f"{world.site_url}/callback/{slug}",
        "iconUrl": f"{world.site_url}/icon.png",
        "listingImageUrls": [f"{world.site_url}/icon.png"],
    }
    return draft_app(api, world.developer, name, listing["callbackUrl"], **listing)


def submitted_listing(world: World, name: str) -> tuple[str, str]:
    """A new app sent to review: (app id, submission id)."""
    api = Api(world.service_url)
    try:
        app = _draft(api, world, name)
        submitted = api.payload(SUBMIT, "submitAppForReview", {"id": app.id}, world.developer.token)
        return app.id, submitted["submission"]["id"]
    finally:
        api.close()


def published_app(world: World, name: str) -> str:
    api = Api(world.service_url)
    try:
        app = _draft(api, world, name)
        publish(api, world.developer, world.reviewer, app)
        return app.id
    finally:
        api.close()


def reported_review(world: World, app_name: str, title: str) -> str:
    """A published app the customer installed (consent, then the code exchange) and rated; the
    developer reports the review. Returns the app's id."""
    api = Api(world.service_url)
    try:
        app = _draft(api, world, app_name)
        publish(api, world.developer, world.reviewer, app)
        request = {"clientId": app.client_id, "redirectUri": app.callback_url}
        approved = api.payload(
            APPROVE_AUTHORIZATION, "approveAuthorization", {"input": request}, world.customer.token
        )
        exchanged = api.http.post(
            "/oauth/token",
            data={
                "grant_type": "authorization_code",
                "code": query_of(approved["redirectUrl"])["code"],
                "redirect_uri": app.callback_url,
            },
            auth=(app.client_id, app.client_secret),
        )
        assert exchanged.status_code == 200, exchanged.text
        slug = app_name.lower().replace(" ", "-")
        listing = api.data(LISTING_ID, {"slug": slug})["marketplaceApp"]["id"]
        rating = {"appId": listing, "stars": 2, "title": title, "body": "It lost my deals."}
        rated = api.payload(RATE, "rateApp", {"input": rating}, world.customer.token)
        report = {"reviewId": rated["review"]["id"], "reason": "Blames the app for a CRM outage."}
        api.payload(REPORT, "reportReview", {"input": report}, world.developer.token)
        return app.id
    finally:
        api.close()


def submitted_revision(world: World, name: str) -> tuple[str, str]:
    """A published app whose developer sends a revision: one more scope and a new callback."""
    app_id = published_app(world, name)
    api = Api(world.service_url)
    try:
        changes = {
            "id": app_id,
            "scopes": ["base", "deals:read", "contacts:read"],
            "callbackUrl": f"{world.site_url}/callback/v2",
        }
        api.payload(UPDATE_APP, "updateApp", {"input": changes}, world.developer.token)
        submitted = api.payload(SUBMIT, "submitAppForReview", {"id": app_id}, world.developer.token)
        assert submitted["submission"]["kind"] == "REVISION", submitted
        return app_id, submitted["submission"]["id"]
    finally:
        api.close()


def public_reviews(world: World, app_name: str) -> list[str]:
    """The titles of the reviews the marketplace shows on the app's listing, signed out."""
    api = Api(world.service_url)
    try:
        listing = api.data(
            "query L($slug: String!) { marketplaceApp(slug: $slug) {"
            " reviews { nodes { title } } } }",
            {"slug": app_name.lower().replace(" ", "-")},
        )
        return [review["title"] for review in listing["marketplaceApp"]["reviews"]["nodes"]]
    finally:
        api.close()


def app_state(world: World, app_id: str) -> dict[str, Any]:
    """The app as its developer sees it through the public API."""
    api = Api(world.service_url)
    try:
        return api.data(APP_STATE, {"id": app_id}, token=world.developer.token)["app"]
    finally:
        api.close()
