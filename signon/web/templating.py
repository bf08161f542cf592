"""The one Jinja environment: autoescaped, translated through Babel, with the CSRF token."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.templating import Jinja2Templates, _TemplateResponse

from signon import i18n, settings
from signon.offices import OFFICE_LEVEL_LABELS, STATES
from signon.web.csrf import csrf_token


def _format_datetime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M UTC") -> str:
    return value.strftime(fmt) if value else ""


@jinja2.pass_context
def _path_for(context: dict[str, Any], name: str, /, **params: Any) -> str:
    """The path of a named route. Pages link by path, so they work behind any proxy."""
    request: Request = context["request"]
    return str(request.app.url_path_for(name, **params))


def _make_environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(settings.PROJECT_DIR / "templates"),
        # Everything is escaped except plain-text email bodies (*.txt), which are not HTML.
        autoescape=jinja2.select_autoescape(disabled_extensions=("txt",), default=True),
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(i18n.gettext_, i18n.ngettext_, newstyle=True)  # type: ignore[attr-defined]
    env.filters["datetime"] = _format_datetime
    env.globals.update(
        csrf_token=csrf_token,
        path_for=_path_for,
        current_locale=i18n.current_locale,
        LOCALE_NAMES=i18n.LOCALE_NAMES,
        OFFICE_LEVEL_LABELS=OFFICE_LEVEL_LABELS,
        STATES=STATES,
    )
    return env


templates = Jinja2Templates(env=_make_environment())


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> _TemplateResponse:
    """Render a page. Every page's context carries the signed-in staff member, if any."""
    full = {
        "staff_user": getattr(request.state, "staff", None),
        "flashes": request.session.pop("flash", []) if "session" in request.scope else [],
    }
    full.update(context or {})
    return templates.TemplateResponse(request, name, full, status_code=status_code)


def flash(request: Request, message: str) -> None:
    """A one-time message shown on the next page (after a 303)."""
    request.session.setdefault("flash", []).append(message)
