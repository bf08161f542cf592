"""Invitations: the personal link's page and its signature, unsubscribing, and the staff
page that invites (a CSV upload, earlier signers, the roster) and reminds.

The link's GET changes nothing but the invitation's "opened" mark: mail scanners open
every link in a message, so only the page's POST signs.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Router

from signon import campaigns, settings
from signon.campaigns import Campaign
from signon.errors import ValidationFailed
from signon.i18n import LOCALES, current_locale
from signon.i18n import gettext_ as _
from signon.invitations import csvfile, invitees, on_behalf, signing, sources, status
from signon.invitations.links import read_unsubscribe_token
from signon.offices import OFFICE_LEVELS
from signon.signing.rules import FIELDS, parse_signature
from signon.views.staff_auth import staff_required
from signon.web import csrf
from signon.web.csrf import read_form
from signon.web.templating import flash, render

# The sign form's fields but the email: the invitation's address is the signer's.
PAGE_FIELDS = tuple(name for name in FIELDS if name != "email")
ONE_CLICK = "List-Unsubscribe=One-Click"


class RouteLinks:
    """Absolute links for invitations: BASE_URL plus a named route's path."""

    def __init__(self, router: Router) -> None:
        self.router = router

    def invite(self, slug: str, token: str) -> str:
        return settings.BASE_URL + str(
            self.router.url_path_for("invitations:page", slug=slug, token=token)
        )

    def unsubscribe(self, token: str) -> str:
        return settings.BASE_URL + str(
            self.router.url_path_for("invitations:unsubscribe", token=token)
        )


def _invite_page(
    request: Request, invitation: signing.OpenInvitation, values: dict[str, Any], errors: Any
) -> Response:
    campaign = invitation.campaign
    return render(
        request,
        "invitations/invite.html",
        {
            "campaign": campaign,
            "email": invitation.email,
            "values": values,
            "errors": errors,
            "token": request.path_params["token"],
            "levels": [level for level in OFFICE_LEVELS if level in campaign.allowed_levels],
        },
        status_code=400 if errors else 200,
    )


async def invite_page(request: Request) -> Response:
    invitation = await signing.open_invitation(
        request.app.state.db,
        request.path_params["slug"],
        request.path_params["token"],
        now=request.app.state.clock(),
    )
    return _invite_page(request, invitation, invitation.details, {})


async def invite_sign(request: Request) -> Response:
    form = await read_form(request)
    db, slug, token = (
        request.app.state.db,
        request.path_params["slug"],
        request.path_params["token"],
    )
    values = {name: str(form.get(name) or "") for name in PAGE_FIELDS}
    now = request.app.state.clock()
    try:
        await signing.sign_invitation(db, slug, token, values, now=now)
    except ValidationFailed as exc:
        invitation = await signing.open_invitation(db, slug, token, now=now)
        return _invite_page(request, invitation, values, exc.errors)
    flash(request, _("Thank you: your signature is recorded. It will be listed once verified."))
    return RedirectResponse(request.url_for("campaigns:detail", slug=slug), status_code=303)


async def unsubscribe_page(request: Request) -> Response:
    email = read_unsubscribe_token(request.path_params["token"])
    done = await status.is_unsubscribed(request.app.state.db, email)
    return render(
        request,
        "invitations/unsubscribe.html",
        {"token": request.path_params["token"], "done": done},
    )


async def unsubscribe(request: Request) -> Response:
    # RFC 8058: a mail client's one-click unsubscribe is a POST of exactly
    # "List-Unsubscribe=One-Click", made without cookies, so it cannot carry a CSRF token.
    # The signed token in the path is the proof instead: it names one address and can only
    # come from a message sent to it, and the worst a forged POST could do is unsubscribe
    # that address. Any other POST is the page's form and is CSRF-checked as usual.
    body = await request.body()
    if body.strip() != ONE_CLICK.encode():
        await read_form(request)
    email = read_unsubscribe_token(request.path_params["token"])
    await status.unsubscribe(request.app.state.db, email)
    if body.strip() == ONE_CLICK.encode():
        return Response(status_code=204)
    return render(
        request,
        "invitations/unsubscribe.html",
        {"token": request.path_params["token"], "done": True},
    )


# --- Staff ----------------------------------------------------------------------------


