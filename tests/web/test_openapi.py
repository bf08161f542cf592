"""The OpenAPI document: a valid OpenAPI 3.1 document, describing every route under /api/v1,
and every JSON answer of the API matches its schemas (tests/conformance.py checks them, for
the other API tests too)."""

from __future__ import annotations

import json

import jsonschema
from openapi_spec_validator import validate
from starlette.routing import Mount, Route

from signon.errors import ValidationFailed
from signon.offices import OFFICE_LEVELS, STATES
from signon.signing import rules
from signon.web.openapi import openapi_document
from tests.conformance import PREFIX, assert_conforms, registry
from tests.factories import OFFICIAL, make_campaign, sign, signature_rows


def test_the_document_is_valid_openapi_31():
    document = openapi_document()
    validate(document)
    assert document["openapi"].startswith("3.1")


def _api_routes(routes: list, prefix: str = "") -> set[tuple[str, str]]:
    found = set()
    for route in routes:
        if isinstance(route, Mount):
            found |= _api_routes(route.routes, prefix + route.path)
        elif isinstance(route, Route) and (prefix + route.path).startswith(PREFIX):
            for method in route.methods or ():
                if method != "HEAD":
                    found.add((method.lower(), (prefix + route.path).removeprefix(PREFIX)))
    return found


