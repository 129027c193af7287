"""Sign-up, sign-in, sign-out, sessions and company members, over HTTP."""

from __future__ import annotations

from devhub_gql.clock import ManualClock
from devhub_gql.models import Company, User, UserSession
from tests.support import PASSWORD, SIGN_UP, GraphQLClient, error_codes, sign_up

VIEWER = "{ viewer { id email name role isReviewer company { id name kind } } }"

SIGN_IN = """
mutation SignIn($input: SignInInput!) {
  signIn(input: $input) {
    user { email }
    session { token expiresAt }
    userErrors { field code message }
  }
}
"""

SIGN_OUT = "mutation { signOut { signedOut userErrors { code } } }"

ADD_MEMBER = """
mutation Add($input: AddCompanyMemberInput!) {
  addCompanyMember(input: $input) {
    user { id email role company { id } }
    userErrors { field code message }
  }
}
"""


def sign_up_input(**overrides: str) -> dict:
    fields = {
        "email": "dev@example.com",
        "password": PASSWORD,
        "name": "Dev",
        "companyName": "Acme",
        "companyKind": "SANDBOX",
    }
    return {"input": {**fields, **overrides}}


async def test_sign_up_creates_company_with_the_user_as_admin_and_signs_in(gql: GraphQLClient):
    account = await sign_up(gql, "Dev@Example.com", kind="PRODUCTION", company="Customer Co")

    viewer = (await gql.data(VIEWER, token=account.token))["viewer"]
    assert viewer["email"] == "dev@example.com"
    assert viewer["role"] == "ADMIN"
    assert viewer["isReviewer"] is False
    assert viewer["company"] == {
        "id": account.company_id,
        "name": "Customer Co",
        "kind": "PRODUCTION",
    }


async def test_sign_up_reports_every_invalid_field_at_once(gql: GraphQLClient):
    data = await gql.data(
        SIGN_UP, sign_up_input(email="not-an-email", password="short", name=" ", companyName="")
    )
    assert sorted(error_codes(data["signUp"])) == [
        ("companyName", "REQUIRED"),
        ("email", "INVALID_EMAIL"),
        ("name", "REQUIRED"),
        ("password", "WEAK_PASSWORD"),
    ]
    assert data["signUp"]["session"] is None
    assert await Company.all().count() == 0


async def test_sign_up_refuses_overlong_names(gql: GraphQLClient):
    data = await gql.data(SIGN_UP, sign_up_input(name="n" * 101, companyName="c" * 101))
    assert sorted(error_codes(data["signUp"])) == [
        ("companyName", "TOO_LONG"),
        ("name", "TOO_LONG"),
    ]


async def test_sign_up_with_a_taken_email_changes_nothing(gql: GraphQLClient):
    await sign_up(gql, "dev@example.com")
    data = await gql.data(SIGN_UP, sign_up_input(email="DEV@example.com", companyName="Other"))
    assert error_codes(data["signUp"]) == [("email", "EMAIL_TAKEN")]
    assert await Company.all().count() == 1


async def test_sign_in_returns_a_working_session(gql: GraphQLClient):
    await sign_up(gql, "dev@example.com")
    data = await gql.data(SIGN_IN, {"input": {"email": "dev@example.com", "password": PASSWORD}})
    token = data["signIn"]["session"]["token"]
    assert (await gql.data(VIEWER, token=token))["viewer"]["email"] == "dev@example.com"


async def test_wrong_email_and_wrong_password_look_the_same(gql: GraphQLClient):
    await sign_up(gql, "dev@example.com")
    wrong_password = await gql.data(
        SIGN_IN, {"input": {"email": "dev@example.com", "password": "not the password"}}
    )
    wrong_email = await gql.data(
        SIGN_IN, {"input": {"email": "nobody@example.com", "password": PASSWORD}}
    )
    assert wrong_password["signIn"] == wrong_email["signIn"]
    assert error_codes(wrong_email["signIn"]) == [(None, "INVALID_CREDENTIALS")]


async def test_sign_out_ends_the_session_at_once(gql: GraphQLClient):
    account = await sign_up(gql, "dev@example.com")
    data = await gql.data(SIGN_OUT, token=account.token)
    assert data["signOut"] == {"signedOut": True, "userErrors": []}

    assert (await gql.data(VIEWER, token=account.token))["viewer"] is None
    assert await gql.error_code(SIGN_OUT, token=account.token) == "UNAUTHENTICATED"


