"""The attack matrix (issue 7): each case fails if the attack works.

Several of these are also tested where the feature lives (tests/web/test_csrf.py,
test_links.py, test_staff.py, test_pdf.py, test_exports.py); this module gathers them so
that one file answers "which attacks do we prove we stop", and adds the crawls that no
single feature owns: stored XSS everywhere it is shown, SQL injection through every
parameter, and no email, phone or IP on any public page or API response.
"""

from __future__ import annotations

import io
import re
import time

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from signon.signing import tokens
from signon.tables import campaigns, signatures, staff
from signon.verification import review
from tests.emails import latest_email, link_in
from tests.factories import confirm, log_in, make_campaign, make_staff, sign
from tests.forms import form_post

XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'><svg onload=alert(3)>"
SQLI = ("' OR '1'='1", "'; DROP TABLE signatures; --", "1) OR (1=1", '" OR ""="')
SECRET_EMAIL = "private.person@stpaul.gov"
SECRET_PHONE = "651-555-0199"
CLIENT_IP = "203.0.113.7"  # the test client's address (tests/conftest.py)


async def verified_signer(client, db, campaign_id: int, **fields: str) -> int:
    await sign(client, **fields)
    await confirm(client, link_in((await latest_email(db))["body_text"], "confirm"))
    signature_id = await db.fetch_val(
        sa.select(signatures.c.id).order_by(signatures.c.id.desc()).limit(1)
    )
    member = await make_staff(db, f"v{time.time_ns()}@example.org", name="Verifier")
    await review.verify_signatures(db, member.as_actor(), campaign_id, [signature_id])
    return signature_id


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


def assert_no_live_markup(html: str) -> None:
    assert "<script>alert(1)" not in html
    assert "<img src=x onerror" not in html
    assert "<svg onload" not in html


async def test_stored_xss_through_signer_and_campaign_fields(client, db):
    campaign = await make_campaign(
        db,
        title=f"Title {XSS}",
        summary=f"Summary {XSS}",
        addressee=f"To {XSS}",
        salutation=f"Dear {XSS}",
        sign_off=f"Bye {XSS}",
        sponsors=f"Org {XSS}",
        body_markdown=f"Body {XSS} [x](javascript:alert(4))",
    )
    # Names refuse URLs but not markup: markup must be escaped wherever it is shown.
    await verified_signer(
        client,
        db,
        campaign.id,
        full_name=f"Ana {XSS[:60]}",
        title=f"Mayor {XSS[:60]}",
        jurisdiction=f"Saint Paul {XSS[:60]}",
        organization=f"Org {XSS[:60]}",
    )
    await make_staff(db, "rev@example.org", role="staff", name="Rev")
    await log_in(client, "rev@example.org")
    pages = [
        "/",
        "/c/eats-act",
        "/c/eats-act/embed",
        "/c/eats-act/thanks",
        "/staff/",
        "/staff/campaigns/eats-act",
        "/staff/campaigns/eats-act/review?status=verified",
        "/staff/audit",
        "/staff/outbox",
        "/staff/campaigns/eats-act/edit",
    ]
    for page in pages:
        response = await client.get(page)
        assert response.status_code == 200, page
        assert_no_live_markup(response.text)
        assert 'href="javascript:' not in response.text, page
    letter = await client.get("/c/eats-act/letter.pdf")
    assert letter.status_code == 200
    text = pdf_text(letter.content)
    assert "<script>alert(1)</script>" in text  # printed as the text it is, not markup
    assert b"/JavaScript" not in letter.content and b"/JS " not in letter.content


