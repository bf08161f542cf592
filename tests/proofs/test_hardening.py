"""Issue 13: what an attacker and a careless paste could still do, each case proved stopped.

One test (or a few) per numbered item of the issue; the memory attacks run against a real
`signon serve` process and measure its resident memory (figures in docs/reliability.md).
"""

from __future__ import annotations

import httpx
import pytest

from signon import campaign_rules, settings
from signon.errors import ValidationFailed
from signon.mail import _build, confirmation_subject
from signon.signing import rules
from tests.conftest import log_in, make_campaign, make_staff
from tests.signing_helpers import OFFICIAL, latest_email, sign

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
