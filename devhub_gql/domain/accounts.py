"""Sign-up, sign-in with session tokens, company membership and the reviewer flag."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache, cached_property
from typing import Any, TypeVar

from tortoise.exceptions import IntegrityError
from tortoise.fields import DatetimeField
from tortoise.models import Model

from devhub_gql import events, sql
from devhub_gql.domain import secrets, versions
from devhub_gql.domain.errors import ErrorCode, Forbidden, NotFound, UserError, UserErrors
from devhub_gql.domain.validation import check_length, clean_text, normalize_email
from devhub_gql.models import Company, CompanyKind, Role, User, UserSession
from devhub_gql.notifications import NotificationKind, notify_company
from devhub_gql.ratelimit import RateLimiter, account_key

M = TypeVar("M", bound=Model)

SESSION_TOKEN_PREFIX = "dhsess"
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256


def normalize_password(password: str) -> str:
    """NFKC (NIST SP 800-63B §5.1.1.2): a password typed on another keyboard or system, in
    another but equivalent Unicode form, is the same password."""
    return unicodedata.normalize("NFKC", password)


class Viewer:
    """The signed-in user of a request and the session they used.

    Made from the session lookup's row (`identify`); the user (with their company) and the
    session are built from it when first asked for. Most requests need only who it is, their
    company and role (a cached answer needs no more), and building the three ORM objects cost
    as much as the lookup's statement.
    """

    def __init__(self, found: Mapping[str, Any]) -> None:
        self._found = found

    @classmethod
    def of(cls, user: User, session: UserSession) -> Viewer:
        """For a user (with their company) and a session already read."""
        viewer = cls({"u_id": user.id, "u_company_id": user.company_id, "u_role": user.role})
        viewer.__dict__.update(user=user, session=session)  # what the cached properties hold
        return viewer

    @cached_property
    def user(self) -> User:
        user = _taken(User, "u", self._found)
        user.company = _taken(Company, "c", self._found)
        return user

    @cached_property
    def session(self) -> UserSession:
        return _taken(UserSession, "s", self._found)

    @property
    def user_id(self) -> int:
        return int(self._found["u_id"])

    @property
    def company_id(self) -> int:
        return int(self._found["u_company_id"])

    @property
    def role(self) -> Role:
        return Role(self._found["u_role"])

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


@dataclass(frozen=True)
class SignedIn:
    user: User
    token: str
    expires_at: datetime


def _check_person(email: str, name: str, password: str) -> tuple[str, str]:
    """The normalised email and name; every problem with the three at once."""
    problems: list[UserError] = []
    normalized_email = normalize_email(email)
    if normalized_email is None:
        problems.append(UserError("email", ErrorCode.INVALID_EMAIL, "Must be an email address."))
    clean_name = clean_text(name)
    if clean_name is None:
        problems.append(UserError("name", ErrorCode.REQUIRED, "A name is required."))
    problems += check_length("name", clean_name, 100)
    password = normalize_password(password)
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(
            UserError(
                "password",
                ErrorCode.WEAK_PASSWORD,
                f"Use at least {MIN_PASSWORD_LENGTH} characters.",
            )
        )
    elif not password.strip():
        problems.append(
            UserError("password", ErrorCode.WEAK_PASSWORD, "Use more than spaces in a password.")
        )
    problems += check_length("password", password, MAX_PASSWORD_LENGTH)
    if problems:
        raise UserErrors(problems)
    assert normalized_email is not None and clean_name is not None  # else refused above
    return normalized_email, clean_name


async def _email_taken(email: str) -> bool:
    return await User.filter(email=email).exists()


def _email_taken_error() -> UserErrors:
    return UserErrors.single("email", ErrorCode.EMAIL_TAKEN, "An account with this email exists.")


async def _open_session(user: User, now: datetime, ttl: timedelta) -> SignedIn:
    token = secrets.new_secret(SESSION_TOKEN_PREFIX)
    expires_at = now + ttl
    await UserSession.create(
        token_digest=secrets.digest(token), user=user, created_at=now, expires_at=expires_at
    )
    return SignedIn(user=user, token=token, expires_at=expires_at)


async def sign_up(
    *,
    email: str,
    password: str,
    name: str,
    company_name: str,
    company_kind: CompanyKind,
    now: datetime,
    session_ttl: timedelta,
) -> SignedIn:
    """Create a company with its first user as admin, and sign that user in."""
    problems: list[UserError] = []
    try:
        email, name = _check_person(email, name, password)
    except UserErrors as exc:
        problems += exc.errors
    clean_company = clean_text(company_name)
    if clean_company is None:
        problems.append(
            UserError("company_name", ErrorCode.REQUIRED, "A company name is required.")
        )
    problems += check_length("company_name", clean_company, 100)
    if problems:
        raise UserErrors(problems)
    if await _email_taken(email):
        raise _email_taken_error()
    # Before the transaction: it is slow.
    password_hash = await secrets.hash_password(normalize_password(password))
    try:
        async with events.transaction():
            company = await Company.create(name=clean_company, kind=company_kind, created_at=now)
            user = await User.create(
                email=email,
                name=name,
                password_hash=password_hash,
                company=company,
                role=Role.ADMIN,
                created_at=now,
            )
            return await _open_session(user, now, session_ttl)
    except IntegrityError:  # the same email signed up concurrently
        raise _email_taken_error() from None


async def sign_in(
    *,
    email: str,
    password: str,
    now: datetime,
    session_ttl: timedelta,
    reviewers_only: bool = False,
) -> SignedIn:
    """Wrong email and wrong password give the same answer, in about the same time. With
    `reviewers_only` (the back-office console), anyone else is refused before a session opens."""
    normalized = normalize_email(email)
    user = await User.get_or_none(email=normalized) if normalized else None
    valid = await secrets.verify_password(
        normalize_password(password), user.password_hash if user else None
    )
    if user is None or not valid:
        raise UserErrors.single(None, ErrorCode.INVALID_CREDENTIALS, "Wrong email or password.")
    if reviewers_only and not user.is_reviewer:
        raise Forbidden("The back-office is for reviewers only.")
    return await _open_session(user, now, session_ttl)


async def sign_in_guarded(
    failures: RateLimiter,
    *,
    address: str,
    email: str,
    password: str,
    now: datetime,
    session_ttl: timedelta,
    reviewers_only: bool = False,
) -> SignedIn:
    """`sign_in` behind the guessing budget: refused (RateLimited) while the client address or the
    account has used up its failed attempts, even with the right password; a failure counts
    against both. Signing in often, successfully, never counts."""
    keys = (f"ip:{address}", account_key(email))
    await failures.enforce(*keys, count=False)
    try:
        return await sign_in(
            email=email,
            password=password,
            now=now,
            session_ttl=session_ttl,
            reviewers_only=reviewers_only,
        )
    except UserErrors:
        await failures.count(*keys)
        raise


async def sign_out(viewer: Viewer, now: datetime, *, everywhere: bool = False) -> int:
    """End this session, or every open session of the user; returns how many ended."""
    sessions = UserSession.filter(revoked_at=None, expires_at__gt=now)
    if everywhere:
        return await sessions.filter(user_id=viewer.user.id).update(revoked_at=now)
    return await sessions.filter(id=viewer.session.id).update(revoked_at=now)


@dataclass(frozen=True)
class Identity:
    """Who a request is (nobody, for no session or a dead one) and the versions of what they may
    read (domain/versions.py): what every request needs first, in one statement."""

    viewer: Viewer | None
    public_version: int
    company_version: int | None = None


def _columns(model: type[Model], alias: str) -> str:
    return ", ".join(f'{alias}."{c}" AS "{alias}_{c}"' for c in sorted(model._meta.db_fields))


@cache
def _timestamp_columns(model: type[Model]) -> frozenset[str]:
    return frozenset(
        name
        for name, field in model._meta.fields_map.items()
        if isinstance(field, DatetimeField) and name in model._meta.db_fields
    )


def _taken(model: type[M], alias: str, found: Mapping[str, Any]) -> M:
    # Timestamps are read with datetime.fromisoformat first: Tortoise's own text parser was a
    # third of the cost of identifying a request.
    values = {column: found[f"{alias}_{column}"] for column in model._meta.db_fields}
    for column in _timestamp_columns(model):
        values[column] = sql.maybe_moment(values[column])
    return model._init_from_db(**values)


@cache
def _identify_statement() -> str:
    """Written once the models know their columns (after Tortoise's start-up)."""
    return (
        f"SELECT {_columns(UserSession, 's')}, {_columns(User, 'u')}, {_columns(Company, 'c')},"
        " m.version AS public_version FROM user_session s"
        ' JOIN "user" u ON u.id = s.user_id JOIN company c ON c.id = u.company_id'
        " JOIN marketplace_state m ON m.id = 1"
        " WHERE s.token_digest = ? AND s.revoked_at IS NULL AND s.expires_at > ?"
    )


async def identify(token: str | None, now: datetime) -> Identity:
    if token:
        found = await sql.row(_identify_statement(), secrets.digest(token), now)
        if found is not None:
            return Identity(
                Viewer(found), int(found["public_version"]), int(found["c_data_version"])
            )
    state = await sql.row("SELECT version FROM marketplace_state WHERE id = 1")
    return Identity(None, int(state["version"]) if state else 0)


async def authenticate(token: str, now: datetime) -> Viewer | None:
    """The viewer a session token belongs to, or None for an unknown, expired or revoked one."""
    return (await identify(token, now)).viewer


async def add_company_member(
    viewer: Viewer, *, email: str, name: str, password: str, role: Role, now: datetime
) -> User:
    if not viewer.is_admin:
        raise Forbidden("Only company admins can add members.")
    email, name = _check_person(email, name, password)
    if await _email_taken(email):
        raise _email_taken_error()
    password_hash = await secrets.hash_password(normalize_password(password))
    try:
        async with events.transaction():
            # Nothing cached shows a member before they exist (an unknown id is an error).
            member = await User.create(
                email=email,
                name=name,
                password_hash=password_hash,
                company_id=viewer.company_id,
                role=role,
                created_at=now,
            )
            await notify_company(
                viewer.company_id,
                NotificationKind.MEMBER_ADDED,
                now=now,
                member_email=email,
                company_name=viewer.user.company.name,
                role=role.value.lower(),
            )
            return member
    except IntegrityError:
        raise _email_taken_error() from None


async def set_reviewer(email: str, is_reviewer: bool) -> bool:
    """Grant or take the reviewer flag; False when no user has that email."""
    normalized = normalize_email(email) or email.strip().lower()
    user = await User.get_or_none(email=normalized)
    if user is None:
        return False
    async with events.transaction():
        await User.filter(id=user.id).update(is_reviewer=is_reviewer)
        await versions.company_changed(user.company_id)
    return True


async def get_colleague(viewer: Viewer, user_id: int) -> User:
    """A user of the viewer's own company; anyone else is indistinguishable from no one."""
    user = await User.get_or_none(id=user_id, company_id=viewer.company_id)
    if user is None:
        raise NotFound("No user with this id.")
    return user


def get_own_company(viewer: Viewer, company_id: int) -> Company:
    if company_id != viewer.company_id:
        raise NotFound("No company with this id.")
    return viewer.user.company
