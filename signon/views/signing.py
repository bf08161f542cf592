"""Signing through the HTML form, and the confirm and withdraw links from the email.

A GET never changes anything: government mail scanners open every link in a message, so
the links show a page with a button, and only its POST acts (SPEC section 4).
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from signon import campaigns, settings
from signon.campaigns import Campaign
from signon.errors import ValidationFailed
from signon.i18n import current_locale
from signon.i18n import gettext_ as _
from signon.invitations import on_behalf
from signon.offices import OFFICE_LEVELS
from signon.signing import formguard, signatures
from signon.signing.rules import FIELDS, parse_signature
from signon.views import invitations
from signon.web.csrf import read_form
from signon.web.ratelimit import client_address
from signon.web.templating import flash, render


class AppLinks:
    """Absolute links for emails: BASE_URL plus the path of a named route."""

    def __init__(self, app: Starlette) -> None:
        self.app = app
        # Each link's URL up to its token, per route and campaign (kept by the app's
        # ProcessState): url_path_for walks the route table (raising NoMatchFound at each
        # miss), a cost every sign POST paid twice.
        self._prefixes = app.state.process.link_prefixes

    def _url(self, name: str, slug: str, token: str) -> str:
        key = (name, slug)
        prefix = self._prefixes.get(key)
        if prefix is None:
            if len(self._prefixes) > 1000:
                self._prefixes.clear()
            path = str(self.app.url_path_for(name, slug=slug, token="-"))  # noqa: S106
            prefix = self._prefixes[key] = path.removesuffix("-")
        return settings.BASE_URL + prefix + token

    def confirm(self, slug: str, token: str) -> str:
        return self._url("signing:confirm", slug, token)

    def withdraw(self, slug: str, token: str) -> str:
        return self._url("signing:withdraw", slug, token)


def render_campaign_page(
    request: Request,
    campaign: Campaign,
    values: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    status_code: int = 200,
    showcase: dict[str, Any] | None = None,
) -> Response:
    """The campaign page with its sign form; with values and errors when a submission is
    shown again (here, by submit).

    `showcase` holds the counts, map and signatories (views/public.campaign_page); a form
    shown again after an error goes without them.
    """
    return render(
        request,
        "public/campaign.html",
        {
            "showcase": showcase,
            "campaign": campaign,
            "accepting": campaign.accepts_signatures(request.app.state.clock()),
            "values": values or {},
            "errors": errors or {},
            "levels": [level for level in OFFICE_LEVELS if level in campaign.allowed_levels],
            "form_stamp": formguard.issue_stamp(),
            "honeypot": formguard.HONEYPOT_FIELD,
        },
        status_code=status_code,
    )


async def submit(request: Request) -> Response:
    db, process = request.app.state.db, request.app.state.process
    campaign = await campaigns.get_campaign_to_sign(db, process, request.path_params["slug"])
    form = await read_form(request)
    values = {name: str(form.get(name) or "") for name in (*FIELDS, *on_behalf.FIELDS)}
    raw = {key: str(value) for key, value in form.items()}
    if formguard.looks_automated(raw, request.app.state.min_fill_seconds):
        # One neutral message for every bot check: it never says which check failed.
        message = _(
            "We could not accept this submission. "
            "Please check your details and send the form again."
        )
        return render_campaign_page(request, campaign, values, {"form": [message]}, 400)
    await request.app.state.limiter.hit("sign", client_address(request))
    if values["for_official"]:  # the official's staff, signing for them
        return await invitations.submit_for_official(request, campaign, values)
    try:
        fields = parse_signature(values, campaign.allowed_levels)
        await signatures.sign_campaign(
            db,
            process,
            campaign,
            fields,
            locale=current_locale(),
            links=AppLinks(request.app),
            now=request.app.state.clock(),
        )
    except ValidationFailed as exc:
        return render_campaign_page(request, campaign, values, exc.errors, 400)
    return RedirectResponse(request.url_for("signing:thanks", slug=campaign.slug), status_code=303)


async def thanks(request: Request) -> Response:
    campaign = await campaigns.get_campaign(
        request.app.state.db, request.path_params["slug"], public=True
    )
    return render(request, "public/thanks.html", {"campaign": campaign})


async def _link_page(request: Request, purpose: str) -> Response:
    db = request.app.state.db
    slug, token = request.path_params["slug"], request.path_params["token"]
    campaign = await campaigns.get_campaign(db, slug, public=True)
    signature = await signatures.signature_for_link(db, slug, token, purpose)
    return render(
        request,
        f"public/{purpose}.html",
        {"campaign": campaign, "details": signature.details(), "token": token},
    )


async def confirm_page(request: Request) -> Response:
    return await _link_page(request, "confirm")


async def withdraw_page(request: Request) -> Response:
    return await _link_page(request, "withdraw")


async def confirm(request: Request) -> Response:
    await read_form(request)
    await request.app.state.limiter.hit("confirm", client_address(request))
    slug = request.path_params["slug"]
    await signatures.confirm_signature(
        request.app.state.db, slug, request.path_params["token"], now=request.app.state.clock()
    )
    flash(request, _("Thank you: your signature is confirmed. It will be listed once verified."))
    return RedirectResponse(request.url_for("campaigns:detail", slug=slug), status_code=303)


async def withdraw(request: Request) -> Response:
    await read_form(request)
    slug = request.path_params["slug"]
    await signatures.withdraw_signature(request.app.state.db, slug, request.path_params["token"])
    flash(request, _("Your signature has been withdrawn."))
    return RedirectResponse(request.url_for("campaigns:detail", slug=slug), status_code=303)


async def request_withdraw_link(request: Request) -> Response:
    """After delivery: a fresh withdraw link by email. The answer never says whether the
    address signed."""
    form = await read_form(request)
    db = request.app.state.db
    campaign = await campaigns.get_campaign(db, request.path_params["slug"], public=True)
    await request.app.state.limiter.hit("sign", client_address(request))
    email = str(form.get("email") or "")[:254]
    await signatures.send_withdraw_link(db, campaign, email, AppLinks(request.app))
    flash(request, _("If this address signed, a link to withdraw is on its way to it."))
    return RedirectResponse(
        request.url_for("campaigns:detail", slug=campaign.slug), status_code=303
    )
