"""Each request logged once, with its duration and request id; an error once, with its
traceback and the id; the JSON format (signon/web/request_log.py, signon/logconfig.py)."""

from __future__ import annotations

import json
import logging

import httpx
from starlette.routing import Route

from signon.app import create_app
from signon.logconfig import JsonFormatter


async def _broken(request):
    raise RuntimeError("a bug in a handler")


async def _requests(database_url, peer: str, *paths_and_headers, trusted: str = ""):
    app = create_app(database_url, sign_rate_limit="off", forwarded_allow_ips=trusted)
    app.router.routes.append(Route("/broken", _broken))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=(peer, 40000), raise_app_exceptions=True)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            return [await http.get(path, headers=headers) for path, headers in paths_and_headers]


def _records(caplog, level=logging.INFO) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith("signon") and r.levelno >= level]


async def test_every_request_is_logged_once_with_its_id_echoed(db, database_url, caplog):
    caplog.set_level("INFO", logger="signon.requests")
    [response] = await _requests(database_url, "203.0.113.5", ("/healthz", {}))
    [record] = [r for r in caplog.records if r.name == "signon.requests"]
    assert (record.method, record.path, record.status) == ("GET", "/healthz", 200)
    assert record.duration_ms >= 0
    assert record.request_id == response.headers["x-request-id"] and len(record.request_id) == 32


async def test_a_request_id_is_taken_only_from_a_trusted_proxy(db, database_url):
    given = {"X-Request-ID": "lb-1234"}
    [untrusted] = await _requests(database_url, "127.0.0.1", ("/healthz", given))
    assert untrusted.headers["x-request-id"] != "lb-1234"
    [trusted, odd] = await _requests(
        database_url,
        "10.1.2.3",
        ("/healthz", given),
        ("/healthz", {"X-Request-ID": "has spaces\tand tabs"}),
        trusted="10.0.0.0/8",
    )
    assert trusted.headers["x-request-id"] == "lb-1234"
    assert odd.headers["x-request-id"] != "has spaces\tand tabs"  # replaced, not logged


async def test_an_error_is_logged_once_with_its_traceback_and_the_request_id(
    db, database_url, caplog
):
    caplog.set_level("INFO")
    [response] = await _requests(database_url, "203.0.113.5", ("/broken", {}))
    assert response.status_code == 500 and "Traceback" not in response.text
    request_id = response.headers["x-request-id"]
    [error] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert error.exc_info and "a bug in a handler" in str(error.exc_info[1])
    assert error.request_id == request_id
    [line] = [
        r for r in caplog.records if r.name == "signon.requests" and r.levelno == logging.INFO
    ]
    assert (line.status, line.request_id) == (500, request_id)


async def test_signed_links_never_reach_the_log(db, database_url, caplog):
    caplog.set_level("INFO", logger="signon.requests")
    await _requests(database_url, "203.0.113.5", ("/c/eats-act/confirm/SECRET.TOKEN", {}))
    assert "SECRET" not in caplog.text
    [record] = [r for r in caplog.records if r.name == "signon.requests"]
    assert record.path == "/c/eats-act/confirm/…"


def test_the_json_format_is_one_object_a_line_with_the_request_fields():
    record = logging.LogRecord(
        "signon.requests", logging.INFO, __file__, 1, "GET / %s", (200,), None
    )
    record.request_id, record.status, record.duration_ms = "abc", 200, 1.5
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        failed = logging.LogRecord("signon", logging.ERROR, __file__, 2, "x", (), sys.exc_info())
    line = JsonFormatter().format(record)
    assert "\n" not in line
    assert json.loads(line) | {"time": None} == {
        "time": None,
        "level": "INFO",
        "logger": "signon.requests",
        "message": "GET / 200",
        "status": 200,
        "duration_ms": 1.5,
        "request_id": "abc",
    }
    entry = json.loads(JsonFormatter().format(failed))
    assert "ValueError: boom" in entry["traceback"] and "\n" not in JsonFormatter().format(failed)
