"""The `signon` command line, run as a user runs it: a separate process, checked through
the database and HTTP."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from signon.tables import audit_log, campaigns, staff
from tests.factories import PASSWORD, log_in, make_campaign
from tests.processes import TIMEOUT_SECONDS, Result, cli_env, free_port, run_signon


def assert_refused(result: Result, *expected: str) -> None:
    """Non-zero exit, every expected text in the message, and no traceback."""
    assert result.returncode != 0, result
    assert "Traceback" not in result.stderr, result.stderr
    for text in expected:
        assert text in result.stderr, result.stderr


async def test_help_needs_no_configuration_and_starts_no_database(tmp_path):
    result = await run_signon("--help", cwd=tmp_path, env=cli_env(None))
    assert result.returncode == 0, result
    for command in ("serve", "migrate", "create-staff", "demo", "campaign"):
        assert f"  {command} " in result.stdout
    assert not (tmp_path / "var").exists()
    campaign_help = await run_signon("campaign", "--help", cwd=tmp_path, env=cli_env(None))
    for command in ("create", "open", "close"):
        assert f"  {command} " in campaign_help.stdout


@pytest.mark.parametrize("secret", [None, "changeme"])
async def test_serve_refuses_production_without_a_safe_secret(tmp_path, database_url, secret):
    extra = {"SIGNON_ENV": "production", **({"SECRET_KEY": secret} if secret else {})}
    result = await run_signon("serve", cwd=tmp_path, env=cli_env(database_url, **extra))
    assert_refused(result, "SECRET_KEY")
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


async def test_create_staff_reads_the_password_from_stdin_and_can_sign_in(
    client, db, database_url, tmp_path
):
    result = await run_signon(
        "create-staff",
        "New.Person@Example.org",
        "--name",
        "New Person",
        "--admin",
        "--password-stdin",
        cwd=tmp_path,
        env=cli_env(database_url),
        stdin=PASSWORD + "\n",
    )
    assert result.returncode == 0, result
    assert "new.person@example.org" in result.stdout
    row = await db.fetch_one(sa.select(staff).where(staff.c.email == "new.person@example.org"))
    assert (row["name"], row["role"]) == ("New Person", "admin")
    signed_in = await log_in(client, "new.person@example.org")
    assert signed_in.status_code == 303
    assert signed_in.headers["location"].endswith("/staff/")
    audit = await db.fetch_all(sa.select(audit_log))
    assert [(entry["actor"], entry["action"]) for entry in audit] == [("cli", "staff.create")]


async def test_create_staff_refuses_bad_input_clearly(db, database_url, tmp_path):
    result = await run_signon(
        "create-staff",
        "not-an-email",
        "--name",
        "Someone",
        "--password-stdin",
        cwd=tmp_path,
        env=cli_env(database_url),
        stdin="short\n",
    )
    assert_refused(result, "Error: email: ", "Error: password: Use at least 12 characters.")
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(staff)) == 0


async def campaign_cli(tmp_path: Path, database_url: str, *args: str) -> Result:
    return await run_signon("campaign", *args, cwd=tmp_path, env=cli_env(database_url))


async def test_campaign_create_open_close(client, db, database_url, tmp_path):
    body = tmp_path / "letter.md"
    body.write_text("We urge Congress to **protect** local food laws.\n", encoding="utf-8")
    created = await campaign_cli(
        tmp_path,
        database_url,
        "create",
        "--slug",
        "local-food",
        "--title",
        "Keep local food laws",
        "--body-file",
        str(body),
        "--kind",
        "statement",
        "--goal",
        "75",
        "--auto-verify",
        "off",
        "--levels",
        "county,municipal",
    )
    assert created.returncode == 0, created
    row = await db.fetch_one(sa.select(campaigns).where(campaigns.c.slug == "local-food"))
    assert (row["status"], row["kind"], row["goal"], row["auto_verify"]) == (
        "draft",
        "statement",
        75,
        "off",
    )
    assert list(row["allowed_levels"]) == ["county", "municipal"]
    assert (await client.get("/c/local-food")).status_code == 404  # a draft is not public

    opened = await campaign_cli(tmp_path, database_url, "open", "local-food")
    assert opened.returncode == 0, opened
    assert opened.stdout.strip().endswith("/c/local-food")
    page = await client.get("/c/local-food")
    assert page.status_code == 200
    assert "<strong>protect</strong>" in page.text

    closed = await campaign_cli(tmp_path, database_url, "close", "local-food")
    assert closed.returncode == 0, closed
    status = await db.fetch_val(sa.select(campaigns.c.status).where(campaigns.c.id == row["id"]))
    assert status == "closed"
    audit = await db.fetch_all(sa.select(audit_log).order_by(audit_log.c.id))
    assert [(entry["actor"], entry["action"]) for entry in audit] == [
        ("cli", "campaign.create"),
        ("cli", "campaign.open"),
        ("cli", "campaign.close"),
    ]


async def test_illegal_lifecycle_move_is_refused_clearly(db, database_url, tmp_path):
    await make_campaign(db, slug="still-draft", status="draft")
    result = await campaign_cli(tmp_path, database_url, "close", "still-draft")
    assert_refused(result, "Error: A campaign that is draft cannot be closed.")
    assert len(result.stderr.strip().splitlines()) == 1
    missing = await campaign_cli(tmp_path, database_url, "open", "no-such-campaign")
    assert_refused(missing, "There is no campaign")
    status = await db.fetch_val(sa.select(campaigns.c.status))
    assert status == "draft"


async def test_campaign_create_refuses_a_taken_slug_and_bad_fields(db, database_url, tmp_path):
    await make_campaign(db, slug="eats-act")
    body = tmp_path / "letter.md"
    body.write_text("Text.", encoding="utf-8")
    taken = await campaign_cli(
        tmp_path,
        database_url,
        "create",
        "--slug",
        "eats-act",
        "--title",
        "Again",
        "--body-file",
        str(body),
    )
    assert_refused(taken, "Error: slug: Another campaign already uses this address.")
    bad = await campaign_cli(
        tmp_path,
        database_url,
        "create",
        "--slug",
        "Not A Slug",
        "--title",
        "T",
        "--body-file",
        str(body),
        "--goal",
        "lots",
        "--levels",
        "mayor",
    )
    assert_refused(
        bad,
        "Error: slug: Use lower-case",
        "Error: goal: Enter a whole number",
        "Error: levels: Choose at least one office level",
    )
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(campaigns)) == 1


async def test_an_unreachable_database_is_one_clear_line(tmp_path):
    env = cli_env("postgresql://postgres@127.0.0.1:1/nowhere")
    result = await run_signon("migrate", cwd=tmp_path, env=env)
    assert_refused(result, "Error: Cannot connect to the database")
    assert len(result.stderr.strip().splitlines()) == 1


async def test_migrate_without_database_url_uses_the_embedded_server(tmp_path):
    """The new user's path: no DATABASE_URL, so pgserver starts under ./var/ and stops."""
    result = await run_signon("migrate", cwd=tmp_path, env=cli_env(None))
    assert result.returncode == 0, result
    assert "embedded PostgreSQL" in result.stderr
    assert "Running upgrade" in result.stderr
    assert (tmp_path / "var" / "pgdata" / "PG_VERSION").exists()
    # The server stopped with the command (pgserver's cleanup_mode="stop").
    assert not (tmp_path / "var" / "pgdata" / "postmaster.pid").exists()


