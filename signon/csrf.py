"""CSRF protection for every HTML form POST.

The token is a random value kept in the signed session cookie; every form carries it in
a hidden field `csrf_token`. Handlers read their form through `read_form`, which refuses a
missing or wrong token with 403. tests/test_csrf.py posts to every POST route of the
route table without a token, so a handler that forgets cannot pass.
"""

from __future__ import annotations

import hmac
import secrets

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request

FIELD = "csrf_token"
SESSION_KEY = "csrf"
MAX_FORM_FIELDS = 200


def csrf_token(request: Request) -> str:
    token = request.session.get(SESSION_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[SESSION_KEY] = token
    return token


async def read_form(request: Request) -> FormData:
    """The request's form fields, after checking its CSRF token."""
    try:
        form = await request.form(max_files=0, max_fields=MAX_FORM_FIELDS)
    except Exception as exc:  # malformed bodies, too many fields: the client's fault
        raise HTTPException(400, "The form could not be read.") from exc
    expected = request.session.get(SESSION_KEY)
    given = form.get(FIELD)
    if not expected or not isinstance(given, str) or not hmac.compare_digest(expected, given):
        raise HTTPException(
            403,
            "This form has expired or did not come from this site. "
            "Go back, reload the page and submit it again.",
        )
    return form
