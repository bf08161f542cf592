"""Confirm and withdraw links: scanner-safe, signed, expiring, single use (SPEC 2 and 4)."""

import time

import sqlalchemy as sa
from itsdangerous import URLSafeTimedSerializer

from signon import campaigns
from signon.audit import CLI
from signon.signing import tokens
from signon.tables import audit_log, signatures
from tests.emails import latest_email, link_in
from tests.factories import confirm, make_campaign, sign, signature_rows


async def signed_up(client, db, **overrides):
    await sign(client, **overrides)
    return (await latest_email(db))["body_text"]


async def test_a_get_changes_nothing_and_the_button_confirms(client, db):
    await make_campaign(db)
    body = await signed_up(client, db)
    path = link_in(body, "confirm")
    for _ in range(3):  # a mail scanner opening the link, several times
        page = await client.get(path)
        assert page.status_code == 200
        assert "Confirm my signature" in page.text
        assert "Ana María Díaz" in page.text
    assert (await signature_rows(db))[0]["status"] == "unconfirmed"
    response = await confirm(client, path)
    assert response.status_code == 303
    assert "your signature is confirmed" in (await client.get(response.headers["location"])).text
    [row] = await signature_rows(db)
    assert row["status"] == "confirmed" and row["confirmed_at"] is not None
    entry = await db.fetch_one(
        sa.select(audit_log).where(audit_log.c.action == "signature.confirm")
    )
    assert entry["actor"] == "signer" and entry["after"]["status"] == "confirmed"


async def test_a_link_works_once(client, db):
    await make_campaign(db)
    path = link_in(await signed_up(client, db), "confirm")
    assert (await confirm(client, path)).status_code == 303
    again = await client.get(path)
    assert again.status_code == 400
    assert "already been used" in again.text


async def test_forged_and_tampered_tokens_are_refused(client, db):
    await make_campaign(db)
    path = link_in(await signed_up(client, db), "confirm")
    tampered = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    assert (await client.get(tampered)).status_code == 400
    row = (await signature_rows(db))[0]
    # A token for the right row and nonce, signed with another key.
    forged = URLSafeTimedSerializer("not the key", salt=tokens.SALT).dumps(
        [row["id"], row["token_nonce"], "confirm"]
    )
    response = await client.get(f"/c/eats-act/confirm/{forged}")
    assert response.status_code == 400 and "not valid" in response.text
    # A withdraw token cannot confirm, and a link for another campaign does not work.
    email = await latest_email(db)
    withdraw_token = link_in(email["body_text"], "withdraw").rsplit("/", 1)[1]
    assert (await client.get(f"/c/eats-act/confirm/{withdraw_token}")).status_code == 400
    await make_campaign(db, slug="other")
    token = path.rsplit("/", 1)[1]
    assert (await client.get(f"/c/other/confirm/{token}")).status_code == 404
    assert (await client.get("/c/eats-act/confirm/" + "x" * 600)).status_code == 400
    assert (await signature_rows(db))[0]["status"] == "unconfirmed"


async def test_an_expired_link_is_refused_clearly(client, db):
    await make_campaign(db)
    await signed_up(client, db)
    row = (await signature_rows(db))[0]
    fifteen_days_ago = time.time() - 15 * 86400
    old = tokens.make_token(row["id"], row["token_nonce"], "confirm", now=fifteen_days_ago)
    response = await client.get(f"/c/eats-act/confirm/{old}")
    assert response.status_code == 400
    assert "expired" in response.text
    thirteen_days_ago = time.time() - 13 * 86400
    fresh = tokens.make_token(row["id"], row["token_nonce"], "confirm", now=thirteen_days_ago)
    assert (await client.get(f"/c/eats-act/confirm/{fresh}")).status_code == 200


async def test_confirming_after_the_campaign_closed_is_refused(client, db):
    await make_campaign(db)
    path = link_in(await signed_up(client, db), "confirm")
    await campaigns.close_campaign(db, CLI, "eats-act")
    response = await confirm(client, path)
    assert response.status_code == 409
    assert "no longer taking signatures" in response.text
    assert (await signature_rows(db))[0]["status"] == "unconfirmed"


async def test_withdraw_works_after_confirming_and_only_once(client, db):
    await make_campaign(db)
    body = await signed_up(client, db)
    await confirm(client, link_in(body, "confirm"))
    withdraw = link_in(body, "withdraw")
    page = await client.get(withdraw)
    assert page.status_code == 200 and "Withdraw my signature" in page.text
    assert (await signature_rows(db))[0]["status"] == "confirmed"
    response = await confirm(client, withdraw)
    assert response.status_code == 303
    assert (await signature_rows(db))[0]["status"] == "withdrawn"
    again = await client.get(withdraw)
    assert again.status_code == 409 and "already been withdrawn" in again.text


