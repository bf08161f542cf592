"""Campaign authoring by staff: writing, editing, versions, lifecycle, audit."""

import sqlalchemy as sa

from signon.tables import audit_log, campaign_texts, campaigns
from tests.factories import log_in, make_campaign, make_staff
from tests.forms import form_post

NEW = "/staff/campaigns/new"


def letter(**overrides: object) -> dict:
    data = {
        "title": "Protect local food safety laws",
        "slug": "food-safety",
        "kind": "letter",
        "summary": "Officials ask Congress to keep local food safety laws.",
        "addressee": "Members of the United States Congress",
        "salutation": "Dear Members of Congress,",
        "body_markdown": "We write to **oppose** preemption.\n\nThank you.",
        "sign_off": "Sincerely,",
        "sponsors": "Local Progress\nState Innovation Exchange\n",
        "goal": "180",
        "opens_at": "",
        "closes_at": "2027-01-31T17:00",
        "auto_verify": "strong",
        "allowed_levels": ["state_legislature", "municipal"],
    }
    data.update(overrides)
    return data


async def staff_client(client, db):
    await make_staff(db, "writer@example.org", role="staff", name="Wren Writer")
    await log_in(client, "writer@example.org")
    return client


async def test_staff_writes_a_campaign_and_sees_it(client, db):
    await staff_client(client, db)
    response = await form_post(client, NEW, NEW, letter())
    assert response.status_code == 303
    assert response.headers["location"].endswith("/staff/campaigns/food-safety")
    page = await client.get("/staff/campaigns/food-safety")
    assert "Protect local food safety laws" in page.text
    assert "<strong>oppose</strong>" in page.text
    assert "Local Progress, State Innovation Exchange" in page.text
    row = await db.fetch_one(sa.select(campaigns).where(campaigns.c.slug == "food-safety"))
    assert row["status"] == "draft"
    assert list(row["allowed_levels"]) == ["state_legislature", "municipal"]
    assert row["goal"] == 180
    # 17:00 US Eastern in January is 22:00 UTC.
    assert row["closes_at"].isoformat() == "2027-01-31T22:00:00+00:00"


async def test_invalid_campaign_keeps_what_was_typed(client, db):
    await staff_client(client, db)
    response = await form_post(
        client,
        NEW,
        NEW,
        letter(
            title="",
            slug="Not A Slug!",
            goal="-3",
            summary="x" * 1001,
            body_markdown="Keep this text <b>typed</b>",
            allowed_levels=["mayor"],
        ),
    )
    assert response.status_code == 400
    page = response.text
    assert 'id="title-error"' in page and "Enter a title" in page
    assert "lower-case letters" in page
    assert "whole number" in page
    assert "at most 1,000 characters" in page
    assert "Choose at least one office level" in page
    assert "Keep this text &lt;b&gt;typed&lt;/b&gt;" in page  # kept, and escaped
    assert 'value="Not A Slug!"' in page
    assert 'aria-describedby="title-error"' in page
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(campaigns)) == 0


async def test_duplicate_slug_is_refused_clearly(client, db):
    await staff_client(client, db)
    await make_campaign(db, slug="food-safety")
    response = await form_post(client, NEW, NEW, letter())
    assert response.status_code == 400
    assert "Another campaign already uses this address" in response.text


async def test_closing_before_opening_is_refused(client, db):
    await staff_client(client, db)
    response = await form_post(
        client, NEW, NEW, letter(opens_at="2027-02-01T09:00", closes_at="2027-01-01T09:00")
    )
    assert response.status_code == 400
    assert "must be after the opening" in response.text


async def test_lifecycle_draft_open_closed_and_illegal_moves(client, db):
    await staff_client(client, db)
    await make_campaign(db, slug="food-safety", status="draft")
    page = "/staff/campaigns/food-safety"
    assert (await client.get("/c/food-safety")).status_code == 404  # drafts are not public
    assert (await form_post(client, page, page + "/close", {})).status_code == 409
    assert (await form_post(client, page, page + "/open", {})).status_code == 303
    assert (await client.get("/c/food-safety")).status_code == 200
    again = await form_post(client, page, page + "/open", {})
    assert again.status_code == 409
    assert "cannot be opened" in again.text
    assert (await form_post(client, page, page + "/close", {})).status_code == 303
    public = await client.get("/c/food-safety")
    assert "not taking signatures" in public.text
    actions = await db.fetch_all(
        sa.select(audit_log.c.action, audit_log.c.actor, audit_log.c.before, audit_log.c.after)
        .where(audit_log.c.action.in_(["campaign.open", "campaign.close"]))
        .order_by(audit_log.c.id)
    )
    assert [(row["action"], row["actor"]) for row in actions] == [
        ("campaign.open", "writer@example.org"),
        ("campaign.close", "writer@example.org"),
    ]


