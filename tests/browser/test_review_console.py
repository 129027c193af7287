"""The review console at /backoffice/, driven in Chromium as reviewers use it: every decision it
shows is checked against what the developer then sees through the public API."""

from __future__ import annotations

import itertools
import re
from typing import TYPE_CHECKING

from tests.browser.accessibility import (
    UNNAMED_CONTROLS,
    assert_focus_is_visible,
    assert_text_meets_aa,
)
from tests.browser.consent_page import expect
from tests.browser.console_page import (
    app_state,
    confirm,
    open_console,
    outcome,
    public_reviews,
    published_app,
    reported_review,
    sign_in,
    signed_in,
    submission_path,
    submitted_listing,
    submitted_revision,
)
from tests.browser.world import World
from tests.support import PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Page


def test_a_non_reviewer_gets_a_clear_refusal_and_no_session(page: Page, world: World):
    open_console(page, world)
    sign_in(page, world.developer.email, password="not the password")
    expect(page.get_by_role("alert")).to_have_text("Wrong email or password.")

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="This console is for reviewers only")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text(
        f"{world.developer.email} is not a marketplace reviewer"
    )
    assert page.context.cookies() == []  # refused before any session was opened
    page.reload()
    expect(page.get_by_role("heading", name="Sign in to the review console")).to_be_visible()
    expect(page.get_by_role("navigation", name="Console")).to_be_hidden()


def test_a_reviewer_claims_then_approves_from_the_queue(
    page: Page, world: World, console_errors: list[str]
):
    app_id, submission_id = submitted_listing(world, "Claim Then Approve")
    signed_in(page, world, world.reviewer)

    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Claim Then Approve")
    expect(row.get_by_role("cell")).to_have_text(
        ["Claim Then Approve", "Dev Studio", "New app", re.compile(r"^\d+ min$"), "Nobody"]
    )
    row.get_by_role("link", name="Claim Then Approve").click()

    expect(page.get_by_role("heading", name="New app: Claim Then Approve")).to_be_visible()
    expect(page.get_by_text("Claim the submission to decide it")).to_be_visible()
    expect(page.get_by_role("button", name="Approve…")).to_have_count(0)
    page.get_by_role("button", name="Claim", exact=True).click()
    expect(outcome(page)).to_have_text("Claimed: it is yours to decide.")
    expect(page.locator("#claim-status")).to_contain_text("You have claimed it until")

    page.get_by_role("link", name="Review queue").click()
    page.get_by_label("Claimed by me").check()
    page.get_by_role("button", name="Filter").click()
    mine = page.get_by_role("row").filter(has_text="Claim Then Approve")
    expect(mine.get_by_role("cell").last).to_have_text("You")
    mine.get_by_role("link").click()

    page.get_by_label("Note for the developer (optional)").first.fill("Clear listing, thanks.")
    page.get_by_role("button", name="Approve…").click()
    confirm(page, "Approve Claim Then Approve?", "Approve")
    expect(outcome(page)).to_have_text("Approved: Claim Then Approve. The developer has been told.")
    expect(page.get_by_text("New app, approved on")).to_be_visible()
    expect(page.locator("#audit-log")).to_contain_text("APPROVE")

    state = app_state(world, app_id)
    assert state["status"] == "APPROVED"
    assert state["reviewHistory"][0] == {
        "kind": "LISTING",
        "status": "APPROVED",
        "note": "Clear listing, thanks.",
    }
    page.get_by_role("link", name="Review queue").click()
    expect(page.get_by_role("link", name="Claim Then Approve")).to_have_count(0)
    assert submission_id
    assert console_errors == []  # the strict CSP let the console's own script and style run


