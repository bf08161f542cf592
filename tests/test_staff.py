"""Staff accounts through HTTP: sign-in, sign-out, the session cookie, the login throttle,
the guards on staff pages, and account administration by admins."""

import asyncio
import time

import httpx
import pytest
import sqlalchemy as sa
from starlette.datastructures import Secret
from starlette.routing import Route

from signon import settings, staff
from signon.app import create_app
from signon.audit import CLI
from signon.tables import audit_log, login_failures
from signon.tables import staff as staff_table
from tests.factories import (
    PASSWORD,
    add_sam_through_the_users_page,
    log_in,
    make_campaign,
    make_staff,
)
from tests.forms import csrf_from, form_post

LOGIN = "/staff/login"
USERS = "/staff/users"
WRONG = "not the right password at all"
BAD_CREDENTIALS = "That email and password do not match an active staff account."


def _client(app, host: str = "203.0.113.7", base_url: str = "http://testserver"):
    transport = httpx.ASGITransport(app=app, client=(host, 51000))
    return httpx.AsyncClient(transport=transport, base_url=base_url)


async def _count(db, query) -> int:
    return await db.fetch_val(sa.select(sa.func.count()).select_from(query))


async def _failures(db, key: str) -> int:
    return await _count(db, login_failures.select().where(login_failures.c.key == key).subquery())


async def _row(db, email: str):
    return await db.fetch_one(sa.select(staff_table).where(staff_table.c.email == email))


# Sign-in and sign-out


async def test_right_credentials_open_the_dashboard(client, db):
    await make_staff(db, "ada@example.org", name="Ada Admin")
    response = await log_in(client, "ADA@example.org ")  # case and spaces do not matter
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/"
    page = await client.get("/staff/")
    assert page.status_code == 200
    assert "Log out Ada Admin" in page.text
    assert (await _row(db, "ada@example.org"))["last_login_at"] is not None