async def test_a_withdrawn_signer_who_signs_again_starts_over(client, db):
    await make_campaign(db)
    body = await signed_up(client, db)
    await confirm(client, link_in(body, "confirm"))
    await confirm(client, link_in(body, "withdraw"))
    response = await sign(client, title="Council President")
    assert response.status_code == 303
    [row] = await signature_rows(db)
    assert (row["status"], row["title"]) == ("unconfirmed", "Council President")
    old_confirm = await client.get(link_in(body, "confirm"))
    assert old_confirm.status_code == 400
    await confirm(client, link_in((await latest_email(db))["body_text"], "confirm"))
    assert (await signature_rows(db))[0]["status"] == "confirmed"


async def verified(db, client):
    """A confirmed signature that staff verified (the review queue comes later)."""
    body = await signed_up(client, db)
    await confirm(client, link_in(body, "confirm"))
    await db.execute(signatures.update().values(status="verified", verified_at=sa.func.now()))
    return body


async def test_a_repeat_changes_nothing_visible_until_confirmed(client, db):
    await make_campaign(db)
    await verified(db, client)
    emails_before = (await latest_email(db))["id"]
    await sign(client, full_name="Somebody Else", title="Mayor")
    [row] = await signature_rows(db)
    assert (row["full_name"], row["title"], row["status"]) == (
        "Ana María Díaz",
        "City Council Member",
        "verified",
    )
    pending = row["pending_change"]
    assert "Somebody Else" in str(pending)
    email = await latest_email(db)
    assert email["id"] > emails_before
    assert "Somebody Else, Mayor" in email["body_text"]
    await confirm(client, link_in(email["body_text"], "confirm"))
    [row] = await signature_rows(db)
    # A new name or office goes back through verification.
    assert (row["full_name"], row["title"], row["status"]) == (
        "Somebody Else",
        "Mayor",
        "confirmed",
    )
    assert row["pending_change"] is None and row["verified_at"] is None


async def test_an_identical_repeat_of_a_confirmed_signature_sends_nothing(client, db):
    await make_campaign(db)
    await verified(db, client)
    before = (await latest_email(db))["id"]
    response = await client.post(
        "/api/v1/campaigns/eats-act/signatures",
        json={
            "full_name": "Ana María Díaz",
            "title": "City Council Member",
            "office_level": "municipal",
            "jurisdiction": "Saint Paul",
            "state": "MN",
            "district": "3",
            "email": "ana.diaz@stpaul.gov",
            "phone": "651-555-0142",
        },
    )
    assert response.status_code == 201  # as for a new signature (issue 13)
    assert (await latest_email(db))["id"] == before
    assert (await signature_rows(db))[0]["status"] == "verified"


async def test_resending_while_unconfirmed_is_rate_limited(client, db):
    await make_campaign(db)
    for _ in range(6):
        await sign(client)
    count = await db.fetch_val(sa.text("SELECT count(*) FROM email_outbox"))
    assert count == 3
    assert len(await signature_rows(db)) == 1


async def test_the_newest_email_wins(client, db):
    await make_campaign(db)
    first = await signed_up(client, db)
    await sign(client, title="Council Vice President")
    second = (await latest_email(db))["body_text"]
    assert (await client.get(link_in(first, "confirm"))).status_code == 400
    await confirm(client, link_in(second, "confirm"))
    [row] = await signature_rows(db)
    assert (row["status"], row["title"]) == ("confirmed", "Council Vice President")


def test_tokens_are_itsdangerous_tokens_made_without_the_zlib_attempt():
    """tokens._Serializer skips zlib (it never shortens a payload this small): the tokens
    are byte for byte what URLSafeTimedSerializer makes, and it reads them."""
    at = 1_780_000_000.0
    stock = URLSafeTimedSerializer(
        tokens._secret(),
        salt=tokens.SALT,
        signer=tokens._ClockedSigner,
        signer_kwargs={"clock": at},
    )
    for signature_id, purpose in ((1, "confirm"), (2**62, "withdraw")):
        nonce = tokens.new_nonce()
        made = tokens.make_token(signature_id, nonce, purpose, now=at)
        assert made == stock.dumps([signature_id, nonce, purpose])
        assert tokens.read_token(made, purpose, max_age_seconds=60, now=at) == (signature_id, nonce)
    live = tokens.make_token(7, "n", "confirm")
    assert stock.loads(live) == [7, "n", "confirm"]