def test_a_rejection_needs_a_reason_and_sends_two(page: Page, world: World):
    app_id, submission_id = submitted_listing(world, "Two Reasons")
    signed_in(page, world, world.reviewer, submission_path(submission_id))
    page.get_by_role("button", name="Claim", exact=True).click()
    expect(outcome(page)).to_have_text("Claimed: it is yours to decide.")

    page.get_by_role("button", name="Reject…").click()  # no reason yet: refused, nothing asked
    expect(page.locator("#decision-problem")).to_have_text(
        "Give at least one reason with a message: the developer needs to know what to fix."
    )
    expect(page.get_by_label("Reason 1 message")).to_be_focused()
    expect(page.get_by_role("dialog")).to_be_hidden()

    page.get_by_label("Reason 1 code").select_option("INCOMPLETE_LISTING")
    page.get_by_label("Reason 1 message").fill("Add a screenshot of the settings page.")
    page.get_by_role("button", name="Add a reason").click()
    expect(page.get_by_label("Reason 2 code")).to_be_focused()
    page.get_by_label("Reason 2 code").select_option("EXCESSIVE_SCOPES")
    page.get_by_label("Reason 2 message").fill("deals:read is enough for what it does.")
    page.get_by_role("button", name="Reject…").click()
    confirm(page, "Reject Two Reasons?", "Reject")
    expect(outcome(page)).to_have_text(
        "Rejected: Two Reasons, with 2 reasons. The developer has been told."
    )

    state = app_state(world, app_id)
    assert state["status"] == "DRAFT"
    assert state["latestRejection"]["reasons"] == [
        {"code": "INCOMPLETE_LISTING", "message": "Add a screenshot of the settings page."},
        {"code": "EXCESSIVE_SCOPES", "message": "deals:read is enough for what it does."},
    ]


def test_a_revision_shows_its_changes_beside_the_live_app(page: Page, world: World):
    app_id, submission_id = submitted_revision(world, "Revised Sync")
    signed_in(page, world, world.reviewer, submission_path(submission_id))

    expect(page.get_by_role("heading", name="Revision: Revised Sync")).to_be_visible()
    diff = page.get_by_role("table", name="What this revision changes, beside the live app")
    expect(diff.get_by_role("columnheader")).to_have_text(["Field", "Live app", "This revision"])
    expect(diff.get_by_role("row").filter(has_text="callbackUrl")).to_have_text(
        f"callbackUrl{world.site_url}/callback/revised-sync{world.site_url}/callback/v2"
    )
    expect(diff.get_by_role("row").filter(has_text="Scope added")).to_have_text(
        "Scope added—contacts:read"
    )
    expect(page.get_by_role("listitem").filter(has_text="(contacts:read)")).to_have_text(
        "Contacts: Read only (contacts:read)"
    )
    # The snapshot's URLs are text, never links that would carry the reviewer away.
    expect(page.get_by_text(f"{world.site_url}/callback/v2", exact=True)).to_have_count(2)
    expect(page.locator(f"main a[href^='{world.site_url}']")).to_have_count(0)
    earlier = page.get_by_role("heading", name="Earlier decisions on this app")
    expect(earlier).to_be_visible()
    expect(page.get_by_text("New app, approved on")).to_be_visible()

    page.get_by_role("button", name="Claim", exact=True).click()
    page.get_by_role("button", name="Approve…").click()
    confirm(page, "Approve Revised Sync?", "Approve")
    expect(outcome(page)).to_have_text("Approved: Revised Sync. The developer has been told.")
    assert app_state(world, app_id)["pendingRevision"] == {"status": "APPROVED"}


