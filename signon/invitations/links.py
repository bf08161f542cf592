"""Signed links in invitations: `/c/{slug}/i/{token}` and `/unsubscribe/{token}`.

Signed like the confirm links (itsdangerous with SECRET_KEY), each with its own salt, so
no other link of Signon's can pass for one. An invite token carries (invitation id, nonce)
and expires after INVITE_MAX_AGE_DAYS; the unsubscribe token carries the address and
never expires: an old email's unsubscribe link must keep working.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Protocol

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from signon import settings
from signon.errors import InvalidInvitation
from signon.i18n import gettext_ as _

INVITE_SALT = "signon.invitation"
UNSUBSCRIBE_SALT = "signon.unsubscribe"
MAX_TOKEN_LENGTH = 500


class InviteLinks(Protocol):
    """Absolute URLs for the links in invitations (built from the route table)."""

    def invite(self, slug: str, token: str) -> str: ...
    def unsubscribe(self, token: str) -> str: ...


class _ClockedSigner(TimestampSigner):
    """A TimestampSigner whose clock can be set, so tests need not wait for expiry."""

    clock: float | None = None

    def get_timestamp(self) -> int:
        return int(self.clock) if self.clock is not None else super().get_timestamp()


@cache
def _secret() -> str:
    return settings.secret_key()  # reads ./var/secret_key in development: once, not per link


@lru_cache(maxsize=16)  # an import or a reminder round makes thousands with one clock
def _serializer(salt: str, now: float | None) -> URLSafeTimedSerializer:
    signer = type("Signer", (_ClockedSigner,), {"clock": now})
    return URLSafeTimedSerializer(_secret(), salt=salt, signer=signer)


def make_invite_token(invitation_id: int, nonce: str, *, now: float | None = None) -> str:
    return _serializer(INVITE_SALT, now).dumps([invitation_id, nonce])


def read_invite_token(token: str, *, now: float | None = None) -> tuple[int, str]:
    """(invitation id, nonce), or InvalidInvitation with a message for people."""
    invalid = _("This invitation link is not valid. Use the link in your most recent email.")
    if len(token) > MAX_TOKEN_LENGTH:
        raise InvalidInvitation(invalid)
    try:
        payload = _serializer(INVITE_SALT, now).loads(
            token, max_age=settings.INVITE_MAX_AGE_DAYS * 86400
        )
    except SignatureExpired as exc:
        raise InvalidInvitation(
            _("This invitation has expired. You can still sign on the campaign's page.")
        ) from exc
    except BadSignature as exc:
        raise InvalidInvitation(invalid) from exc
    if not (
        isinstance(payload, list)
        and len(payload) == 2
        and isinstance(payload[0], int)
        and isinstance(payload[1], str)
    ):
        raise InvalidInvitation(invalid)
    return payload[0], payload[1]


def make_unsubscribe_token(email: str) -> str:
    return _serializer(UNSUBSCRIBE_SALT, None).dumps(email)


def read_unsubscribe_token(token: str) -> str:
    """The address an unsubscribe link was made for."""
    invalid = _("This unsubscribe link is not valid. Use the link in your most recent email.")
    if len(token) > MAX_TOKEN_LENGTH:
        raise InvalidInvitation(invalid)
    try:
        email = _serializer(UNSUBSCRIBE_SALT, None).loads(token)
    except BadSignature as exc:
        raise InvalidInvitation(invalid) from exc
    if not isinstance(email, str) or not email:
        raise InvalidInvitation(invalid)
    return email
