"""Signing through the HTML form and the JSON API (SPEC sections 2 and 4)."""

import asyncio

import sqlalchemy as sa

from signon.tables import audit_log, email_outbox, signatures
from tests.emails import latest_email, link_in
from tests.factories import OFFICIAL, make_campaign, sign, signature_rows


async def test_open_campaign_shows_the_form_with_its_allowed_levels(client, db):
    await make_campaign(db, allowed_levels=["municipal", "county"])
    page = (await client.get("/c/eats-act")).text
    assert 'action="/c/eats-act/sign' in page
    assert 'value="municipal"' in page and 'value="county"' in page
    assert 'value="state_legislature"' not in page
    assert "Your email address and phone number never will" in page
    for field in (
        "full_name",
        "title",
        "office_level",
        "jurisdiction",
        "state",
        "district",
        "email",
        "phone",
        "organization",
    ):
        assert f'<label for="{field}">' in page


async def test_closed_campaign_shows_no_form(client, db):
    await make_campaign(db, status="closed")
    page = (await client.get("/c/eats-act")).text
    assert "/c/eats-act/sign" not in page
    assert "not taking signatures" in page


async def test_signing_queues_a_confirmation_and_records_the_version(client, db):
    campaign = await make_campaign(db)
    response = await sign(client)
    assert response.status_code == 303
    assert response.headers["location"].endswith("/c/eats-act/thanks")
    assert "Check your email" in (await client.get(response.headers["location"])).text
    [row] = await signature_rows(db)
    assert row["status"] == "unconfirmed"
    assert row["email"] == "ana.diaz@stpaul.gov"
    assert row["district"] == "3"
    assert row["text_version"] == campaign.text_version
    email = await latest_email(db)
    assert email["to_address"] == "ana.diaz@stpaul.gov"
    assert "Reject the EATS Act" in email["subject"]
    assert link_in(email["body_text"], "confirm").startswith("/c/eats-act/confirm/")
    assert link_in(email["body_text"], "withdraw").startswith("/c/eats-act/withdraw/")
    assert "Ana María Díaz, City Council Member, Saint Paul" in email["body_text"]
    assert "&#" not in email["body_text"]  # plain text is not HTML-escaped
    assert 'href="http' in email["body_html"]


async def test_bad_input_is_shown_again_with_a_message_under_each_field(client, db):
    await make_campaign(db, allowed_levels=["municipal"])
    response = await sign(
        client,
        full_name="Visit https://spam.example now",
        title="",
        state="ZZ",
        email="not-an-email",
        office_level="state_legislature",
        phone="call me",
        jurisdiction="x" * 201,
    )
    assert response.status_code == 400
    page = response.text
    assert 'id="full_name-error"' in page and "Web addresses are not allowed" in page
    assert 'id="title-error"' in page and "Enter your title" in page
    assert 'id="state-error"' in page
    assert 'id="email-error"' in page
    assert 'id="office_level-error"' in page
    assert 'id="phone-error"' in page
    assert "at most 200 characters" in page
    assert 'aria-describedby="email-hint email-error"' in page
    assert 'value="not-an-email"' in page  # what was typed is kept
    assert 'value="Visit https://spam.example now"' in page
    assert 'role="alert"' in page and 'href="#full_name"' in page
    assert await signature_rows(db) == []


async def test_control_characters_and_huge_values_are_refused_without_error(client, db):
    await make_campaign(db)
    response = await sign(client, full_name="Ana\u202eDíaz\x07", organization="y" * 100_000)
    assert response.status_code == 400
    assert "control characters" in response.text
    assert "at most 200 characters" in response.text
    nul = await sign(client, full_name="Ana\x00Díaz")  # no browser sends NUL: a plain 400
    assert nul.status_code == 400
    assert await signature_rows(db) == []


async def test_a_state_legislator_may_leave_the_jurisdiction_to_the_state(client, db):
    await make_campaign(db)
    await sign(
        client,
        office_level="state_legislature",
        jurisdiction="",
        state="WI",
        title="State Representative",
        district="AD 15",
    )
    [row] = await signature_rows(db)
    assert (row["jurisdiction"], row["district"]) == ("Wisconsin", "15")


async def test_a_governor_may_leave_the_jurisdiction_blank_too(client, db):
    await make_campaign(db, allowed_levels=["statewide"])
    form = await sign(
        client, office_level="statewide", jurisdiction="", state="NC", title="Governor"
    )
    api = await client.post(
        "/api/v1/campaigns/eats-act/signatures",
        json={
            **OFFICIAL,
            "office_level": "statewide",
            "jurisdiction": " ",
            "state": "WI",
            "title": "Governor",
            "email": "governor@wisconsin.gov",
        },
    )
    assert (form.status_code, api.status_code) == (303, 201)
    rows = await signature_rows(db)
    assert sorted(row["jurisdiction"] for row in rows) == ["North Carolina", "Wisconsin"]


