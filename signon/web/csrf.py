"""CSRF protection for every HTML form POST.

The token is a random value kept in the signed session cookie; every form carries it in
a hidden field `csrf_token`. Handlers read their form through `read_form`, which refuses a
missing or wrong token with 403. tests/web/test_csrf.py posts to every POST route of the
route table without a token, so a handler that forgets cannot pass.
"""

from __future__ import annotations

import hmac
import secrets

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request

from signon.i18n import gettext_ as _

FIELD = "csrf_token"
SESSION_KEY = "csrf"
MAX_FORM_FIELDS = 200
# No form of Signon's is near this: the longest, a letter's text, is 100,000 characters.
MAX_FORM_BYTES = 2 * 1024 * 1024


def csrf_token(request: Request) -> str:
    token = request.session.get(SESSION_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[SESSION_KEY] = token
    return token


async def read_form(request: Request) -> FormData:
    """The request's form fields, after checking its CSRF token and that they are text."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > MAX_FORM_BYTES:
        raise HTTPException(413, _("The form is too large to be sent."))
    try:
        form = await request.form(max_files=0, max_fields=MAX_FORM_FIELDS)
    except HTTPException as exc:
        if exc.status_code in (408, 413):  # too slow or too large (web/bodylimit.py): say so
            raise
        raise HTTPException(
            400, _("The form could not be read: a field is too long or the form is malformed.")
        ) from exc
    except Exception as exc:  # malformed bodies, too many or too long fields: the client's fault
        raise HTTPException(
            400, _("The form could not be read: a field is too long or the form is malformed.")
        ) from exc
    _check_token(request, form)
    _check_text(form)
    return form


def _check_token(request: Request, form: FormData) -> None:
    expected = request.session.get(SESSION_KEY)
    given = form.get(FIELD)
    # Compared as bytes: compare_digest raises on str with non-ASCII characters.
    if not (
        expected
        and isinstance(given, str)
        and hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace"))
    ):
        raise HTTPException(
            403,
            _(
                "This form has expired or did not come from this site. "
                "Go back, reload the page and submit it again."
            ),
        )


def _check_text(form: FormData) -> None:
    # U+FFFD is what the parser puts in place of bytes that are not UTF-8, so a field
    # holding it was not sent as text; NUL is refused by PostgreSQL. Better a clear 400
    # than mangled text stored or a driver error.
    for _name, value in form.multi_items():
        if isinstance(value, str) and ("\x00" in value or "\ufffd" in value):
            raise HTTPException(
                400,
                _(
                    "The form contains characters that are not valid text. "
                    "Check what you typed or pasted and submit it again."
                ),
            )
