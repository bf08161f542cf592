"""English and Spanish: negotiation, the visible switch, and a complete Spanish catalog."""

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from signon import i18n, settings
from tests.factories import make_campaign


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", "en"),
        ("es", "es"),
        ("es-MX,es;q=0.9,en;q=0.8", "es"),
        ("en-US,en;q=0.9,es;q=0.8", "en"),
        ("fr-FR,fr;q=0.9,es;q=0.5", "es"),
        ("de", "en"),
        ("es;q=abc", "en"),
    ],
)
def test_accept_language_negotiation(header, expected):
    assert i18n.negotiate(header) == expected


def _extracted_messages() -> set[str]:
    method_map = [("signon/**.py", "python"), ("templates/**.html", "jinja2")]
    found = extract_from_dir(
        str(settings.PROJECT_DIR),
        method_map,
        # Unlike pybabel's default, look inside templates/_partials too.
        directory_filter=lambda path: (
            not any(
                part.startswith(".") or part in {"var", "tests"} for part in path.split("/")[-1:]
            )
        ),
    )
    return {
        message for _file, _line, message, _comments, _context in found if isinstance(message, str)
    }


def test_every_user_facing_string_has_a_spanish_translation():
    with (i18n.LOCALE_DIR / "es" / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        catalog = read_po(po_file, locale="es")
    translated = {
        message.id for message in catalog if message.id and message.string and not message.fuzzy
    }
    missing = sorted(_extracted_messages() - translated)
    assert not missing, (
        f"Untranslated strings; run the commands at the top of babel.cfg and translate: {missing}"
    )


async def test_pages_follow_accept_language(client, db):
    await make_campaign(db)
    spanish = await client.get("/", headers={"Accept-Language": "es-US,es;q=0.9"})
    assert '<html lang="es">' in spanish.text
    assert "Cartas y declaraciones abiertas" in spanish.text
    english = await client.get("/", headers={"Accept-Language": "en-US"})
    assert '<html lang="en">' in english.text
    assert "Open letters and statements" in english.text
    assert "Accept-Language" in english.headers["vary"]


async def test_the_language_switch_is_remembered(client, db):
    await make_campaign(db)
    switched = await client.get("/c/eats-act?lang=es", headers={"Accept-Language": "en"})
    assert "La carta" in switched.text
    assert "lang=es" in switched.headers["set-cookie"]
    later = await client.get("/c/eats-act", headers={"Accept-Language": "en"})
    assert "La carta" in later.text
    assert 'href="?lang=en"' in later.text


async def test_error_pages_are_translated(client, db):
    response = await client.get("/c/no-such-campaign", headers={"Accept-Language": "es"})
    assert response.status_code == 404
    assert "Página no encontrada" in response.text
    assert "No hay ninguna campaña en esta dirección." in response.text