async def test_unknown_campaign_is_404_for_staff_actions(client, db):
    await staff_client(client, db)
    token_page = "/staff/"
    assert (
        await form_post(client, token_page, "/staff/campaigns/nope/open", {})
    ).status_code == 404
    assert (await client.get("/staff/campaigns/nope/edit")).status_code == 404


async def test_editing_a_draft_rewrites_in_place(client, db):
    await staff_client(client, db)
    await make_campaign(db, slug="food-safety", status="draft")
    edit = "/staff/campaigns/food-safety/edit"
    response = await form_post(client, edit, edit, letter(title="A better title"))
    assert response.status_code == 303
    versions = await db.fetch_all(sa.select(campaign_texts.c.version, campaign_texts.c.title))
    assert [(row["version"], row["title"]) for row in versions] == [(1, "A better title")]


async def test_editing_an_open_campaign_keeps_earlier_versions(client, db):
    await staff_client(client, db)
    await make_campaign(db, slug="food-safety")
    edit = "/staff/campaigns/food-safety/edit"
    form = (await client.get(edit)).text
    assert "saved as text version 2" in form
    response = await form_post(
        client, edit, edit, letter(body_markdown="New wording.", slug="food-safety")
    )
    assert response.status_code == 303
    versions = await db.fetch_all(
        sa.select(campaign_texts.c.version, campaign_texts.c.body_markdown).order_by(
            campaign_texts.c.version
        )
    )
    assert [row["version"] for row in versions] == [1, 2]
    assert versions[1]["body_markdown"] == "New wording."
    assert "New wording." in (await client.get("/c/food-safety")).text
    entry = await db.fetch_one(sa.select(audit_log).where(audit_log.c.action == "campaign.update"))
    assert entry["before"]["text_version"] == 1 and entry["after"]["text_version"] == 2
    assert entry["after"]["body_markdown"] == "New wording."


async def test_only_a_draft_can_change_its_address(client, db):
    await staff_client(client, db)
    await make_campaign(db, slug="food-safety")
    edit = "/staff/campaigns/food-safety/edit"
    response = await form_post(client, edit, edit, letter(slug="renamed"))
    assert response.status_code == 400
    assert "cannot change once the campaign has been opened" in response.text


async def test_goal_and_policy_changes_do_not_make_a_new_version(client, db):
    await staff_client(client, db)
    original = await make_campaign(db, slug="food-safety")
    edit = "/staff/campaigns/food-safety/edit"
    data = letter(
        title=original.title,
        body_markdown=original.body_markdown,
        summary=original.summary,
        goal="500",
        auto_verify="off",
    )
    assert (await form_post(client, edit, edit, data)).status_code == 303
    row = await db.fetch_one(sa.select(campaigns).where(campaigns.c.slug == "food-safety"))
    assert (row["goal"], row["auto_verify"], row["text_version"]) == (500, "off", 1)


async def test_letter_text_cannot_carry_script_or_remote_images(client, db):
    await staff_client(client, db)
    body = (
        "Hello <script>alert(1)</script> [x](javascript:alert(2)) "
        "![tracker](https://evil.example/pixel.png) <img src=x onerror=alert(3)>"
    )
    await form_post(client, NEW, NEW, letter(body_markdown=body, title="<i>Title</i>"))
    await form_post(client, "/staff/campaigns/food-safety", "/staff/campaigns/food-safety/open", {})
    page = (await client.get("/c/food-safety")).text
    assert "<script>alert(1)" not in page
    assert 'href="javascript:' not in page
    assert "evil.example" not in page
    assert "<img src=x" not in page
    assert "&lt;i&gt;Title&lt;/i&gt;" in page


async def test_campaign_page_shows_text_and_sponsors(client, db):
    await make_campaign(db, slug="eats-act")
    page = await client.get("/c/eats-act")
    assert page.status_code == 200
    assert "<h1>Reject the EATS Act</h1>" in page.text
    assert "Dear Members of Congress," in page.text
    assert "Local Progress" in page.text and "State Innovation Exchange" in page.text


async def test_closing_date_past_stops_the_campaign(client, db):
    await make_campaign(db, slug="old", opens_at="2020-01-01T00:00", closes_at="2020-02-01T00:00")
    page = await client.get("/c/old")
    assert "not taking signatures" in page.text
