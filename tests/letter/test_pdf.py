"""The letter PDF: its text in order, page numbers, fonts for every script, and a renderer
that fetches nothing but the project's own static files (signon/letter/pdf.py,
signon/letter/document.py).

PDFs are read back with pypdf, the way a person would copy their text.
"""

from __future__ import annotations

import asyncio
import io
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from signon.audit import CLI
from signon.letter import document, pdf, renders
from signon.public.signatories import Signatory, fold, last_name
from signon.tables import pdf_renders
from signon.verification import review
from tests.emails import latest_email, link_in
from tests.factories import (
    confirm,
    log_in,
    make_campaign,
    make_staff,
    sign,
    signature_rows,
    verified_signers,
)
from tests.pdf_text import assert_numbered, page_texts, text_lines

SIGNERS = [
    {"full_name": "Zoe Adams", "state": "WI", "jurisdiction": "Madison", "district": ""},
    {"full_name": "Ana Zimmerman", "state": "WI", "jurisdiction": "Milwaukee", "district": ""},
    {"full_name": "Émile Ávila", "state": "MN", "jurisdiction": "Duluth", "district": ""},
    {"full_name": "Bob Baker Jr.", "state": "AL", "jurisdiction": "Mobile", "district": ""},
    {"full_name": "Carla Aaron", "state": "AK", "jurisdiction": "Juneau", "district": ""},
    {"full_name": "王小明", "state": "MN", "jurisdiction": "Saint Paul", "district": ""},
]


def test_signers_sort_by_last_name_ignoring_accents_and_suffixes():
    names = ["Zoe Adams", "Émile Ávila", "Bob Baker Jr.", "Ana Zimmerman", "Carla Aaron"]
    people = [Signatory(n, name, "Mayor", "X", "WI", None, None) for n, name in enumerate(names)]
    ordered = [s.full_name for s in document.sort_signatories(people)]
    assert ordered == ["Carla Aaron", "Zoe Adams", "Émile Ávila", "Bob Baker Jr.", "Ana Zimmerman"]
    assert fold(last_name("Martin Luther King, III")) == "king"


def test_states_sort_by_name_not_by_code():
    people = [Signatory(1, "A B", "Mayor", "X", code, None, None) for code in ("AL", "AK", "MN")]
    assert [s.state for s in document.sort_signatories(people)] == ["AL", "AK", "MN"]


