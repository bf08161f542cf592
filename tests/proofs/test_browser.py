"""The whole path in a real browser (Debian's Chromium, driven by Playwright): an official
signs, the email really arrives (aiosmtpd), the button confirms, a staff member verifies in
the review queue, and the public page lists the signer; in English and in Spanish; by
keyboard alone; and axe-core finds no WCAG 2.2 A/AA violation on the signer's pages.

Skipped with a reason where Chromium or node_modules/axe-core is absent (.ci/run installs
both; in CI a missing one fails instead). Timings are in docs/reliability.md.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

import pytest
from databases import Database

from signon import campaigns, mail
from signon.app import create_app
from signon.audit import CLI
from signon.verification import review
from tests.browser_helpers import (
    AXE_TAGS,
    CHROMIUM_ARGS,
    LiveServer,
    SmtpServer,
    axe_path,
    chromium_path,
    describe_violations,
    plain_body,
)
from tests.emails import link_in
from tests.factories import NOW, OFFICIAL, PASSWORD, make_campaign, make_staff

async_api = pytest.importorskip("playwright.async_api", reason="playwright is not installed")
expect = async_api.expect
Browser = async_api.Browser
Page = async_api.Page

SLUG = "eats-act"
STAFF_EMAIL = "reviewer@example.org"
LAST_EMAIL = "SELECT body_text FROM email_outbox ORDER BY id DESC LIMIT 1"
SIGNATURE_ID = "SELECT id FROM signatures ORDER BY id DESC LIMIT 1"
# A page here answers in milliseconds; 15 s (Playwright: 30 s for actions, 5 s for
# expect) fails a stuck test sooner and still passes on a machine busy with other work.
TIMEOUT_MS = 15_000
expect.set_options(timeout=TIMEOUT_MS)
# The form posts to .../sign#error-summary (so a page with errors opens at the summary) and
# a browser keeps that fragment through the 303 to the thanks page, where it is harmless.
THANKS = re.compile(rf"/c/{SLUG}/thanks(#error-summary)?$")


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    executable = chromium_path()
    async with async_api.async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        await launched.close()


@pytest.fixture(scope="module")
def live_server(database_url: str, browser: Browser) -> Iterator[str]:
    # Built like the `app` fixture (fixed clock, no rate limit, no fill time), but served
    # over TCP by uvicorn in its own thread, with its own database pool.
    app = create_app(database_url, sign_rate_limit="off", min_fill_seconds=0, clock=lambda: NOW)
    server = LiveServer(app)
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def site(live_server: str, db: Database) -> str:
    """The server's address, with the database emptied after the test (the `db` fixture)."""
    return live_server


@dataclass
class Person:
    """One person's browser: a context of their own (cookies, language) and a tab."""

    page: Page
    base: str
    problems: list[str] = field(default_factory=list)

    async def open(self, path: str) -> None:
        response = await self.page.goto(self.base + path)
        assert response is not None and response.ok, f"{path}: {response and response.status}"

    def assert_no_problems(self, expected: str = "") -> None:
        # Console errors include any script or style the CSP refused, and script errors.
        problems = [line for line in self.problems if not (expected and expected in line)]
        assert not problems, "\n".join(problems)


async def person(browser: Browser, base: str, locale: str = "en-US", **options: object) -> Person:
    context = await browser.new_context(locale=locale, **options)
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    found = Person(page, base)
    page.on("console", lambda message: _note_console(found, message))
    page.on("pageerror", lambda error: found.problems.append(f"script error: {error}"))
    return found


def _note_console(found: Person, message: async_api.ConsoleMessage) -> None:
    where = message.location.get("url", "")
    # The browser asks for /favicon.ico on its own (the site has none); pages never do.
    if message.type == "error" and not where.endswith("/favicon.ico"):
        found.problems.append(f"console: {message.text} ({where})")


# What the official reads, by language: the form, the thanks page, the email, the confirm
# page, and the public page afterwards.
TEXTS = {
    "en-US": {
        "form_heading": "Add your name",
        "labels": ("Full name", "Title", "Level of office", "State", "Jurisdiction", "Email"),
        "level": "City, town or village",
        "sign": "Sign",
        "thanks": "Check your email",
        "subject": "Confirm your signature: Reject the EATS Act",
        "email_text": "Thank you for signing “Reject the EATS Act”.",
        "confirm_heading": "Confirm your signature",
        "confirm_button": "Confirm my signature",
        "confirmed": "Thank you: your signature is confirmed. It will be listed once verified.",
        "count": "1 verified signer",
    },
    "es-ES": {
        "form_heading": "Agregue su nombre",
        "labels": ("Nombre completo", "Cargo", "Nivel del cargo", "Estado", "Jurisdicción"),
        "level": "Ciudad, pueblo o villa",
        "sign": "Firmar",
        "thanks": "Revise su correo",
        "subject": "Confirme su firma: Reject the EATS Act",
        "email_text": "Gracias por firmar «Reject the EATS Act».",
        "confirm_heading": "Confirme su firma",
        "confirm_button": "Confirmar mi firma",
        "confirmed": "Gracias: su firma está confirmada. Aparecerá en la lista una vez verificada.",
        "count": "1 firmante verificado",
    },
}


