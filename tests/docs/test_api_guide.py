"""docs/api-guide.md runs as written: each step's outcome, checked on what it printed and the API.

The `walkthrough` fixture pastes every shell block of the guide into one bash session against a
service and a sample app it starts itself, so the guide cannot drift from the service.
"""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime
from urllib.parse import parse_qs, parse_qsl, urlsplit

import httpx
from standardwebhooks import Webhook
from strawberry import relay

from tests.docs.conftest import GUIDE, Walkthrough
from tests.docs.walkthrough import documents_in_shell, graphql_blocks

APP_DETAILS = """
query App($id: ID!) { app(id: $id) { status callbackUrl scopes { name } } }
"""
# What a new app lacks before review; its callback URL is https, so that one passes.
LISTING_FIELDS = (
    "category",
    "summary",
    "iconUrl",
    "description",
    "websiteUrl",
    "termsOfServiceUrl",
    "privacyPolicyUrl",
    "contactEmail",
)


def normalized(document: str) -> str:
    return " ".join(document.split())


def sample_app_url(walkthrough: Walkthrough) -> str:
    """The sample app serves plain http on this machine: no certificate to make or trust."""
    return f"http://127.0.0.1:{walkthrough.sample_port}"


def type_of(global_id: str) -> str:
    return relay.GlobalID.from_id(global_id).type_name


def test_every_graphql_block_is_a_document_the_guide_runs():
    markdown = GUIDE.read_text()
    shown = {normalized(block.text) for block in graphql_blocks(markdown)}
    run = {normalized(document) for document in documents_in_shell(markdown)}
    assert shown, "the guide shows its GraphQL documents"
    assert shown == run, {"shown, never run": shown - run, "run, never shown": run - shown}


def test_sign_up_makes_a_sandbox_company_with_the_developer_as_its_admin(walkthrough):
    payload = walkthrough.json("3. Sign up")["data"]["signUp"]
    assert payload["userErrors"] == []
    assert payload["user"]["role"] == "ADMIN"
    assert payload["user"]["company"] == {"name": "Example Apps", "kind": "SANDBOX"}

    signed_in = walkthrough.json("4. Sign in")["data"]["signIn"]
    assert signed_in["userErrors"] == [] and signed_in["session"]["token"]
    assert walkthrough.value("TOKEN") == signed_in["session"]["token"]


def test_errors_come_as_user_errors_or_coded_errors(walkthrough):
    wrong_password, anonymous = (json.loads(out) for out in walkthrough.section("5. What errors"))
    [problem] = wrong_password["data"]["signIn"]["userErrors"]
    assert problem["code"] == "INVALID_CREDENTIALS" and problem["message"]
    assert wrong_password["data"]["signIn"]["session"] is None
    assert anonymous["data"] is None
    assert [e["extensions"]["code"] for e in anonymous["errors"]] == ["UNAUTHENTICATED"]


def test_creating_an_app_shows_its_client_secret_and_signing_secret(walkthrough):
    payload = walkthrough.json("6. Create an app")["data"]["createApp"]
    assert payload["userErrors"] == []
    assert payload["app"]["status"] == "DRAFT"
    assert payload["app"]["scopes"] == [{"name": "base"}]
    assert payload["clientSecret"] and payload["app"]["signingSecret"].startswith("whsec_")
    assert walkthrough.value("CLIENT_SECRET") == payload["clientSecret"]


def test_submitting_an_empty_listing_names_every_missing_field(walkthrough):
    too_early, listing, callback = walkthrough.section("8. Fill the listing") + walkthrough.section(
        "9. Choose"
    )
    problems = sorted((error["field"], error["code"]) for error in json.loads(too_early))
    assert problems == sorted(
        [
            *((name, "REQUIRED") for name in LISTING_FIELDS),
            ("listingImageUrls", "TOO_FEW"),
            ("scopes", "TOO_FEW"),
            ("partnerTermsAccepted", "TERMS_NOT_ACCEPTED"),
        ]
    )
    assert json.loads(listing)["data"]["updateApp"]["userErrors"] == []
    app = json.loads(callback)["data"]["updateApp"]["app"]
    assert app["callbackUrl"] == f"{sample_app_url(walkthrough)}/callback"
    assert [scope["name"] for scope in app["scopes"]] == ["base", "deals:read"]


