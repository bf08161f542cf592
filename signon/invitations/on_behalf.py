"""Signing for an official: their staff submit the sign form for them (SPEC section 7).

The confirmation goes to the official's roster email where the roster knows one (the
typed address if it is a current official's own, else the one current official of that
name in that state), so the official's inbox still confirms; else it goes to the
submitter, and the signature carries a mark for reviewers that keeps it from automatic
verification (invitations/submitters.py). The audit log names the submitter.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from databases import Database
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.dialects.postgresql import insert

from signon.audit import Actor, record_audit
from signon.campaigns import Campaign
from signon.errors import ValidationFailed
from signon.i18n import gettext_ as _
from signon.importing.openstates import is_current_role
from signon.signing.new_signatures import Links
from signon.signing.rules import SignatureFields
from signon.signing.signatures import SignResult, sign_campaign
from signon.state import ProcessState
from signon.tables import roster_people, roster_roles, signatures, staff_submissions

FIELDS = ("for_official", "submitter_name", "submitter_email")


@dataclass(frozen=True)
class Submitter:
    name: str
    email: str


def parse_submitter(data: Mapping[str, object]) -> Submitter | None:
    """The submitter, when the form says a staff member is signing for the official (pure)."""
    if not data.get("for_official"):
        return None
    errors: dict[str, list[str]] = {}
    name = " ".join(str(data.get("submitter_name") or "").split())
    if not name:
        errors["submitter_name"] = [_("Enter your own name.")]
    elif len(name) > 200 or not name.isprintable():
        errors["submitter_name"] = [_("Enter your name in at most 200 characters.")]
    raw = str(data.get("submitter_email") or "").strip()
    email = ""
    try:
        email = validate_email(raw[:254], check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        errors["submitter_email"] = [_("Enter your own email address, like name@example.gov.")]
    if errors:
        raise ValidationFailed(errors)
    return Submitter(name=name, email=email)


async def roster_email_for(db: Database, fields: SignatureFields, *, now: datetime) -> str | None:
    """The official's own roster email: the typed one if a current official's, else that
    of the one current official of this name in this state (two of a name: none)."""
    today = now.date().isoformat()
    name = " ".join(fields.full_name.lower().split())
    rows = await db.fetch_all(
        sa.select(
            roster_people.c.id,
            roster_people.c.emails,
            roster_roles.c.start_date,
            roster_roles.c.end_date,
        )
        .select_from(roster_people.join(roster_roles))
        .where(
            roster_people.c.state == fields.state,
            roster_people.c.retired.is_(False),
            sa.func.cardinality(roster_people.c.emails) > 0,
            sa.or_(
                roster_people.c.emails.contains([fields.email]),
                sa.func.lower(roster_people.c.name) == name,
            ),
        )
    )
    current = {
        row["id"]: list(row["emails"])
        for row in rows
        if is_current_role(row["start_date"], row["end_date"], today)
    }
    if any(fields.email in emails for emails in current.values()):
        return fields.email
    return next(iter(current.values()))[0] if len(current) == 1 else None


async def sign_for_official(
    db: Database,
    process: ProcessState,
    campaign: Campaign,
    fields: SignatureFields,
    submitter: Submitter,
    *,
    locale: str,
    links: Links,
    now: datetime,
) -> SignResult:
    """Sign as the official's staff: the signature and its confirmation go to the roster
    email, else to the submitter's; the submitter is recorded and audited."""
    roster_email = await roster_email_for(db, fields, now=now)
    signing = dataclasses.replace(fields, email=roster_email or submitter.email)
    if not roster_email:
        await _check_one_official_per_address(db, campaign, signing)
    async with db.transaction():
        result = await sign_campaign(
            db, process, campaign, signing, locale=locale, links=links, now=now
        )
        values = {
            "submitter_name": submitter.name,
            "submitter_email": submitter.email,
            "official_email": fields.email,
            "confirmation_to": "roster" if roster_email else "submitter",
        }
        await db.execute(
            insert(staff_submissions)
            .values(signature_id=result.signature_id, **values)
            .on_conflict_do_update(index_elements=["signature_id"], set_=values)
        )
        await record_audit(
            db,
            Actor(label=f"staff of the official: {submitter.email}"[:254]),
            "signature.submitted_by_staff",
            "signature",
            result.signature_id,
            campaign_id=campaign.id,
            after={**values, "submitter_name": submitter.name},
        )
    return result


async def _check_one_official_per_address(
    db: Database, campaign: Campaign, signing: SignatureFields
) -> None:
    """A signature is one per address and campaign: the submitter's address, already
    holding another official's signature, cannot take a second one (it would be read as
    a change of the first)."""
    name = await db.fetch_val(
        sa.select(signatures.c.full_name).where(
            signatures.c.campaign_id == campaign.id, signatures.c.email == signing.email
        )
    )
    if name is not None and name != signing.full_name:
        raise ValidationFailed(
            {
                "submitter_email": [
                    _(
                        "This address already submitted a signature for another official "
                        "on this campaign. Use the official's own address, or another one."
                    )
                ]
            }
        )