@pytest.mark.parametrize("payload", SQLI)
async def test_sql_injection_through_every_parameter(client, db, payload):
    await make_campaign(db)
    before = await db.fetch_val(sa.select(sa.func.count()).select_from(signatures))
    quoted = payload.replace(" ", "%20").replace("#", "%23")
    gets = [
        f"/c/{quoted}",
        f"/c/{quoted}/embed",
        f"/c/{quoted}/letter.pdf",
        f"/c/{quoted}/og.png",
        f"/c/eats-act/confirm/{quoted}",
        f"/c/eats-act/withdraw/{quoted}",
        f"/api/v1/campaigns/{quoted}",
        f"/api/v1/campaigns/{quoted}/signatures",
        f"/api/v1/campaigns/eats-act/signatures?page={quoted}&per_page={quoted}",
        f"/api/v1/divisions?state={quoted}&q={quoted}",
        f"/api/v1/divisions?state=WI&q={quoted}",
    ]
    for url in gets:
        response = await client.get(url)
        assert response.status_code < 500, url
        assert "syntax error" not in response.text.lower(), url
    fields = {
        name: payload
        for name in ("full_name", "title", "jurisdiction", "district", "organization", "phone")
    }
    await sign(client, **fields, email="inject@example.org")
    api = await client.post(
        "/api/v1/campaigns/eats-act/signatures", json={**fields, "email": payload}
    )
    assert api.status_code in (201, 200, 422)
    await make_staff(db, "rev@example.org", role="staff", name="Rev")
    await log_in(client, "rev@example.org")
    for url in (
        f"/staff/campaigns/{quoted}",
        f"/staff/campaigns/eats-act/review?state={quoted}&level={quoted}&status={quoted}",
        f"/staff/audit?before={quoted}",
    ):
        assert (await client.get(url)).status_code < 500, url
    login = await form_post(
        client, "/staff/login", "/staff/login", {"email": payload, "password": payload}
    )
    assert login.status_code in (303, 403, 429)
    # The tables are all still there, and nothing was written beyond what was submitted.
    after = await db.fetch_val(sa.select(sa.func.count()).select_from(signatures))
    assert after - before <= 2
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(campaigns)) == 1
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(staff)) >= 1


async def test_no_email_phone_or_ip_on_any_public_page_or_api(client, db):
    campaign = await make_campaign(db)
    await verified_signer(
        client,
        db,
        campaign.id,
        email=SECRET_EMAIL,
        phone=SECRET_PHONE,
        organization="Hidden Org Name",
    )
    urls = [
        "/",
        "/c/eats-act",
        "/c/eats-act/embed",
        "/c/eats-act/thanks",
        "/api/v1/campaigns",
        "/api/v1/campaigns/eats-act",
        "/api/v1/campaigns/eats-act/signatures",
        "/api/v1/openapi.json",
        "/api/v1/divisions?state=MN&q=sa",
    ]
    for url in urls:
        response = await client.get(url)
        assert response.status_code == 200, url
        body = response.text.lower()
        for secret in (SECRET_EMAIL, SECRET_PHONE, "651555", CLIENT_IP, "hidden org name"):
            assert secret not in body, (url, secret)
        assert not re.search(r"[\w.+-]+@stpaul\.gov", body), url
    letter = pdf_text((await client.get("/c/eats-act/letter.pdf")).content).lower()
    for secret in (SECRET_EMAIL, SECRET_PHONE, CLIENT_IP):
        assert secret not in letter
    assert "ana maría díaz" in letter or "ana mar" in letter  # the signer is listed


async def test_staff_urls_need_login_and_admin_urls_need_anadmin(client, db):
    await make_campaign(db)
    for url in (
        "/staff/",
        "/staff/users",
        "/staff/audit",
        "/staff/outbox",
        "/staff/datasets",
        "/staff/campaigns/eats-act/review",
        "/staff/campaigns/eats-act/export.csv",
    ):
        response = await client.get(url)
        assert response.status_code == 303 and "/staff/login" in response.headers["location"]
    await make_staff(db, "plain@example.org", role="staff", name="Plain")
    await log_in(client, "plain@example.org")
    assert (await client.get("/staff/users")).status_code == 403
    created = await form_post(
        client,
        "/staff/",
        "/staff/users",
        {"email": "new@example.org", "name": "New", "password": "x" * 20, "role": "admin"},
    )
    assert created.status_code == 403
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(staff)) == 1