def test_two_reviewers_on_one_submission_the_second_is_told_clearly(
    page: Page, second_page: Page, world: World
):
    app_id, submission_id = submitted_listing(world, "Contested App")
    second = second_page
    signed_in(page, world, world.reviewer, submission_path(submission_id))
    signed_in(second, world, world.second_reviewer, submission_path(submission_id))
    expect(second.locator("#claim-status")).to_have_text("Nobody has claimed it.")

    page.get_by_role("button", name="Claim", exact=True).click()
    expect(outcome(page)).to_have_text("Claimed: it is yours to decide.")
    # The other reviewer's page says so at once, without a reload (a live subscription).
    expect(second.locator("#live-notice")).to_have_text(
        "Reviewer claimed this submission just now."
    )
    expect(second.locator("#claim-status")).to_have_text("Reviewer has claimed it.")

    second.reload()
    expect(second.locator("#claim-status")).to_contain_text(
        f"Reviewer ({world.reviewer.email}) has claimed it until"
    )
    second.get_by_role("button", name="Claim", exact=True).click()
    expect(outcome(second)).to_contain_text("Another reviewer")
    second.get_by_label("Reason 1 message").fill("The icon is blurry.")
    second.get_by_role("button", name="Reject…").click()  # the claim is someone else's
    expect(second.locator("#decision-problem")).to_contain_text("tick the override")
    second.get_by_label("Decide over Reviewer's claim (the audit log records it)").check()

    page.get_by_role("button", name="Approve…").click()
    confirm(page, "Approve Contested App?", "Approve")
    expect(outcome(page)).to_contain_text("Approved")
    expect(second.locator("#live-notice")).to_have_text(
        "Another reviewer decided this submission just now: approved."
    )
    expect(second.get_by_label("Reason 1 message")).to_have_value("The icon is blurry.")  # kept

    second.get_by_role("button", name="Reject…").click()
    confirm(second, "Reject Contested App?", "Reject")
    expect(outcome(second)).to_have_attribute("role", "alert")
    expect(outcome(second)).to_have_text(
        "Not rejected: another reviewer decided this submission first. "
        "Their decision is shown below."
    )
    expect(second.get_by_text("New app, approved on")).to_be_visible()
    assert app_state(world, app_id)["status"] == "APPROVED"


def test_the_queue_follows_new_submissions_live_keeping_the_focus(page: Page, world: World):
    signed_in(page, world, world.reviewer)
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    kind = page.get_by_label("Kind")
    kind.focus()
    submitted_listing(world, "Arrives Live")
    expect(page.locator("#queue-news")).to_have_text("Just now: Arrives Live entered the queue.")
    expect(page.get_by_role("link", name="Arrives Live")).to_be_visible()
    expect(kind).to_be_focused()


def test_a_reviewer_fixes_the_listing_text_with_a_reason(page: Page, world: World):
    app_id = published_app(world, "Typo Tracker")
    signed_in(page, world, world.reviewer, "#/apps")
    page.get_by_label("Name contains").fill("typo")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Typo Tracker").click()

    expect(page.get_by_role("heading", name="Typo Tracker", exact=True)).to_be_visible()
    page.get_by_label("Summary").fill("Keeps deals in sync, quickly.")
    page.get_by_role("button", name="Save the fix").click()
    expect(page.locator("#edit-problem")).to_have_text(
        "Say what you fixed: the developer reads it."
    )
    page.get_by_label("What you fixed (told to the developer)").fill("Fixed a typo.")
    page.get_by_role("button", name="Save the fix").click()
    expect(outcome(page)).to_have_text(
        "Saved: the listing's text is fixed and the developer has been told."
    )
    edited = page.locator("#audit-log").get_by_role("row").filter(has_text="LISTING_EDITED")
    expect(edited).to_contain_text("Keeps deals in sync.")
    expect(edited).to_contain_text("Keeps deals in sync, quickly.")
    assert app_state(world, app_id)["summary"] == "Keeps deals in sync, quickly."


def test_a_reviewer_unpublishes_with_a_reason(page: Page, world: World):
    app_id = published_app(world, "Pulled Plugin")
    signed_in(page, world, world.reviewer, "#/apps?search=Pulled")
    page.get_by_role("link", name="Pulled Plugin").click()

    page.get_by_role("button", name="Unpublish…").click()
    expect(page.locator("#unpublish-problem")).to_have_text(
        "Give a reason: the developer reads it."
    )
    page.get_by_label("Reason (told to the developer)").fill("Its privacy policy is gone.")
    page.get_by_role("button", name="Unpublish…").click()
    dialog = page.get_by_role("dialog", name="Unpublish Pulled Plugin?")
    dialog.get_by_role("button", name="Cancel").click()  # a second thought changes nothing
    assert app_state(world, app_id)["status"] == "PUBLISHED"

    page.get_by_role("button", name="Unpublish…").click()
    confirm(page, "Unpublish Pulled Plugin?", "Unpublish")
    expect(outcome(page)).to_have_text(
        "Unpublished: Pulled Plugin is no longer in the marketplace."
    )
    expect(page.locator("#audit-log")).to_contain_text("Its privacy policy is gone.")
    assert app_state(world, app_id)["status"] == "APPROVED"


