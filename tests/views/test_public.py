"""The public campaign page (count, goal, tile map, signatories, delivery), the embed widget
and the social-sharing card: bilingual, accessible, nothing private."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from signon import campaigns
from signon.audit import CLI
from signon.letter import delivery
from signon.offices import STATES
from signon.public import tilemap
from tests.factories import NOW, make_campaign, verified_signer, withdraw
from tests.forms import form_post

PEOPLE = [
    ("w1@example.gov", "Zoe Adams", "WI", "Alderperson", "Milwaukee"),
    ("m1@example.gov", "Carl Young Jr.", "MN", "Mayor", "Duluth"),
    ("m2@example.gov", "Ana Álvarez", "MN", "City Council Member", "Saint Paul"),
    ("i1@example.gov", "Ivy Ives", "IA", "County Supervisor", "Polk County"),
    ("d1@example.gov", "Ida Idaho", "ID", "Mayor", "Boise"),
]


async def _with_signers(client, db, **campaign_fields):
    campaign = await make_campaign(db, **campaign_fields)
    for email, name, state, title, jurisdiction in PEOPLE:
        await verified_signer(
            client,
            db,
            campaign.id,
            email,
            full_name=name,
            state=state,
            title=title,
            jurisdiction=jurisdiction,
        )
    return campaign


def _between(html: str, start: str, end: str) -> str:
    return html[html.index(start) : html.index(end, html.index(start))]


async def test_the_page_shows_the_count_goal_and_signers_by_state(client, db):
    await _with_signers(client, db)
    page = await client.get("/c/eats-act", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    html = page.text
    assert "5 verified signers" in html
    assert "Goal: 180" in html
    assert re.search(r'<progress class="goal-bar" max="180" value="5"', html)
    assert "Local Progress" in html and "State Innovation Exchange" in html  # sponsors
    signers = _between(html, 'id="signers-heading"', "</section>")
    headings = re.findall(r'<h3 id="signers-([A-Z]{2})">([^<]+) <span', signers)
    # States in the order of their names: Idaho before Iowa, although "IA" < "ID".
    assert headings == [
        ("ID", "Idaho"),
        ("IA", "Iowa"),
        ("MN", "Minnesota"),
        ("WI", "Wisconsin"),
    ]
    lines = re.findall(r"<li>([^<]+)</li>", signers)
    assert lines == [
        "Ida Idaho, Mayor, Boise",
        "Ivy Ives, County Supervisor, Polk County",
        "Ana Álvarez, City Council Member, Saint Paul",
        "Carl Young Jr., Mayor, Duluth",
        "Zoe Adams, Alderperson, Milwaukee",
    ]


async def test_the_tile_map_has_every_state_and_a_text_alternative(client, db):
    await _with_signers(client, db)
    html = (await client.get("/c/eats-act")).text
    svg = _between(html, "<svg", "</svg>")
    assert 'role="img"' in svg and 'aria-labelledby="tilemap-title tilemap-desc"' in svg
    assert '<title id="tilemap-title">' in svg and '<desc id="tilemap-desc">' in svg
    assert len(re.findall(r"<rect ", svg)) == 51
    assert "<title>Minnesota: 2 verified signers</title>" in svg
    assert "<title>Texas: 0 verified signers</title>" in svg
    assert "<title>Iowa: 1 verified signer</title>" in svg
    table = _between(html, '<table class="state-counts">', "</table>")
    rows = re.findall(r'<a href="#signers-([A-Z]{2})">([^<]+)</a></th><td class="num">(\d+)', table)
    assert rows == [
        ("ID", "Idaho", "1"),
        ("IA", "Iowa", "1"),
        ("MN", "Minnesota", "2"),
        ("WI", "Wisconsin", "1"),
    ]


async def test_public_pages_have_no_style_attributes_or_private_data(client, db):
    await _with_signers(client, db)
    for path in ("/c/eats-act", "/c/eats-act/embed", "/c/eats-act?lang=es"):
        html = (await client.get(path)).text
        assert not re.search(r"\sstyle=", html), f"{path}: the CSP forbids style attributes"
        assert "example.gov" not in html and "651-555" not in html
        assert "203.0.113.7" not in html


async def test_the_page_is_in_spanish_too(client, db):
    await _with_signers(client, db, goal="1000")
    html = (await client.get("/c/eats-act?lang=es")).text
    assert '<html lang="es">' in html
    assert "5 firmantes verificados" in html
    assert "Meta: 1.000" in html  # Spanish groups digits with a point
    assert "Firmantes por estado" in html
    assert "<title>Minnesota: 2 firmantes verificados</title>" in html


async def test_an_empty_campaign_says_so(client, db):
    await make_campaign(db, goal="")
    html = (await client.get("/c/eats-act")).text
    assert "0 verified signers" in html
    assert "<progress" not in html  # no goal, no bar
    assert html.count("No signer has been verified yet.") == 2  # the table and the list


async def test_counts_follow_verifications_at_once(client, db):
    campaign = await make_campaign(db)
    assert "0 verified signers" in (await client.get("/c/eats-act")).text
    await verified_signer(client, db, campaign.id, "new@example.gov", full_name="New Person")
    html = (await client.get("/c/eats-act")).text
    assert "1 verified signer<" in html and "New Person, City Council Member" in html
    await withdraw(client, db, "new@example.gov")
    html = (await client.get("/c/eats-act")).text
    assert "0 verified signers" in html and "New Person" not in html


async def _deliver(db, process):
    """Close and deliver through the letter's own domain functions (signon/letter/delivery.py)."""
    await campaigns.close_campaign(db, CLI, "eats-act")
    return await delivery.deliver_campaign(db, process, CLI, "eats-act", now=NOW)