async def test_public_pdf_lists_verified_signers_by_state_then_last_name(client, db):
    campaign = await make_campaign(db)
    await verified_signers(client, db, campaign, [dict(s) for s in SIGNERS])
    await sign(client, email="pending@example.gov", full_name="Una Confirmed", state="WI")

    response = await client.get("/c/eats-act/letter.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    lines = text_lines(response.content)
    expected = [
        "Signatories",
        "Alabama",
        "Bob Baker Jr., City Council Member, Mobile",
        "Alaska",
        "Carla Aaron, City Council Member, Juneau",
        "Minnesota",
        "Émile Ávila, City Council Member, Duluth",
        "王小明, City Council Member, Saint Paul",
        "Wisconsin",
        "Zoe Adams, City Council Member, Madison",
        "Ana Zimmerman, City Council Member, Milwaukee",
        "Total: 6 signatories",
    ]
    start = lines.index("Signatories")
    assert lines[start : start + len(expected)] == expected
    # The letter comes first, in order: sponsors, date, addressee, title, text, sign-off.
    letter = lines[:start]
    for first, then in [
        ("Local Progress · State Innovation Exchange", "Members of the United States Congress"),
        ("Members of the United States Congress", "Reject the EATS Act"),
        ("Dear Members of Congress,", "Sincerely,"),
    ]:
        assert letter.index(first) < letter.index(then)
    assert any("reject the EATS Act" in line for line in letter)
    assert_numbered(response.content)
    text = "\n".join(lines)
    assert "Una Confirmed" not in text
    assert "@" not in text and "651-555" not in text  # no email, no phone


async def test_a_draft_has_no_public_pdf(client, db):
    await make_campaign(db, status="draft")
    assert (await client.get("/c/eats-act/letter.pdf")).status_code == 404


async def test_what_signers_typed_is_printed_as_text_never_as_markup(client, db):
    campaign = await make_campaign(db)
    name = '<b>Bold</b> <img src="x.png"> Díaz'
    title = 'Mayor & Chair <link rel="stylesheet" href="pdf.css">'
    await verified_signers(client, db, campaign, [{"full_name": name, "title": title}])
    text = "\n".join(text_lines((await client.get("/c/eats-act/letter.pdf")).content))
    assert f"{name}, {title}, Saint Paul" in text


def test_every_script_is_drawn_with_a_font_that_has_it():
    doc = pdf.LetterDocument(
        "Letter",
        (),
        "",
        (),
        "",
        "<p>Text</p>",
        "",
        (
            pdf.StateGroup(
                "Minnesota",
                tuple(
                    pdf.ListedSigner(name, "Council Member", "Saint Paul")
                    for name in (
                        "Nguyễn Thị Minh Khai",
                        "Ελένη Παπαδοπούλου",
                        "王小明",
                        "Ольга Иванова",
                    )
                ),
            ),
        ),
    )
    content = pdf.render_letter(doc)
    text = "\n".join(text_lines(content))
    for name in ("Nguyễn Thị Minh Khai", "Ελένη Παπαδοπούλου", "王小明", "Ольга Иванова"):
        assert f"{name}, Council Member, Saint Paul" in text
    fonts = {
        str(font["/BaseFont"])
        for page in PdfReader(io.BytesIO(content)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    # The CJK name comes from a fallback font, embedded: no empty boxes.
    assert len([f for f in fonts if "+" in f]) >= 3, fonts


def fictional(
    count: int, states: tuple[str, ...] = ("Alabama", "Ohio", "Texas")
) -> pdf.LetterDocument:
    per_state = count // len(states)
    groups = tuple(
        pdf.StateGroup(
            state,
            tuple(
                pdf.ListedSigner(f"Person {i:05d} {state}", "Council Member", f"Town {i}")
                for i in range(per_state)
            ),
        )
        for state in states
    )
    return pdf.LetterDocument(
        "Letter",
        ("Sponsor",),
        "November 1, 2026",
        ("Congress",),
        "Dear all,",
        "<p>Text.</p>",
        "Sincerely,",
        groups,
    )


def test_a_long_list_rendered_in_parallel_parts_keeps_order_and_numbering():
    doc = fictional(1500)
    executor = pdf.make_executor(2)
    try:
        content = pdf.render_letter(doc, executor=executor, parts=2)
    finally:
        executor.shutdown()
    pages = assert_numbered(content)
    assert pages == 1 + len(pdf.paginate(doc))  # the pages cut in Python are the PDF's pages
    listed = [line for line in text_lines(content) if line.startswith("Person ")]
    expected = [s.line() for group in doc.groups for s in group.signers]
    assert listed == expected
    lines = text_lines(content)
    assert "Ohio (continued)" in lines  # a state that goes over a page says so


def test_a_long_entry_wraps_without_being_cut():
    long_title = "Member of the Board of Commissioners of the " + "Very Long " * 20 + "District"
    doc = fictional(3)
    doc = pdf.LetterDocument(
        **{
            **doc.__dict__,
            "groups": (
                pdf.StateGroup(
                    "Ohio",
                    (
                        pdf.ListedSigner("Ann Long", long_title, "Columbus"),
                        pdf.ListedSigner("Bo Short", "Mayor", "Akron"),
                    ),
                ),
            ),
        }
    )
    text = " ".join(" ".join(text_lines(pdf.render_letter(doc))).split())
    assert f"Ann Long, {' '.join(long_title.split())}, Columbus" in text
    assert "Bo Short, Mayor, Akron" in text


class Listener:
    """A local TCP server that records every connection: nothing should reach it."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.connections = 0
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _addr = self.server.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    found = Listener()
    yield found
    found.close()


def test_the_fetcher_serves_static_files_and_refuses_everything_else(listener, tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    remote = f"http://127.0.0.1:{listener.port}"
    html = f"""<html><head>
      <link rel="stylesheet" href="pdf.css">
      <link rel="stylesheet" href="{remote}/style.css">
      <link rel="stylesheet" href="{secret.as_uri()}">
      <link rel="stylesheet" href="../pyproject.toml">
      <style>@import url("{remote}/import.css"); body {{ background: url({remote}/bg.png) }}
      @font-face {{ font-family: Remote; src: url({remote}/font.woff) }} p {{ font-family: Remote }}
      </style></head><body><p>Signed</p><svg><image href="{remote}/svg.png"/></svg>
      <img src="{remote}/img.png"><img src="file:///etc/hostname">
      <img src="data:image/png;base64,iVBORw0KGgo=">
      </body></html>"""
    fetcher = pdf.make_fetcher()
    content = pdf.render_html(html, fetcher)
    assert "Signed" in page_texts(content)[0]
    refused = "\n".join(fetcher.refused)
    for url in (
        f"{remote}/style.css",
        f"{remote}/img.png",
        f"{remote}/import.css",
        f"{remote}/bg.png",
        f"{remote}/font.woff",
        f"{remote}/svg.png",
        secret.as_uri(),
        "file:///etc/hostname",
        "data:image/png",
        "pyproject.toml",
    ):
        assert url in refused
    assert listener.connections == 0
    assert pdf.static_path((pdf.STATIC_DIR / "pdf.css").as_uri(), pdf.STATIC_DIR) is not None


async def test_letter_text_that_points_at_urls_loads_nothing(client, db, listener):
    remote = f"http://127.0.0.1:{listener.port}"
    campaign = await make_campaign(
        db,
        body_markdown=(
            f"We ask. ![tracker]({remote}/body.png)\n\n"
            f'<img src="{remote}/raw.png"> <link rel="stylesheet" href="file:///etc/passwd">\n\n'
            f"[a link]({remote}/link) ![local](file:///etc/hostname)"
        ),
    )
    await verified_signers(client, db, campaign, [{"full_name": "Ana Díaz"}])
    response = await client.get("/c/eats-act/letter.pdf")
    assert response.status_code == 200
    assert "We ask." in "\n".join(text_lines(response.content))
    assert listener.connections == 0


def test_signer_names_that_point_at_urls_are_printed_not_loaded(listener):
    # The sign form refuses web addresses in names; the renderer must not rely on that.
    remote = f"http://127.0.0.1:{listener.port}"
    names = (
        f'<img src="{remote}/name.png">',
        '<link rel="stylesheet" href="file:///etc/passwd">',
        f"<style>@import url({remote}/x.css)</style>",
        f'<object data="{remote}/o"></object>',
    )
    doc = pdf.LetterDocument(
        "Letter",
        (),
        "",
        (),
        "",
        "<p>Text</p>",
        "",
        (
            pdf.StateGroup(
                "Ohio",
                tuple(pdf.ListedSigner(name, "Mayor", f"url({remote}/j.png)") for name in names),
            ),
        ),
    )
    fetcher = pdf.make_fetcher()
    html = pdf.document_html(doc, pdf.paginate(doc), with_letter=True)
    text = "\n".join(text_lines(pdf.render_html(html, fetcher)))
    for name in names:
        assert f"{name}, Mayor, url({remote}/j.png)" in text
    assert fetcher.refused == []  # escaped: nothing even asked for
    assert listener.connections == 0


async def test_a_render_is_reused_until_the_list_changes(client, db):
    campaign = await make_campaign(db)
    await verified_signers(client, db, campaign, [{"full_name": "Ana Díaz"}])
    first = (await client.get("/c/eats-act/letter.pdf")).content
    assert (await client.get("/c/eats-act/letter.pdf")).content == first
    await sign(client, email="bo@example.gov", full_name="Bo Brown", state="OH")
    await confirm(
        client, link_in((await latest_email(db, to="bo@example.gov"))["body_text"], "confirm")
    )
    rows = await signature_rows(db)
    await review.verify_signatures(db, CLI, campaign.id, [rows[-1]["id"]])
    second = (await client.get("/c/eats-act/letter.pdf")).content
    assert second != first
    assert "Bo Brown, City Council Member, Saint Paul" in "\n".join(text_lines(second))
    stored = await db.fetch_all(sa.select(pdf_renders.c.status, pdf_renders.c.variant))
    assert [(r["status"], r["variant"]) for r in stored] == [("ready", "letter")]


async def test_a_large_letter_answers_202_with_a_refreshing_page_then_the_pdf(
    client, db, monkeypatch
):
    monkeypatch.setattr(document, "INLINE_MAX_SIGNERS", 0)
    campaign = await make_campaign(db)
    await verified_signers(client, db, campaign, [{"full_name": "Ana Díaz"}])
    waiting = await client.get("/c/eats-act/letter.pdf")
    assert waiting.status_code == 202
    assert '<meta http-equiv="refresh" content="3">' in waiting.text
    assert "being prepared" in waiting.text
    assert waiting.headers["retry-after"] == "3"
    await renders.wait_for_background()
    ready = await client.get("/c/eats-act/letter.pdf")
    assert ready.status_code == 200
    assert "Ana Díaz" in "\n".join(text_lines(ready.content))


async def test_rendering_does_not_block_the_event_loop(client, db, monkeypatch):
    campaign = await make_campaign(db)
    await verified_signers(client, db, campaign, [{"full_name": "Ana Díaz"}])
    real_render_letter = pdf.render_letter

    def render_letter_slowly(*args, **kwargs):
        # At least 0.2 s of blocking work, so the loop's ticks do not depend on how fast a
        # one-signer letter renders (a warm pool takes about 40 ms: 4 ticks, flaky).
        time.sleep(0.2)
        return real_render_letter(*args, **kwargs)

    monkeypatch.setattr(pdf, "render_letter", render_letter_slowly)
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(tick())
    try:
        assert (await client.get("/c/eats-act/letter.pdf")).status_code == 200
    finally:
        ticker.cancel()
    assert ticks >= 5


async def test_staff_can_download_a_drafts_pdf(client, db):
    await make_campaign(db, status="draft")
    await make_staff(db)
    await log_in(client, "admin@example.org")
    response = await client.get("/staff/campaigns/eats-act/letter.pdf")
    assert response.status_code == 200
    assert "No verified signatories yet." in "\n".join(text_lines(response.content))


async def test_a_failed_render_is_a_clear_503_and_is_retried_later(client, db, monkeypatch):
    campaign = await make_campaign(db)
    await verified_signers(client, db, campaign, [{"full_name": "Ana Díaz"}])

    async def broken(doc):
        raise RuntimeError("the renderer crashed")

    monkeypatch.setattr(renders, "render", broken)
    failed = await client.get("/c/eats-act/letter.pdf")
    assert failed.status_code == 503
    assert "could not be prepared" in failed.text and "crashed" not in failed.text
    row = await db.fetch_one(sa.select(pdf_renders))
    assert row["status"] == "failed" and "crashed" in row["error"]
    assert (await client.get("/c/eats-act/letter.pdf")).status_code == 503  # not at once
    monkeypatch.undo()
    await db.execute(
        pdf_renders.update().values(created_at=sa.func.now() - sa.text("interval '2 minutes'"))
    )
    assert (await client.get("/c/eats-act/letter.pdf")).status_code == 200


async def test_a_render_whose_process_died_is_taken_over_and_a_live_one_is_not(
    client, db, monkeypatch
):
    monkeypatch.setattr(document, "INLINE_MAX_SIGNERS", 0)
    campaign = await make_campaign(db)
    await verified_signers(client, db, campaign, [{"full_name": "Ana Díaz"}])
    assert (await client.get("/c/eats-act/letter.pdf")).status_code == 202
    await renders.wait_for_background()
    # The same render, pending as if a process were on it: first alive, then gone.
    await db.execute(pdf_renders.update().values(status="pending", pdf=None))
    assert (await client.get("/c/eats-act/letter.pdf")).status_code == 202
    assert not renders._background  # a live render is left to its process
    stale = sa.text(f"interval '{renders.STALE_PENDING_SECONDS + 1} seconds'")
    await db.execute(pdf_renders.update().values(heartbeat_at=sa.func.now() - stale))
    assert (await client.get("/c/eats-act/letter.pdf")).status_code == 202
    await renders.wait_for_background()
    taken_over = await client.get("/c/eats-act/letter.pdf")
    assert taken_over.status_code == 200
    assert "Ana Díaz" in "\n".join(text_lines(taken_over.content))


async def test_a_render_in_progress_keeps_its_heartbeat(client, db, monkeypatch):
    monkeypatch.setattr(renders, "HEARTBEAT_SECONDS", 0.05)
    campaign = await make_campaign(db)
    await verified_signers(client, db, campaign, [{"full_name": "Ana Díaz"}])
    real_render = renders.render

    async def slow(doc):
        await asyncio.sleep(0.5)
        return await real_render(doc)

    monkeypatch.setattr(renders, "render", slow)
    assert (await client.get("/c/eats-act/letter.pdf")).status_code == 200
    row = await db.fetch_one(sa.select(pdf_renders))
    assert (row["heartbeat_at"] - row["created_at"]).total_seconds() >= 0.3


async def test_requests_arriving_together_render_once(client, db, monkeypatch):
    campaign = await make_campaign(db)
    await verified_signers(client, db, campaign, [{"full_name": "Ana Díaz"}])
    real_render, calls = renders.render, []

    async def counted(doc):
        calls.append(doc)
        return await real_render(doc)

    monkeypatch.setattr(renders, "render", counted)
    answers = await asyncio.gather(*(client.get("/c/eats-act/letter.pdf") for _ in range(4)))
    assert sorted(a.status_code for a in answers) == [200, 202, 202, 202]
    assert len(calls) == 1


async def test_the_campaign_page_links_to_the_pdf(client, db):
    await make_campaign(db)
    page = await client.get("/c/eats-act")
    assert 'href="/c/eats-act/letter.pdf"' in page.text
