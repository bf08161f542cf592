"""The OpenAPI document: a valid OpenAPI 3.1 document, describing every route under /api/v1,
and every JSON answer of the API matches its schemas (assert_conforms is used by the other
API tests too)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import jsonschema
import pytest
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from starlette.routing import Mount, Route

from signon.errors import ValidationFailed
from signon.offices import OFFICE_LEVELS
from signon.signing import rules
from signon.web.openapi import openapi_document
from tests.conftest import make_campaign
from tests.signing_helpers import OFFICIAL

PREFIX = "/api/v1"


def _registry() -> Registry:
    document = openapi_document()
    return Registry().with_resource("urn:signon:openapi", Resource(document, DRAFT202012))


def _operation(method: str, path: str) -> tuple[str, dict[str, Any]]:
    """The documented operation whose path template matches a concrete path."""
    relative = path.removeprefix(PREFIX)
    for template, item in openapi_document()["paths"].items():
        pattern = "^" + re.sub(r"\{[^/]+\}", "[^/]+", template) + "$"
        if re.match(pattern, relative) and method.lower() in item:
            return template, item[method.lower()]
    raise AssertionError(f"{method} {relative} is not in the OpenAPI document")


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _response_spec(template: str, method: str, status: int) -> tuple[str, dict[str, Any]]:
    """The documented response for a status (or the default one) and its JSON pointer."""
    document = openapi_document()
    responses = document["paths"][template][method]["responses"]
    key = str(status) if str(status) in responses else "default"
    assert key in responses, f"status {status} is not documented"
    pointer = f"/paths/{_escape(template)}/{method}/responses/{key}"
    spec = responses[key]
    if "$ref" in spec:
        pointer = spec["$ref"].removeprefix("#")
        spec = document["components"]["responses"][pointer.rsplit("/", 1)[-1]]
    return pointer, spec


def assert_conforms(response: httpx.Response) -> Any:
    """Check a response against the document: a documented status, content type, headers
    and schema. Returns the decoded JSON body (None for a body-less answer such as 304)."""
    method = response.request.method.lower()
    template, _operation_spec = _operation(method, response.request.url.path)
    pointer, spec = _response_spec(template, method, response.status_code)
    if "content" not in spec:
        assert not response.content, "an undocumented body"
        return None
    media_type = response.headers["content-type"].split(";")[0]
    assert media_type in spec["content"], f"undocumented content type {media_type}"
    body = response.json()
    schema_pointer = f"{pointer}/content/{_escape(media_type)}/schema"
    validator = jsonschema.Draft202012Validator(
        {"$ref": f"urn:signon:openapi#{schema_pointer}"},
        registry=_registry(),
        format_checker=jsonschema.FormatChecker(),
    )
    validator.validate(body)
    for name in spec.get("headers", {}):
        assert name.lower() in response.headers, f"the documented {name} header is missing"
    return body


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
        registry=_registry(),
        format_checker=jsonschema.FormatChecker(),
    )
    return [error.message for error in validator.iter_errors(data)]


def test_the_signature_input_schema_says_what_the_rules_accept():
    # What signon/signing/rules.py accepts must be schema-valid, and what it refuses not,
    # so that generated requests (schemathesis) meet the API's real answers.
    accepted = [
        {},
        {"state": " mn ", "phone": None, "district": None, "organization": None},
        {"full_name": "Zoë\tO'Neil", "office_level": "state_legislature"},
        {"phone": "(608) 555-0142 ext. 12", "full_name": "Nguyễn Thị\u200dHoa"},
        {"office_level": "state_legislature", "state": "wi", "jurisdiction": " "},
        {"office_level": "state_legislature", "jurisdiction": None, "full_name": "Ann 😀"},
    ]
    for changes in accepted:
        data = {**OFFICIAL, **changes}
        assert not _input_errors(data), changes
        rules.parse_signature(data, OFFICE_LEVELS)  # accepted: no exception
    refused = [
        {"full_name": "   "},
        {"title": "See www.example.com"},
        {"jurisdiction": "https://evil.example"},
        {"full_name": "A\u200bB"},
        {"phone": "call me"},
        {"state": "ZZ"},
        {"office_level": "mayor"},
        {"email": None},
        {"title": 7},
        {"jurisdiction": " "},
        {"jurisdiction": None},
        {"office_level": "county", "state": "WI", "jurisdiction": ""},
        {"full_name": "Ann\U000f0001"},
    ]
    for changes in refused:
        data = {**OFFICIAL, **changes}
        assert _input_errors(data), changes
        with pytest.raises(ValidationFailed):
            rules.parse_signature(data, OFFICE_LEVELS)


async def test_division_suggestions_conform(client, db):
    response = await client.get(f"{PREFIX}/divisions", params={"state": "WI", "q": "milw"})
    assert response.status_code == 200
    assert assert_conforms(response) == {"items": []}


async def test_an_undocumented_method_is_refused_in_json(client, db):
    response = await client.delete(f"{PREFIX}/campaigns")
    assert response.status_code == 405
    assert "error" in response.json()