def test_a_reviewer_hides_one_reported_review_and_keeps_another(page: Page, world: World):
    hidden_app = reported_review(world, "Blamed Board", "Lost everything")
    reported_review(world, "Fair Funnel", "Too slow")
    signed_in(page, world, world.reviewer, "#/reported")

    hidden = page.get_by_role("article", name="Blamed Board: 2 of 5 stars — Lost everything")
    expect(hidden).to_contain_text("Blames the app for a CRM outage.")
    expect(hidden).to_contain_text(world.customer.email)
    hidden.get_by_role("button", name="Hide the review").click()
    expect(hidden.get_by_role("alert")).to_have_text("Give a reason: the author reads it.")
    hidden.get_by_label("Reason for hiding (shown to the author)").fill("Off-topic: an outage.")
    hidden.get_by_role("button", name="Hide the review").click()
    expect(outcome(page)).to_have_text("Hidden: the review left the listing.")
    expect(hidden).to_have_count(0)

    kept = page.get_by_role("article", name="Fair Funnel: 2 of 5 stars — Too slow")
    kept.get_by_role("button", name="Keep the review").click()
    expect(outcome(page)).to_have_text("Kept: its reports are closed.")
    expect(kept).to_have_count(0)

    page.goto(f"{world.service_url}/backoffice/#/apps/{hidden_app}")
    expect(page.locator("#audit-log")).to_contain_text("Off-topic: an outage.")
    assert public_reviews(world, "Blamed Board") == []
    assert public_reviews(world, "Fair Funnel") == ["Too slow"]


def test_the_keyboard_alone_claims_and_approves_with_a_visible_focus(page: Page, world: World):
    app_id, submission_id = submitted_listing(world, "Keyboard Only")
    open_console(page, world, submission_path(submission_id))
    email = page.get_by_label("Email")
    assert_focus_is_visible(email)
    page.keyboard.type(world.reviewer.email)
    page.keyboard.press("Tab")
    assert_focus_is_visible(page.get_by_label("Password"))
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="New app: Keyboard Only")).to_be_visible()

    def tab_to(name: str) -> None:
        for _ in range(40):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.textContent.trim()") == name:
                break
        assert_focus_is_visible(page.get_by_role("button", name=name, exact=True))

    tab_to("Claim")
    page.keyboard.press("Enter")
    expect(outcome(page)).to_have_text("Claimed: it is yours to decide.")
    tab_to("Approve…")
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Approve Keyboard Only?")
    assert_focus_is_visible(dialog.get_by_role("button", name="Approve", exact=True))
    page.keyboard.press("Escape")  # Escape closes it, deciding nothing
    expect(dialog).to_be_hidden()
    assert app_state(world, app_id)["status"] == "IN_REVIEW"

    page.keyboard.press("Enter")  # the focus went back to the Approve… button
    assert_focus_is_visible(dialog.get_by_role("button", name="Approve", exact=True))
    page.keyboard.press("Enter")
    expect(outcome(page)).to_have_text("Approved: Keyboard Only. The developer has been told.")
    assert app_state(world, app_id)["status"] == "APPROVED"