def test_the_submission_with_a_loopback_http_callback_passes_every_automated_check(walkthrough):
    payload = walkthrough.json("10. Submit")["data"]["submitAppForReview"]
    assert payload["userErrors"] == [] and payload["app"]["status"] == "IN_REVIEW"
    checks = {check["id"]: check["passed"] for check in payload["submission"]["checks"]}
    assert checks == {
        "required_fields": True,
        "urls_https": True,  # a plain-http callback on this machine counts, in development
        "least_privilege": True,
        "callback_answers": True,  # the service reached the sample app
        "extensions_answer": True,  # it has none yet
    }
    assert type_of(payload["submission"]["id"]) == "Submission"


def test_only_the_reviewer_sees_the_queue_and_approves_with_the_id_it_hands_out(walkthrough):
    developer, queued, approved, _ = walkthrough.section("11. Get approved")
    assert [e["extensions"]["code"] for e in json.loads(developer)["errors"]] == ["FORBIDDEN"]
    entry = json.loads(queued)
    assert entry["kind"] == "LISTING" and entry["app"]["name"] == "Deal Sync"
    # One submission, one id: the queue's is the one submitAppForReview answered.
    assert type_of(entry["id"]) == "Submission"
    assert walkthrough.value("SUBMISSION_ID") == entry["id"]
    decision = json.loads(approved)["data"]["approveSubmission"]
    assert decision["userErrors"] == []
    assert decision["submission"]["id"] == entry["id"]
    assert decision["submission"]["status"] == "APPROVED"
    assert decision["submission"]["note"] == "Looks good." and decision["submission"]["decidedAt"]


def test_the_contact_address_gets_the_submission_and_the_approval_by_email(walkthrough):
    printed = walkthrough.section("11. Get approved")[-1]
    lines = printed.strip().splitlines()
    assert "Subject: Deal Sync is in review" in lines
    assert "Subject: Deal Sync was approved" in lines
    assert lines.count("To: ada@example.com") >= 2
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in lines


def test_the_published_app_is_in_the_marketplace(walkthrough):
    published, marketplace = walkthrough.section("12. Publish")
    assert json.loads(published)["data"]["publishApp"]["app"]["status"] == "PUBLISHED"
    [listing] = json.loads(marketplace)["data"]["marketplaceApps"]["nodes"]
    assert listing["name"] == "Deal Sync" and listing["developerName"] == "Example Apps"


def test_the_customer_installs_through_the_consent_page_with_pkce(walkthrough):
    consent_url, consent = walkthrough.section("13. Install")
    devhub = f"http://127.0.0.1:{walkthrough.devhub_port}"
    assert consent_url.startswith(f"{devhub}/oauth/consent?")
    params = parse_qs(urlsplit(consent_url.strip()).query)
    assert params["code_challenge_method"] == ["S256"] and params["state"][0]

    screen_json, _, page = consent.partition("<!doctype html>")
    screen = json.loads(screen_json)["data"]["authorizationRequest"]
    assert screen["canInstall"] and screen["refusal"] is None
    assert screen["app"] == {"name": "Deal Sync", "developerName": "Example Apps"}
    assert [scope["name"] for scope in screen["scopes"]] == ["base", "deals:read"]
    assert "<h1>Installed</h1>" in page


