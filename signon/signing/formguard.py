"""Bot checks for the HTML sign form: a honeypot field and a minimum fill time.

The form carries a signed timestamp of when it was shown; a submission faster than
MIN_FILL_SECONDS, or with the honeypot filled, is refused with the same neutral message a
person can act on (submit again), never saying which check caught it.
"""

from __future__ import annotations

import time
from functools import cache

from itsdangerous import BadSignature, TimestampSigner

from signon import settings

HONEYPOT_FIELD = "website"
STAMP_FIELD = "form_started"
MAX_FORM_AGE_SECONDS = 24 * 3600


@cache
def _signer() -> TimestampSigner:
    return TimestampSigner(settings.secret_key(), salt="signon.form-started")


def issue_stamp(now: float | None = None) -> str:
    # Wall seconds, not app.state.clock: this times how long a person took to fill the
    # form, a duration; the app's clock is the date the rules see (fixed in tests).
    moment = time.time() if now is None else now
    return _signer().sign(repr(moment)).decode()


def looks_automated(
    form: dict[str, str], min_fill_seconds: float, now: float | None = None
) -> bool:
    if form.get(HONEYPOT_FIELD, "").strip():
        return True
    if min_fill_seconds <= 0:
        return False
    try:
        started = float(_signer().unsign(form.get(STAMP_FIELD, "")).decode())
    except (BadSignature, ValueError):
        return True
    elapsed = (time.time() if now is None else now) - started
    return not (min_fill_seconds <= elapsed <= MAX_FORM_AGE_SECONDS)
