"""Public pages: the list of open campaigns, a campaign's page with its sign form, counts
and signatories, the embeddable count widget and the social-sharing card."""

from __future__ import annotations

from datetime import datetime

from anyio import to_thread
from babel.dates import format_date
from babel.numbers import format_decimal
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from signon import campaign_rules, campaigns, settings
from signon.i18n import current_locale, ngettext_
from signon.i18n import gettext_ as _
from signon.public import counts, signatories
from signon.public.counts import CampaignSummary
from signon.public.ogimage import Card, render_card
from signon.public.tilemap import build_tilemap
from signon.views.signing import render_campaign_page
from signon.vocabulary import CampaignKind, CampaignStatus
from signon.web.templating import render, templates

# The widget is meant for partners' iframes: framing allowed from anywhere, nothing else
# loosened (no script at all).
EMBED_CSP = (
    "default-src 'none'; img-src 'self'; style-src 'self'; frame-ancestors *; "
    "base-uri 'none'; form-action 'none'"
)
PUBLIC_CACHE = "public, max-age=5"


async def home(request: Request) -> Response:
    found = await campaigns.list_campaigns(request.app.state.db, statuses=(CampaignStatus.OPEN,))
    return render(request, "public/home.html", {"campaigns": found})


async def _summary(request: Request) -> CampaignSummary:
    state = request.app.state
    return await counts.find_summary(state.db, state.process, request.path_params["slug"])


def number(value: int) -> str:
    """A count written the reader's way: 1,234 in English, 1.234 in Spanish."""
    return format_decimal(value, locale=current_locale())


def long_date(value: datetime) -> str:
    """A date as people write it, in US Eastern time (the time Congress keeps)."""
    local = value.astimezone(campaign_rules.FORM_TIMEZONE)
    return format_date(local, format="long", locale=current_locale())


def count_text(verified: int) -> str:
    return ngettext_("%(num)s verified signer", "%(num)s verified signers", verified) % {
        "num": number(verified)
    }


async def _counts_html(request: Request, summary: CampaignSummary) -> tuple[Markup, Markup]:
    """The tile map and the signatory list as HTML: the bulk of the page, rendered once
    per language and kept with the cached list (signon/public/signatories.py) it was made from."""
    listed = await signatories.get_signatories(
        request.app.state.db, request.app.state.process, summary
    )

    def make() -> tuple[Markup, Markup]:
        env = templates.env
        tilemap = build_tilemap(summary.counts.state_dict())
        map_html = env.get_template("_partials/tilemap.html").render(tilemap=tilemap, number=number)
        list_html = env.get_template("_partials/signer_list.html").render(
            groups=listed.groups(), number=number
        )
        # Rendered by the autoescaping environment: safe to insert as is.
        return Markup(map_html), Markup(list_html)  # noqa: S704

    return listed.derive(("html", current_locale(), summary.counts.fingerprint), make)


def _absolute(request: Request, name: str, **params: str) -> str:
    return settings.BASE_URL + str(request.app.url_path_for(name, **params))


async def campaign_page(request: Request) -> Response:
    summary = await _summary(request)
    campaign = await counts.get_public_campaign(
        request.app.state.db, request.app.state.process, summary
    )
    map_html, list_html = await _counts_html(request, summary)
    showcase = {
        "summary": summary,
        "count_text": count_text(summary.counts.verified),
        "number": number,
        "long_date": long_date,
        "tilemap": map_html,
        "signer_list": list_html,
        "page_url": _absolute(request, "campaigns:detail", slug=summary.slug),
        "image_url": _absolute(request, "campaigns:og_image", slug=summary.slug)
        + f"?lang={current_locale()}",
    }
    return render_campaign_page(request, campaign, showcase=showcase)


async def embed(request: Request) -> Response:
    summary = await _summary(request)
    response = render(
        request,
        "public/embed.html",
        {
            "summary": summary,
            "count_text": count_text(summary.counts.verified),
            "number": number,
            "accepting": summary.accepts_signatures(request.app.state.clock()),
        },
    )
    # Its own policy, so SecurityHeadersMiddleware leaves frame-ancestors 'none' off it.
    response.headers["content-security-policy"] = EMBED_CSP
    response.headers["cache-control"] = PUBLIC_CACHE
    return response


async def og_image(request: Request) -> Response:
    summary = await _summary(request)
    goal, verified = summary.goal, summary.counts.verified
    card = Card(
        title=summary.title,
        count_text=count_text(verified),
        goal_text=_("Goal: %(goal)s") % {"goal": number(goal)} if goal else "",
        fraction=verified / goal if goal else None,
        footer="Signon · "
        + (_("Open letter") if summary.kind == CampaignKind.LETTER else _("Statement")),
    )
    # Cards by their content: the same words and numbers give the same PNG.
    cards = request.app.state.process.cards
    png = cards.get(card, None)
    if png is None:
        # Drawing takes tens of milliseconds: off the event loop.
        png = cards.put(card, None, await to_thread.run_sync(render_card, card))
    return Response(png, media_type="image/png", headers={"cache-control": "public, max-age=60"})
