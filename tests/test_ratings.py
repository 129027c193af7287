"""Ratings, reviews and collections over HTTP: who may rate, what everyone reads, replies, helpful
votes, reports and moderation, the sorts and collections, and figures that stay exact under
random and concurrent writes."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from strawberry import relay

from devhub_gql.domain import ratings
from devhub_gql.models import App
from tests.oauth.support import ClientApp, install
from tests.support import (
    PASSWORD,
    Account,
    GraphQLClient,
    count_statements,
    error_codes,
    make_reviewer,
    published_app,
    sign_up,
)
from tests.test_query_counts import assert_statement_count

RATE = """
mutation Rate($input: RateAppInput!) {
  rateApp(input: $input) {
    review { id stars title body authorName edited helpfulCount hiddenReason }
    userErrors { field code message }
  }
}
"""
DELETE = """
mutation D($id: ID!) { deleteAppRating(input: {appId: $id}) { deleted userErrors { code } } }
"""
REPLY = """
mutation R($id: ID!, $body: String!) {
  replyToReview(input: {reviewId: $id, body: $body}) {
    review { id reply { body createdAt updatedAt } } userErrors { field code }
  }
}
"""
HELPFUL = """
mutation H($id: ID!) {
  markReviewHelpful(input: {reviewId: $id}) { review { helpfulCount } userErrors { code } }
}
"""
REPORT = """
mutation P($id: ID!, $reason: String!) {
  reportReview(input: {reviewId: $id, reason: $reason}) { reported userErrors { field code } }
}
"""
LISTING = """
query L($id: ID!, $sort: ReviewSort) {
  marketplaceApp(id: $id) {
    rating { average count distribution }
    reviews(first: 10, sort: $sort) {
      nodes { id stars title body authorName edited helpfulCount reply { body } }
    }
    myReview { stars hiddenReason }
  }
}
"""
QUEUE = """
{ reportedReviews(first: 10) { nodes { appName authorEmail review { id body }
    reports { reason } history { stars body } } } }