async def test_a_delivered_campaign_shows_when_how_many_and_the_hash(client, db, process):
    await _with_signers(client, db)
    delivered = await _deliver(db, process)
    # After delivery the signer asks the page for a fresh withdraw link (SPEC section 2).
    await form_post(client, "/c/eats-act", "/c/eats-act/withdraw-link", {"email": "w1@example.gov"})
    await withdraw(client, db, "w1@example.gov")
    html = (await client.get("/c/eats-act")).text
    delivery_section = _between(html, 'id="delivery-heading"', "</section>")
    assert "with 5 signatures" in delivery_section
    assert f'<code class="hash">{delivered.sha256}</code>' in delivery_section
    assert "1 signer has withdrawn since the delivery." in delivery_section
    assert "4 verified signers" in html and "Zoe Adams" not in html
    spanish = (await client.get("/c/eats-act?lang=es")).text
    assert "con 5 firmas" in spanish and "1 firmante se ha retirado" in spanish


async def test_withdrawals_before_delivery_are_not_counted_as_after(client, db, process):
    await _with_signers(client, db)
    await withdraw(client, db, "w1@example.gov")
    await _deliver(db, process)
    html = (await client.get("/c/eats-act")).text
    assert "with 4 signatures" in html
    assert "withdrawn since the delivery" not in html


async def test_the_embed_widget_may_be_framed_and_nothing_else_may(client, db):
    await _with_signers(client, db)
    embed = await client.get("/c/eats-act/embed")
    assert embed.status_code == 200
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in embed.headers["content-security-policy"].split(";")
    )
    assert policy["frame-ancestors"] == "*"
    assert policy["default-src"] == "'none'" and "script-src" not in policy
    assert "x-frame-options" not in embed.headers
    assert embed.headers["cache-control"] == "public, max-age=5"
    html = embed.text
    assert "5 verified signers" in html and '<progress class="goal-bar"' in html
    assert 'href="/c/eats-act#sign-heading" target="_blank" rel="noopener"' in html
    assert "<main" in html and "<h1" in html
    for path in ("/c/eats-act", "/", "/c/eats-act/og.png", "/api/v1/campaigns"):
        response = await client.get(path)
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], path


async def test_the_embed_of_a_closed_campaign_has_no_sign_link(client, db):
    await make_campaign(db, status="closed")
    html = (await client.get("/c/eats-act/embed?lang=es")).text
    assert "Esta campaña no está recibiendo firmas." in html
    assert "#sign-heading" not in html


async def test_social_sharing_tags_and_card(client, db):
    await _with_signers(client, db)
    html = (await client.get("/c/eats-act")).text
    assert '<meta property="og:title" content="Reject the EATS Act">' in html
    assert (
        '<meta property="og:description" content="State and local officials oppose the EATS Act.">'
        in html
    )
    image = re.search(r'<meta property="og:image" content="([^"]+)">', html).group(1)
    assert image.startswith("http") and image.endswith("/c/eats-act/og.png?lang=en")
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    card = await client.get("/c/eats-act/og.png")
    assert card.status_code == 200 and card.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(card.content)).size == (1200, 630)
    again = await client.get("/c/eats-act/og.png")
    assert again.content == card.content
    assert (await client.get("/c/no-such/og.png")).status_code == 404


async def test_drafts_have_no_public_page_embed_or_card(client, db):
    await make_campaign(db, status="draft")
    for path in ("/c/eats-act", "/c/eats-act/embed", "/c/eats-act/og.png"):
        assert (await client.get(path)).status_code == 404, path


def test_the_grid_holds_the_50_states_and_dc_once_each():
    assert set(tilemap.GRID) == set(STATES) - {"AS", "GU", "MP", "PR", "VI"}
    assert len(set(tilemap.GRID.values())) == 51
    assert all(0 <= x < tilemap.COLUMNS and 0 <= y < tilemap.ROWS for x, y in tilemap.GRID.values())


def test_territories_with_signers_get_tiles_too():
    built = tilemap.build_tilemap({"PR": 3, "MN": 1})
    assert {tile.code for tile in built.tiles} >= {"PR", "MN"}
    assert len(built.tiles) == 52
    assert [row[0] for row in built.listed] == ["MN", "PR"]


@pytest.mark.parametrize(("fill", "text"), tilemap.SHADES)
def test_every_shade_keeps_text_readable(fill, text):
    assert tilemap.contrast_ratio(fill, text) >= 4.5


def test_shades_rise_with_the_count():
    shades = [tilemap.shade(n, 10) for n in (0, 1, 3, 5, 8, 10)]
    assert shades[0] == tilemap.SHADES[0]
    assert [tilemap.SHADES.index(s) for s in shades] == sorted(
        tilemap.SHADES.index(s) for s in shades
    )
    assert tilemap.shade(10, 10) == tilemap.SHADES[-1]