async def wait_until_served(
    url: str, process: asyncio.subprocess.Process, log: Path
) -> httpx.Response:
    async with asyncio.timeout(TIMEOUT_SECONDS), httpx.AsyncClient() as http:
        while process.returncode is None:
            try:
                return await http.get(url)
            except httpx.TransportError:
                await asyncio.sleep(0.1)
    output = log.read_text(errors="replace")[-3000:]  # noqa: ASYNC240 - the test has ended
    raise AssertionError(f"signon serve exited with status {process.returncode}:\n{output}")


async def test_serve_on_the_embedded_server_stops_it_on_sigterm(tmp_path):
    """`signon serve` with no DATABASE_URL migrates, serves, and on SIGTERM (what platforms
    send) shuts down through the normal exit path, so the embedded PostgreSQL stops too."""
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "signon",
            "serve",
            "--port",
            str(port),
            cwd=tmp_path,
            env=cli_env(None),
            stdout=output,
            stderr=output,
        )
    try:
        response = await wait_until_served(f"http://127.0.0.1:{port}/", process, log)
        assert response.status_code == 200
        assert (tmp_path / "var" / "pgdata" / "postmaster.pid").exists()
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(TIMEOUT_SECONDS):
            await process.wait()
    assert not (tmp_path / "var" / "pgdata" / "postmaster.pid").exists()