async def fill_sign_form(page: Page, level: str) -> None:
    """Fill the form by its labels, as a sighted mouse user would."""
    await page.locator("#full_name").fill(OFFICIAL["full_name"])
    await page.locator("#title").fill(OFFICIAL["title"])
    await page.locator("#office_level").select_option(label=level)
    await page.locator("#state").select_option(OFFICIAL["state"])
    await page.locator("#jurisdiction").fill(OFFICIAL["jurisdiction"])
    await page.locator("#district").fill(OFFICIAL["district"])
    await page.locator("#email").fill(OFFICIAL["email"])


async def receive_confirm_path(db: Database, smtp: SmtpServer, texts: dict) -> str:
    """Run the outbox worker once against the real SMTP server; the link from the email."""
    assert await mail.deliver_due(db, smtp.url) == 1
    [message] = smtp.inbox.messages
    assert message["To"] == OFFICIAL["email"].lower()
    assert message["Subject"] == texts["subject"]
    body = plain_body(message)
    assert texts["email_text"] in body
    return link_in(body, "confirm")


async def verify_in_review_queue(browser: Browser, base: str) -> None:
    """A staff member signs in, ticks the signature and presses "Verify selected"."""
    reviewer = await person(browser, base)
    page = reviewer.page
    await reviewer.open("/staff/login")
    await page.get_by_label("Email").fill(STAFF_EMAIL)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page).to_have_url(re.compile(r"/staff/$"))
    await reviewer.open(f"/staff/campaigns/{SLUG}/review")
    await page.get_by_label(f"Select {OFFICIAL['full_name']}").check()
    await page.get_by_role("button", name="Verify selected").click()
    await expect(page.get_by_role("status")).to_contain_text("1 signature(s) verified")
    reviewer.assert_no_problems()
    await page.context.close()


@pytest.mark.parametrize("locale", ["en-US", "es-ES"])
async def test_official_signs_confirms_and_is_listed_after_review(
    browser: Browser, site: str, db: Database, smtp: SmtpServer, locale: str
) -> None:
    texts = TEXTS[locale]
    await make_campaign(db, SLUG)
    await make_staff(db, STAFF_EMAIL, role="staff", name="Rita Reviewer")
    official = await person(browser, site, locale)
    page = official.page

    await official.open(f"/c/{SLUG}")
    await expect(page.get_by_role("heading", name=texts["form_heading"])).to_be_visible()
    for label in texts["labels"]:
        await expect(page.get_by_label(label, exact=True)).to_be_visible()
    await fill_sign_form(page, texts["level"])
    await page.get_by_role("button", name=texts["sign"], exact=True).click()
    await expect(page).to_have_url(THANKS)
    await expect(page.get_by_role("heading", level=1)).to_have_text(texts["thanks"])

    confirm_path = await receive_confirm_path(db, smtp, texts)
    await official.open(confirm_path)
    await expect(page.get_by_role("heading", level=1)).to_have_text(texts["confirm_heading"])
    await page.get_by_role("button", name=texts["confirm_button"]).click()
    await expect(page).to_have_url(f"{site}/c/{SLUG}")
    await expect(page.get_by_role("status")).to_have_text(texts["confirmed"])

    await verify_in_review_queue(browser, site)
    await official.open(f"/c/{SLUG}")
    await expect(page.locator("#count-text strong")).to_have_text(texts["count"])
    await expect(page.locator("ul.signers li")).to_have_text(
        ["Ana María Díaz, City Council Member, Saint Paul"]
    )
    official.assert_no_problems()
    await page.context.close()


async def focused_id(page: Page) -> str:
    return await page.evaluate("document.activeElement && document.activeElement.id")


async def tab_to(page: Page, element_id: str, most: int = 40) -> int:
    """Press Tab until the element has focus; how many presses it took."""
    for presses in range(1, most + 1):
        await page.keyboard.press("Tab")
        if await focused_id(page) == element_id:
            return presses
    raise AssertionError(f"#{element_id} never received focus in {most} Tab presses")


