"""Issue 13: what an attacker and a careless paste could still do, each case proved stopped.

One test (or a few) per numbered item of the issue; the memory attacks run against a real
`signon serve` process and measure its resident memory (figures in docs/reliability.md).
"""

from __future__ import annotations

import io

import httpx
import pytest
import sqlalchemy as sa
from pypdf import PdfReader
from starlette.datastructures import Secret

from signon import campaign_rules, campaigns, settings
from signon.app import create_app
from signon.audit import CLI
from signon.errors import Conflict, ValidationFailed
from signon.letter import delivery
from signon.letter.exports import csv_safe
from signon.mail import _build, confirmation_subject
from signon.signing import rules
from signon.tables import audit_log, email_outbox
from signon.verification import review
from tests.emails import latest_email, link_in
from tests.factories import (
    NOW,
    OFFICIAL,
    confirm,
    log_in,
    make_campaign,
    make_staff,
    sign,
    signature_rows,
    verified_signer,
)
from tests.forms import csrf_from, form_post

# -- 1. single-line fields refuse control and line-separator characters ----------------

LINE_BREAKERS = ["\r", "\n", "\r\n", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1e", "\t"]
HIDDEN = ["\x07", "\x1b", "\u202e", "\u200b", "\ufeff", "\u2066"]
CAMPAIGN = {"slug": "eats-act", "title": "Reject the EATS Act", "body_markdown": "Text."}


@pytest.mark.parametrize("char", LINE_BREAKERS + HIDDEN)
@pytest.mark.parametrize("name", ["title", "summary", "addressee", "salutation", "sign_off"])
def test_campaign_single_line_fields_refuse_breaking_characters(name, char):
    data = {**CAMPAIGN, name: f"Reject{char}the EATS Act"}
    with pytest.raises(ValidationFailed) as refused:
        campaign_rules.parse_campaign_fields(data)
    assert refused.value.errors[name] == [
        "Keep this on one line: remove line breaks and invisible control characters."
    ]


@pytest.mark.parametrize("char", [*HIDDEN, "\x07\x1b"])
def test_sponsor_names_refuse_hidden_characters(char):
    with pytest.raises(ValidationFailed) as refused:
        campaign_rules.parse_campaign_fields({**CAMPAIGN, "sponsors": f"Local{char} Progress"})
    assert "sponsors" in refused.value.errors
    # One name per line is still how sponsors are typed, whatever line break separates them.
    fields = campaign_rules.parse_campaign_fields({**CAMPAIGN, "sponsors": "A\r\nB\u2028C\x85D"})
    assert fields.sponsors == ("A", "B", "C", "D")


@pytest.mark.parametrize("char", [*LINE_BREAKERS[:-1], *HIDDEN])  # a tab is a space there
@pytest.mark.parametrize("name", ["full_name", "title", "jurisdiction", "organization"])
def test_signer_fields_refuse_breaking_characters(name, char):
    with pytest.raises(ValidationFailed) as refused:
        rules.parse_signature({**OFFICIAL, name: f"Saint{char}Paul"}, ["municipal"])
    assert refused.value.errors[name] == [
        "Keep this on one line: remove line breaks and invisible control characters."
        if char in LINE_BREAKERS
        else "Remove the invisible control characters."
    ]


def test_joiners_some_scripts_need_are_still_accepted():
    name = "Zoë\u200dX Ro\u200cse"
    fields = rules.parse_signature({**OFFICIAL, "full_name": name}, ["municipal"])
    assert fields.full_name == "Zoë\u200dX Ro\u200cse"
    campaign = campaign_rules.parse_campaign_fields({**CAMPAIGN, "title": "क्\u200dष Act"})
    assert campaign.title == "क्\u200dष Act"


async def test_the_refusal_is_translated_and_keeps_what_was_typed(client, db):
    await make_campaign(db)
    response = await client.get("/c/eats-act?lang=es")
    assert response.status_code == 200
    refused = await sign(client, full_name="Ana\u2028María")
    assert refused.status_code == 400
    assert "Escriba esto en una sola línea" in refused.text
    assert "Ana\u2028María" in refused.text


async def test_every_accepted_title_makes_a_buildable_email(client, db):
    # The odd characters that remain allowed: an email is built from each, as the worker does.
    odd = "“Reject” the EATS Act — ½ of Ω \u00a0 \u200d 🇺🇸 " + "é" * 150
    await make_campaign(db, title=odd[:200])
    assert (await sign(client)).status_code == 303
    row = await latest_email(db)
    assert row["subject"] == confirmation_subject(odd[:200])
    message = _build(row)
    assert "\n" not in str(message["Subject"]).replace("\n ", "")
    assert message.as_bytes()


# -- 3. a stranger's wrong passwords do not lock the owner out -------------------------


async def test_a_stranger_cannot_lock_the_owner_out(app, client, db):
    await make_staff(db)
    transport = httpx.ASGITransport(app=app, client=("198.51.100.66", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as stranger:
        for _ in range(settings.LOGIN_MAX_FAILURES_PER_ACCOUNT):
            assert (await log_in(stranger, "admin@example.org", "wrong" * 4)).status_code == 403
        # The stranger is stopped, even with the right password...
        assert (await log_in(stranger, "admin@example.org")).status_code == 429
        # ...while the owner, from their own address, signs in as usual.
        assert (await log_in(client, "admin@example.org")).status_code == 303
        assert (await log_in(stranger, "admin@example.org", "wrong" * 4)).status_code == 429


# -- 4. after delivery, nothing staff do changes the delivered list --------------------


async def _delivered_with_one_signer(client, db, process) -> tuple[int, int]:
    campaign = await make_campaign(db)
    signature_id = await verified_signer(client, db, campaign.id, "ana@stpaul.gov")
    await campaigns.close_campaign(db, CLI, "eats-act")
    await delivery.deliver_campaign(db, process, CLI, "eats-act", now=NOW)
    return campaign.id, signature_id


async def test_no_staff_decision_or_edit_changes_a_delivered_list(client, db, process):
    campaign_id, signature_id = await _delivered_with_one_signer(client, db, process)
    refused = "This letter has been delivered"
    for attempt in (
        review.reject_signatures(db, CLI, campaign_id, [signature_id], reason="Not an official"),
        review.verify_signatures(db, CLI, campaign_id, [signature_id]),
        review.edit_office(db, CLI, campaign_id, signature_id, {"title": "Mayor"}, now=NOW),
    ):
        with pytest.raises(Conflict, match=refused):
            await attempt
    # The pages refuse alike, with the same words.
    await make_staff(db)
    await log_in(client, "admin@example.org")
    queue = "/staff/campaigns/eats-act/review?status=verified"
    rejected = await form_post(
        client,
        queue,
        "/staff/campaigns/eats-act/review",
        {"ids": str(signature_id), "action": "reject", "reason": "Not an official"},
    )
    assert rejected.status_code == 409 and refused in rejected.text
    edited = await form_post(
        client,
        queue,
        f"/staff/campaigns/eats-act/signatures/{signature_id}/office",
        {
            "title": "Mayor",
            "office_level": "municipal",
            "jurisdiction": "Saint Paul",
            "state": "MN",
        },
    )
    assert edited.status_code == 409 and refused in edited.text
    row = (await signature_rows(db))[0]
    assert (row["status"], row["title"]) == ("verified", "City Council Member")
    assert "1 verified signer<" in (await client.get("/c/eats-act")).text


async def test_a_signer_may_still_withdraw_after_delivery_with_a_fresh_link(client, db, process):
    await _delivered_with_one_signer(client, db, process)
    # The links sent before delivery stop working at delivery (item 6)...
    old = link_in((await latest_email(db, "ana@stpaul.gov"))["body_text"], "withdraw")
    refused = await client.get(old)
    assert refused.status_code == 400 and "Ask for a new link" in refused.text
    # ...and the campaign page sends a fresh one, saying the same for an address that
    # never signed, which gets nothing.
    for address in ("nobody@stpaul.gov", "Ana@StPaul.gov"):
        asked = await form_post(
            client, "/c/eats-act", "/c/eats-act/withdraw-link", {"email": address}
        )
        assert asked.status_code == 303
        page = await client.get(asked.headers["location"])
        assert "If this address signed, a link to withdraw is on its way to it." in page.text
    fresh = await latest_email(db)
    assert (fresh["to_address"], fresh["kind"]) == ("ana@stpaul.gov", "withdraw")
    assert (await confirm(client, link_in(fresh["body_text"], "withdraw"))).status_code == 303
    assert (await signature_rows(db))[0]["status"] == "withdrawn"


# -- 7. odd input gets a 4xx with a readable message ----------------------------------


async def test_json_nested_a_thousand_levels_deep_is_a_422(client, db):
    await make_campaign(db)
    body = '{"full_name": ' + "[" * 1000 + "]" * 1000 + "}"
    response = await client.post(
        "/api/v1/campaigns/eats-act/signatures",
        content=body,
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json() == {"errors": {"body": ["The body is not valid JSON."]}}


@pytest.mark.parametrize("raw", ["²", "9" * 5000, str(2**63), "-1", "1e3"])
async def test_odd_review_ids_are_a_400(client, db, raw):
    await make_campaign(db)
    await make_staff(db)
    await log_in(client, "admin@example.org")
    queue = "/staff/campaigns/eats-act/review"
    response = await form_post(client, queue, queue, {"ids": raw, "action": "verify"})
    assert response.status_code == 400
    assert "Choose signatures from the list." in response.text


@pytest.mark.parametrize("raw", ["9" * 5000, str(2**63), "99999999999999999999"])
async def test_odd_ids_in_paths_are_a_404(client, db, raw):
    await make_campaign(db)
    await make_staff(db)
    await log_in(client, "admin@example.org")
    page = "/staff/users"
    for action in (f"/staff/users/{raw}", f"/staff/campaigns/eats-act/signatures/{raw}/office"):
        response = await form_post(client, page, action, {"role": "staff", "title": "Mayor"})
        assert response.status_code == 404, action
        assert "<h1" in response.text


@pytest.mark.parametrize("raw", ["²", "9" * 5000, "١" * 5000])
def test_odd_goals_are_refused_with_a_message(raw):
    with pytest.raises(ValidationFailed) as refused:
        campaign_rules.parse_campaign_fields({**CAMPAIGN, "goal": raw})
    assert refused.value.errors["goal"] == [
        "Enter a whole number from 1 to 1,000,000, or leave it empty."
    ]


# -- 5. links in the letter print as text, and no PDF points at a local file -----------


async def test_pdf_links_print_as_text_and_none_is_a_local_file(client, db):
    body = (
        "Read [the page](page), [the share](//host/x), [a note](../x#y), "
        "[the bill](https://congress.gov/bill?id=1&v=2) and <https://example.org/a>."
    )
    campaign = await make_campaign(db, body_markdown=body)
    await verified_signer(client, db, campaign.id, "ana@stpaul.gov")
    response = await client.get("/c/eats-act/letter.pdf")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    # Without spaces: the extractor adds one where a long address wraps.
    text = "".join("".join(page.extract_text().split()) for page in reader.pages)
    for printed in (
        "the page (page)",
        "the share (//host/x)",
        "a note (../x#y)",
        "the bill (https://congress.gov/bill?id=1&v=2)",
        "https://example.org/a.",
    ):
        assert printed.replace(" ", "") in text
    annotations = [
        annotation.get_object() for page in reader.pages for annotation in page.get("/Annots", [])
    ]
    assert not [a for a in annotations if "/A" in a or "/URI" in str(a)]
    assert b"file:" not in response.content


# -- 8. headers -------------------------------------------------------------------------


@pytest.fixture
async def production_client(database_url, db, monkeypatch):
    monkeypatch.setattr(settings, "SIGNON_ENV", "production")
    monkeypatch.setattr(settings, "_SECRET_KEY", Secret("a-long-random-production-key-" * 2))
    production = create_app(database_url, sign_rate_limit="off", public_cache_seconds=0)
    transport = httpx.ASGITransport(app=production, client=("203.0.113.7", 51000))
    async with (
        production.router.lifespan_context(production),
        httpx.AsyncClient(transport=transport, base_url="https://testserver") as http,
    ):
        yield http


def _lang_cookie(response: httpx.Response) -> str:
    return next(c for c in response.headers.get_list("set-cookie") if c.startswith("lang="))


async def test_production_sends_hsts_and_a_secure_lang_cookie(production_client, db):
    await make_campaign(db)
    page = await production_client.get("/c/eats-act?lang=es")
    assert page.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    assert "Secure" in _lang_cookie(page)


async def test_development_is_plain_http_without_either(client, db):
    await make_campaign(db)
    local = await client.get("/c/eats-act?lang=es")
    assert "strict-transport-security" not in local.headers
    assert "Secure" not in _lang_cookie(local)


async def test_every_staff_page_is_no_store(client, db):
    await make_campaign(db)
    await make_staff(db)
    assert (await client.get("/staff/login")).headers["cache-control"] == "no-store"
    await log_in(client, "admin@example.org")
    for page in ("/staff/", "/staff/campaigns/eats-act/review", "/staff/outbox", "/staff/audit"):
        response = await client.get(page)
        assert response.status_code == 200, page
        assert response.headers["cache-control"] == "no-store", page
    assert "no-store" not in (await client.get("/c/eats-act")).headers.get("cache-control", "")


async def test_the_api_next_link_comes_from_base_url_not_the_host_header(client, db):
    campaign = await make_campaign(db)
    for n in range(2):
        await verified_signer(client, db, campaign.id, f"s{n}@stpaul.gov", full_name=f"Ann Lee{n}")
    response = await client.get(
        "/api/v1/campaigns/eats-act/signatures?per_page=1", headers={"host": "evil.example"}
    )
    assert response.json()["next"] == (
        f"{settings.BASE_URL}/api/v1/campaigns/eats-act/signatures?page=2&per_page=1"
    )


# -- 9. no CSV cell becomes a formula, whatever the separator ---------------------------


@pytest.mark.parametrize(
    "cell",
    ["a;=1+1", "x,+cmd|' /C calc'!A0", "a | @SUM(A1)", "ok\r-2+3", "tab\t=1", " =1", "a; =1"],
)
def test_no_cell_starts_a_formula_after_any_separator(cell):
    safe = csv_safe(cell)
    for separator in (",", ";", "\t", "|", "\r", "\n"):
        for part in safe.split(separator):
            assert not part.lstrip(" \t\r\n").startswith(("=", "+", "-", "@")), (cell, part)


def test_ordinary_cells_are_left_as_they_are():
    for cell in ("608-555-0142", "2026-06-01T15:00:00+00:00", "strong: x; medium: y", "Ana"):
        assert csv_safe(cell) == cell


async def test_the_staff_export_neutralises_a_separated_formula(client, db):
    await make_campaign(db)
    await sign(client, organization="Acme;=HYPERLINK(1)", title="Mayor,+1")
    await make_staff(db)
    await log_in(client, "admin@example.org")
    exported = await client.get("/staff/campaigns/eats-act/export.csv")
    assert exported.status_code == 200
    assert "Acme;'=HYPERLINK(1)" in exported.text and "Mayor,'+1" in exported.text


# -- 10. link-like text refused in names; a cap on emails to one address ---------------


@pytest.mark.parametrize(
    "text",
    [
        "evil.co",
        "bit.ly/abc",
        "t.me/x",
        "evil．co",
        "ｅｖｉｌ．ｃｏｍ",
        "evil。co",
        "evil\u2024co",
        "Visit evil.com now",
        "ana@evil.org",
        "x\ufe52io",
    ],
)
def test_link_like_text_is_refused_in_names(text):
    for name in ("full_name", "title", "jurisdiction", "organization"):
        with pytest.raises(ValidationFailed) as refused:
            rules.parse_signature({**OFFICIAL, name: text}, ["municipal"])
        assert refused.value.errors[name] == ["Web addresses are not allowed here."]


@pytest.mark.parametrize(
    "text",
    [
        "St. Paul",
        "St.Paul",
        "Ph.D.",
        "J.R.R. Tolkien",
        "U.S. Senator",
        "Wash., D.C.",
        "Col·legi",
        "Mt. Vernon",
        "Jo.Ann",
    ],
)
def test_names_with_dots_are_still_accepted(text):
    assert rules.parse_signature({**OFFICIAL, "jurisdiction": text}, ["municipal"]).jurisdiction


async def test_one_address_gets_a_limited_number_of_confirmation_emails(client, db):
    cap = settings.CONFIRM_EMAILS_PER_ADDRESS_PER_DAY
    for n in range(cap + 2):
        await make_campaign(db, slug=f"letter-{n}")
        assert (
            await sign(client, slug=f"letter-{n}", email="target@stpaul.gov")
        ).status_code == 303
    # And a repeat on a campaign already signed sends none either.
    await sign(client, slug="letter-0", email="target@stpaul.gov", title="Mayor")
    sent = await db.fetch_val(
        sa.select(sa.func.count())
        .select_from(email_outbox)
        .where(email_outbox.c.to_address == "target@stpaul.gov")
    )
    assert sent == cap
    assert len(await signature_rows(db)) == cap + 2  # every signature is still recorded
    # Other addresses are not affected.
    await sign(client, slug="letter-0", email="other@stpaul.gov")
    assert (await latest_email(db))["to_address"] == "other@stpaul.gov"


# -- 6. the outbox shows what was sent without working links ---------------------------


async def test_the_outbox_shows_no_working_link_but_to_an_admin_who_asks(client, db):
    await make_campaign(db)
    await sign(client)
    body = (await latest_email(db))["body_text"]
    links = [link_in(body, "confirm"), link_in(body, "withdraw")]
    await make_staff(db, "sam@example.org", role="staff", name="Sam Staff")
    await log_in(client, "sam@example.org")
    page = await client.get("/staff/outbox")
    assert "Confirm your signature" in page.text and "[link hidden]" in page.text
    for link in links:
        assert link not in page.text and link.rsplit("/", 1)[1] not in page.text
    assert "Show the working links" not in page.text
    refused = await form_post(client, "/staff/outbox", "/staff/outbox/links", {})
    assert refused.status_code == 403
    # An admin may see them, deliberately, and that is recorded.
    await client.post("/staff/logout", data={"csrf_token": csrf_from(page.text)})
    await make_staff(db)
    await log_in(client, "admin@example.org")
    revealed = await form_post(client, "/staff/outbox", "/staff/outbox/links", {})
    assert revealed.status_code == 200
    assert all(link in revealed.text for link in links)
    audit = await db.fetch_all(
        sa.select(audit_log).where(audit_log.c.action == "outbox.reveal_links")
    )
    assert [row["actor"] for row in audit] == ["admin@example.org"]


# -- the API's answer does not tell whether an address has signed ----------------------


async def test_the_api_answers_alike_whether_or_not_an_address_signed(client, db):
    await make_campaign(db)
    api = "/api/v1/campaigns/eats-act/signatures"
    first = await client.post(api, json={**OFFICIAL, "email": "new@stpaul.gov"})
    # Signed before (unconfirmed, and never public): the same status and body as anyone new.
    await sign(client, email="secret@stpaul.gov")
    again = await client.post(api, json={**OFFICIAL, "email": "secret@stpaul.gov"})
    assert (first.status_code, first.json()) == (again.status_code, again.json())
    assert again.status_code == 201
