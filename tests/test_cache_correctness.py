"""The response cache is exact: random writes through the API, interleaved with reads by several
viewers, and after every write each cached answer equals the answer of the same service with
its cache off, on the same database.

Each seed is one random journey (deterministic: the seed picks every step).
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from devhub_gql.app import create_app as create_service
from devhub_gql.outbox.worker import OutboxWorker
from tests.oauth.support import ClientApp, exchange, query_of, token_request
from tests.support import (
    APPROVE,
    PASSWORD,
    REJECT,
    STATUS_MUTATIONS,
    SUBMIT,
    UPDATE_APP,
    Account,
    GraphQLClient,
    create_app,
    fill_listing,
    make_reviewer,
    sign_up,
)

APP_FIELDS = """id name status summary updatedAt scopes { name } category { slug }
  pendingRevision { status diff { scopesAdded scopesRemoved fields { field old new } } }
  currentSubmission { id status } latestRejection { id reasons { code } }
  reviewHistory { id status }"""
READS: dict[str, tuple[str, Callable[[World], dict[str, Any]]]] = {
    "marketplace": (
        """{ marketplaceApps(first: 20) { edges { node { id name slug summary installationCount
             developerName scopes { name } category { slug } } } } categories { slug } }""",
        lambda world: {},
    ),
    "listing": (
        "query L($slug: String) { marketplaceApp(slug: $slug) { id name summary } }",
        lambda world: {"slug": "shared-sync"},
    ),
    "viewer": (
        "{ viewer { id email role isReviewer company { id name } } }",
        lambda world: {},
    ),
    "apps": (f"{{ apps(first: 20) {{ edges {{ node {{ {APP_FIELDS} }} }} }} }}", lambda w: {}),
    "app": (
        f"query A($id: ID!) {{ app(id: $id) {{ {APP_FIELDS} signingSecret }} }}",
        lambda world: {"id": world.apps[0].id},
    ),
    "notices": (
        """query N($id: ID!) { uninstallNotices(appId: $id) { edges { node { webhookId status
             attempts deliveryAttempts { outcome statusCode } } } } }""",
        lambda world: {"id": world.apps[2].id},
    ),
    "installations": (
        """{ installations(includeUninstalled: true) { edges { node { id uninstalledAt
             updatedAt needsReauthorization scopes { name } app { name summary }
             user { email } } } } }""",
        lambda world: {},
    ),
    "consent": (
        """query C($clientId: String!) { authorizationRequest(clientId: $clientId) {
             app { name summary } scopes { name } alreadyInstalled canInstall } }""",
        lambda world: {"clientId": world.apps[2].client_id},
    ),
}


@dataclass
class World:
    cached: GraphQLClient
    plain: GraphQLClient
    http: httpx.AsyncClient
    worker: OutboxWorker
    developer: Account
    colleague: Account
    other_developer: Account
    customer: Account
    member: Account
    reviewer: Account
    apps: list[ClientApp] = field(default_factory=list)
    refresh_tokens: dict[str, str] = field(default_factory=dict)
    hits: int = 0
    compared: int = 0

    @property
    def readers(self) -> list[Account | None]:
        return [
            None,
            self.developer,
            self.colleague,
            self.other_developer,
            self.customer,
            self.member,
        ]


async def _check_every_read(world: World, after: str) -> None:
    for account in world.readers:
        token = account.token if account else None
        for name, (document, variables) in READS.items():
            arguments = variables(world)
            for _ in range(2):  # the second may come from the cache
                response = await world.cached.http.post(
                    "/graphql",
                    json={"query": document, "variables": arguments},
                    headers={"authorization": f"Bearer {token}"} if token else {},
                )
                world.hits += response.headers.get("x-devhub-cache") == "hit"
            truth = await world.plain.post(document, arguments, token=token)
            assert response.json() == truth, (after, name, account and account.email)
            world.compared += 1


async def _app_action(world: World, rng: random.Random) -> str:
    app = rng.choice(world.apps)
    owner = world.other_developer if app is world.apps[3] else world.developer
    name = rng.choice(list(STATUS_MUTATIONS))
    await world.plain.post(STATUS_MUTATIONS[name], {"id": app.id}, token=owner.token)
    return f"{name} {app.id}"


async def _edit(world: World, rng: random.Random) -> str:
    app = rng.choice(world.apps)
    owner = world.other_developer if app is world.apps[3] else world.developer
    changes = rng.choice(
        [
            {"summary": f"Summary {rng.randrange(1000)}"},
            {"name": rng.choice(["Shared Sync", "Sync Renamed", "Other Name"])},
            {"description": f"Text {rng.randrange(1000)}"},
            {
                "scopes": rng.choice(
                    [
                        ["base", "deals:read"],
                        ["base", "deals:full"],
                        ["base", "contacts:read", "deals:read"],
                    ]
                )
            },
            {"category": rng.choice(["productivity", "marketing"])},
        ]
    )
    await world.plain.post(UPDATE_APP, {"input": {"id": app.id, **changes}}, token=owner.token)
    return f"edit {app.id} {changes}"


async def _review(world: World, rng: random.Random) -> str:
    app = rng.choice(world.apps[:2])
    submitted = await world.plain.post(SUBMIT, {"id": app.id}, token=world.developer.token)
    submission = (submitted.get("data") or {}).get("submitAppForReview") or {}
    if not submission.get("submission"):
        return f"submit {app.id} refused"
    decision = rng.choice(["approve", "reject"])
    variables: dict[str, Any] = {"id": submission["submission"]["id"]}
    document = APPROVE
    if decision == "reject":
        document = REJECT
        variables["reasons"] = [{"code": "OTHER", "message": "No."}]
    await world.cached.http.post(  # the back-office, through the cached service: no cache there
        "/backoffice/graphql",
        json={"query": document, "variables": variables},
        headers={"authorization": f"Bearer {world.reviewer.token}"},
    )
    return f"review {app.id} {decision}"


async def _install(world: World, rng: random.Random) -> str:
    user = rng.choice([world.customer, world.member])
    app = world.apps[2]
    approved = await world.plain.post(
        "mutation A($i: AuthorizationInput!) { approveAuthorization(input: $i) { redirectUrl } }",
        {"i": {"clientId": app.client_id}},
        token=user.token,
    )
    url = approved["data"]["approveAuthorization"]["redirectUrl"]
    if url is None:
        return "install refused"
    response = await exchange(world.http, app, query_of(url)["code"])
    if response.status_code == 200:
        world.refresh_tokens[user.email] = response.json()["refresh_token"]
    return f"install by {user.email}"


async def _uninstall_or_refresh(world: World, rng: random.Random) -> str:
    if not world.refresh_tokens:
        return "nothing installed"
    email, token = rng.choice(sorted(world.refresh_tokens.items()))
    app = world.apps[2]
    if rng.random() < 0.5:
        await token_request(world.http, app, grant_type="refresh_token", refresh_token=token)
        return f"refresh by {email}"
    await token_request(world.http, app, "/oauth/revoke", token=token)
    del world.refresh_tokens[email]
    return f"uninstall by {email}"


async def _deliver(world: World, rng: random.Random) -> str:
    return f"outbox {await world.worker.run_once()}"


async def _member_or_secret(world: World, rng: random.Random) -> str:
    if rng.random() < 0.5:
        email = f"member{rng.randrange(10**6)}@dev.example"
        await world.plain.post(
            ADD_MEMBER,
            {"i": {"email": email, "name": "New", "password": PASSWORD}},
            token=world.developer.token,
        )
        return f"member {email}"
    app = rng.choice(world.apps)
    owner = world.other_developer if app is world.apps[3] else world.developer
    await world.plain.post(
        "mutation R($id: ID!) { rotateClientSecret(input: {id: $id}) { clientSecret } }",
        {"id": app.id},
        token=owner.token,
    )
    return f"rotate {app.id}"


async def _reviewer_flag(world: World, rng: random.Random) -> str:
    """What `devhub-gql reviewers add|remove` does, to a user who reads."""
    from devhub_gql.domain.accounts import set_reviewer

    granted = rng.random() < 0.5
    assert await set_reviewer(world.colleague.email, granted)
    return f"reviewer flag {granted}"


ADD_MEMBER = (
    "mutation M($i: AddCompanyMemberInput!) { addCompanyMember(input: $i) { user { id } } }"
)

ACTIONS: list[Callable[[World, random.Random], Awaitable[str]]] = [
    _reviewer_flag,
    _app_action,
    _edit,
    _edit,
    _review,
    _install,
    _uninstall_or_refresh,
    _deliver,
    _member_or_secret,
]


@pytest.fixture
async def clients(settings, clock, database) -> AsyncIterator[tuple[GraphQLClient, GraphQLClient]]:
    """The service twice on one database: with its cache, and without."""
    cached_app = create_service(settings, clock=clock, manage_database=False)
    plain_app = create_service(
        dataclasses.replace(settings, response_cache=False), clock=clock, manage_database=False
    )
    async with (
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=cached_app), base_url="http://devhub.test"
        ) as cached,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=plain_app), base_url="http://devhub.test"
        ) as plain,
    ):
        yield GraphQLClient(cached), GraphQLClient(plain)


async def _world(cached: GraphQLClient, plain: GraphQLClient, settings, clock, receiver) -> World:
    developer = await sign_up(plain, "dev@dev.example", company="Dev")
    await plain.data(
        ADD_MEMBER,
        {"i": {"email": "colleague@dev.example", "name": "Col", "password": PASSWORD}},
        token=developer.token,
    )
    colleague_token = (
        await plain.data(
            "mutation S($i: SignInInput!) { signIn(input: $i) { session { token } } }",
            {"i": {"email": "colleague@dev.example", "password": PASSWORD}},
        )
    )["signIn"]["session"]["token"]
    customer = await sign_up(plain, "admin@buyer.example", kind="PRODUCTION", company="Buyer")
    await plain.data(
        ADD_MEMBER,
        {"i": {"email": "member@buyer.example", "name": "Mem", "password": PASSWORD}},
        token=customer.token,
    )
    member_token = (
        await plain.data(
            "mutation S($i: SignInInput!) { signIn(input: $i) { session { token } } }",
            {"i": {"email": "member@buyer.example", "password": PASSWORD}},
        )
    )["signIn"]["session"]["token"]
    world = World(
        cached=cached,
        plain=plain,
        http=plain.http,
        worker=OutboxWorker(settings, clock),
        developer=developer,
        colleague=Account(colleague_token, "", developer.company_id, "colleague@dev.example"),
        other_developer=await sign_up(plain, "other@other.example", company="Other"),
        customer=customer,
        member=Account(member_token, "", customer.company_id, "member@buyer.example"),
        reviewer=await make_reviewer(plain),
    )
    for index, (owner, kind) in enumerate(
        [
            (developer, "PUBLIC"),
            (developer, "PUBLIC"),
            (developer, "PRIVATE"),
            (world.other_developer, "PUBLIC"),
        ]
    ):
        created = await create_app(
            plain,
            owner,
            name="Shared Sync" if index == 0 else f"App {index}",
            app_type=kind,
            callback_url=f"{receiver.url}/cb{index}",
        )
        await fill_listing(
            plain, owner, created["app"]["id"], callbackUrl=f"{receiver.url}/cb{index}"
        )
        world.apps.append(
            ClientApp(
                created["app"]["id"],
                created["app"]["clientId"],
                created["clientSecret"],
                f"{receiver.url}/cb{index}",
            )
        )
    live = await plain.data(
        STATUS_MUTATIONS["changeAppToLive"], {"id": world.apps[2].id}, token=developer.token
    )
    assert live["changeAppToLive"]["app"]["status"] == "LIVE"
    return world


@pytest.mark.parametrize("seed", [1, 2])
async def test_cached_answers_equal_uncached_ones_after_every_write(
    clients, settings, clock, receiver, seed: int
):
    cached, plain = clients
    world = await _world(cached, plain, settings, clock, receiver)
    rng = random.Random(seed)
    await _check_every_read(world, "start")
    journey = []
    for _ in range(30):
        step = await rng.choice(ACTIONS)(world, rng)
        journey.append(step)
        clock.advance(seconds=rng.choice([1, 30, 3600]))
        await _check_every_read(world, " / ".join(journey))
    # The comparisons were real: answers did come from the cache, for every kind of reader.
    assert world.compared == 31 * len(world.readers) * len(READS)
    assert world.hits > world.compared // 2, (world.hits, world.compared)