async def test_login_follows_a_next_under_staff(client, db):
    await make_staff(db)
    page = await client.get(LOGIN, params={"next": "/staff/audit"})
    assert 'name="next" value="/staff/audit"' in page.text
    response = await client.post(
        LOGIN,
        data={
            "email": "admin@example.org",
            "password": PASSWORD,
            "next": "/staff/audit",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/audit"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/staff/",
        "//evil.example/staff/",
        "/\\evil.example/staff/",
        "/staff.evil.example",
        "/c/eats-act",
        "javascript:alert(1)",
    ],
)
async def test_login_ignores_a_next_off_staff(client, db, target):
    await make_staff(db)
    page = await client.get(LOGIN, params={"next": target})
    assert 'name="next" value="/staff/"' in page.text
    response = await client.post(
        LOGIN,
        data={
            "email": "admin@example.org",
            "password": PASSWORD,
            "next": target,
            "csrf_token": csrf_from(page.text),
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/"


@pytest.mark.parametrize("email", ["admin@example.org", "nobody@example.org"])
async def test_wrong_credentials_get_a_clear_403(client, db, email):
    await make_staff(db)
    response = await log_in(client, email, WRONG)
    assert response.status_code == 403
    assert BAD_CREDENTIALS in response.text
    assert 'role="alert"' in response.text
    assert f'value="{email}"' in response.text  # the typed email is kept
    assert WRONG not in response.text  # the password never comes back
    assert (await client.get("/staff/")).status_code == 303


async def test_a_disabled_account_cannot_log_in(client, db):
    member = await make_staff(db, "gone@example.org", role="staff")
    await staff.update_staff(db, CLI, member.id, is_active=False)
    response = await log_in(client, "gone@example.org")
    assert response.status_code == 403
    assert BAD_CREDENTIALS in response.text


async def test_a_disabled_account_is_signed_out_on_its_next_request(client, db):
    member = await make_staff(db, "soon@example.org", role="staff")
    await log_in(client, "soon@example.org")
    assert (await client.get("/staff/")).status_code == 200
    await staff.update_staff(db, CLI, member.id, is_active=False)
    response = await client.get("/staff/")
    assert response.status_code == 303
    assert response.headers["location"].endswith("/staff/login?next=%2Fstaff%2F")
    # Enabling the account again does not revive the old session.
    await staff.update_staff(db, CLI, member.id, is_active=True)
    assert (await client.get("/staff/")).status_code == 303


async def test_logout_is_a_post_that_ends_the_session(client, db):
    await make_staff(db)
    await log_in(client, "admin@example.org")
    assert (await client.get("/staff/logout")).status_code == 405
    refused = await client.post("/staff/logout", data={"csrf_token": "forged"})
    assert refused.status_code == 403
    assert (await client.get("/staff/")).status_code == 200
    response = await form_post(client, "/staff/", "/staff/logout", {})
    assert response.status_code == 303
    assert response.headers["location"].endswith(LOGIN)
    after = await client.get("/staff/")
    assert after.status_code == 303
    assert "/staff/login" in after.headers["location"]


# The session cookie


async def test_session_cookie_is_httponly_and_samesite_lax(client, db):
    await make_staff(db)
    response = await log_in(client, "admin@example.org")
    cookie = response.headers["set-cookie"].lower()
    assert cookie.startswith("signon_session=")
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "secure" not in cookie  # development serves plain http


async def test_session_cookie_is_secure_in_production(app, db, monkeypatch):
    monkeypatch.setattr(settings, "SIGNON_ENV", "production")
    monkeypatch.setattr(settings, "_SECRET_KEY", Secret("p" * 48))
    # The same connected database, so no lifespan is needed for this second app.
    production = create_app(db=app.state.db)
    await make_staff(db)
    async with _client(production, base_url="https://testserver") as https:
        response = await log_in(https, "admin@example.org")
        assert response.status_code == 303
        assert "; secure" in response.headers["set-cookie"].lower()
        assert (await https.get("/staff/")).status_code == 200


# The login throttle


async def test_five_failures_lock_the_account_even_for_the_right_password(client, db):
    await make_staff(db)
    for _ in range(settings.LOGIN_MAX_FAILURES_PER_ACCOUNT):
        assert (await log_in(client, "admin@example.org", WRONG)).status_code == 403
    response = await log_in(client, "admin@example.org")
    assert response.status_code == 429
    assert 0 < int(response.headers["retry-after"]) <= settings.LOGIN_WINDOW_SECONDS + 1
    assert "Too many failed sign-in attempts" in response.text
    assert 'value="admin@example.org"' in response.text
    assert (await client.get("/staff/")).status_code == 303
    # The state is in PostgreSQL, and the locked attempt added no failure of its own.
    assert await _failures(db, "account:203.0.113.7:admin@example.org") == 5


async def test_a_burst_of_concurrent_guesses_gets_no_more_than_five_tries(app, db):
    await make_staff(db)
    clients = [_client(app, host="198.51.100.1") for _ in range(12)]
    tokens = [csrf_from((await http.get(LOGIN)).text) for http in clients]
    guess = {"email": "admin@example.org", "password": WRONG}
    responses = await asyncio.gather(
        *(
            http.post(LOGIN, data={**guess, "csrf_token": token})
            for http, token in zip(clients, tokens, strict=True)
        )
    )
    for http in clients:
        await http.aclose()
    statuses = [response.status_code for response in responses]
    # Checked one by one, every guess would pass the throttle before any was recorded.
    assert statuses.count(403) <= settings.LOGIN_MAX_FAILURES_PER_ACCOUNT
    assert statuses.count(429) >= len(clients) - settings.LOGIN_MAX_FAILURES_PER_ACCOUNT
    assert await _failures(db, "account:198.51.100.1:admin@example.org") == statuses.count(403)


async def test_the_throttle_holds_across_processes(client, db, database_url):
    await make_staff(db)
    for _ in range(settings.LOGIN_MAX_FAILURES_PER_ACCOUNT):
        await log_in(client, "admin@example.org", WRONG)
    other = create_app(database_url)  # its own connection pool, like another web process
    async with other.router.lifespan_context(other), _client(other, host="203.0.113.7") as http:
        response = await log_in(http, "admin@example.org")
    assert response.status_code == 429


async def test_success_clears_the_account_failures(client, db):
    await make_staff(db)
    for _ in range(settings.LOGIN_MAX_FAILURES_PER_ACCOUNT - 1):
        await log_in(client, "admin@example.org", WRONG)
    assert (await log_in(client, "admin@example.org")).status_code == 303
    assert await _failures(db, "account:203.0.113.7:admin@example.org") == 0
    await log_in(client, "admin@example.org", WRONG)
    assert (await log_in(client, "admin@example.org")).status_code == 303


async def test_retry_after_counts_from_the_oldest_failure_in_the_window(client, db):
    await make_staff(db)
    ten_minutes_ago = sa.func.now() - sa.text("interval '10 minutes'")
    await db.execute_many(
        login_failures.insert().values(failed_at=ten_minutes_ago),
        [{"key": "account:203.0.113.7:admin@example.org"}] * 5,
    )
    response = await log_in(client, "admin@example.org")
    assert response.status_code == 429
    assert 295 <= int(response.headers["retry-after"]) <= 302


async def test_failures_older_than_the_window_do_not_count(client, db):
    await make_staff(db)
    long_ago = sa.func.now() - sa.text("interval '16 minutes'")
    await db.execute_many(
        login_failures.insert().values(failed_at=long_ago),
        [{"key": "account:203.0.113.7:admin@example.org"}] * 10
        + [{"key": "address:203.0.113.7"}] * 30,
    )
    assert (await log_in(client, "admin@example.org")).status_code == 303


async def test_twenty_failures_from_one_address_lock_that_address(client, app, db):
    await make_staff(db)
    for n in range(settings.LOGIN_MAX_FAILURES_PER_ADDRESS):
        assert (await log_in(client, f"guess{n}@example.org", WRONG)).status_code == 403
    response = await log_in(client, "admin@example.org")
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) > 0
    assert await _failures(db, "address:203.0.113.7") == 20
    # Another address is not affected, and the account itself has no failures.
    async with _client(app, host="198.51.100.20") as elsewhere:
        assert (await log_in(elsewhere, "admin@example.org")).status_code == 303


# Passwords


async def test_passwords_are_stored_as_argon2_hashes(client, db):
    await make_staff(db)
    await log_in(client, "admin@example.org")
    await add_sam_through_the_users_page(client)
    for email in ("admin@example.org", "sam@example.org"):
        stored = (await _row(db, email))["password_hash"]
        assert stored.startswith("$argon2")
        assert PASSWORD not in stored


async def test_hashing_does_not_block_the_event_loop(db, monkeypatch):
    # argon2 at its production cost here (conftest lightens it for the rest of the suite):
    # the hashing must dominate `elapsed` for the gap comparison below to mean anything.
    from argon2 import PasswordHasher

    monkeypatch.setattr(staff, "_hasher", PasswordHasher())
    gaps: list[float] = []
    done = asyncio.Event()

    async def tick() -> None:
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    ticker = asyncio.create_task(tick())
    started = time.perf_counter()
    await make_staff(db)
    await staff.authenticate(db, "admin@example.org", PASSWORD, "192.0.2.1")
    elapsed = time.perf_counter() - started
    done.set()
    await ticker
    # Two argon2 runs took `elapsed`; had they run on the loop, no tick could happen
    # during either, so the longest gap would be at least half of it.
    assert max(gaps) < elapsed / 3


# Guards on staff pages


def _staff_get_paths(app, slug: str) -> list[str]:
    """Every GET route under /staff (the login page aside), with its parameters filled."""
    paths = []
    for route in app.routes:
        if not isinstance(route, Route) or "GET" not in (route.methods or ()):
            continue
        if route.path.startswith("/staff") and route.name != "staff:login":
            params = {name: slug if name == "slug" else "1" for name in route.param_convertors}
            paths.append(route.path_format.format(**params))
    return paths


async def test_every_staff_page_sends_strangers_to_login(client, app, db):
    await make_campaign(db, slug="eats-act")
    paths = _staff_get_paths(app, "eats-act")
    expected = {
        "/staff/",
        "/staff/campaigns/new",
        "/staff/campaigns/eats-act",
        "/staff/campaigns/eats-act/edit",
        "/staff/users",
        "/staff/audit",
    }
    assert expected <= set(paths)
    for path in paths:
        response = await client.get(path)
        assert response.status_code == 303, path
        login = httpx.URL(response.headers["location"])
        assert login.path == LOGIN
        assert login.params["next"] == path


async def test_login_returns_to_the_page_asked_for_with_its_query(client, db):
    await make_staff(db)
    response = await client.get("/staff/audit?before=5")
    assert httpx.URL(response.headers["location"]).params["next"] == "/staff/audit?before=5"
    page = await client.get(response.headers["location"])
    token = csrf_from(page.text)
    data = {"email": "admin@example.org", "password": PASSWORD, "csrf_token": token}
    signed_in = await client.post(LOGIN, data={**data, "next": "/staff/audit?before=5"})
    assert signed_in.headers["location"] == "/staff/audit?before=5"


async def test_a_form_posted_after_the_session_ended_returns_to_the_dashboard(client, db):
    await make_staff(db)
    response = await client.post(USERS, data={"csrf_token": "whatever"})
    assert response.status_code == 303
    assert httpx.URL(response.headers["location"]).params["next"] == "/staff/"


async def test_staff_role_cannot_open_or_use_the_accounts_page(client, db):
    await make_staff(db, "admin@example.org")
    await make_staff(db, "sam@example.org", role="staff", name="Sam Staff")
    await log_in(client, "sam@example.org")
    page = await client.get(USERS)
    assert page.status_code == 403
    assert "Only admins" in page.text
    token = csrf_from((await client.get("/staff/")).text)
    new = {"name": "Eve", "email": "eve@example.org", "password": PASSWORD, "role": "admin"}
    response = await client.post(USERS, data={**new, "csrf_token": token})
    assert response.status_code == 403
    admin = await _row(db, "admin@example.org")
    demote = await client.post(
        f"{USERS}/{admin['id']}", data={"role": "staff", "csrf_token": token}
    )
    assert demote.status_code == 403
    assert await _row(db, "eve@example.org") is None
    assert (await _row(db, "admin@example.org"))["role"] == "admin"
    assert (
        await _count(db, audit_log.select().where(audit_log.c.staff_id.is_not(None)).subquery())
        == 0
    )


# Account administration


async def admin_client(client, db):
    admin = await make_staff(db, "admin@example.org", name="Ada Admin")
    await log_in(client, "admin@example.org")
    return admin


async def test_admin_creates_a_staff_account_that_can_log_in(client, app, db):
    await admin_client(client, db)
    response = await form_post(
        client,
        USERS,
        USERS,
        {"name": " Sam Staff ", "email": "Sam@Example.org", "password": PASSWORD, "role": "staff"},
    )
    assert response.status_code == 303
    page = await client.get(response.headers["location"])
    assert "Account created for sam@example.org." in page.text
    assert "Sam Staff" in page.text
    row = await _row(db, "sam@example.org")
    assert (row["name"], row["role"], row["is_active"]) == ("Sam Staff", "staff", True)
    async with _client(app, host="198.51.100.30") as sam:
        assert (await log_in(sam, "sam@example.org")).status_code == 303


async def test_invalid_account_keeps_what_was_typed_but_the_password(client, db):
    await admin_client(client, db)
    typed = {"name": "", "email": "not-an-email", "password": "short pw", "role": "boss"}
    response = await form_post(client, USERS, USERS, typed)
    assert response.status_code == 400
    page = response.text
    for field in ("name", "email", "password", "role"):
        assert f'id="{field}-error"' in page, field
    assert "Enter the person&#39;s name." in page
    assert "Use at least 12 characters." in page
    assert "Choose admin or staff." in page
    assert 'value="not-an-email"' in page
    assert "short pw" not in page
    assert await _count(db, staff_table) == 1


async def test_a_duplicate_email_is_refused(client, db):
    await admin_client(client, db)
    await make_staff(db, "sam@example.org", role="staff", name="Sam Staff")
    response = await form_post(
        client,
        USERS,
        USERS,
        {"name": "Sam Again", "email": "SAM@example.org", "password": PASSWORD, "role": "admin"},
    )
    assert response.status_code == 400
    assert "A staff account with this email already exists." in response.text
    assert 'value="Sam Again"' in response.text
    assert await _count(db, staff_table) == 2


async def test_admin_changes_a_role_and_the_new_admin_gets_the_page(client, app, db):
    await admin_client(client, db)
    sam = await make_staff(db, "sam@example.org", role="staff", name="Sam Staff")
    response = await form_post(client, USERS, f"{USERS}/{sam.id}", {"role": "admin"})
    assert response.status_code == 303
    assert "sam@example.org is now admin, active." in (await client.get(USERS)).text
    assert (await _row(db, "sam@example.org"))["role"] == "admin"
    async with _client(app, host="198.51.100.31") as promoted:
        await log_in(promoted, "sam@example.org")
        assert (await promoted.get(USERS)).status_code == 200


async def test_admin_disables_and_enables_an_account(client, app, db):
    await admin_client(client, db)
    sam = await make_staff(db, "sam@example.org", role="staff", name="Sam Staff")
    response = await form_post(client, USERS, f"{USERS}/{sam.id}", {"is_active": "false"})
    assert response.status_code == 303
    assert "sam@example.org is now staff, disabled." in (await client.get(USERS)).text
    async with _client(app, host="198.51.100.32") as other:
        assert (await log_in(other, "sam@example.org")).status_code == 403
    await form_post(client, USERS, f"{USERS}/{sam.id}", {"is_active": "true"})
    assert (await _row(db, "sam@example.org"))["is_active"] is True
    async with _client(app, host="198.51.100.33") as other:
        assert (await log_in(other, "sam@example.org")).status_code == 303


@pytest.mark.parametrize("change", [{"is_active": "false"}, {"role": "staff"}])
async def test_an_admin_cannot_disable_or_demote_themselves(client, db, change):
    admin = await admin_client(client, db)
    response = await form_post(client, USERS, f"{USERS}/{admin.id}", change)
    assert response.status_code == 409
    assert "You cannot change your own role or disable your own account." in response.text
    row = await _row(db, "admin@example.org")
    assert (row["role"], row["is_active"]) == ("admin", True)
    assert (
        await _count(db, audit_log.select().where(audit_log.c.staff_id == admin.id).subquery()) == 0
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [({"role": "owner"}, "Choose admin or staff."), ({"is_active": "maybe"}, "true or false")],
)
async def test_an_unknown_role_or_state_is_refused(client, db, change, message):
    await admin_client(client, db)
    sam = await make_staff(db, "sam@example.org", role="staff", name="Sam Staff")
    response = await form_post(client, USERS, f"{USERS}/{sam.id}", change)
    assert response.status_code == 400
    assert message in response.text
    row = await _row(db, "sam@example.org")
    assert (row["role"], row["is_active"]) == ("staff", True)


@pytest.mark.parametrize("staff_id", ["4242", "99999999999999"])
async def test_changing_an_unknown_account_is_a_404(client, db, staff_id):
    await admin_client(client, db)
    response = await form_post(client, USERS, f"{USERS}/{staff_id}", {"role": "admin"})
    assert response.status_code == 404
    assert "There is no such staff account." in response.text


# Bad input never causes a 500


async def _post_raw(client, page: str, action: str, body: bytes) -> httpx.Response:
    token = csrf_from((await client.get(page)).text)
    return await client.post(
        action,
        content=body + b"&csrf_token=" + token.encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (b"email=" + b"a" * 10_000 + b"%40example.org&password=x", 403, BAD_CREDENTIALS),
        (b"email=admin%40example.org&password=" + b"p" * 2_000_000, 400, "too long"),
        (b"email=%FF%FEadmin%40example.org&password=%FF%FF", 400, "not valid text"),
        (b"email=\xff\xfe&password=\xc3\x28", 403, BAD_CREDENTIALS),
        (b"email=admin%00%40example.org&password=x", 400, "not valid text"),
        (b"password=x", 403, BAD_CREDENTIALS),
        (b"", 403, BAD_CREDENTIALS),
    ],
)
async def test_bad_login_input_gets_a_clear_4xx(client, db, body, status, message):
    await make_staff(db)
    response = await _post_raw(client, LOGIN, LOGIN, body)
    assert response.status_code == status
    assert message in response.text
    assert "p" * 1000 not in response.text