def test_the_sample_app_keeps_the_tokens_and_logs_only_their_start(walkthrough):
    [printed] = walkthrough.section("14. The token exchange")
    logged, stored = printed.split("\n", 1)
    assert "installed for user" in logged and "scope 'base deals:read'" in logged
    installation = json.loads(stored)
    assert installation["scope"] == "base deals:read"
    assert installation["api_domain"].startswith("https://company")
    store = walkthrough.work / "sample-app-tokens.json"
    assert stat.S_IMODE(store.stat().st_mode) == 0o600, "the token store is owner-only"

    # The secrets the sample app holds: its credentials and the tokens it received at install
    # (the guide reads the tokens from its store in section 15).
    log = (walkthrough.work / "sample-app.log").read_text()
    for name in ("CLIENT_SECRET", "SIGNING_SECRET", "INSTALL_ACCESS_TOKEN", "REFRESH_TOKEN"):
        secret = walkthrough.value(name)
        assert secret not in ("", "null"), f"the guide did not set {name}"
        assert secret not in log, f"{name} is in the sample app's log"


def test_refreshing_gives_a_new_hour_long_access_token_and_keeps_the_refresh_token(walkthrough):
    refreshed = walkthrough.json("15. Refresh")
    assert refreshed == {
        "token_type": "Bearer",
        "scope": "base deals:read",
        "expires_in": 3600,
        "api_domain": refreshed["api_domain"],
        "new_access_token": True,
        "same_refresh_token": True,
    }
    assert walkthrough.value("ACCESS_TOKEN") not in ("", "null")


def test_the_customer_sees_the_installation_then_uninstalls_it(walkthrough):
    [listing] = walkthrough.section("16. The customer")
    installation = next(
        node
        for node in json.loads(listing)["data"]["installations"]["nodes"]
        if node["app"]["name"] == "Deal Sync"
    )
    assert [scope["name"] for scope in installation["scopes"]] == ["base", "deals:read"]
    uninstalled = walkthrough.json("19. Uninstall")["data"]["uninstallApp"]
    assert uninstalled["userErrors"] == []
    assert uninstalled["installation"]["id"] == installation["id"]
    assert uninstalled["installation"]["uninstalledAt"]


def test_the_signed_notice_is_delivered_and_verified_by_the_sample_app(walkthrough):
    _, developer_view, sample_app_view, forged = walkthrough.section("19. Uninstall")
    logged, received = sample_app_view.split("\n", 1)
    [notice] = json.loads(developer_view)["data"]["uninstallNotices"]["nodes"]
    assert notice["status"] == "DELIVERED" and notice["attempts"] == 1
    assert [attempt["statusCode"] for attempt in notice["deliveryAttempts"]] == [204]
    sent = json.loads(notice["payload"])
    assert sent["client_id"] == walkthrough.value("CLIENT_ID")

    assert f"verified uninstall notice {notice['webhookId']}" in logged
    verified = {entry["webhook_id"]: entry for entry in json.loads(received)}
    assert verified[notice["webhookId"]] == {
        "webhook_id": notice["webhookId"],
        "tokens_deleted": True,
        **sent,
    }
    # The sample app forgot the uninstalled user's tokens.
    assert json.loads((walkthrough.work / "sample-app-tokens.json").read_text()) == []

    status, log_line = forged.splitlines()
    assert status == "400"
    assert "refused an uninstall notice: No matching signature found" in log_line


def test_a_tampered_notice_is_refused_and_an_intact_one_accepted(walkthrough):
    secret = walkthrough.value("SIGNING_SECRET")
    body = json.dumps(
        {
            "client_id": walkthrough.value("CLIENT_ID"),
            "company_id": 1,
            "user_id": 1,
            "timestamp": datetime.now(UTC).isoformat(),
        }
    )
    now = datetime.now(UTC)
    headers = {
        "content-type": "application/json",
        "webhook-id": "msg_from_the_test",
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign("msg_from_the_test", now, body),
    }
    with httpx.Client(base_url=sample_app_url(walkthrough)) as client:
        tampered = client.request(
            "DELETE",
            "/callback",
            content=body.replace('"user_id": 1', '"user_id": 2'),
            headers=headers,
        )
        assert tampered.status_code == 400
        assert "msg_from_the_test" not in {n["webhook_id"] for n in client.get("/notices").json()}

        intact = client.request("DELETE", "/callback", content=body, headers=headers)
        assert intact.status_code == 204
        assert "msg_from_the_test" in {n["webhook_id"] for n in client.get("/notices").json()}