async def test_repeats_never_make_a_second_row(client, db):
    await make_campaign(db)
    await sign(client)
    await sign(client, email="ANA.DIAZ@stpaul.gov")
    rows = await signature_rows(db)
    assert len(rows) == 1


async def test_hundreds_of_simultaneous_repeats_make_one_row(client, db):
    await make_campaign(db)
    payload = {key: value for key, value in OFFICIAL.items() if value}
    responses = await asyncio.gather(
        *[client.post("/api/v1/campaigns/eats-act/signatures", json=payload) for _ in range(200)]
    )
    codes = sorted(response.status_code for response in responses)
    assert codes == [201] * 200  # repeats answer as a new signature does (issue 13)
    assert len(await signature_rows(db)) == 1


async def test_simultaneous_distinct_signers_each_get_a_row(client, db):
    await make_campaign(db)
    responses = await asyncio.gather(
        *[
            client.post(
                "/api/v1/campaigns/eats-act/signatures",
                json={**OFFICIAL, "email": f"member{n}@stpaul.gov"},
            )
            for n in range(100)
        ]
    )
    assert {response.status_code for response in responses} == {201}
    assert len(await signature_rows(db)) == 100
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(email_outbox)) == 100


async def test_json_api_status_codes(client, db):
    await make_campaign(db)
    await make_campaign(db, slug="draft-one", status="draft")
    await make_campaign(db, slug="closed-one", status="closed")
    url = "/api/v1/campaigns/{}/signatures"
    origin = {"Origin": "https://partner.example"}
    created = await client.post(url.format("eats-act"), json=OFFICIAL, headers=origin)
    assert (created.status_code, created.json()) == (201, {"status": "unconfirmed"})
    assert created.headers["access-control-allow-origin"] == "*"
    repeat = await client.post(url.format("eats-act"), json=OFFICIAL)
    assert (repeat.status_code, repeat.json()) == (201, {"status": "unconfirmed"})
    bad = await client.post(url.format("eats-act"), json={**OFFICIAL, "email": 42, "state": "Q"})
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) == {"email", "state"}
    assert (await client.post(url.format("closed-one"), json=OFFICIAL)).status_code == 409
    assert (await client.post(url.format("draft-one"), json=OFFICIAL)).status_code == 404
    assert (await client.post(url.format("nope"), json=OFFICIAL)).status_code == 404
    not_json = await client.post(url.format("eats-act"), content=b"full_name=x")
    assert not_json.status_code == 422 and "JSON" in not_json.json()["errors"]["body"][0]
    broken = await client.post(
        url.format("eats-act"), content=b"{nope", headers={"content-type": "application/json"}
    )
    assert broken.status_code == 422
    listed = await client.post(url.format("eats-act"), json=[OFFICIAL])
    assert listed.status_code == 422


async def test_json_api_answers_cors_preflight(client, db):
    await make_campaign(db)
    response = await client.options(
        "/api/v1/campaigns/eats-act/signatures",
        headers={
            "Origin": "https://partner.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "POST" in response.headers["access-control-allow-methods"]


async def test_signing_a_closed_campaign_by_form_is_refused(client, db):
    await make_campaign(db, slug="closed-one", status="closed")
    response = await client.post("/api/v1/campaigns/closed-one/signatures", json=OFFICIAL)
    assert response.status_code == 409
    assert "not taking signatures" in response.json()["error"]


async def test_signing_writes_no_audit_row_until_confirmed(client, db):
    await make_campaign(db)
    before = await db.fetch_val(sa.select(sa.func.count()).select_from(audit_log))
    await sign(client)
    after = await db.fetch_val(sa.select(sa.func.count()).select_from(audit_log))
    assert before == after
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(signatures)) == 1


async def test_the_form_and_its_errors_in_spanish(client, db):
    await make_campaign(db)
    client.headers["Accept-Language"] = "es-MX,es;q=0.9"
    page = (await client.get("/c/eats-act")).text
    assert '<html lang="es">' in page
    assert "Agregue su nombre" in page and "Nombre completo" in page
    assert "Legislatura estatal" in page
    response = await sign(client, full_name="", email="nope")
    assert response.status_code == 400
    assert "Corrija lo siguiente" in response.text
    assert "Escriba su nombre completo." in response.text
    assert "Escriba un correo electrónico como nombre@ejemplo.gov." in response.text
    assert "autofocus" in response.text and 'id="error-summary"' in response.text
    api = await client.post("/api/v1/campaigns/eats-act/signatures", json={"email": "x"})
    assert "Escriba su nombre completo." in api.json()["errors"]["full_name"]


async def test_a_legislators_jurisdiction_of_the_wrong_type_is_refused(client, db):
    await make_campaign(db)
    payload = {**OFFICIAL, "office_level": "state_legislature", "state": "WI", "jurisdiction": {}}
    response = await client.post("/api/v1/campaigns/eats-act/signatures", json=payload)
    assert response.status_code == 422
    assert "jurisdiction" in response.json()["errors"]
