"""The invitation and the reminder: their text, in the invitee's language, and headers.

Every one carries a one-click unsubscribe (RFC 8058: `List-Unsubscribe` with an https
link, and `List-Unsubscribe-Post`), and comes from the campaign's sponsors by name, at
MAIL_FROM's address (a message sent at another domain's address would fail its DMARC).
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from email.utils import formataddr, parseaddr
from typing import Any

from signon import settings
from signon.campaigns import Campaign
from signon.i18n import gettext_ as _
from signon.i18n import set_locale
from signon.invitations.links import InviteLinks, make_invite_token, make_unsubscribe_token
from signon.mail import render_email


@dataclass(frozen=True)
class InvitationEmail:
    subject: str
    text: str
    html: str
    headers: dict[str, str]


def sender(campaign: Campaign) -> str:
    """From: the campaign's sponsors by name, at MAIL_FROM's address."""
    name, address = parseaddr(settings.MAIL_FROM)
    sponsors = ", ".join(sponsor.name for sponsor in campaign.sponsors)
    return formataddr(((sponsors or name or "Signon")[:200], address))


def unsubscribe_headers(unsubscribe_url: str) -> dict[str, str]:
    """RFC 8058's two headers; a mailto too where MAIL_FROM is a real mailbox (its mail is
    read by staff: Signon receives no email)."""
    targets = [f"<{unsubscribe_url}>"]
    address = parseaddr(settings.MAIL_FROM)[1]
    domain = address.rpartition("@")[2]
    if "." in domain and not domain.endswith((".localhost", ".local", ".invalid")):
        targets.append(f"<mailto:{address}?subject=unsubscribe>")
    return {
        "List-Unsubscribe": ", ".join(targets),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def invitation_email(
    campaign: Campaign,
    invitation_id: int,
    nonce: str,
    email: str,
    locale: str,
    details: dict[str, Any],
    links: InviteLinks,
    *,
    reminder: bool = False,
    now: float | None = None,
) -> InvitationEmail:
    """The invitation (or a reminder) to one address, in `locale`."""
    invite_url = links.invite(campaign.slug, make_invite_token(invitation_id, nonce, now=now))
    unsubscribe_url = links.unsubscribe(make_unsubscribe_token(email))

    def render() -> tuple[str, str, str]:
        set_locale(locale)  # in a copy of the context: the caller's language is untouched
        if reminder:
            subject = _("Reminder: will you sign “%(title)s”?") % {"title": campaign.title}
        else:
            subject = _("Will you sign “%(title)s”?") % {"title": campaign.title}
        context = {
            "campaign": campaign,
            "details": details,
            "invite_url": invite_url,
            "unsubscribe_url": unsubscribe_url,
            "reminder": reminder,
            "max_age_days": settings.INVITE_MAX_AGE_DAYS,
        }
        return render_email("invite", subject, context)

    subject, text, html = contextvars.copy_context().run(render)
    headers = {"From": sender(campaign), **unsubscribe_headers(unsubscribe_url)}
    return InvitationEmail(subject=subject[:300], text=text, html=html, headers=headers)
