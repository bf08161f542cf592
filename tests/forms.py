"""Forms submitted the way a browser submits them: the page's CSRF token, then the POST."""

from __future__ import annotations

import re

import httpx

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    found = CSRF_RE.search(html)
    assert found, "the page has no CSRF field"
    return found.group(1)


async def form_post(
    client: httpx.AsyncClient, page: str, action: str, data: dict
) -> httpx.Response:
    """Submit a form the way a browser does: GET the page for its CSRF token, then POST."""
    token = csrf_from((await client.get(page)).text)
    return await client.post(action, data={**data, "csrf_token": token})
