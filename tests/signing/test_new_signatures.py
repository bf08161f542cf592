"""New signatures written in groups (signon/signing/new_signatures.py) and the JSON API's
recent copy of the campaign: many signers at once each get their row and their email; a campaign
closed, narrowed or reworded a moment ago is honoured at once; the pre-rendered
confirmation email is the email the templates render."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa

from signon import campaign_rules, campaigns
from signon.audit import CLI
from signon.i18n import set_locale
from signon.mail import confirmation_subject, render_email
from signon.signing import new_signatures
from signon.signing import signatures as signatures_module
from signon.signing.rules import parse_signature
from signon.tables import email_outbox, signatures
from tests.emails import latest_email, link_in
from tests.factories import NOW, OFFICIAL, confirm, make_campaign, signature_rows

API = "/api/v1/campaigns/eats-act/signatures"


def official(n: int, **overrides: str) -> dict[str, str]:
    return {
        **OFFICIAL,
        "full_name": f"Official Number{n}",
        "email": f"o{n}@example.gov",
        **overrides,
    }


async def test_many_signers_at_once_each_get_a_row_and_one_email(client, db):
    await make_campaign(db)
    responses = await asyncio.gather(*(client.post(API, json=official(n)) for n in range(40)))
    assert [r.status_code for r in responses] == [201] * 40
    rows = await signature_rows(db)
    assert sorted(row["email"] for row in rows) == sorted(f"o{n}@example.gov" for n in range(40))
    assert {row["status"] for row in rows} == {"unconfirmed"}
    emails = await db.fetch_all(sa.select(email_outbox.c.to_address, email_outbox.c.signature_id))
    assert sorted((e["to_address"], e["signature_id"]) for e in emails) == sorted(
        (row["email"], row["id"]) for row in rows
    )
    # Each email's link confirms its own signature.
    body = (await latest_email(db, "o17@example.gov"))["body_text"]
    assert "Official Number17" in body
    assert (await confirm(client, link_in(body, "confirm"))).status_code == 303
    row = await db.fetch_one(sa.select(signatures).where(signatures.c.email == "o17@example.gov"))
    assert row["status"] != "unconfirmed"


async def test_the_same_signer_many_times_at_once_is_one_row(client, db):
    await make_campaign(db)
    responses = await asyncio.gather(*(client.post(API, json=official(1)) for _ in range(8)))
    assert [r.status_code for r in responses] == [201] * 8  # repeats answer alike
    assert len(await signature_rows(db)) == 1


async def test_a_campaign_closed_a_moment_ago_refuses_at_once(client, db):
    await make_campaign(db)
    assert (await client.post(API, json=official(1))).status_code == 201  # campaign now cached
    await campaigns.close_campaign(db, CLI, "eats-act")
    response = await client.post(API, json=official(2))
    assert response.status_code == 409
    assert [row["email"] for row in await signature_rows(db)] == ["o1@example.gov"]


async def _edit(db, **changes) -> None:
    current = await campaigns.get_campaign(db, "eats-act")
    data = {
        "slug": current.slug,
        "title": current.title,
        "body_markdown": current.body_markdown,
        "allowed_levels": list(current.allowed_levels),
        **changes,
    }
    await campaigns.update_campaign(db, CLI, "eats-act", campaign_rules.parse_campaign_fields(data))


async def test_eligibility_changed_a_moment_ago_is_honoured_both_ways(client, db):
    await make_campaign(db)
    assert (await client.post(API, json=official(1))).status_code == 201
    await _edit(db, allowed_levels=["county"])
    refused = await client.post(API, json=official(2))
    assert refused.status_code == 422 and "office_level" in refused.json()["errors"]
    assert (await client.post(API, json=official(3, office_level="county"))).status_code == 201
    await _edit(db, allowed_levels=["county", "municipal"])
    assert (await client.post(API, json=official(4))).status_code == 201


async def test_a_new_wording_a_moment_ago_is_the_one_recorded_and_mailed(client, db):
    await make_campaign(db)
    assert (await client.post(API, json=official(1))).status_code == 201
    await _edit(db, title="Reject the EATS Act, now")
    assert (await client.post(API, json=official(2))).status_code == 201
    row = await db.fetch_one(sa.select(signatures).where(signatures.c.email == "o2@example.gov"))
    assert row["text_version"] == 2
    assert (await latest_email(db, "o2@example.gov"))["subject"].endswith(
        "Reject the EATS Act, now"
    )


class Links:
    def confirm(self, slug: str, token: str) -> str:
        return f"https://signon.example/c/{slug}/confirm/{token}"

    def withdraw(self, slug: str, token: str) -> str:
        return f"https://signon.example/c/{slug}/withdraw/{token}"


async def test_a_campaign_closed_after_it_was_read_refuses_the_insert(db, process):
    campaign = await make_campaign(db)  # read while open
    await campaigns.close_campaign(db, CLI, "eats-act")
    fields = parse_signature(official(1), campaign.allowed_levels)
    with pytest.raises(signatures_module.CampaignChanged):
        await signatures_module.sign_campaign(
            db, process, campaign, fields, locale="en", links=Links(), now=NOW
        )
    assert await signature_rows(db) == []


async def test_the_pre_rendered_email_is_the_email_the_templates_render(db, process):
    campaign = await make_campaign(db, title='Fair & <Square> "Deal"')
    signers = [
        {
            "full_name": "Ann O'Brien & <Co>",
            "title": "Mayor",
            "jurisdiction": "Saint Paul",
            "state": "MN",
            "district": None,
        },
        {
            "full_name": "José Núñez",
            "title": "Concejal",
            "jurisdiction": "Río <Grande>",
            "state": "TX",
            "district": "Distrito 4 & 5",
        },
    ]
    for locale in ("en", "es"):
        set_locale(locale)
        for n, details in enumerate(signers * 2):  # the second time from the skeleton
            got = new_signatures.confirmation_email(
                process.email_skeletons, campaign, n, "nonce", "wnonce", details, Links()
            )
            confirm_url, withdraw_url = _urls(got[1])
            expected = render_email(
                "confirm",
                confirmation_subject(campaign.title),
                {
                    "campaign": campaign,
                    "details": details,
                    "confirm_url": confirm_url,
                    "withdraw_url": withdraw_url,
                    "max_age_days": 14,
                },
            )
            assert got == expected
    set_locale("en")


def _urls(text: str) -> tuple[str, str]:
    found = [word for word in text.split() if word.startswith("https://signon.example/")]
    return found[0], found[1]


async def test_inside_a_transaction_the_signature_is_written_within_it(db, process):
    campaign = await make_campaign(db)
    fields = parse_signature(official(1), campaign.allowed_levels)
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await signatures_module.sign_campaign(
                db, process, campaign, fields, locale="en", links=Links(), now=NOW
            )
            assert len(await signature_rows(db)) == 1
            raise RuntimeError("roll back")
    assert await signature_rows(db) == []