async def test_an_overlong_password_does_not_match_its_first_thousand_characters(client, db):
    long_password = "x" * staff.MAX_PASSWORD
    await staff.create_staff(
        db, CLI, email="long@example.org", name="Lon Long", password=long_password, role="staff"
    )
    assert (await log_in(client, "long@example.org", long_password + "y")).status_code == 403
    assert (await log_in(client, "long@example.org", long_password)).status_code == 303


PW = b"&password=" + PASSWORD.replace(" ", "+").encode()


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (b"name=Sam&role=staff&email=" + b"s" * 10_000 + b"%40example.org" + PW, "email", "long"),
        (b"name=Sam&role=staff&email=sam%40example.org&password=" + b"p" * 2_000_000, "", "long"),
        (b"name=Sam&role=staff&email=sam%40example.org&password=" + b"p" * 1001, "password", ""),
        (b"name=%FF%FE&role=staff&email=sam%40example.org" + PW, "", "not valid text"),
        (b"name=Sam%00&role=staff&email=sam%40example.org" + PW, "", "not valid text"),
        (b"name=Sam%01Staff&role=staff&email=sam%40example.org" + PW, "name", "control char"),
        (b"name=" + b"n" * 10_000 + b"&role=staff&email=sam%40example.org" + PW, "name", "200"),
        (b"role=staff&email=sam%40example.org" + PW, "name", "Enter the person"),
        (PW[1:], "email", "must have an @-sign"),
    ],
)
async def test_bad_account_input_gets_a_clear_4xx(client, db, body, field, message):
    await admin_client(client, db)
    response = await _post_raw(client, USERS, USERS, body)
    assert response.status_code == 400
    if field:
        assert f'id="{field}-error"' in response.text
    assert message in response.text
    assert await _count(db, staff_table) == 1


async def test_logout_ends_copies_of_the_session_cookie(client, db):
    """A cookie copied before logout (another tab, a stolen copy) stops working too."""
    await make_staff(db, "copy@example.org", role="staff", name="Copy Cat")
    await log_in(client, "copy@example.org")
    copied = dict(client.cookies)
    assert (await client.get("/staff/")).status_code == 200
    await form_post(client, "/staff/", "/staff/logout", {})
    client.cookies.clear()
    client.cookies.update(copied)
    response = await client.get("/staff/")
    assert response.status_code == 303 and "/staff/login" in response.headers["location"]


async def test_re_enabling_an_account_does_not_revive_its_old_sessions(client, db, app):
    admin = await make_staff(db, "boss@example.org", role="admin", name="Boss")
    member = await make_staff(db, "temp@example.org", role="staff", name="Temp")
    transport = httpx.ASGITransport(app=app, client=("203.0.113.8", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        await log_in(other, "temp@example.org")
        assert (await other.get("/staff/")).status_code == 200
        await staff.update_staff(db, admin.as_actor(), member.id, is_active=False)
        await staff.update_staff(db, admin.as_actor(), member.id, is_active=True)
        assert (await other.get("/staff/")).status_code == 303
