"""Every POST route refuses a missing or wrong CSRF token with 403 and changes nothing.

The routes come from the app's own route table, so a form route added later is covered
without touching this file.
"""

import string
from collections.abc import Iterator

import httpx
import pytest
from starlette.convertors import IntegerConvertor
from starlette.routing import BaseRoute, Mount, Route, compile_path

from signon.tables import metadata
from tests.factories import PASSWORD, log_in, make_campaign, make_staff
from tests.forms import csrf_from, form_post

SLUG = "eats-act"
# What a real submission of any of our forms might carry, so that a route missing its
# CSRF check would act on it and change something the snapshot notices.
PAYLOAD = {
    "email": "mayor@springfield.gov",
    "password": PASSWORD,
    "name": "Ned Newcomer",
    "role": "admin",
    "is_active": "false",
    "slug": "new-letter",
    "title": "A new letter",
    "body_markdown": "We ask.",
    "kind": "letter",
    "auto_verify": "strong",
    "allowed_levels": "municipal",
    "full_name": "Ana Diaz",
    "office_level": "municipal",
    "jurisdiction": "Springfield",
    "state": "IL",
}


def post_routes(routes: list[BaseRoute], prefix: str = "") -> Iterator[tuple[str, Route]]:
    """(path format, route) for every route accepting POST, inside mounts too."""
    for route in routes:
        if isinstance(route, Mount):
            mount_format = compile_path(route.path)[1] if route.path else ""
            yield from post_routes(route.routes, prefix + mount_format)
        elif isinstance(route, Route) and "POST" in (route.methods or ()):
            yield prefix + route.path_format, route


def fill(path_format: str, route: Route, staff_id: int) -> str:
    """The path with plausible values: the test campaign, another staff member."""
    values = {}
    # Names from the whole format, so a mount's own parameters are filled too.
    for _text, name, _spec, _conv in string.Formatter().parse(path_format):
        if name is None:
            continue
        if name == "slug":
            values[name] = SLUG
        elif isinstance(route.param_convertors.get(name), IntegerConvertor):
            values[name] = str(staff_id)
        else:
            values[name] = f"some-{name}"
    return path_format.format(**values)


async def snapshot(db) -> dict[str, str]:
    """A fingerprint of every table's contents."""
    found = {}
    for table in metadata.sorted_tables:
        found[table.name] = await db.fetch_val(
            f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{table.name}\" t"  # noqa: E501, S608
        )
    return found


async def _setup(client, app, db) -> tuple[list[str], int]:
    await make_campaign(db, slug=SLUG)
    await make_staff(db, "admin@example.org")
    other = await make_staff(db, "sam@example.org", role="staff", name="Sam Staff")
    assert (await log_in(client, "admin@example.org")).status_code == 303
    paths = []
    for path_format, route in post_routes(app.routes):
        if path_format.startswith("/api/"):
            # The JSON API takes no cookies, so there is no session to forge a request
            # with; it is CSRF-exempt by design (SPEC section 4).
            continue
        paths.append(fill(path_format, route, other.id))
    return paths, other.id


def _wrong_tokens(other_session_token: str) -> list[dict[str, str] | None]:
    return [
        None,  # no csrf_token field at all
        {"csrf_token": ""},
        {"csrf_token": "forged-token"},
        {"csrf_token": "ünïcödé"},
        {"csrf_token": other_session_token},  # genuine, but another visitor's
    ]


async def _other_session_token(app) -> str:
    transport = httpx.ASGITransport(app=app, client=("198.51.100.7", 51000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        return csrf_from((await other.get("/staff/login")).text)


async def test_every_post_route_refuses_a_missing_or_wrong_token(client, app, db):
    paths, staff_id = await _setup(client, app, db)
    expected = {"/staff/login", "/staff/logout", "/staff/users", f"/staff/users/{staff_id}"}
    expected |= {f"/staff/campaigns/{SLUG}/edit", f"/staff/campaigns/{SLUG}/open"}
    assert expected <= set(paths), "the route walk missed routes it should find"
    wrong = _wrong_tokens(await _other_session_token(app))
    before = await snapshot(db)
    for path in paths:
        for token in wrong:
            response = await client.post(path, data={**PAYLOAD, **(token or {})})
            assert response.status_code == 403, (path, token, response.status_code)
            assert "did not come from this site" in response.text, path
            assert await snapshot(db) == before, (path, token)
        # Still signed in: even a forged logout did nothing.
        assert (await client.get("/staff/")).status_code == 200, path


async def test_a_json_or_multipart_body_without_a_token_is_refused(client, app, db):
    await _setup(client, app, db)
    before = await snapshot(db)
    as_json = await client.post("/staff/users", json=PAYLOAD)
    assert as_json.status_code == 403
    multipart = await client.post("/staff/users", data=PAYLOAD, files={"x": ("x.txt", b"x")})
    assert multipart.status_code == 400  # files are never accepted
    assert await snapshot(db) == before


async def test_the_snapshot_notices_what_a_forged_request_would_change(client, app, db):
    # The control for the walk above: with the right token the same payload does act.
    _, staff_id = await _setup(client, app, db)
    before = await snapshot(db)
    response = await form_post(client, "/staff/users", f"/staff/users/{staff_id}", PAYLOAD)
    assert response.status_code == 303
    assert await snapshot(db) != before


@pytest.mark.parametrize("path", ["/staff/login", "/staff/logout"])
async def test_a_visitor_without_a_session_is_refused(client, db, path):
    await make_staff(db)
    response = await client.post(
        path, data={"email": "admin@example.org", "password": PASSWORD, "csrf_token": "x"}
    )
    assert response.status_code == 403
    assert "did not come from this site" in response.text