def test_the_extension_waits_for_review_then_opens_with_a_token_the_app_verifies(walkthrough):
    added, reviewed, opened, verified = walkthrough.section("17. An app extension")
    checked, approved, merged = _documents(reviewed)
    payload = json.loads(added)["data"]["addAppExtension"]
    assert payload["userErrors"] == [] and payload["live"] is False
    extension_id = payload["extension"]["id"]
    check = json.loads(checked)
    assert check["passed"] is True, check
    assert json.loads(approved) == []
    assert json.loads(merged) == [{"id": extension_id, "name": "Deal Sync"}]
    launch = json.loads(opened)["data"]["openAppExtension"]
    query = dict(parse_qsl(urlsplit(launch["url"]).query))
    assert launch["url"].startswith(f"{sample_app_url(walkthrough)}/?")
    assert (query["resource"], query["view"], query["selectedIds"]) == ("deal", "details", "42")
    assert query["id"] == extension_id and query["token"] == launch["token"]
    assert json.loads(verified) == [
        "aud",
        "clientId",
        "companyId",
        "exp",
        "iat",
        "iss",
        "sub",
        "userId",
    ]


def test_the_customer_rates_the_app_and_everyone_reads_the_review(walkthrough):
    rated, replied, read = walkthrough.section("18. Rate and review")
    review = json.loads(rated)["data"]["rateApp"]["review"]
    assert (review["stars"], review["authorName"], review["edited"]) == (5, "Cleo Customer", False)
    assert json.loads(replied) == {"body": "Thank you!"}
    listing = json.loads(read)["data"]["marketplaceApp"]
    assert listing["rating"] == {"average": 5.0, "count": 1, "distribution": [0, 0, 0, 0, 1]}
    assert listing["reviews"]["nodes"] == [
        {
            "stars": 5,
            "title": "Does what it says",
            "authorName": "Cleo Customer",
            "reply": {"body": "Thank you!"},
        }
    ]


def test_the_developer_sees_the_install_the_refresh_and_the_uninstall_with_its_reason(
    walkthrough,
):
    found = walkthrough.json("20. The app's analytics")["data"]["appAnalytics"]
    [today] = found["days"]
    assert (today["installs"], today["uninstalls"], today["activeInstallations"]) == (1, 1, 0)
    assert today["refreshes"] >= 1
    assert found["uninstallReasons"] == [{"reason": "NOT_USING", "count": 1}]
    assert found["uninstallComments"] == [{"reason": "NOT_USING", "text": "Only trying it out."}]


def test_the_tokens_die_with_the_uninstall(walkthrough):
    refresh, introspection = (json.loads(out) for out in _json_documents(walkthrough))
    assert refresh["error"] == "invalid_grant"
    assert introspection == {"active": False}


def _json_documents(walkthrough: Walkthrough) -> list[str]:
    """Section 21 prints two JSON documents from one block."""
    [printed] = walkthrough.section("21. The tokens are gone")
    return _documents(printed)


def _documents(printed: str) -> list[str]:
    """The JSON documents one block printed one after the other."""
    decoder, documents, rest = json.JSONDecoder(), [], printed.strip()
    while rest:
        value, end = decoder.raw_decode(rest)
        documents.append(json.dumps(value))
        rest = rest[end:].strip()
    return documents


def test_the_app_the_guide_built_is_published_with_the_sample_apps_callback(walkthrough):
    devhub = f"http://127.0.0.1:{walkthrough.devhub_port}"
    response = httpx.post(
        f"{devhub}/graphql",
        json={"query": APP_DETAILS, "variables": {"id": walkthrough.value("APP_ID")}},
        headers={"authorization": f"Bearer {walkthrough.value('TOKEN')}"},
    )
    app = response.json()["data"]["app"]
    assert app["status"] == "PUBLISHED"
    assert app["callbackUrl"] == f"{sample_app_url(walkthrough)}/callback"
