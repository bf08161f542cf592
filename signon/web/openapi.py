"""The OpenAPI 3.1 document of the JSON API, served at GET /api/v1/openapi.json.

It describes every route under /api/v1 (tests/web/test_openapi.py checks the route table
against it, and every JSON response of the tests against its schemas). Paths are relative
to the server URL /api/v1.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from signon.offices import OFFICE_LEVELS, STATES
from signon.signing.rules import LIMITS, REQUIRED
from signon.tables import CAMPAIGN_KINDS

MAX_PER_PAGE = 1000
MAX_PAGE = 1_000_000
DEFAULT_PER_PAGE = 100
SLUG_PATTERN = "^[a-z0-9]+(-[a-z0-9]+)*$"
STATE_PATTERN = "^[A-Z]{2}$"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str, **extra: Any) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": schema}},
        **extra,
    }


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "type": [schema["type"], "null"]}


_CACHE_HEADERS = {
    name: {"description": description, "schema": {"type": "string"}}
    for name, description in (
        ("ETag", "A strong validator; send it back as If-None-Match."),
        ("Last-Modified", "When the figures last changed."),
        ("Cache-Control", "Public, a few seconds."),
    )
}
_NOT_MODIFIED = {"description": "Not modified since the ETag or date the client sent."}
_ERROR = {"$ref": "#/components/responses/Error"}
_NOT_FOUND = _json(_ref("Error"), "No public campaign at this address (drafts are not public).")

SCHEMAS: dict[str, Any] = {
    "Campaign": {
        "type": "object",
        "additionalProperties": False,
        "required": [
            "slug",
            "title",
            "kind",
            "status",
            "goal",
            "verified_count",
            "by_state",
            "updated_at",
            "delivered_at",
            "delivered_sha256",
        ],
        "properties": {
            "slug": {"type": "string", "pattern": SLUG_PATTERN},
            "title": {"type": "string"},
            "kind": {"type": "string", "enum": list(CAMPAIGN_KINDS)},
            "status": {
                "type": "string",
                "enum": ["open", "closed", "delivered"],
                "description": "An open campaign past its closing date reads as closed.",
            },
            "goal": _nullable({"type": "integer", "minimum": 1}),
            "verified_count": {"type": "integer", "minimum": 0},
            "by_state": {
                "type": "object",
                "description": "Verified signers by USPS code; states with none are left out.",
                "propertyNames": {"pattern": STATE_PATTERN},
                "additionalProperties": {"type": "integer", "minimum": 1},
            },
            "updated_at": {"type": "string", "format": "date-time"},
            "delivered_at": _nullable({"type": "string", "format": "date-time"}),
            "delivered_sha256": _nullable({"type": "string", "pattern": "^[0-9a-f]{64}$"}),
        },
    },
    "CampaignList": {
        "type": "object",
        "additionalProperties": False,
        "required": ["items"],
        "properties": {"items": {"type": "array", "items": _ref("Campaign")}},
    },
    "Signatory": {
        "type": "object",
        "description": "A verified signer. Never an email, a phone or an address.",
        "additionalProperties": False,
        "required": ["full_name", "title", "jurisdiction", "state", "district", "verified_at"],
        "properties": {
            "full_name": {"type": "string"},
            "title": {"type": "string"},
            "jurisdiction": {"type": "string"},
            "state": {"type": "string", "pattern": STATE_PATTERN},
            "district": _nullable({"type": "string"}),
            "verified_at": _nullable({"type": "string", "format": "date-time"}),
        },
    },
    "SignatoryPage": {
        "type": "object",
        "additionalProperties": False,
        "required": ["items", "total", "next"],
        "properties": {
            "items": {"type": "array", "items": _ref("Signatory"), "maxItems": MAX_PER_PAGE},
            "total": {"type": "integer", "minimum": 0},
            "next": _nullable({"type": "string", "format": "uri"}),
        },
    },
    "SignatureInput": {"$comment": "filled in by _signature_input()"},
    "SignatureAccepted": {
        "type": "object",
        "additionalProperties": False,
        "required": ["status"],
        "properties": {"status": {"type": "string", "enum": ["unconfirmed"]}},
    },
    "ValidationErrors": {
        "type": "object",
        "required": ["errors"],
        "properties": {
            "errors": {
                "type": "object",
                "description": "Messages by field name (or `body`, `page`, `per_page`).",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            }
        },
    },
    "Division": {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "name", "type"],
        "properties": {
            "id": {"type": "string", "description": "An Open Civic Data division id."},
            "name": {"type": "string"},
            "type": {"type": "string"},
        },
    },
    "DivisionList": {
        "type": "object",
        "additionalProperties": False,
        "required": ["items"],
        "properties": {"items": {"type": "array", "items": _ref("Division"), "maxItems": 20}},
    },
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {"error": {"type": "string"}},
    },
}

_SLUG = {
    "name": "slug",
    "in": "path",
    "required": True,
    "description": "The campaign's address, as in /c/{slug}.",
    "schema": {"type": "string", "pattern": SLUG_PATTERN, "maxLength": 80},
}


def _get(summary: str, schema: str, *, params: list[Any], not_found: bool) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "200": _json(_ref(schema), summary, headers=_CACHE_HEADERS),
        "304": _NOT_MODIFIED,
    }
    if not_found:
        responses["404"] = _NOT_FOUND
    return {"summary": summary, "parameters": params, "responses": responses | {"default": _ERROR}}


def _paths() -> dict[str, Any]:
    page = [
        {
            "name": "page",
            "in": "query",
            "required": False,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
        },
        {
            "name": "per_page",
            "in": "query",
            "required": False,
            "schema": {
                "type": "integer",
                "minimum": 1,
                "maximum": MAX_PER_PAGE,
                "default": DEFAULT_PER_PAGE,
            },
        },
    ]
    list_signatures = _get(
        "Verified signers, sorted by state then last name.",
        "SignatoryPage",
        params=[_SLUG, *page],
        not_found=True,
    )
    list_signatures["responses"]["422"] = _json(_ref("ValidationErrors"), "A bad page number.")
    return {
        "/campaigns": {
            "get": _get(
                "Every campaign that is not a draft, newest first.",
                "CampaignList",
                params=[],
                not_found=False,
            )
        },
        "/campaigns/{slug}": {
            "get": _get(
                "A campaign and its verified counts.", "Campaign", params=[_SLUG], not_found=True
            )
        },
        "/campaigns/{slug}/signatures": {"get": list_signatures, "post": _sign()},
        "/divisions": {"get": _divisions()},
        "/openapi.json": {
            "get": {
                "summary": "This document.",
                "responses": {"200": _json({"type": "object"}, "The OpenAPI document.")},
            }
        },
    }


def _sign() -> dict[str, Any]:
    accepted = _ref("SignatureAccepted")
    return {
        "summary": "Sign a campaign, for partner sites (the signer confirms by email).",
        "parameters": [_SLUG],
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _ref("SignatureInput")}},
        },
        "responses": {
            "201": _json(
                accepted,
                "Accepted, waiting for the email confirmation: a new signature and a repeat "
                "from the same email (no change until confirmed) answer alike, so the answer "
                "never tells whether an address has signed.",
            ),
            "404": _NOT_FOUND,
            "409": _json(_ref("Error"), "The campaign is not open."),
            "422": _json(_ref("ValidationErrors"), "Bad input, with a message for each field."),
            "429": _json(
                _ref("Error"),
                "Too many signatures from this address; try again later.",
                headers={"Retry-After": {"schema": {"type": "integer"}}},
            ),
            "default": _ERROR,
        },
    }


def _divisions() -> dict[str, Any]:
    return {
        "summary": "Jurisdiction suggestions for the sign form: at most 20.",
        "parameters": [
            {
                "name": "state",
                "in": "query",
                "required": False,
                "description": "A USPS code.",
                "schema": {"type": "string"},
            },
            {
                "name": "q",
                "in": "query",
                "required": False,
                "description": "The start of the jurisdiction's name.",
                "schema": {"type": "string"},
            },
        ],
        "responses": {
            "200": _json(_ref("DivisionList"), "Matching divisions, best first."),
            "default": _ERROR,
        },
    }


# What each text field of a signature holds, for the document's readers.
_TEXT_FIELDS = {
    "full_name": "The signer's name, as printed on the letter.",
    "title": "The office held, like City Council Member.",
    "jurisdiction": "The place served, like Saint Paul; a state legislator may leave it out.",
    "district": "The district or ward, if the office has one.",
    "phone": "Digits and punctuation, with an optional extension (ext. 12); never public.",
    "organization": "An organization to show beside the name.",
}
_RULES = (
    "Values are trimmed and runs of spaces collapsed before the rules apply; printed fields "
    "(names, titles, places) may hold no control characters and no web address; the office "
    "level must be one the campaign accepts; the email must be a real address. A value that "
    "breaks a rule is a 422 with a message for its field."
)


def _signature_input() -> dict[str, Any]:
    """What the JSON API accepts (signon/signing/rules.py, and check_as_documented there):
    types, lengths, the office levels and states as enums, the email's format; the rules
    JSON Schema would need long patterns to say are left to the 422 and its messages."""
    properties: dict[str, Any] = {
        name: {"type": "string", "maxLength": LIMITS[name], "description": description}
        for name, description in _TEXT_FIELDS.items()
    }
    for name in ("district", "phone", "organization", "jurisdiction"):
        properties[name]["type"] = ["string", "null"]
    for name in ("full_name", "title"):
        properties[name]["minLength"] = 1
    properties["office_level"] = {"type": "string", "enum": list(OFFICE_LEVELS)}
    properties["state"] = {
        "type": "string",
        "enum": list(STATES),
        "description": "A USPS code in capitals: the 50 states, DC and the territories.",
    }
    properties["email"] = {
        "type": "string",
        "format": "email",
        "minLength": 1,
        "maxLength": LIMITS["email"],
        "description": "Where the confirmation link is sent; compared without case; never public.",
    }
    # A state legislator's jurisdiction is the state: left blank, it is filled in.
    legislator = {
        "required": ["office_level", "state"],
        "properties": {
            "office_level": {"const": "state_legislature"},
            "state": {"enum": list(STATES)},
        },
    }
    return {
        "type": "object",
        "description": _RULES,
        "required": [name for name in REQUIRED if name != "jurisdiction"],
        "properties": {name: properties[name] for name in LIMITS},
        "if": legislator,
        "else": {
            "required": ["jurisdiction"],
            "properties": {"jurisdiction": {"type": "string", "minLength": 1}},
        },
    }


@cache
def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Signon API",
            "version": "1",
            "description": (
                "Public counts and signatories of sign-on letters, and signing for partner "
                "sites. No cookies; CORS is open. GET responses carry ETag and Last-Modified "
                "and may be a few seconds old."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "paths": _paths(),
        "components": {
            "schemas": SCHEMAS | {"SignatureInput": _signature_input()},
            "responses": {"Error": _json(_ref("Error"), "An error a person can read.")},
        },
    }