def test_every_screen_is_named_labelled_and_readable(page: Page, world: World):
    _, listing_id = submitted_listing(world, "Readable Listing")
    _, revision_id = submitted_revision(world, "Readable Revision")
    open_console(page, world)
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.evaluate(UNNAMED_CONTROLS) == []
    assert assert_text_meets_aa(page, "sign-in") >= 4

    sign_in(page, world.reviewer.email)
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    expect(page.get_by_role("banner")).to_be_visible()
    expect(page.get_by_role("main")).to_be_visible()
    expect(page.get_by_role("navigation", name="Console")).to_be_visible()
    expect(page.get_by_role("link", name="Review queue")).to_have_attribute("aria-current", "page")
    assert page.evaluate(UNNAMED_CONTROLS) == []
    assert assert_text_meets_aa(page, "queue") >= 12

    for path, heading in (
        (submission_path(listing_id), "New app: Readable Listing"),
        (submission_path(revision_id), "Revision: Readable Revision"),
    ):
        page.goto(f"{world.service_url}/backoffice/{path}")
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        page.get_by_role("button", name="Claim", exact=True).click()
        expect(page.get_by_role("button", name="Reject…")).to_be_visible()
        assert page.evaluate(UNNAMED_CONTROLS) == []
        assert assert_text_meets_aa(page, heading) >= 40
        levels = page.evaluate(
            "[...document.querySelectorAll('main h1, main h2, main h3, main h4')]"
            ".map((h) => Number(h.tagName[1]))"
        )
        assert levels[0] == 1 and levels.count(1) == 1, levels
        assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels

    page.get_by_role("link", name="Reported reviews").click()
    expect(page.get_by_role("heading", name="Reported reviews")).to_be_visible()
    assert assert_text_meets_aa(page, "reported reviews") >= 3


def test_signing_out_ends_the_session(page: Page, world: World):
    signed_in(page, world, world.reviewer)
    session = page.context.cookies()
    assert [(c["name"], c["httpOnly"], c["sameSite"], c["path"]) for c in session] == [
        ("devhub_console", True, "Strict", "/backoffice")
    ]
    assert page.evaluate("document.cookie") == ""  # the page's scripts cannot read it
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    assert page.context.cookies() == []

    # The token the cookie carried is dead on the server too, not only forgotten by the browser.
    cookie = session[0]
    page.context.add_cookies(
        [{key: cookie[key] for key in ("name", "value", "domain", "path", "httpOnly", "sameSite")}]
    )
    page.reload()
    expect(page.get_by_role("heading", name="Sign in to the review console")).to_be_visible()


def test_a_page_still_loading_when_the_reviewer_signs_out_draws_nothing(page: Page, world: World):
    """The queue's answer, read while signed in, arrives after signing out: the sign-in screen
    stays, with its notice, instead of the queue or an error drawn over it."""
    signed_in(page, world, world.reviewer)
    held = []

    def hold_the_queue(route):
        if "query Queue" in (route.request.post_data or ""):
            held.append((route, route.fetch()))  # answered by the service while signed in
        else:
            route.continue_()

    page.route("**/backoffice/graphql", hold_the_queue)
    with page.expect_request(lambda request: "query Queue" in (request.post_data or "")):
        page.goto(f"{world.service_url}/backoffice/#/queue?kind=LISTING")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    assert len(held) == 1

    route, answer = held[0]
    assert answer.ok and '"reviewQueue"' in answer.text()
    with page.expect_response(lambda response: "query Queue" in (response.request.post_data or "")):
        route.fulfill(response=answer)
    # Its handling runs in the page's tasks after the response: one more task settles it.
    page.evaluate("() => new Promise((settled) => setTimeout(settled, 0))")
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    assert page.get_by_role("heading", name="Something went wrong").count() == 0
    expect(page.get_by_role("heading", name="Sign in to the review console")).to_be_visible()


def test_the_queue_pages_twenty_at_a_time(page: Page, world: World):
    created = {f"Paged App {number:02}" for number in range(21)}
    for name in sorted(created):
        submitted_listing(world, name)
    signed_in(page, world, world.reviewer)
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()

    seen: list[str] = []
    pages = 0
    while True:
        rows = page.get_by_role("table").get_by_role("row")
        expect(rows.first).to_be_visible()
        names = [row.get_by_role("cell").first.inner_text() for row in rows.all()[1:]]
        assert 1 <= len(names) <= 20, names
        if pages == 0:
            assert len(names) == 20  # at least 21 wait, so the first page is full
        seen += names
        pages += 1
        following = page.get_by_role("link", name="Next page")
        if following.count() == 0:
            break
        following.click()
        expect(page.get_by_role("link", name="First page")).to_be_visible()
    assert pages >= 2
    assert created <= set(seen)
    assert len(seen) == len(set(seen))  # no submission on two pages
    paged = [name for name in seen if name in created]
    assert paged == sorted(created)  # oldest first