async def test_sign_out_everywhere_ends_every_session_of_the_user(gql: GraphQLClient):
    account = await sign_up(gql, "dev@example.com")
    other = await sign_up(gql, "other@example.com", company="Other")
    laptop = (
        await gql.data(SIGN_IN, {"input": {"email": "dev@example.com", "password": PASSWORD}})
    )["signIn"]["session"]["token"]
    here = await gql.data(
        "mutation { signOut(input: {everywhere: false}) { signedOut sessionsEnded } }",
        token=laptop,
    )
    assert here["signOut"] == {"signedOut": True, "sessionsEnded": 1}
    phone = (
        await gql.data(SIGN_IN, {"input": {"email": "dev@example.com", "password": PASSWORD}})
    )["signIn"]["session"]["token"]
    everywhere = await gql.data(
        "mutation { signOut(input: {everywhere: true}) { signedOut sessionsEnded userErrors"
        " { code } } }",
        token=phone,
    )
    assert everywhere["signOut"] == {"signedOut": True, "sessionsEnded": 2, "userErrors": []}
    for token in (account.token, phone, laptop):
        assert (await gql.data(VIEWER, token=token))["viewer"] is None
    assert (await gql.data(VIEWER, token=other.token))["viewer"] is not None  # only that user's


async def test_sessions_expire(gql: GraphQLClient, clock: ManualClock):
    account = await sign_up(gql, "dev@example.com")
    clock.advance(days=13, hours=23)
    assert (await gql.data(VIEWER, token=account.token))["viewer"] is not None
    clock.advance(hours=2)
    assert (await gql.data(VIEWER, token=account.token))["viewer"] is None


async def test_anonymous_viewer_is_null_and_garbage_tokens_are_anonymous(gql: GraphQLClient):
    assert (await gql.data(VIEWER))["viewer"] is None
    assert (await gql.data(VIEWER, token="dhsess_forged"))["viewer"] is None


async def test_passwords_and_session_tokens_are_not_stored_in_clear(gql: GraphQLClient):
    account = await sign_up(gql, "dev@example.com")
    user = await User.get(email="dev@example.com")
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    session = await UserSession.get(user=user)
    assert account.token not in session.token_digest
    assert len(session.token_digest) == 64


async def test_admin_adds_a_member_who_can_sign_in_to_the_same_company(gql: GraphQLClient):
    admin = await sign_up(gql, "admin@example.com")
    data = await gql.data(
        ADD_MEMBER,
        {"input": {"email": "member@example.com", "name": "Mem", "password": PASSWORD}},
        token=admin.token,
    )
    member = data["addCompanyMember"]["user"]
    assert member["role"] == "REGULAR"
    assert member["company"]["id"] == admin.company_id

    signed_in = await gql.data(
        SIGN_IN, {"input": {"email": "member@example.com", "password": PASSWORD}}
    )
    token = signed_in["signIn"]["session"]["token"]
    viewer = (await gql.data(VIEWER, token=token))["viewer"]
    assert viewer["company"]["id"] == admin.company_id


async def test_admin_can_add_another_admin(gql: GraphQLClient):
    admin = await sign_up(gql, "admin@example.com")
    data = await gql.data(
        ADD_MEMBER,
        {"input": {"email": "a2@example.com", "name": "A2", "password": PASSWORD, "role": "ADMIN"}},
        token=admin.token,
    )
    assert data["addCompanyMember"]["user"]["role"] == "ADMIN"


async def test_add_member_reports_invalid_input(gql: GraphQLClient):
    admin = await sign_up(gql, "admin@example.com")
    taken = await gql.data(
        ADD_MEMBER,
        {"input": {"email": "admin@example.com", "name": "X", "password": PASSWORD}},
        token=admin.token,
    )
    assert error_codes(taken["addCompanyMember"]) == [("email", "EMAIL_TAKEN")]
    invalid = await gql.data(
        ADD_MEMBER,
        {"input": {"email": "nope", "name": "", "password": "123"}},
        token=admin.token,
    )
    assert sorted(error_codes(invalid["addCompanyMember"])) == [
        ("email", "INVALID_EMAIL"),
        ("name", "REQUIRED"),
        ("password", "WEAK_PASSWORD"),
    ]
    assert await User.all().count() == 1


async def test_only_admins_add_members(gql: GraphQLClient):
    admin = await sign_up(gql, "admin@example.com")
    await gql.data(
        ADD_MEMBER,
        {"input": {"email": "member@example.com", "name": "Mem", "password": PASSWORD}},
        token=admin.token,
    )
    member_token = (
        await gql.data(SIGN_IN, {"input": {"email": "member@example.com", "password": PASSWORD}})
    )["signIn"]["session"]["token"]
    code = await gql.error_code(
        ADD_MEMBER,
        {"input": {"email": "x@example.com", "name": "X", "password": PASSWORD}},
        token=member_token,
    )
    assert code == "FORBIDDEN"
    anonymous = await gql.error_code(
        ADD_MEMBER, {"input": {"email": "x@example.com", "name": "X", "password": PASSWORD}}
    )
    assert anonymous == "UNAUTHENTICATED"
    assert await User.all().count() == 2
