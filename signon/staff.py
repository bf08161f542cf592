"""Staff accounts: creation, roles, sign-in with argon2 and a throttle on failures."""

from __future__ import annotations

import asyncio
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from databases import Database
from email_validator import EmailNotValidError, validate_email
from starlette.concurrency import run_in_threadpool

from signon import settings
from signon.audit import Actor, record_audit
from signon.errors import (
    AdminOnly,
    LoginFailed,
    LoginThrottled,
    OwnAccountUnchangeable,
    SignInBusy,
    StaffNotFound,
    ValidationFailed,
)
from signon.i18n import N_
from signon.i18n import gettext_ as _
from signon.tables import STAFF_ROLES, login_failures, staff
from signon.vocabulary import StaffRole

MIN_PASSWORD = 12
MAX_PASSWORD = 1000
MAX_NAME = 200
# PostgreSQL's integer column: a larger id in a URL is simply no account, not a driver error.
MAX_STAFF_ID = 2**31 - 1

# argon2 holds 64 MiB while it runs: twenty wrong passwords at once peaked at 1.3 GB.
# Sign-ins beyond this many wait their turn, up to HASH_WAIT_SECONDS, then get a 429.
MAX_CONCURRENT_HASHES = 2
HASH_WAIT_SECONDS = 5.0

_hasher = PasswordHasher()
# Verified against when the email is unknown, so a wrong email costs as much as a wrong
# password and timing does not reveal which accounts exist.
_DUMMY_HASH = _hasher.hash("not a real password, never matches")


@dataclass(frozen=True)
class StaffMember:
    id: int
    email: str
    name: str
    role: str
    is_active: bool
    created_at: datetime
    last_login_at: datetime | None
    session_epoch: int = 0

    @property
    def is_admin(self) -> bool:
        return self.role == StaffRole.ADMIN

    def as_actor(self) -> Actor:
        return Actor(label=self.email, staff_id=self.id, role=self.role)


class HashSlots:
    """How many sign-in password checks run at once in this process (the app owns one)."""

    def __init__(
        self, limit: int = MAX_CONCURRENT_HASHES, wait_seconds: float = HASH_WAIT_SECONDS
    ) -> None:
        self._semaphore = asyncio.Semaphore(limit)
        self.wait_seconds = wait_seconds

    async def verify(self, password_hash: str, password: str) -> bool:
        """argon2's answer, or TooManyAttempts when no slot frees up in time."""
        try:
            async with asyncio.timeout(self.wait_seconds):
                await self._semaphore.acquire()
        except TimeoutError:
            raise SignInBusy(retry_after=max(1, round(self.wait_seconds))) from None
        try:
            return await run_in_threadpool(_verify, password_hash, password)
        finally:
            self._semaphore.release()


def _member(row) -> StaffMember:
    return StaffMember(
        id=row["id"],
        email=row["email"],
        name=row["name"],
        role=row["role"],
        is_active=row["is_active"],
        created_at=row["created_at"],
        last_login_at=row["last_login_at"],
        session_epoch=row["session_epoch"],
    )


def normalize_staff_email(email: str) -> str:
    """email-validator's normalized form, lower-cased; raises ValueError with a message."""
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from exc


def _too_short() -> str:
    return _("Use at least %(limit)d characters.") % {"limit": MIN_PASSWORD}


def _too_long() -> str:
    return _("Use at most %(limit)d characters.") % {"limit": MAX_PASSWORD}


def validate_staff_fields(email: str, name: str, password: str, role: str) -> str:
    """Check a new account's fields; return the normalized email or raise ValidationFailed."""
    errors: dict[str, list[str]] = {}
    normalized = ""
    try:
        normalized = normalize_staff_email(email)
    except ValueError as exc:
        errors["email"] = [str(exc)]
    if not name.strip():
        errors["name"] = [_("Enter the person's name.")]
    elif len(name.strip()) > MAX_NAME:
        errors["name"] = [_("Use at most %(limit)d characters.") % {"limit": MAX_NAME}]
    elif any(unicodedata.category(char) == "Cc" for char in name):
        # Control characters are invisible on the page, and PostgreSQL refuses NUL outright.
        errors["name"] = [_("Remove the invisible control characters from the name.")]
    if len(password) < MIN_PASSWORD:
        errors["password"] = [_too_short()]
    elif len(password) > MAX_PASSWORD:
        errors["password"] = [_too_long()]
    if role not in STAFF_ROLES:
        errors["role"] = [_("Choose admin or staff.")]
    if errors:
        raise ValidationFailed(errors)
    return normalized


