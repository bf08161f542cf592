"""Does an API answer match the OpenAPI document? A documented status, content type,
headers and schema (signon/web/openapi.py); used by every API test."""

from __future__ import annotations

import re
from typing import Any

import httpx
import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from signon.web.openapi import openapi_document

PREFIX = "/api/v1"


def registry() -> Registry:
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
        registry=registry(),
        format_checker=jsonschema.FormatChecker(),
    )
    validator.validate(body)
    for name in spec.get("headers", {}):
        assert name.lower() in response.headers, f"the documented {name} header is missing"
    return body