async def test_keyboard_only_signing(browser: Browser, site: str, db: Database) -> None:
    await make_campaign(db, SLUG)
    official = await person(browser, site)
    page = official.page
    await official.open(f"/c/{SLUG}")

    # The first Tab reaches the skip link, which takes focus past the header.
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    await page.keyboard.press("Enter")
    assert await focused_id(page) == "main"
    await tab_to(page, "full_name")
    await page.keyboard.type(OFFICIAL["full_name"])
    await page.keyboard.press("Tab")
    assert await focused_id(page) == "title"
    await page.keyboard.type(OFFICIAL["title"])
    # A closed select takes typed letters (type-ahead) and arrow keys, as a person uses it.
    await page.keyboard.press("Tab")
    assert await focused_id(page) == "office_level"
    await page.keyboard.type("City")
    await expect(page.locator("#office_level")).to_have_value("municipal")
    await page.keyboard.press("Tab")
    assert await focused_id(page) == "state"
    await page.keyboard.type("Minnesota")
    await expect(page.locator("#state")).to_have_value("MN")
    await page.keyboard.press("ArrowDown")  # Mississippi: arrows move through the list
    await page.keyboard.press("ArrowUp")
    await expect(page.locator("#state")).to_have_value("MN")
    for name in ("jurisdiction", "district", "email"):
        await page.keyboard.press("Tab")
        assert await focused_id(page) == name
        await page.keyboard.type(OFFICIAL[name])
    await page.keyboard.press("Tab")
    assert await focused_id(page) == "phone"
    await page.keyboard.press("Tab")
    assert await focused_id(page) == "organization"
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.type") == "submit"
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(THANKS)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    official.assert_no_problems()
    await page.context.close()


async def test_errors_take_focus_and_each_link_moves_focus_to_its_field(
    browser: Browser, site: str, db: Database
) -> None:
    await make_campaign(db, SLUG)
    official = await person(browser, site)
    page = official.page
    await official.open(f"/c/{SLUG}")
    await tab_to(page, "full_name")
    await page.keyboard.type(OFFICIAL["full_name"])
    await page.keyboard.press("Enter")  # submits the form with every other field empty

    summary = page.locator("#error-summary")
    await expect(summary).to_be_visible()
    await expect(summary).to_be_focused()
    links = summary.get_by_role("link")
    targets = [await link.get_attribute("href") for link in await links.all()]
    assert sorted(targets) == ["#email", "#jurisdiction", "#office_level", "#state", "#title"]
    await page.keyboard.press("Tab")  # from the summary, Tab reaches its first link
    await expect(links.first).to_be_focused()
    for index, target in enumerate(targets):
        if index:  # back to the summary's next link, as after reading the field
            await links.nth(index).focus()
        await page.keyboard.press("Enter")
        await expect(page.locator(target)).to_be_focused()
        assert await page.locator(target).get_attribute("aria-invalid") == "true"
    official.assert_no_problems(expected="status of 400 (Bad Request)")  # the invalid form
    await page.context.close()


async def assert_accessible(page: Page, what: str) -> None:
    await page.add_script_tag(path=axe_path())
    result = await page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    violations = result["violations"]
    # axe ran its rules (a page with none passing would mean it checked nothing).
    assert result["passes"], f"axe checked nothing on {what}"
    assert not violations, f"axe found WCAG violations on {what}:\n" + describe_violations(
        violations
    )


@pytest.mark.parametrize("locale", ["en-US", "es-ES"])
async def test_signer_pages_have_no_wcag_violations(
    browser: Browser, site: str, db: Database, locale: str
) -> None:
    axe_path()
    texts = TEXTS[locale]
    await make_campaign(db, SLUG)
    # axe's script is injected inline, which the app's CSP (rightly) refuses: bypass it.
    official = await person(browser, site, locale, bypass_csp=True)
    page = official.page

    await official.open(f"/c/{SLUG}")
    await assert_accessible(page, "the campaign page with its form")
    await page.locator("#full_name").fill(OFFICIAL["full_name"])
    await page.get_by_role("button", name=texts["sign"], exact=True).click()
    await expect(page.locator("#error-summary")).to_be_visible()
    await assert_accessible(page, "the sign form with errors")
    await fill_sign_form(page, texts["level"])
    await page.get_by_role("button", name=texts["sign"], exact=True).click()
    await expect(page).to_have_url(THANKS)
    await assert_accessible(page, "the thanks page")
    row = await db.fetch_one(LAST_EMAIL)
    await official.open(link_in(row["body_text"], "confirm"))
    await assert_accessible(page, "the confirm page")
    await page.get_by_role("button", name=texts["confirm_button"]).click()
    await expect(page.get_by_role("status")).to_have_text(texts["confirmed"])
    await assert_accessible(page, "the campaign page after confirming")
    campaign = await campaigns.get_campaign(db, SLUG)
    await review.verify_signatures(db, CLI, campaign.id, [await db.fetch_val(SIGNATURE_ID)])
    await official.open(f"/c/{SLUG}")
    await expect(page.locator("ul.signers li")).to_have_count(1)
    await assert_accessible(page, "the campaign page with its signers")
    await page.context.close()


async def test_axe_reports_a_violation(browser: Browser, site: str) -> None:
    """The check above can fail: a page with an unlabelled field and no alt text does."""
    axe_path()
    official = await person(browser, site, bypass_csp=True)
    await official.page.set_content(
        '<html lang="en"><title>t</title><main><img src="data:,"><input></main></html>'
    )
    with pytest.raises(AssertionError, match=r"(?s)- image-alt .*- label "):
        await assert_accessible(official.page, "a broken page")
    await official.page.context.close()