async def create_staff(
    db: Database, actor: Actor, *, email: str, name: str, password: str, role: str = StaffRole.STAFF
) -> StaffMember:
    if not actor.is_admin:
        raise AdminOnly(N_("Only an admin can create staff accounts."))
    normalized = validate_staff_fields(email, name, password, role)
    password_hash = await run_in_threadpool(_hasher.hash, password)
    async with db.transaction():
        exists = await db.fetch_val(sa.select(staff.c.id).where(staff.c.email == normalized))
        if exists:
            raise ValidationFailed(
                {"email": [_("A staff account with this email already exists.")]}
            )
        row = await db.fetch_one(
            staff.insert()
            .values(email=normalized, name=name.strip(), role=role, password_hash=password_hash)
            .returning(*staff.c)
        )
        member = _member(row)
        await record_audit(
            db,
            actor,
            "staff.create",
            "staff",
            member.id,
            after={"email": member.email, "name": member.name, "role": member.role},
        )
    return member


async def get_staff(db: Database, staff_id: int) -> StaffMember:
    row = None
    if 0 < staff_id <= MAX_STAFF_ID:
        row = await db.fetch_one(sa.select(staff).where(staff.c.id == staff_id))
    if row is None:
        raise StaffNotFound()
    return _member(row)


async def get_active_staff(db: Database, staff_id: int) -> StaffMember | None:
    """The signed-in staff member, or None when the account is gone or disabled."""
    row = await db.fetch_one(
        sa.select(staff).where(staff.c.id == staff_id, staff.c.is_active.is_(True))
    )
    return _member(row) if row else None


async def list_staff(db: Database) -> list[StaffMember]:
    rows = await db.fetch_all(sa.select(staff).order_by(staff.c.name, staff.c.id))
    return [_member(row) for row in rows]


async def update_staff(
    db: Database,
    actor: Actor,
    staff_id: int,
    *,
    role: str | None = None,
    is_active: bool | None = None,
) -> StaffMember:
    """Change an account's role or enable/disable it (admins only; not one's own)."""
    if not actor.is_admin:
        raise AdminOnly(N_("Only an admin can change staff accounts."))
    if staff_id == actor.staff_id:
        raise OwnAccountUnchangeable()
    if role is not None and role not in STAFF_ROLES:
        raise ValidationFailed({"role": [_("Choose admin or staff.")]})
    if not 0 < staff_id <= MAX_STAFF_ID:
        raise StaffNotFound()
    async with db.transaction():
        row = await db.fetch_one(sa.select(staff).where(staff.c.id == staff_id).with_for_update())
        if row is None:
            raise StaffNotFound()
        changes = {
            key: value
            for key, value in (("role", role), ("is_active", is_active))
            if value is not None and row[key] != value
        }
        if changes:
            # A disabled account's sessions must not come back when it is enabled again.
            ended = {"session_epoch": staff.c.session_epoch + 1} if is_active is False else {}
            await db.execute(
                staff.update().where(staff.c.id == staff_id).values(**changes, **ended)
            )
            await record_audit(
                db,
                actor,
                "staff.update",
                "staff",
                staff_id,
                before={key: row[key] for key in changes},
                after=changes,
            )
    return await get_staff(db, staff_id)


async def set_password(db: Database, actor: Actor, staff_id: int, password: str) -> None:
    """Replace an account's password (an admin, or the account's owner).

    The audit row records that it changed, never the password or its hash.
    """
    if not (actor.is_admin or actor.staff_id == staff_id):
        raise AdminOnly(N_("Only an admin can set another account's password."))
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed({"password": [_too_short()]})
    if len(password) > MAX_PASSWORD:
        raise ValidationFailed({"password": [_too_long()]})
    password_hash = await run_in_threadpool(_hasher.hash, password)
    async with db.transaction():
        changed = await db.fetch_val(
            staff.update()
            .where(staff.c.id == staff_id)
            .values(password_hash=password_hash, session_epoch=staff.c.session_epoch + 1)
            .returning(staff.c.id)
        )
        if changed is None:
            raise StaffNotFound()
        await record_audit(db, actor, "staff.set_password", "staff", staff_id)


async def end_sessions(db: Database, staff_id: int) -> None:
    """Sign the account out everywhere: every session cookie issued so far stops working."""
    await db.execute(
        staff.update().where(staff.c.id == staff_id).values(session_epoch=staff.c.session_epoch + 1)
    )