async def test_posts_without_or_with_a_wrong_csrf_token_are_refused(client, db):
    await make_campaign(db)
    page = await client.get("/c/eats-act")
    assert page.status_code == 200
    for token in (None, "wrong", "x" * 43):
        data = {
            "full_name": "Ana Díaz",
            "title": "Mayor",
            "office_level": "municipal",
            "jurisdiction": "Saint Paul",
            "state": "MN",
            "email": "a@stpaul.gov",
        }
        if token is not None:
            data["csrf_token"] = token
        assert (await client.post("/c/eats-act/sign", data=data)).status_code == 403
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(signatures)) == 0


async def test_expired_reused_and_forged_confirmation_tokens_fail(client, db):
    await make_campaign(db)
    await sign(client)
    path = link_in((await latest_email(db))["body_text"], "confirm")
    row = await db.fetch_one(sa.select(signatures))
    old = tokens.make_token(row["id"], row["token_nonce"], "confirm", now=time.time() - 30 * 86400)
    assert (await client.get(f"/c/eats-act/confirm/{old}")).status_code == 400
    forged = path[:-4] + "abcd"
    assert (await client.get(forged)).status_code == 400
    assert (await confirm(client, path)).status_code == 303
    assert (await client.get(path)).status_code == 400  # reused


async def test_login_brute_force_stops_at_the_throttle(client, db):
    await make_staff(db, "target@example.org", role="admin", name="Target")
    codes = []
    for n in range(8):
        response = await form_post(
            client,
            "/staff/login",
            "/staff/login",
            {"email": "target@example.org", "password": f"guess-{n}"},
        )
        codes.append(response.status_code)
    assert codes[:5] == [403] * 5 and set(codes[5:]) == {429}
    right = await form_post(
        client,
        "/staff/login",
        "/staff/login",
        {"email": "target@example.org", "password": "correct horse battery staple"},
    )
    assert right.status_code == 429  # even the right password waits out the throttle


async def test_csv_cells_cannot_run_as_formulas(client, db):
    await make_campaign(db)
    await sign(
        client,
        full_name="=cmd|' /C calc'!A0",
        email="f@example.org",
        organization="+1+1",
        title="@SUM(A1:A2)",
    )
    await make_staff(db, "rev@example.org", role="staff", name="Rev")
    await log_in(client, "rev@example.org")
    body = (await client.get("/staff/campaigns/eats-act/export.csv")).text
    for line in body.splitlines()[1:]:
        for cell in line.split(","):
            assert not cell.strip('"').startswith(("=", "+", "@", "-")), cell


async def test_the_pdf_renderer_fetches_nothing_remote_or_local(client, db):
    from signon.letter import pdf

    fetcher = pdf.make_fetcher()
    for url in (
        "http://127.0.0.1:9/x.png",
        "https://example.org/x.css",
        "file:///etc/passwd",
        "file:///work/main/signon/settings.py",
        "ftp://example.org/x",
    ):
        with pytest.raises(Exception):  # noqa: B017 - any refusal will do; none may succeed
            fetcher.fetch(url)
    campaign = await make_campaign(
        db, body_markdown="![x](http://127.0.0.1:9/leak.png) <img src='file:///etc/passwd'>"
    )
    # Signer fields refuse web and file addresses outright...
    refused = await sign(client, full_name="Ana <img src=file:///etc/passwd>")
    assert refused.status_code == 400
    # ...and what they may hold is printed as text.
    await verified_signer(client, db, campaign.id, full_name="Ana <b>Díaz</b>")
    letter = await client.get("/c/eats-act/letter.pdf")
    assert letter.status_code == 200
    assert b"root:x:0:0" not in letter.content
    assert "Ana <b>Díaz</b>" in pdf_text(letter.content)
