"""Error pages: every error a person sees is a page in the site's layout (JSON under
/api/), with a status that says what happened and never a traceback or driver message."""

import contextlib
import logging
import socket

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from signon import db as database
from signon import errors
from signon.app import create_app
from tests.factories import log_in, make_campaign, make_staff

LAYOUT = ('<a class="skip-link" href="#main">Skip to main content</a>', 'class="brand"')


def assert_layout(response: httpx.Response, status: int, title: str) -> None:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    for marker in LAYOUT:
        assert marker in response.text
    assert f"<h1>{title}</h1>" in response.text
    assert f"<title>{title} · Signon</title>" in response.text


@contextlib.asynccontextmanager
async def raw_client(app):
    # raise_app_exceptions=False: see the 500 page the browser gets, as under uvicorn.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.mark.parametrize("path", ["/no/such/page", "/c/no-such-campaign", "/static/nope.css"])
async def test_unknown_addresses_get_a_404_page(client, db, path):
    await make_campaign(db, slug="draft-one", status="draft")
    response = await client.get(path)
    assert_layout(response, 404, "Page not found")


async def test_a_draft_campaign_is_a_404_for_the_public(client, db):
    await make_campaign(db, slug="draft-one", status="draft")
    response = await client.get("/c/draft-one")
    assert_layout(response, 404, "Page not found")
    assert "There is no campaign at this address." in response.text


async def test_an_unknown_campaign_is_a_404_for_staff_too(client, db):
    await make_staff(db)
    await log_in(client, "admin@example.org")
    for path in ("/staff/campaigns/no-such-campaign", "/staff/campaigns/no-such-campaign/edit"):
        assert_layout(await client.get(path), 404, "Page not found")


@pytest.mark.parametrize(("method", "path"), [("GET", "/staff/logout"), ("POST", "/")])
async def test_a_wrong_method_gets_a_405_page(client, db, method, path):
    response = await client.request(method, path)
    assert_layout(response, 405, "That method is not allowed here")
    assert "Use the form on the page." in response.text
    assert "allow" in response.headers


async def test_staff_on_an_admin_page_get_a_403_page(client, db):
    await make_staff(db, "sam@example.org", role="staff", name="Sam Staff")
    await log_in(client, "sam@example.org")
    response = await client.get("/staff/users")
    assert_layout(response, 403, "You cannot do that")
    assert "Only admins can open this page." in response.text


async def test_bad_text_in_an_address_is_a_404_not_a_500(app, db):
    # No campaign address can hold a NUL: the slug is refused before any query.
    await make_staff(db)
    async with raw_client(app) as client:
        assert_layout(await client.get("/c/bad%00slug"), 404, "Page not found")
        await log_in(client, "admin@example.org")
        response = await client.get("/staff/campaigns/bad%00slug")
        assert_layout(response, 404, "Page not found")


async def _boom(request: Request) -> Response:
    raise RuntimeError("secret detail")


def _app_with_a_failing_route(database_url: str):
    application = create_app(database_url)
    application.router.routes.append(Route("/boom", _boom, name="test:boom"))
    application.router.routes.append(Route("/api/boom", _boom, name="test:api_boom"))
    return application


async def test_an_unexpected_error_is_a_500_page_without_details(database_url, caplog):
    # No lifespan: the failing route never touches the database.
    async with raw_client(_app_with_a_failing_route(database_url)) as client:
        with caplog.at_level(logging.ERROR, logger="signon.errors"):
            response = await client.get("/boom")
    assert_layout(response, 500, "Something went wrong")
    assert "The error has been logged." in response.text
    for leak in ("secret detail", "Traceback", "RuntimeError", "_boom"):
        assert leak not in response.text
    # ...but the error itself is in the log, for whoever runs the site.
    logged = [r for r in caplog.records if r.exc_info and r.exc_info[0] is RuntimeError]
    assert logged and "secret detail" in str(logged[0].exc_info[1])


async def test_api_paths_get_json_errors(database_url):
    async with raw_client(_app_with_a_failing_route(database_url)) as client:
        missing = await client.get("/api/v1/no-such-thing")
        elsewhere = await client.get("/api/nothing-here")
        failing = await client.get("/api/boom")
    for response, status in ((missing, 404), (elsewhere, 404), (failing, 500)):
        assert response.status_code == status
        assert response.headers["content-type"] == "application/json"
        assert response.json()["error"]
        assert "<html" not in response.text
    assert "secret detail" not in failing.text


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_an_unreachable_database_gets_a_503_page():
    # min_size=0: the pool opens no connection at start-up, so the app starts and each
    # request meets the refused connection, as when PostgreSQL goes away while serving.
    url = f"postgresql://postgres@127.0.0.1:{_closed_port()}/signon"
    unreachable = create_app(db=database.make_database(url, min_size=0))
    async with unreachable.router.lifespan_context(unreachable), raw_client(unreachable) as client:
        page = await client.get("/")
        campaign = await client.get("/c/eats-act")
    for response in (page, campaign):
        assert_layout(response, 503, "Signon is briefly unavailable")
        assert response.headers["retry-after"] == str(errors.ServiceUnavailable.retry_after)
        assert "cannot reach its database" in response.text
        assert "127.0.0.1" not in response.text  # no driver message
