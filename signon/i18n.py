"""Languages: English and Spanish through Babel/gettext, chosen per request.

The choice follows, in order: `?lang=xx` (the visible switch, remembered in a cookie),
the `lang` cookie, then the Accept-Language header. Catalogs are compiled from the .po
files in signon/locale at start-up, so no compiled .mo file is kept in the repository.
"""

from __future__ import annotations

import gettext
import io
from contextvars import ContextVar
from functools import cache, lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from signon import settings

LOCALES = ("en", "es")
DEFAULT_LOCALE = "en"
LOCALE_NAMES = {"en": "English", "es": "Español"}
LOCALE_DIR = Path(__file__).parent / "locale"
COOKIE = "lang"
# Where the JSON API lives: no cookies there (SPEC section 4).
API_PREFIX = "/api/"

_current: ContextVar[str] = ContextVar("locale", default=DEFAULT_LOCALE)


@cache
def translations(locale: str) -> gettext.NullTranslations:
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return gettext.NullTranslations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def current_locale() -> str:
    return _current.get()


def set_locale(locale: str) -> None:
    """For code outside a request (emails sent by the worker, the CLI)."""
    _current.set(locale if locale in LOCALES else DEFAULT_LOCALE)


def gettext_(message: str) -> str:
    return translations(_current.get()).gettext(message)


def N_(message: str) -> str:
    """Marks a msgid for extraction where it is defined; it is translated where it is used."""
    return message


def ngettext_(singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).ngettext(singular, plural, n)


@lru_cache(maxsize=256)
def negotiate(accept_language: str) -> str:
    """The best of LOCALES for an Accept-Language header value (browsers send few distinct
    values, so the answers are kept)."""
    best, best_q = DEFAULT_LOCALE, 0.0
    for part in accept_language[:1000].split(","):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if primary in LOCALES and q > best_q:
            best, best_q = primary, q
    return best


class LocaleMiddleware:
    """Sets the request's language for templates and messages (pure ASGI, so the
    context variable reaches the handler).

    The JSON API has no cookies (SPEC section 4): there the language is `?lang=` or
    Accept-Language, and nothing is remembered.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        api = scope["path"].startswith(API_PREFIX)
        # HTTPConnection parses the query string and the cookies only when asked.
        conn = HTTPConnection(scope)
        chosen = conn.query_params.get("lang") if b"lang=" in scope["query_string"] else None
        remember = chosen in LOCALES and not api
        if chosen in LOCALES:
            locale = chosen
        else:
            remembered = None if api else conn.cookies.get(COOKIE)
            locale = (
                remembered
                if remembered in LOCALES
                else negotiate(conn.headers.get("accept-language", ""))
            )
        token = _current.set(locale)
        scope.setdefault("state", {})["locale"] = locale
        vary = "Accept-Language" if api else "Accept-Language, Cookie"

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.add_vary_header(vary)
                if remember:
                    headers.append(
                        "set-cookie",
                        f"{COOKIE}={locale}; Path=/; Max-Age=31536000; SameSite=Lax"
                        + ("; Secure" if settings.is_production() else ""),
                    )
            await send(message)

        try:
            await self.app(scope, receive, send_with_cookie)
        finally:
            _current.reset(token)