async def _staff_page(
    request: Request, errors: dict[str, list[str]] | None = None, report: Any = None
) -> Response:
    db = request.app.state.db
    campaign = await campaigns.get_campaign(db, request.path_params["slug"])
    context = {
        "campaign": campaign,
        "overview": await status.campaign_overview(db, campaign.id),
        "remindable": await invitees.count_remindable(db, campaign.id),
        "errors": errors or {},
        "report": report,
        "chambers": sources.CHAMBERS,
        "locales": LOCALES,
    }
    return render(request, "invitations/staff.html", context, status_code=400 if errors else 200)


@staff_required
async def staff_page(request: Request) -> Response:
    return await _staff_page(request)


async def _read_upload(request: Request) -> FormData:
    """The upload form: one file, CSRF-checked (read_form takes no files)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > csvfile.MAX_BYTES + 64 * 1024:
        raise HTTPException(413, _("The file is larger than 10 MB. Split it into smaller files."))
    try:
        form = await request.form(max_files=1, max_fields=csrf.MAX_FORM_FIELDS)
    except Exception as exc:  # a malformed body is the client's fault
        raise HTTPException(400, _("The form could not be read.")) from exc
    csrf._check_token(request, form)
    return form


def _links(request: Request) -> RouteLinks:
    return RouteLinks(request.app.router)


def _locale(form: FormData) -> str:
    chosen = str(form.get("language") or "")
    return chosen if chosen in LOCALES else "en"


@staff_required
async def upload(request: Request) -> Response:
    form = await _read_upload(request)
    file, locale = form.get("file"), _locale(form)
    try:
        data = await file.read(csvfile.MAX_BYTES + 1) if isinstance(file, UploadFile) else None
    finally:
        await form.close()  # the upload's temporary file
    if not data:
        return await _staff_page(request, {"file": [_("Choose a CSV file to upload.")]})
    try:
        found = csvfile.read_invitees(data)
    except ValidationFailed as exc:
        return await _staff_page(request, exc.errors)
    result = await _add(request, found.invitees, "csv", locale)
    return await _staff_page(request, report={"result": result, "bad_rows": found.bad_rows})


async def _add(
    request: Request,
    found: list[csvfile.Invitee],
    source: str,
    locale: str,
    roster_ids: dict[str, str] | None = None,
) -> invitees.AddResult:
    db = request.app.state.db
    campaign = await campaigns.get_campaign(db, request.path_params["slug"])
    return await invitees.add_invitees(
        db,
        request.state.staff.as_actor(),
        campaign,
        found,
        source=source,
        links=_links(request),
        default_locale=locale,
        roster_ids=roster_ids,
        now=request.app.state.clock(),
    )


@staff_required
async def from_earlier(request: Request) -> Response:
    form = await read_form(request)
    found = await sources.earlier_signers(request.app.state.db, str(form.get("from_slug") or ""))
    result = await _add(request, found, "earlier", _locale(form))
    return await _staff_page(request, report={"result": result, "bad_rows": []})


@staff_required
async def from_roster(request: Request) -> Response:
    form = await read_form(request)
    found, person_ids = await sources.roster_members(
        request.app.state.db,
        str(form.get("state") or "").upper(),
        str(form.get("chamber") or ""),
        now=request.app.state.clock(),
    )
    result = await _add(request, found, "roster", _locale(form), person_ids)
    return await _staff_page(request, report={"result": result, "bad_rows": []})


@staff_required
async def remind(request: Request) -> Response:
    await read_form(request)
    db = request.app.state.db
    campaign = await campaigns.get_campaign(db, request.path_params["slug"])
    count = await invitees.send_reminders(
        db,
        request.state.staff.as_actor(),
        campaign,
        links=_links(request),
        now=request.app.state.clock(),
    )
    flash(request, f"Reminders queued: {count}.")
    return RedirectResponse(
        request.url_for("invitations:staff", slug=campaign.slug), status_code=303
    )


async def submit_for_official(
    request: Request, campaign: Campaign, values: dict[str, str]
) -> Response:
    """The sign form, sent by the official's staff (views/signing.submit hands it here)."""
    from signon.views.signing import AppLinks, render_campaign_page

    errors: dict[str, list[str]] = {}
    fields = submitter = None
    try:
        fields = parse_signature(values, campaign.allowed_levels)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    try:
        submitter = on_behalf.parse_submitter(values)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if errors or fields is None or submitter is None:
        return render_campaign_page(request, campaign, values, errors, 400)
    await on_behalf.sign_for_official(
        request.app.state.db,
        request.app.state.process,
        campaign,
        fields,
        submitter,
        locale=current_locale(),
        links=AppLinks(request.app),
        now=request.app.state.clock(),
    )
    return RedirectResponse(request.url_for("signing:thanks", slug=campaign.slug), status_code=303)