def test_every_api_route_is_documented_and_nothing_else(app):
    documented = {
        (method, path)
        for path, item in openapi_document()["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }
    assert _api_routes(app.routes) == documented


async def test_the_document_is_served_with_cors(client, db):
    response = await client.get(f"{PREFIX}/openapi.json", headers={"Origin": "https://x.example"})
    assert response.status_code == 200
    assert response.json() == openapi_document()
    assert response.headers["access-control-allow-origin"] == "*"
    assert_conforms(response)


async def test_signing_through_the_api_conforms(client, db):
    await make_campaign(db)
    await make_campaign(db, slug="closed-one", status="closed")
    await make_campaign(db, slug="a-draft", status="draft")
    url = f"{PREFIX}/campaigns/eats-act/signatures"
    created = await client.post(url, json=OFFICIAL)
    assert created.status_code == 201
    assert assert_conforms(created) == {"status": "unconfirmed"}
    repeat = await client.post(url, json=OFFICIAL)
    assert repeat.status_code == 201  # as for a new one: never tells whether it signed
    assert_conforms(repeat)
    bad = await client.post(url, json={**OFFICIAL, "email": "not an address", "state": "ZZ"})
    assert bad.status_code == 422
    assert set(assert_conforms(bad)["errors"]) >= {"email", "state"}
    not_json = await client.post(
        url, content=b"full_name=x", headers={"Content-Type": "text/plain"}
    )
    assert not_json.status_code == 422
    assert_conforms(not_json)
    closed = await client.post(f"{PREFIX}/campaigns/closed-one/signatures", json=OFFICIAL)
    assert closed.status_code == 409
    assert_conforms(closed)
    for slug in ("a-draft", "no-such-thing"):
        missing = await client.post(f"{PREFIX}/campaigns/{slug}/signatures", json=OFFICIAL)
        assert missing.status_code == 404
        assert_conforms(missing)


def _input_errors(data: dict) -> list[str]:
    validator = jsonschema.Draft202012Validator(
        {"$ref": "urn:signon:openapi#/components/schemas/SignatureInput"},
        registry=registry(),
        format_checker=jsonschema.FormatChecker(),
    )
    return [error.message for error in validator.iter_errors(data)]


def _api_refuses(data: dict) -> bool:
    try:
        rules.check_as_documented(data, OFFICE_LEVELS)
        rules.parse_signature(data, OFFICE_LEVELS)
    except ValidationFailed:
        return True
    return False


def test_the_signature_input_schema_says_what_the_api_accepts():
    # What the API accepts is schema-valid, and what the schema refuses the API refuses, so
    # that generated requests (schemathesis) meet the API's real answers.
    accepted = [
        {},
        {"phone": None, "district": None, "organization": None},
        {"full_name": "Zoë\tO'Neil", "office_level": "state_legislature"},
        {"phone": "(608) 555-0142 ext. 12", "full_name": "Nguyễn Thị\u200dHoa"},
        {"office_level": "state_legislature", "state": "WI", "jurisdiction": " "},
        {"office_level": "state_legislature", "jurisdiction": None, "full_name": "Ann 😀"},
    ]
    for changes in accepted:
        data = {**OFFICIAL, **changes}
        assert not _input_errors(data), changes
        assert not _api_refuses(data), changes
    refused_by_the_schema = [
        {"state": "ZZ"},
        {"state": "mn"},
        {"state": " MN "},
        {"office_level": "mayor"},
        {"office_level": "Municipal"},
        {"office_level": " municipal "},
        {"email": None},
        {"email": "no at sign"},
        {"title": 7},
        {"full_name": ""},
        {"full_name": "a" * 201},
        {"full_name": "Ana " + " " * 200 + "Díaz"},  # too long as sent, though not collapsed
        {"jurisdiction": None},
        {"office_level": "county", "state": "WI", "jurisdiction": ""},
    ]
    for changes in refused_by_the_schema:
        data = {**OFFICIAL, **changes}
        assert _input_errors(data), changes
        assert _api_refuses(data), changes
    # The rest is the 422's to say, with a message for the field: the document gives types,
    # lengths, enums and formats, not patterns of Unicode classes.
    left_to_the_422 = [
        {"full_name": "   "},
        {"title": "See www.example.com"},
        {"jurisdiction": "https://evil.example"},
        {"jurisdiction": " "},
        {"full_name": "A\u200bB"},
        {"full_name": "Ann\U000f0001"},
        {"phone": "call me"},
    ]
    for changes in left_to_the_422:
        data = {**OFFICIAL, **changes}
        assert not _input_errors(data), changes
        assert _api_refuses(data), changes


def test_the_input_schema_uses_enums_lengths_and_formats_not_patterns():
    schema = openapi_document()["components"]["schemas"]["SignatureInput"]
    properties = schema["properties"]
    assert properties["office_level"]["enum"] == list(OFFICE_LEVELS)
    assert properties["state"]["enum"] == list(STATES)
    assert properties["email"]["format"] == "email"
    assert {
        name: spec["maxLength"] for name, spec in properties.items() if "maxLength" in spec
    } == {
        name: limit for name, limit in rules.LIMITS.items() if name not in ("office_level", "state")
    }
    assert "pattern" not in json.dumps(schema)


async def test_the_api_takes_the_documented_values_exactly_and_the_form_stays_forgiving(client, db):
    await make_campaign(db)
    url = f"{PREFIX}/campaigns/eats-act/signatures"
    sent = {**OFFICIAL, "state": "mn", "office_level": " municipal ", "email": "nope"}
    refused = await client.post(url, json=sent)
    assert refused.status_code == 422
    assert assert_conforms(refused) == {
        "errors": {
            "office_level": ["Use one of the office levels as listed, like municipal."],
            "state": ["Use the state's USPS code in capitals, like MN."],
            "email": ["Enter an email address like name@example.gov."],
        }
    }
    spanish = await client.post(
        url, json={**OFFICIAL, "state": "Mn"}, headers={"Accept-Language": "es"}
    )
    assert spanish.json() == {
        "errors": {"state": ["Use el código USPS del estado en mayúsculas, como MN."]}
    }
    padded = await client.post(url, json={**OFFICIAL, "full_name": "Ana " + " " * 200 + "Díaz"})
    assert padded.json() == {"errors": {"full_name": ["Use at most 200 characters."]}}
    assert await signature_rows(db) == []
    # A person at the form may type " mn " and " municipal ".
    typed = await sign(client, state=" mn ", office_level=" municipal ", full_name="Ana  Díaz")
    assert typed.status_code == 303
    [row] = await signature_rows(db)
    assert (row["state"], row["office_level"], row["full_name"]) == ("MN", "municipal", "Ana Díaz")


async def test_division_suggestions_conform(client, db):
    response = await client.get(f"{PREFIX}/divisions", params={"state": "WI", "q": "milw"})
    assert response.status_code == 200
    assert assert_conforms(response) == {"items": []}


async def test_an_undocumented_method_is_refused_in_json(client, db):
    response = await client.delete(f"{PREFIX}/campaigns")
    assert response.status_code == 405
    assert "error" in response.json()
