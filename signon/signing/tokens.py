"""Signed, expiring links for signers: confirm and withdraw.

A token carries (signature id, nonce, purpose), signed with SECRET_KEY by itsdangerous.
The nonce must still match the signature's row when the link is used; using a link
rotates the nonce, so each link works once.
"""

from __future__ import annotations

import secrets
from functools import cache
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode
from itsdangerous.url_safe import URLSafeSerializerMixin

from signon import settings
from signon.errors import LinkExpired, LinkMalformed

SALT = "signon.signature-link"
PURPOSES = ("confirm", "withdraw")
MAX_TOKEN_LENGTH = 500


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


class _ClockedSigner(TimestampSigner):
    """A TimestampSigner whose clock can be set, so tests need not wait for expiry."""

    def __init__(self, *args: object, clock: float | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._clock = clock

    def get_timestamp(self) -> int:
        return int(self._clock) if self._clock is not None else super().get_timestamp()


@cache
def _secret() -> str:
    return settings.secret_key()


class _Serializer(URLSafeTimedSerializer):
    """URLSafeTimedSerializer's tokens, made without trying zlib on each payload: an id, a
    nonce and a word are too short for it to shorten, so the token is the same."""

    def dump_payload(self, obj: Any) -> bytes:
        return base64_encode(super(URLSafeSerializerMixin, self).dump_payload(obj))


def _serializer(clock: float | None) -> URLSafeTimedSerializer:
    if clock is None:
        return _real_time_serializer()
    return _Serializer(_secret(), salt=SALT, signer=_ClockedSigner, signer_kwargs={"clock": clock})


class _OneSignerSerializer(_Serializer):
    """Signs with one signer and its key derived once: itsdangerous builds a signer and
    derives its key for every token, a third of making one (bench/load_bench.py)."""

    _signer: _ClockedSigner | None = None

    def make_signer(self, salt: str | bytes | None = None) -> _ClockedSigner:
        if salt is not None and salt != self.salt:
            return super().make_signer(salt)  # type: ignore[return-value]
        if self._signer is None:
            self._signer = super().make_signer(salt)
            self._signer.derive_key = cache(self._signer.derive_key)  # type: ignore[method-assign]
        return self._signer


@cache
def _real_time_serializer() -> URLSafeTimedSerializer:
    # Built once: every sign POST makes two tokens.
    return _OneSignerSerializer(
        _secret(), salt=SALT, signer=_ClockedSigner, signer_kwargs={"clock": None}
    )


def make_token(signature_id: int, nonce: str, purpose: str, *, now: float | None = None) -> str:
    assert purpose in PURPOSES
    return _serializer(now).dumps([signature_id, nonce, purpose])


def read_token(
    token: str, purpose: str, *, max_age_seconds: int | None, now: float | None = None
) -> tuple[int, str]:
    """(signature id, nonce) from a link's token, or InvalidLink with a message for people."""
    if len(token) > MAX_TOKEN_LENGTH:
        raise LinkMalformed()
    try:
        payload = _serializer(now).loads(token, max_age=max_age_seconds)
    except SignatureExpired as exc:
        raise LinkExpired() from exc
    except BadSignature as exc:
        raise LinkMalformed() from exc
    if (
        not isinstance(payload, list)
        or len(payload) != 3
        or payload[2] != purpose
        or not isinstance(payload[0], int)
        or not isinstance(payload[1], str)
    ):
        raise LinkMalformed()
    return payload[0], payload[1]
