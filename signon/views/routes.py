"""The route table: every URL of the site, named, in one place (STYLE.md 3).

URLs are built with `url_for` and these names, never by hand. The router tries routes in
order: the JSON API comes first, since it takes the most requests (sign POSTs, partners
polling counts) and its paths clash with no other route.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.convertors import IntegerConvertor, register_url_convertor
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from signon import settings
from signon.views import (
    api,
    health,
    invitations,
    letters,
    public,
    public_api,
    signing,
    staff_audit,
    staff_auth,
    staff_campaigns,
    staff_datasets,
    staff_exports,
    staff_outbox,
    staff_review,
    staff_users,
)


class IdConvertor(IntegerConvertor):
    """A row's id in a path: `{name:id}`. At most 18 digits: Starlette's `int` takes any
    number, and int() refuses 5,000 of them while PostgreSQL's bigint refuses 2**63 (both
    a 500); a longer number is simply no such page."""

    regex = "[0-9]{1,18}"


register_url_convertor("id", IdConvertor())


def get(path: str, endpoint: Callable[..., Any], name: str) -> Route:
    return Route(path, endpoint, methods=["GET"], name=name)


def post(path: str, endpoint: Callable[..., Any], name: str) -> Route:
    return Route(path, endpoint, methods=["POST"], name=name)


def routes() -> list[BaseRoute]:
    """Every route of the site; create_app and the CLI (for absolute links) use it."""
    return [
        Mount(
            "/api/v1",
            routes=[
                get("/divisions", api.list_divisions, "api:divisions"),
                get("/campaigns", public_api.list_campaigns, "api:campaigns"),
                get("/campaigns/{slug}", public_api.campaign_detail, "api:campaign"),
                # The signatory list and POST of a signature (create_signature) share a path:
                # views/public_api.py routes both methods, so a 405 lists both in Allow.
                Route(
                    "/campaigns/{slug}/signatures",
                    public_api.signatures,
                    methods=["GET", "POST"],
                    name="api:signatures",
                ),
                get("/openapi.json", public_api.openapi_json, "api:openapi"),
            ],
            middleware=api.MIDDLEWARE,
        ),
        get("/healthz", health.healthz, "health:live"),
        get("/readyz", health.readyz, "health:ready"),
        get("/", public.home, "public:home"),
        get("/c/{slug}", public.campaign_page, "campaigns:detail"),
        get("/c/{slug}/embed", public.embed, "campaigns:embed"),
        get("/c/{slug}/og.png", public.og_image, "campaigns:og_image"),
        post("/c/{slug}/sign", signing.submit, "signing:submit"),
        get("/c/{slug}/thanks", signing.thanks, "signing:thanks"),
        get("/c/{slug}/confirm/{token}", signing.confirm_page, "signing:confirm"),
        post("/c/{slug}/confirm/{token}", signing.confirm, "signing:confirm_submit"),
        get("/c/{slug}/withdraw/{token}", signing.withdraw_page, "signing:withdraw"),
        post("/c/{slug}/withdraw/{token}", signing.withdraw, "signing:withdraw_submit"),
        post("/c/{slug}/withdraw-link", signing.request_withdraw_link, "signing:withdraw_link"),
        get("/c/{slug}/i/{token}", invitations.invite_page, "invitations:page"),
        post("/c/{slug}/i/{token}", invitations.invite_sign, "invitations:sign"),
        get("/unsubscribe/{token}", invitations.unsubscribe_page, "invitations:unsubscribe"),
        post("/unsubscribe/{token}", invitations.unsubscribe, "invitations:unsubscribe_submit"),
        get("/staff/campaigns/{slug}/invitations", invitations.staff_page, "invitations:staff"),
        post("/staff/campaigns/{slug}/invitations", invitations.upload, "invitations:upload"),
        post(
            "/staff/campaigns/{slug}/invitations/earlier",
            invitations.from_earlier,
            "invitations:earlier",
        ),
        post(
            "/staff/campaigns/{slug}/invitations/roster",
            invitations.from_roster,
            "invitations:roster",
        ),
        post(
            "/staff/campaigns/{slug}/invitations/remind", invitations.remind, "invitations:remind"
        ),
        get("/c/{slug}/letter.pdf", letters.public_pdf, "letters:pdf"),
        get("/staff/campaigns/{slug}/letter", letters.staff_page, "letters:staff"),
        get("/staff/campaigns/{slug}/letter.pdf", letters.staff_pdf, "letters:staff_pdf"),
        get("/staff/campaigns/{slug}/packets.zip", letters.packets_zip, "letters:packets"),
        get("/staff/campaigns/{slug}/packets/{state}.pdf", letters.packet_pdf, "letters:packet"),
        post("/staff/campaigns/{slug}/deliver", letters.deliver, "letters:deliver"),
        get("/staff/login", staff_auth.login_form, "staff:login"),
        post("/staff/login", staff_auth.login, "staff:login_submit"),
        post("/staff/logout", staff_auth.logout, "staff:logout"),
        get("/staff/", staff_campaigns.dashboard, "staff:dashboard"),
        get("/staff/campaigns/new", staff_campaigns.campaign_new, "staff:campaign_new"),
        post("/staff/campaigns/new", staff_campaigns.campaign_create, "staff:campaign_create"),
        get("/staff/campaigns/{slug}", staff_campaigns.campaign_detail, "staff:campaign"),
        get("/staff/campaigns/{slug}/edit", staff_campaigns.campaign_edit, "staff:campaign_edit"),
        post(
            "/staff/campaigns/{slug}/edit", staff_campaigns.campaign_update, "staff:campaign_update"
        ),
        post("/staff/campaigns/{slug}/open", staff_campaigns.campaign_open, "staff:campaign_open"),
        post(
            "/staff/campaigns/{slug}/close", staff_campaigns.campaign_close, "staff:campaign_close"
        ),
        get("/staff/users", staff_users.users, "staff:users"),
        post("/staff/users", staff_users.user_create, "staff:user_create"),
        post("/staff/users/{staff_id:id}", staff_users.user_update, "staff:user_update"),
        get("/staff/audit", staff_audit.audit, "staff:audit"),
        get("/staff/outbox", staff_outbox.outbox, "staff:outbox"),
        post("/staff/outbox/links", staff_outbox.reveal, "staff:outbox_reveal"),
        get("/staff/datasets", staff_datasets.datasets, "staff:datasets"),
        get("/staff/campaigns/{slug}/review", staff_review.queue, "review:queue"),
        post("/staff/campaigns/{slug}/review", staff_review.decide, "review:decide"),
        post("/staff/campaigns/{slug}/recompute", staff_review.recompute, "review:recompute"),
        post(
            "/staff/campaigns/{slug}/signatures/{signature_id:id}/office",
            staff_review.edit_office,
            "review:edit_office",
        ),
        get("/staff/campaigns/{slug}/export.csv", staff_exports.export_csv, "staff:export_csv"),
        Mount("/static", StaticFiles(directory=settings.PROJECT_DIR / "static"), name="static"),
    ]