async def authenticate(
    db: Database, email: str, password: str, address: str, slots: HashSlots | None = None
) -> StaffMember:
    """The staff member these credentials belong to.

    Raises LoginThrottled while the account from this address, or the address, is
    throttled (checked before the password, so guessing cannot continue), and LoginFailed
    for wrong credentials.
    """
    # NUL cannot reach PostgreSQL; U+FFFD keeps the throttle key while matching no account.
    key_email = email.strip().lower()[:254].replace("\x00", "\ufffd")
    # Failures count per account *from one address*, and per address over all accounts;
    # never per account alone. Counted per account, anyone who knows a staff address (the
    # demo admin's is public) could lock its owner out with five wrong passwords from
    # anywhere; this way a stranger locks out only themselves, and the owner, from their
    # own address, still signs in. What it gives up: an attacker with many addresses gets
    # five guesses per address per window, each an argon2 hash against a password of at
    # least 12 characters (MIN_PASSWORD), at most two at a time (HashSlots).
    keys = (f"account:{address}:{key_email}"[:300], f"address:{address}")
    attempt = await _record_attempt(db, keys)
    row = await db.fetch_one(
        sa.select(staff).where(staff.c.email == key_email, staff.c.is_active.is_(True))
    )
    try:
        ok = await (slots or HashSlots()).verify(
            row["password_hash"] if row else _DUMMY_HASH, password
        )
    except SignInBusy:
        # Not a guess that was checked: it does not count against anyone.
        await db.execute(login_failures.delete().where(login_failures.c.id.in_(attempt)))
        raise
    if not (row and ok):
        raise LoginFailed()
    async with db.transaction():
        await db.execute(
            login_failures.delete().where(
                (login_failures.c.key == keys[0]) | login_failures.c.id.in_(attempt)
            )
        )
        await db.execute(
            staff.update().where(staff.c.id == row["id"]).values(last_login_at=sa.func.now())
        )
    return _member(row)


async def _record_attempt(db: Database, keys: tuple[str, str]) -> list[int]:
    """Record this attempt as a failure, then check the throttle; return the rows' ids.

    Recorded before the password is checked so that concurrent guesses count against
    each other: checked one by one, a burst would all pass before any failure was
    written. A throttled attempt is taken back, so waiting out the window is enough;
    authenticate() removes the rows again on success.
    """
    # Failures older than the window no longer count anywhere: drop them as we go.
    await db.execute(
        login_failures.delete().where(
            login_failures.c.failed_at
            < sa.func.now() - sa.cast(timedelta(seconds=settings.LOGIN_WINDOW_SECONDS), sa.Interval)
        )
    )
    attempt = [
        await db.fetch_val(login_failures.insert().values(key=key).returning(login_failures.c.id))
        for key in keys
    ]
    try:
        await _check_throttle(db, keys, attempt)
    except LoginThrottled:
        await db.execute(login_failures.delete().where(login_failures.c.id.in_(attempt)))
        raise
    return attempt


def _verify(password_hash: str, password: str) -> bool:
    # No account has a longer password, and a cut one could match its own prefix. Still
    # hashed (cut), so an over-long guess costs the same time as any other.
    too_long = len(password) > MAX_PASSWORD
    try:
        return _hasher.verify(password_hash, password[:MAX_PASSWORD]) and not too_long
    except (VerificationError, InvalidHashError):
        return False


async def _check_throttle(db: Database, keys: tuple[str, str], attempt: list[int]) -> None:
    window = timedelta(seconds=settings.LOGIN_WINDOW_SECONDS)
    limits = (settings.LOGIN_MAX_FAILURES_PER_ACCOUNT, settings.LOGIN_MAX_FAILURES_PER_ADDRESS)
    now = await db.fetch_val(sa.select(sa.func.now()))
    for key, limit in zip(keys, limits, strict=True):
        # Every other attempt counts, finished or still running (not this one's own rows).
        recent = sa.select(login_failures.c.failed_at).where(
            login_failures.c.key == key,
            login_failures.c.failed_at > now - window,
            login_failures.c.id.not_in(attempt),
        )
        times = [row[0] for row in await db.fetch_all(recent.order_by(login_failures.c.failed_at))]
        if len(times) >= limit:
            # Allowed again once enough of the window's failures have aged out.
            unlock_at = times[len(times) - limit] + window
            retry_after = max(1, int((unlock_at - now).total_seconds()) + 1)
            raise LoginThrottled(retry_after=retry_after)