"""
HIDE = """
mutation H($id: ID!, $reason: String!) {
  hideReview(input: {reviewId: $id, reason: $reason}) { review { id hiddenReason }
    userErrors { field code } }
}
"""
DISMISS = """
mutation D($id: ID!) {
  dismissReviewReports(input: {reviewId: $id}) { review { id } userErrors { code } }
}
"""


@dataclass
class Market:
    gql: GraphQLClient
    http: httpx.AsyncClient
    backoffice: GraphQLClient
    clock: Any
    developer: Account
    reviewer: Account
    users: int = 0

    async def app(self, name: str = "Deal Sync", **fields: Any) -> tuple[str, ClientApp]:
        """A published app: its listing id, and a client that installs it."""
        app_id = await published_app(
            self.gql, self.backoffice, self.developer, self.reviewer, **fields
        )
        rotated = await self.gql.data(
            "mutation R($id: ID!) { rotateClientSecret(input: {id: $id, gracePeriodHours: 0})"
            " { clientSecret app { name } } }",
            {"id": app_id},
            token=self.developer.token,
        )
        row = await App.get(id=relay.GlobalID.from_id(app_id).node_id)
        await self.gql.data(
            "mutation U($id: ID!, $name: String!) { updateApp(input: {id: $id, name: $name})"
            " { userErrors { code } } }",
            {"id": app_id, "name": name},
            token=self.developer.token,
        )
        secret = rotated["rotateClientSecret"]["clientSecret"]
        client = ClientApp(app_id, row.client_id, secret, row.callback_url)
        return relay.to_base64("MarketplaceApp", row.id), client

    async def customer(self, *installed: ClientApp) -> Account:
        self.users += 1
        user = await sign_up(
            self.gql,
            f"user{self.users}@customer.example",
            kind="PRODUCTION",
            company=f"Customer {self.users}",
        )
        for app in installed:
            await install(self.gql, self.http, user, app)
        return user

    async def signed_in_again(self, who: Account) -> Account:
        """A new session (the clock moved past the old one's end)."""
        data = await self.gql.data(
            "mutation S($email: String!, $password: String!) { signIn(input: {email: $email,"
            " password: $password}) { session { token } } }",
            {"email": who.email, "password": PASSWORD},
        )
        token = data["signIn"]["session"]["token"]
        return Account(token=token, user_id=who.user_id, company_id=who.company_id, email=who.email)

    async def rate(self, who: Account, listing: str, stars: int, **text: Any) -> dict[str, Any]:
        variables = {"input": {"appId": listing, "stars": stars, **text}}
        return (await self.gql.data(RATE, variables, token=who.token))["rateApp"]

    async def listing(self, listing: str, who: Account | None = None, **variables: Any) -> dict:
        data = await self.gql.data(
            LISTING, {"id": listing, **variables}, token=who.token if who else None
        )
        return data["marketplaceApp"]


@pytest.fixture
async def market(gql, http, backoffice, clock) -> Market:
    developer = await sign_up(gql, "dev@example.com", company="Dev Studio")
    return Market(gql, http, backoffice, clock, developer, await make_reviewer(gql))


async def test_installers_rate_and_everyone_reads_the_figures_and_reviews(market: Market):
    listing, app = await market.app()
    ada, bob = await market.customer(app), await market.customer(app)
    rated = await market.rate(ada, listing, 4, title="Solid", body="Keeps deals in sync.")
    assert rated["userErrors"] == []
    assert rated["review"]["authorName"] == "User1" and rated["review"]["edited"] is False
    assert (await market.rate(bob, listing, 5))["userErrors"] == []  # a rating needs no text

    anonymous = await market.listing(listing)
    assert anonymous["rating"] == {"average": 4.5, "count": 2, "distribution": [0, 0, 0, 1, 1]}
    assert [(r["stars"], r["authorName"]) for r in anonymous["reviews"]["nodes"]] == [
        (5, "User2"),
        (4, "User1"),
    ]
    assert anonymous["myReview"] is None
    assert "customer.example" not in str(anonymous)  # a display name, never an email
    lowest = await market.listing(listing, sort="LOWEST")
    assert [r["stars"] for r in lowest["reviews"]["nodes"]] == [4, 5]
    mine = await market.listing(listing, ada)
    assert mine["myReview"] == {"stars": 4, "hiddenReason": None}


async def test_who_may_not_rate(market: Market):
    listing, app = await market.app()
    stranger = await market.customer()  # another company, never installed it
    refused = await market.rate(stranger, listing, 5)
    assert error_codes(refused) == [(None, "NOT_AN_INSTALLER")]
    await install(market.gql, market.http, market.developer, app)  # its own developer
    assert error_codes(await market.rate(market.developer, listing, 5)) == [
        (None, "OWN_COMPANY_APP")
    ]
    anonymous = await market.gql.post(RATE, {"input": {"appId": listing, "stars": 5}})
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    # Uninstalled 89 days ago: may rate; 91 days ago: may not.
    recent, long_ago = await market.customer(app), await market.customer(app)
    for user in (long_ago, recent):
        mine = await market.gql.data(
            "{ installations(first: 1) { nodes { id } } }", token=user.token
        )
        await market.gql.data(
            "mutation U($id: ID!) { uninstallApp(input: {installationId: $id})"
            " { userErrors { code } } }",
            {"id": mine["installations"]["nodes"][0]["id"]},
            token=user.token,
        )
        market.clock.advance(days=2)
    market.clock.advance(days=87)  # long_ago: 91 days; recent: 89 days
    recent, long_ago, developer = [
        await market.signed_in_again(user) for user in (recent, long_ago, market.developer)
    ]
    assert (await market.rate(recent, listing, 3))["userErrors"] == []
    assert error_codes(await market.rate(long_ago, listing, 3)) == [(None, "NOT_AN_INSTALLER")]
    assert (await market.listing(listing))["rating"]["count"] == 1

    # An unpublished app takes no ratings.
    await market.gql.data(
        "mutation U($id: ID!) { unpublishApp(input: {id: $id}) { userErrors { code } } }",
        {"id": app.id},
        token=developer.token,
    )
    body = await market.gql.post(
        RATE, {"input": {"appId": listing, "stars": 5}}, token=recent.token
    )
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_text_rules_and_nothing_saved_on_refusal(market: Market):
    listing, app = await market.app()
    user = await market.customer(app)
    cases = [
        ({"stars": 0}, [("stars", "OUT_OF_RANGE")]),
        ({"stars": 6}, [("stars", "OUT_OF_RANGE")]),
        ({"stars": 5, "title": "t" * 101, "body": "b"}, [("title", "TOO_LONG")]),
        ({"stars": 5, "body": "b" * 2001}, [("body", "TOO_LONG")]),
        ({"stars": 5, "title": "Only a title"}, [("body", "REQUIRED")]),
        ({"stars": 5, "body": "Bad\u202etext"}, [("body", "INVALID_CHARACTERS")]),
    ]
    for fields, expected in cases:
        variables = {"input": {"appId": listing, **fields}}
        payload = (await market.gql.data(RATE, variables, token=user.token))["rateApp"]
        assert error_codes(payload) == expected, fields
    edge = await market.rate(user, listing, 1, title="t" * 100, body="b" * 2000)
    assert edge["userErrors"] == []
    assert (await market.listing(listing))["rating"]["distribution"] == [1, 0, 0, 0, 0]


async def test_editing_keeps_the_history_and_deleting_leaves_the_figures(market: Market):
    listing, app = await market.app()
    user, reporter = await market.customer(app), await market.customer(app)
    first = await market.rate(user, listing, 2, body="Slow sync.")
    edited = await market.rate(user, listing, 5, body="Fixed now, great.")
    assert edited["review"]["edited"] is True and edited["review"]["id"] == first["review"]["id"]
    assert (await market.listing(listing))["rating"] == {
        "average": 5.0,
        "count": 1,
        "distribution": [0, 0, 0, 0, 1],
    }
    await market.gql.data(
        REPORT, {"id": edited["review"]["id"], "reason": "Spam"}, token=reporter.token
    )
    queue = await market.backoffice.data(QUEUE, token=market.reviewer.token)
    [entry] = queue["reportedReviews"]["nodes"]
    assert entry["history"] == [{"stars": 2, "body": "Slow sync."}]
    assert entry["authorEmail"] == "user1@customer.example"

    deleted = await market.gql.data(DELETE, {"id": listing}, token=user.token)
    assert deleted["deleteAppRating"] == {"deleted": True, "userErrors": []}
    assert (await market.listing(listing))["rating"] == {
        "average": None,
        "count": 0,
        "distribution": [0, 0, 0, 0, 0],
    }
    again = await market.gql.post(DELETE, {"id": listing}, token=user.token)
    assert again["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_replies_votes_reports_and_moderation(market: Market):
    listing, app = await market.app()
    author, voter, other = [await market.customer(app) for _ in range(3)]
    review = (await market.rate(author, listing, 1, body="Broke my pipeline."))["review"]["id"]
    kept = (await market.rate(voter, listing, 4, body="Works."))["review"]["id"]

    # The developer replies, then edits the reply; nobody else may.
    replied = await market.gql.data(
        REPLY, {"id": review, "body": "Sorry: fixed in 2.1."}, token=market.developer.token
    )
    assert replied["replyToReview"]["review"]["reply"]["body"] == "Sorry: fixed in 2.1."
    edited = await market.gql.data(
        REPLY, {"id": review, "body": "Fixed in 2.1.1."}, token=market.developer.token
    )
    assert edited["replyToReview"]["review"]["reply"]["body"] == "Fixed in 2.1.1."
    body = await market.gql.post(REPLY, {"id": review, "body": "Me too"}, token=voter.token)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    # Helpful votes: once per user, never by the author.
    voted = await market.gql.data(HELPFUL, {"id": review}, token=voter.token)
    assert voted["markReviewHelpful"]["review"]["helpfulCount"] == 1
    twice = await market.gql.data(HELPFUL, {"id": review}, token=voter.token)
    assert [e["code"] for e in twice["markReviewHelpful"]["userErrors"]] == ["ALREADY_DONE"]
    own = await market.gql.data(HELPFUL, {"id": review}, token=author.token)
    assert [e["code"] for e in own["markReviewHelpful"]["userErrors"]] == ["OWN_REVIEW"]
    helpful = await market.listing(listing, sort="MOST_HELPFUL")
    assert [r["id"] for r in helpful["reviews"]["nodes"]] == [review, kept]

    # Reports: the queue, oldest first; hiding tells the author and leaves the figures.
    for target, who in ((review, other), (kept, other), (review, voter)):
        reported = await market.gql.data(REPORT, {"id": target, "reason": "Rude"}, token=who.token)
        assert reported["reportReview"] == {"reported": True, "userErrors": []}
    duplicate = await market.gql.data(REPORT, {"id": review, "reason": "Rude"}, token=other.token)
    assert [e["code"] for e in duplicate["reportReview"]["userErrors"]] == ["ALREADY_DONE"]
    no_reason = await market.gql.data(REPORT, {"id": kept, "reason": " "}, token=voter.token)
    assert error_codes(no_reason["reportReview"]) == [("reason", "REQUIRED")]
    queue = await market.backoffice.data(QUEUE, token=market.reviewer.token)
    assert [n["review"]["id"] for n in queue["reportedReviews"]["nodes"]] == [review, kept]
    assert [r["reason"] for r in queue["reportedReviews"]["nodes"][0]["reports"]] == [
        "Rude",
        "Rude",
    ]
    anyone = await market.backoffice.post(QUEUE, token=voter.token)
    assert anyone["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    hidden = await market.backoffice.data(
        HIDE, {"id": review, "reason": "Abusive language."}, token=market.reviewer.token
    )
    assert hidden["hideReview"]["userErrors"] == []
    dismissed = await market.backoffice.data(DISMISS, {"id": kept}, token=market.reviewer.token)
    assert dismissed["dismissReviewReports"]["userErrors"] == []
    assert (await market.backoffice.data(QUEUE, token=market.reviewer.token))["reportedReviews"][
        "nodes"
    ] == []
    again = await market.backoffice.data(
        HIDE, {"id": review, "reason": "x"}, token=market.reviewer.token
    )
    assert [e["code"] for e in again["hideReview"]["userErrors"]] == ["ALREADY_DECIDED"]

    public = await market.listing(listing)
    assert public["rating"] == {"average": 4.0, "count": 1, "distribution": [0, 0, 0, 1, 0]}
    assert [r["id"] for r in public["reviews"]["nodes"]] == [kept]
    told = await market.listing(listing, author)
    assert told["myReview"] == {"stars": 1, "hiddenReason": "Abusive language."}
    log = await market.backoffice.data(
        "query A($id: ID!) { auditLog(appId: $id, first: 20) { nodes { action reason } } }",
        {"id": app.id},
        token=market.reviewer.token,
    )
    actions = [(n["action"], n["reason"]) for n in log["auditLog"]["nodes"]]
    assert (
        "REVIEW_HIDDEN",
        f"Review {relay.GlobalID.from_id(review).node_id}: Abusive language.",
    ) in actions
    assert any(action == "REVIEW_REPORTS_DISMISSED" for action, _ in actions)


async def test_sorts_filters_and_collections(market: Market, gql: GraphQLClient):
    one_five, app_a = await market.app("One Five", category="productivity")
    many, app_b = await market.app("Many Good", category="productivity")
    _, app_c = await market.app("Quiet", category="calling")
    rater = await market.customer(app_a)
    await market.rate(rater, one_five, 5)
    for stars in [5, 4] * 6:  # twelve ratings averaging 4.5
        user = await market.customer(app_b)
        assert (await market.rate(user, many, stars))["userErrors"] == []
    market.clock.advance(days=31)  # the installs so far are no longer recent
    for _ in range(2):
        await market.customer(app_c)

    async def names(**arguments: Any) -> list[str]:
        data = await gql.data(
            "query M($sort: MarketplaceSort, $min: Float) { marketplaceApps(first: 10,"
            " sort: $sort, minRating: $min) { nodes { name rating { average } } } }",
            arguments,
        )
        return [n["name"] for n in data["marketplaceApps"]["nodes"]]

    # Bayesian: (35 + 54) / 22 = 4.05 beats (35 + 5) / 11 = 3.64; unrated apps sit at 3.5.
    assert await names(sort="TOP_RATED") == ["Many Good", "One Five", "Quiet"]
    assert await names(sort="TRENDING") == ["Quiet", "Many Good", "One Five"]
    assert await names(min=4.6) == ["One Five"]
    assert set(await names(min=4.5)) == {"One Five", "Many Good"}
    bad = await gql.post("{ marketplaceApps(minRating: 6) { nodes { name } } }")
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    for first in (0, 21):
        too_many = await gql.post(f"{{ marketplaceCollections(first: {first}) {{ slug }} }}")
        assert too_many["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"

    collections = await gql.data(
        "{ marketplaceCollections(first: 2) { slug title apps { name } } }"
    )
    shown = {
        c["slug"]: [a["name"] for a in c["apps"]] for c in collections["marketplaceCollections"]
    }
    assert shown == {
        "top-rated": ["Many Good", "One Five"],
        "trending": ["Quiet"],
        "newest": ["Quiet", "Many Good"],
        "category-productivity": ["Many Good", "One Five"],
        "category-calling": ["Quiet"],
    }


async def test_collections_cost_a_fixed_number_of_statements(market: Market, gql):
    counts = []
    for categories in (["productivity"], ["calling", "marketing", "productivity"]):
        for n, category in enumerate(categories):
            await market.app(f"App {category} {n}", category=category)
        with count_statements() as counted:
            await gql.data("{ marketplaceCollections { slug apps { name rating { average } } } }")
        counts.append(len(counted.statements))
        assert_statement_count("marketplaceCollections", counted)
    assert counts[0] == counts[1]


async def test_reviews_on_a_page_of_listings_cost_a_fixed_number_of_statements(market: Market, gql):
    query = (
        "{ marketplaceApps(first: 50) { nodes { name rating { count }"
        " reviews(first: 3) { nodes { stars authorName reply { body } } } } } }"
    )
    counts = []
    for n in (1, 3):
        while (
            len(
                (await gql.data("{ marketplaceApps { nodes { id } } }"))["marketplaceApps"]["nodes"]
            )
            < n
        ):
            listing, app = await market.app(f"App {n}")
            await market.rate(await market.customer(app), listing, 4, body="Fine.")
        with count_statements() as counted:
            await gql.data(query)
        counts.append(len(counted.statements))
        assert_statement_count("marketplaceApps with reviews", counted)
    assert counts[0] == counts[1]


async def test_a_rating_shows_on_the_next_cached_read(market: Market, http: httpx.AsyncClient):
    listing, app = await market.app()
    user = await market.customer(app)
    public = LISTING.replace("myReview { stars hiddenReason }", "")  # public data only
    body = {"query": public, "variables": {"id": listing}}
    first = await http.post("/graphql", json=body)
    assert (await http.post("/graphql", json=body)).headers["x-devhub-cache"] == "hit"
    await market.rate(user, listing, 3)
    after = await http.post("/graphql", json=body)
    assert after.headers["x-devhub-cache"] == "miss"
    assert first.json()["data"]["marketplaceApp"]["rating"]["count"] == 0
    assert after.json()["data"]["marketplaceApp"]["rating"]["count"] == 1


async def test_random_rating_sequences_keep_the_figures_equal_to_a_recount(market: Market):
    generator = random.Random(20261205)
    listings = [await market.app(f"App {n}") for n in range(2)]
    users = [await market.customer(*(app for _, app in listings)) for _ in range(5)]
    review_ids: dict[tuple[int, str], str] = {}
    for step in range(80):
        u = generator.randrange(len(users))
        listing, _ = listings[generator.randrange(len(listings))]
        action = generator.choice(["rate", "rate", "rate", "delete", "hide"])
        if action == "rate":
            payload = await market.rate(users[u], listing, generator.randint(1, 5))
            review_ids[(u, listing)] = payload["review"]["id"]
        elif action == "delete" and (u, listing) in review_ids:
            await market.gql.data(DELETE, {"id": listing}, token=users[u].token)
            del review_ids[(u, listing)]
        elif action == "hide" and review_ids:
            target = generator.choice(sorted(review_ids.values()))
            await market.backoffice.data(
                HIDE, {"id": target, "reason": f"step {step}"}, token=market.reviewer.token
            )
        assert await ratings.verify() == [], f"step {step}: {action}"
        for listing_id, _ in listings:  # what the API shows is the stored figure
            shown = (await market.listing(listing_id))["rating"]
            app_pk = relay.GlobalID.from_id(listing_id).node_id
            stored = await App.get(id=app_pk)
            assert shown["count"] == stored.rating_count


async def test_concurrent_ratings_of_one_app_keep_the_counts_exact(market: Market):
    listing, app = await market.app()
    users = [await market.customer(app) for _ in range(8)]
    answers = await asyncio.gather(
        *(market.rate(user, listing, 1 + n % 5) for n, user in enumerate(users))
    )
    assert all(a["userErrors"] == [] for a in answers)
    shown = (await market.listing(listing))["rating"]
    assert shown["count"] == 8
    assert shown["distribution"] == [2, 2, 2, 1, 1]
    assert await ratings.verify() == []


async def test_review_writes_are_rate_limited_per_user(market: Market):
    listing, app = await market.app()
    user = await market.customer(app)
    for n in range(20):
        assert (await market.rate(user, listing, 1 + n % 5))["userErrors"] == []
    limited = await market.http.post(
        "/graphql",
        json={"query": RATE, "variables": {"input": {"appId": listing, "stars": 3}}},
        headers={"authorization": f"Bearer {user.token}"},
    )
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) <= 60
    assert limited.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    market.clock.advance(minutes=1)
    assert (await market.rate(user, listing, 3))["userErrors"] == []


async def test_the_verify_command_finds_and_repairs_figures_that_drifted(
    market: Market, database_url: str
):
    from tests.test_cli import run_cli

    listing, app = await market.app()
    await market.rate(await market.customer(app), listing, 4)
    app_pk = relay.GlobalID.from_id(listing).node_id
    env = {"DATABASE_URL": database_url, "DEVHUB_ENV": "development"}
    clean = await asyncio.to_thread(run_cli, "ratings", "verify", env=env)
    assert clean.returncode == 0, clean.stderr
    assert "match" in clean.stdout

    await App.filter(id=app_pk).update(rating_count=7, rating_5=3)  # drifted, somehow
    found = await asyncio.to_thread(run_cli, "ratings", "verify", env=env)
    assert found.returncode == 1
    assert found.stdout.strip() == (
        f"app {app_pk}: stored 7 ratings, 4 stars, [0, 0, 0, 1, 3]; counted 1, 4, [0, 0, 0, 1, 0]"
    )
    repaired = await asyncio.to_thread(run_cli, "ratings", "verify", "--repair", env=env)
    assert repaired.returncode == 0 and "(repaired)" in repaired.stdout
    assert (await market.listing(listing))["rating"] == {
        "average": 4.0,
        "count": 1,
        "distribution": [0, 0, 0, 1, 0],
    }


async def test_the_moderation_queue_costs_a_fixed_number_of_statements(market: Market):
    listing, app = await market.app()
    reporter = await market.customer(app)
    counts = []
    for wanted in (1, 3):
        while (
            len(
                (await market.backoffice.data(QUEUE, token=market.reviewer.token))[
                    "reportedReviews"
                ]["nodes"]
            )
            < wanted
        ):
            author = await market.customer(app)
            review = (await market.rate(author, listing, 2, body="Meh."))["review"]["id"]
            await market.rate(author, listing, 1, body="Worse.")  # a version in its history
            await market.gql.data(REPORT, {"id": review, "reason": "Spam"}, token=reporter.token)
        with count_statements() as counted:
            await market.backoffice.data(QUEUE, token=market.reviewer.token)
        counts.append(len(counted.statements))
        assert_statement_count("reportedReviews", counted)
    assert counts[0] == counts[1]
