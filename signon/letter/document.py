"""The letter as PDFs: its signatory list, cached renders and per-state packets (SPEC 6).

Only verified signatures are printed, grouped by state (states by name, signers by last
name). Each PDF is kept by signon/letter/renders.py under a fingerprint of everything printed
(the text, the sponsors, the date, the ordered signatory list, the addressees), so it is
reused until one of those changes. A request waits for a small letter; a long one renders
in the background while the request gets "pending" (the page answers 202 and refreshes).
Delivery (the frozen copy) is in signon/letter/delivery.py.
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import io
import json
import logging
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from databases import Database
from sqlalchemy.dialects.postgresql import aggregate_order_by

from signon.campaigns import Campaign
from signon.errors import NoDeliveredPdf, NoPacketYet, NoSignatoryFromState
from signon.letter import pdf, renders
from signon.public.signatories import (
    Signatory,
    fold,
    group_by_state,
    sort_signatories,
    state_name,
)
from signon.tables import congress_members, deliveries, signatures
from signon.vocabulary import CampaignKind, CampaignStatus, SignatureStatus

if TYPE_CHECKING:
    from signon.state import ProcessState

log = logging.getLogger(__name__)

# Part of every fingerprint: bump it when templates/pdf or static/pdf.css change the output.
LAYOUT_VERSION = 3
# An anchor of the sanitized body (signon/markdown.py writes `href` first, double-quoted,
# and anchors cannot nest).
_ANCHOR_RE = re.compile(r"<a\b[^>]*?\bhref=\"([^\"]*)\"[^>]*>(.*?)</a>", re.DOTALL)
_TAG_RE = re.compile(r"<[^>]+>")
# Up to this many signers a request waits for the render (about two seconds); beyond, 202.
INLINE_MAX_SIGNERS = 2000
LETTER_TIMEZONE = ZoneInfo("America/New_York")
TERRITORY_DELEGATES = {"DC", "AS", "GU", "MP", "VI"}


@dataclass(frozen=True)
class CongressMember:
    first_name: str
    last_name: str
    state: str
    chamber: str
    district: int | None

    def addressee_line(self) -> str:
        """ "Senator First Last", "Representative First Last, District 3" (or At-Large)."""
        name = f"{self.first_name} {self.last_name}"
        if self.chamber == "sen":
            return f"Senator {name}"
        if self.state in TERRITORY_DELEGATES:
            return f"Delegate {name}"
        if self.state == "PR":
            return f"Resident Commissioner {name}"
        seat = f"District {self.district}" if self.district else "At-Large"
        return f"Representative {name}, {seat}"


@dataclass(frozen=True)
class StateCount:
    code: str
    name: str
    count: int
    digest: str


@dataclass(frozen=True)
class PdfFile:
    """A PDF (or the packets' ZIP) ready to send, or pending while it renders."""

    filename: str
    content: bytes | None

    @property
    def pending(self) -> bool:
        return self.content is None


def _printed(campaign: Campaign) -> sa.ColumnElement[bool]:
    """Who is printed. Once delivered, the list as it was then: verified at delivery and not
    withdrawn before it (a later withdrawal leaves the live count, not the delivered letter).
    """
    s = signatures.c
    if campaign.status == CampaignStatus.DELIVERED and campaign.delivered_at is not None:
        at = campaign.delivered_at
        later = sa.and_(s.status == SignatureStatus.WITHDRAWN, s.withdrawn_at > at)
        return sa.and_(s.verified_at <= at, sa.or_(s.status == SignatureStatus.VERIFIED, later))
    return s.status == SignatureStatus.VERIFIED


# In Signatory's field order.
_PRINTED_COLUMNS = (
    signatures.c.id,
    signatures.c.full_name,
    signatures.c.title,
    signatures.c.jurisdiction,
    signatures.c.state,
    signatures.c.district,
    signatures.c.verified_at,
)


async def list_signatories(
    db: Database, campaign: Campaign, *, state: str | None = None
) -> list[Signatory]:
    query = sa.select(*_PRINTED_COLUMNS).where(
        signatures.c.campaign_id == campaign.id, _printed(campaign)
    )
    if state:
        query = query.where(signatures.c.state == state)
    rows = await db.fetch_all(query)
    return list(sort_signatories(Signatory(**dict(row._mapping)) for row in rows))


async def count_by_state(
    db: Database, campaign: Campaign, *, lock: bool = False
) -> list[StateCount]:
    """Printed signers per state, each with a digest of exactly what is printed of them.

    With lock, the rows are locked (FOR SHARE) until the transaction ends: a withdrawal
    then waits for a delivery in progress, and counts as after it.
    """
    printed = sa.select(*_PRINTED_COLUMNS).where(
        signatures.c.campaign_id == campaign.id, _printed(campaign)
    )
    if lock:
        printed = printed.with_for_update(read=True)
    rows_ = printed.subquery("printed")
    line = sa.func.concat_ws(
        sa.func.chr(31), rows_.c.id, rows_.c.full_name, rows_.c.title, rows_.c.jurisdiction
    )
    # string_agg(line, chr(30) ORDER BY id): the digest does not depend on the scan order.
    digest = sa.func.md5(sa.func.string_agg(line, aggregate_order_by(sa.func.chr(30), rows_.c.id)))
    rows = await db.fetch_all(
        sa.select(rows_.c.state, sa.func.count().label("n"), digest.label("digest")).group_by(
            rows_.c.state
        )
    )
    counts = [StateCount(r["state"], state_name(r["state"]), r["n"], r["digest"]) for r in rows]
    return sorted(counts, key=lambda c: c.name)


async def list_delegation(db: Database, state: str) -> list[CongressMember]:
    """The state's members of Congress: senators, then representatives by district."""
    rows = await db.fetch_all(sa.select(congress_members).where(congress_members.c.state == state))
    members = [
        CongressMember(r["first_name"], r["last_name"], r["state"], r["chamber"], r["district"])
        for r in rows
    ]
    return sorted(
        members,
        key=lambda m: (m.chamber != "sen", m.district or 0, fold(m.last_name), m.first_name),
    )


def letter_date(campaign: Campaign, now: datetime) -> str:
    """The date printed: the delivery's once delivered, else today's (US Eastern)."""
    moment = (campaign.delivered_at or now).astimezone(LETTER_TIMEZONE)
    return f"{moment:%B} {moment.day}, {moment.year}"


def packet_addressees(state: str, delegation: Sequence[CongressMember]) -> tuple[str, ...]:
    if not delegation:
        return (f"The {state_name(state)} Delegation to the United States Congress",)
    return tuple(member.addressee_line() for member in delegation)


def build_document(
    campaign: Campaign,
    signatories: Sequence[Signatory],
    *,
    date_text: str,
    addressee_lines: tuple[str, ...] | None = None,
) -> pdf.LetterDocument:
    """Plain data for the renderer: no driver records, nothing the renderer must look up."""
    # Under state headings, as on the public page (states by name, signers by last name).
    groups = tuple(
        pdf.StateGroup(
            group.name,
            tuple(
                pdf.ListedSigner(s.full_name, s.title, s.jurisdiction) for s in group.signatories
            ),
        )
        for group in group_by_state(signatories)
    )
    is_letter = campaign.kind == CampaignKind.LETTER
    if addressee_lines is None:
        addressee_lines = tuple(campaign.addressee.splitlines()) if is_letter else ()
    return pdf.LetterDocument(
        title=campaign.title,
        sponsors=tuple(sponsor.name for sponsor in campaign.sponsors),
        date_text=date_text,
        addressee_lines=tuple(line.strip() for line in addressee_lines if line.strip()),
        salutation=campaign.salutation if is_letter or addressee_lines else "",
        body_html=printed_links(campaign.body_html),
        sign_off=campaign.sign_off if is_letter else "",
        groups=groups,
    )


def printed_links(body_html: str) -> str:
    """The body with each link printed as its text and address, and no link left.

    On paper a link is only its words; and WeasyPrint resolves an address against the
    file: URL it renders from, so `//host/x` became file://host/x (an SMB fetch on some
    readers) and `page` a file: link showing the install path (SPEC section 6)."""

    def as_text(found: re.Match[str]) -> str:
        address, text = found.group(1), found.group(2)
        shown = html.unescape(_TAG_RE.sub("", text)).strip()
        if not address or shown == html.unescape(address):
            return text
        return f"{text} ({address})"  # still escaped, as it was in the attribute

    return _ANCHOR_RE.sub(as_text, body_html)


def fingerprint(campaign: Campaign, variant: str, date_text: str, *parts: object) -> str:
    """What a render depends on; `parts` are the signer digests and the addressees."""
    printed = [
        LAYOUT_VERSION,
        variant,
        campaign.kind,
        campaign.text_version,
        campaign.title,
        campaign.body_html,
        campaign.addressee,
        campaign.salutation,
        campaign.sign_off,
        [sponsor.name for sponsor in campaign.sponsors],
        date_text,
        *parts,
    ]
    return hashlib.sha256(json.dumps(printed, default=str).encode()).hexdigest()


# --- What staff and the public download ---


async def delivered_pdf(db: Database, campaign_id: int) -> bytes:
    """The PDF exactly as delivered (signon/letter/delivery.py stores it)."""
    content = await db.fetch_val(
        sa.select(deliveries.c.pdf).where(deliveries.c.campaign_id == campaign_id)
    )
    if content is None:
        raise NoDeliveredPdf()
    return bytes(content)


async def letter_key(
    db: Database, campaign: Campaign, date_text: str, *, lock: bool = False
) -> tuple[str, int]:
    """The whole letter's render fingerprint, and how many signatories it prints."""
    counts = await count_by_state(db, campaign, lock=lock)
    return _letter_fingerprint(campaign, date_text, counts), sum(c.count for c in counts)


def _letter_fingerprint(campaign: Campaign, date_text: str, counts: Sequence[StateCount]) -> str:
    return fingerprint(campaign, "letter", date_text, [(c.code, c.digest) for c in counts])


def letter_maker(
    db: Database, process: ProcessState, campaign: Campaign, date_text: str
) -> renders.Producer:
    async def make() -> bytes:
        signatories = await list_signatories(db, campaign)
        doc = build_document(campaign, signatories, date_text=date_text)
        return await renders.render(doc, process.pdf_pool)

    return make


async def letter_pdf(
    db: Database, process: ProcessState, campaign: Campaign, *, now: datetime, wait: bool = False
) -> PdfFile:
    """The whole letter: the delivered file once delivered, else the current render."""
    filename = f"{campaign.slug}-letter.pdf"
    if campaign.status == CampaignStatus.DELIVERED:
        return PdfFile(filename, await delivered_pdf(db, campaign.id))
    date_text = letter_date(campaign, now)
    key, count = await letter_key(db, campaign, date_text)
    make = letter_maker(db, process, campaign, date_text)
    small = count <= INLINE_MAX_SIGNERS
    content = await renders.cached(
        db, process, campaign.id, "letter", key, make, wait=small, must=wait
    )
    return PdfFile(filename, content)


async def letter_render_status(
    db: Database, campaign: Campaign, counts: Sequence[StateCount], *, now: datetime
) -> str | None:
    """Where the render of the letter listing `counts` (count_by_state's) stands: "ready",
    "pending", "failed" or None."""
    key = _letter_fingerprint(campaign, letter_date(campaign, now), counts)
    return await renders.status(db, campaign.id, "letter", key)


async def _packet_maker(
    db: Database, process: ProcessState, campaign: Campaign, state: StateCount, date_text: str
) -> tuple[str, renders.Producer]:
    delegation = await list_delegation(db, state.code)
    addressees = packet_addressees(state.code, delegation)
    key = fingerprint(campaign, f"packet:{state.code}", date_text, state.digest, addressees)

    async def make() -> bytes:
        signatories = await list_signatories(db, campaign, state=state.code)
        doc = build_document(campaign, signatories, date_text=date_text, addressee_lines=addressees)
        return await renders.render(doc, process.pdf_pool)

    return key, make


async def packet_pdf(
    db: Database,
    process: ProcessState,
    campaign: Campaign,
    state: str,
    *,
    now: datetime,
    wait: bool = False,
) -> PdfFile:
    """One state's packet: addressed to its members of Congress, listing its signers."""
    found = [c for c in await count_by_state(db, campaign) if c.code == state.upper()]
    if not found:
        raise NoSignatoryFromState()
    key, make = await _packet_maker(db, process, campaign, found[0], letter_date(campaign, now))
    variant = f"packet:{found[0].code}"
    small = found[0].count <= INLINE_MAX_SIGNERS
    content = await renders.cached(
        db, process, campaign.id, variant, key, make, wait=small, must=wait
    )
    return PdfFile(f"{campaign.slug}-{found[0].code}.pdf", content)


async def packets_zip(
    db: Database, process: ProcessState, campaign: Campaign, *, now: datetime, wait: bool = False
) -> PdfFile:
    """A ZIP of the packets of every state that has signers, each rendered or reused."""
    counts = await count_by_state(db, campaign)
    if not counts:
        raise NoPacketYet()
    date_text = letter_date(campaign, now)
    makers = [await _packet_maker(db, process, campaign, count, date_text) for count in counts]
    key = hashlib.sha256("".join(k for k, _make in makers).encode()).hexdigest()

    async def make() -> bytes:
        # The packets are small documents: render them side by side, as many as workers.
        limit = asyncio.Semaphore(process.pdf_pool.workers)

        async def one(count: StateCount, packet_key: str, maker: renders.Producer) -> bytes:
            async with limit:
                variant = f"packet:{count.code}"
                return await renders.cached(
                    db, process, campaign.id, variant, packet_key, maker, wait=True, must=True
                )

        contents = await asyncio.gather(
            *(one(c, k, m) for c, (k, m) in zip(counts, makers, strict=True))
        )
        return _zip(campaign.slug, [c.code for c in counts], contents)

    small = sum(c.count for c in counts) <= INLINE_MAX_SIGNERS
    content = await renders.cached(
        db, process, campaign.id, "packets", key, make, wait=small, must=wait
    )
    return PdfFile(f"{campaign.slug}-packets.zip", content)


def _zip(slug: str, states: Sequence[str], contents: Sequence[bytes | None]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for state, content in zip(states, contents, strict=True):
            # A fixed timestamp: the same packets make the same archive.
            info = zipfile.ZipInfo(f"{slug}-{state}.pdf", date_time=(2020, 1, 1, 0, 0, 0))
            archive.writestr(info, content or b"")
    return buffer.getvalue()
