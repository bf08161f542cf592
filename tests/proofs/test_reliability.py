"""Nothing lost (issue 7, part 3): concurrent signing, a PostgreSQL restart under load,
and an SMTP outage.

The counts run through the real app in-process (httpx on the ASGI app) against the test
database. The restart test starts its own PostgreSQL (pgserver's binaries, a private data
directory and socket; never the shared server) and a real `signon serve` process on it,
stops the database in the middle of a signing load and starts it again. Figures are
printed (pytest -rA or -s shows them) and recorded in docs/reliability.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from databases import Database

from signon import mail
from signon.tables import campaign_counts, email_attempts, email_outbox, signatures
from tests.emails import Inbox, link_in
from tests.factories import OFFICIAL, make_campaign, signer
from tests.forms import csrf_from
from tests.postgres import PrivatePostgres
from tests.processes import cli_env, free_port

API = "/api/v1/campaigns/eats-act/signatures"
FORM_PAGE = "/c/eats-act"
FORM = "/c/eats-act/sign"
SUCCESS = (200, 201, 303)


async def sign_api(client: httpx.AsyncClient, data: dict[str, str]) -> httpx.Response:
    return await client.post(API, json=data)


async def sign_form(client: httpx.AsyncClient, data: dict[str, str], token: str) -> httpx.Response:
    return await client.post(FORM, data={**data, "csrf_token": token})


async def form_token(client: httpx.AsyncClient) -> str:
    """One CSRF token for the client's session: every form it posts may carry it."""
    return csrf_from((await client.get(FORM_PAGE)).text)


async def count(db: Database, table: sa.Table) -> int:
    return await db.fetch_val(sa.select(sa.func.count()).select_from(table))


# -- 2,000 distinct signers at once, 500 repeats of one email at once -------------------


async def test_2000_concurrent_distinct_signatures_make_exactly_2000_rows(client, db):
    await make_campaign(db)
    token = await form_token(client)
    # Half through the HTML form, half through the JSON API, all in flight together.
    requests = [
        sign_form(client, signer(n), token) if n % 2 else sign_api(client, signer(n))
        for n in range(2000)
    ]
    started = time.perf_counter()
    responses = await asyncio.gather(*requests)
    elapsed = time.perf_counter() - started
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] * 1000 + [303] * 1000
    rows = await db.fetch_all(sa.select(signatures.c.email, signatures.c.status))
    assert len(rows) == 2000
    assert {row["email"] for row in rows} == {f"member{n}@stpaul.gov" for n in range(2000)}
    assert {row["status"] for row in rows} == {"unconfirmed"}
    # One confirmation email each, queued in the same transaction as the row.
    assert await count(db, email_outbox) == 2000
    print(f"\nreliability: 2000 concurrent signatures in {elapsed:.1f} s")


async def test_500_concurrent_repeats_of_one_email_make_one_row(client, db):
    await make_campaign(db)
    token = await form_token(client)
    # The same address as people type it: case and spaces differ, the signer does not.
    spellings = ["Ana.Diaz@StPaul.gov", "ana.diaz@stpaul.gov", " ANA.DIAZ@STPAUL.GOV "]
    requests = [
        sign_form(client, {**OFFICIAL, "email": spellings[n % 3]}, token)
        if n % 2
        else sign_api(client, {**OFFICIAL, "email": spellings[n % 3]})
        for n in range(500)
    ]
    started = time.perf_counter()
    responses = await asyncio.gather(*requests)
    elapsed = time.perf_counter() - started
    statuses = [response.status_code for response in responses]
    api_statuses = sorted(statuses[0::2])
    assert api_statuses == [201] * 250  # a repeat answers as a new one (issue 13)
    assert set(statuses[1::2]) == {303}
    [row] = await db.fetch_all(sa.select(signatures))
    assert (row["email"], row["status"]) == ("ana.diaz@stpaul.gov", "unconfirmed")
    # Repeats re-send the link, but at most MAX_EMAILS_PER_HOUR times an hour.
    assert 1 <= await count(db, email_outbox) <= 3
    assert await count(db, campaign_counts) == 0  # nothing verified, nothing counted
    print(f"\nreliability: 500 concurrent repeats of one email in {elapsed:.1f} s")


# -- SMTP down for the length of a run --------------------------------------------------


async def wait_until(check, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(0.05)


async def test_smtp_down_for_a_whole_run_loses_no_email(client, db):
    await make_campaign(db)
    port = free_port()  # nothing listens here until the "outage" ends
    worker = asyncio.create_task(mail.run_worker(db, f"smtp://127.0.0.1:{port}", poll_seconds=0.05))
    try:
        responses = await asyncio.gather(*(sign_api(client, signer(n)) for n in range(120)))
        assert {response.status_code for response in responses} == {201}

        async def every_message_failed(times: int) -> bool:
            fewest = sa.select(sa.func.min(email_outbox.c.attempts))
            return await count(db, email_outbox) == 120 and await db.fetch_val(fewest) >= times

        # Three rounds of failed attempts; between them, time passes (the backoff ends).
        for round_ in (1, 2, 3):
            if round_ > 1:
                await db.execute(email_outbox.update().values(next_attempt_at=sa.func.now()))
            await wait_until(lambda round_=round_: every_message_failed(round_))
        statuses = await db.fetch_all(sa.select(email_outbox.c.status).distinct())
        assert [row["status"] for row in statuses] == ["pending"]

        inbox = Inbox()
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            await db.execute(email_outbox.update().values(next_attempt_at=sa.func.now()))

            async def all_sent() -> bool:
                pending = email_outbox.select().where(email_outbox.c.status != "sent")
                return await db.fetch_one(pending) is None

            await wait_until(all_sent)
        finally:
            controller.stop()
    finally:
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker
    recipients = sorted(message["To"] for message in inbox.messages)
    assert recipients == sorted(f"member{n}@stpaul.gov" for n in range(120))  # each once
    for message in inbox.messages:
        assert link_in(message.get_body(("plain",)).get_content(), "confirm")
    attempts = await db.fetch_all(
        sa.select(email_attempts.c.ok, sa.func.count()).group_by(email_attempts.c.ok)
    )
    assert {row[0]: row[1] for row in attempts} == {False: 3 * 120, True: 120}


# -- PostgreSQL restarted in the middle of a signing load -------------------------------


@contextlib.asynccontextmanager
async def signon_server(database_url: str, var_dir: Path) -> AsyncIterator[str]:
    """`signon serve` (uvicorn, migrations first) on a free port; yields its base URL."""
    port = free_port()
    env = cli_env(
        database_url,
        SIGNON_VAR_DIR=str(var_dir),
        SIGN_RATE_LIMIT="off",
        MIN_FILL_SECONDS="0",
        BASE_URL=f"http://127.0.0.1:{port}",
    )
    log = (var_dir / "serve.log").open("w")
    process = subprocess.Popen(  # noqa: ASYNC220, S603 - our own command; waited on below
        [sys.executable, "-m", "signon", "serve", "--port", str(port)],
        cwd=var_dir,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        await _wait_for_http(base, process)
        yield base
    finally:
        process.terminate()
        try:
            # A prompt exit also proves that no pooled connection was left checked out:
            # the pool's close waits for every one of them. (143: SIGTERM, as asked.)
            assert await asyncio.to_thread(process.wait, 30) in (0, 143)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            log.close()


async def _wait_for_http(base: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    async with httpx.AsyncClient(base_url=base) as client:
        while time.monotonic() < deadline:
            assert process.poll() is None, "signon serve exited"
            with contextlib.suppress(httpx.TransportError):
                if (await client.get("/")).status_code == 200:
                    return
            await asyncio.sleep(0.2)
    raise AssertionError("signon serve did not answer within 120 s")


@dataclass(frozen=True)
class Outcome:
    email: str
    via: str
    status: int | None  # None: no HTTP answer at all (a timeout, a dropped connection)
    started: float
    ended: float
    retry_after: str | None
    body: str


async def signing_load(
    client: httpx.AsyncClient, via: str, worker: int, token: str, stop: asyncio.Event
) -> list[Outcome]:
    """One simulated signer after another, each with a new email, until `stop` is set."""
    outcomes = []
    n = 0
    while not stop.is_set():
        data = signer(f"{via}{worker}x{n}")
        n += 1
        started = time.monotonic()
        try:
            if via == "api":
                response = await sign_api(client, data)
            else:
                response = await sign_form(client, data, token)
            status, retry, body = (
                response.status_code,
                response.headers.get("retry-after"),
                response.text,
            )
        except httpx.HTTPError as exc:
            status, retry, body = None, None, repr(exc)
        outcomes.append(Outcome(data["email"], via, status, started, time.monotonic(), retry, body))
        await asyncio.sleep(0.005)
    return outcomes


async def test_postgresql_restart_under_load_loses_no_acknowledged_signature(
    private_postgres, tmp_path
):
    async with signon_server(private_postgres.url, tmp_path) as base:
        setup = Database(private_postgres.url.replace("postgresql", "postgresql+asyncpg", 1))
        await setup.connect()
        await make_campaign(setup)
        await setup.disconnect()
        limits = httpx.Limits(max_connections=32)
        async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
            token = await form_token(client)
            timeline, outcomes = await _load_through_a_restart(private_postgres, client, token)
            # The app recovered by itself: no restart of `signon serve` in between.
            after = await sign_api(client, signer("after-restart"))
            assert after.status_code == 201
        log = (tmp_path / "serve.log").read_text()
    stored = await _check_outcomes(private_postgres.url, timeline, outcomes)
    assert "memberafter-restart@stpaul.gov" in stored
    # No request crashed. (asyncpg's pool does log, with a traceback, each of its own
    # attempts to reconnect while the server is down; those are not requests.)
    for crash in ("Unhandled error", "Exception in ASGI application", '" 500 '):
        assert crash not in log, log[log.index(crash) :][:3000]


async def _load_through_a_restart(
    postgres: PrivatePostgres, client: httpx.AsyncClient, token: str
) -> tuple[dict[str, float], list[Outcome]]:
    stop = asyncio.Event()
    workers = [
        asyncio.create_task(signing_load(client, via, n, token, stop))
        for via, size in (("api", 12), ("form", 4))
        for n in range(size)
    ]
    timeline = {}
    await asyncio.sleep(1.5)
    timeline["stopping"] = time.monotonic()
    await asyncio.to_thread(postgres.stop)
    timeline["down"] = time.monotonic()
    await asyncio.sleep(2.0)
    timeline["starting"] = time.monotonic()
    await asyncio.to_thread(postgres.start)
    timeline["up"] = time.monotonic()
    await asyncio.sleep(2.0)
    stop.set()
    outcomes = [outcome for batch in await asyncio.gather(*workers) for outcome in batch]
    return timeline, outcomes


async def _check_outcomes(
    url: str, timeline: dict[str, float], outcomes: list[Outcome]
) -> set[str]:
    connection = await asyncpg.connect(url)
    try:
        stored = {row["email"] for row in await connection.fetch("SELECT email FROM signatures")}
    finally:
        await connection.close()
    ok = [o for o in outcomes if o.status in SUCCESS]
    unavailable = [o for o in outcomes if o.status == 503]
    other = [o for o in outcomes if o.status not in (*SUCCESS, 503)]
    during = [
        o for o in outcomes if o.started >= timeline["down"] and o.ended <= timeline["starting"]
    ]
    after_up = [o for o in outcomes if o.started >= timeline["up"] + 0.5]
    print(
        f"\nreliability: restart under load: {len(outcomes)} requests, {len(ok)} succeeded, "
        f"{len(unavailable)} got 503, {len(other)} other; {len(during)} while down "
        f"({timeline['starting'] - timeline['down']:.1f} s), slowest 503 "
        f"{max((o.ended - o.started for o in unavailable), default=0):.2f} s; "
        f"{len(stored)} rows"
    )
    assert not other, other[:5]
    missing = [o.email for o in ok if o.email not in stored]
    assert not missing, f"{len(missing)} acknowledged signatures are not in the database"
    # A row whose answer was lost with the connection (COMMIT reached the server, its
    # reply did not reach the app) is fine: the signer retries and gets "already signed".
    assert stored - {"memberafter-restart@stpaul.gov"} <= {o.email for o in outcomes}
    assert during and all(o.status == 503 for o in during)
    assert unavailable and all(o.retry_after and "Traceback" not in o.body for o in unavailable)
    for outcome in unavailable:
        assert outcome.ended - outcome.started < 5, outcome
        if outcome.via == "api":
            assert re.fullmatch(r'\{"error":"[^"]+"\}', outcome.body), outcome.body
        else:
            assert "Signon is briefly unavailable" in outcome.body
    assert after_up and all(o.status in SUCCESS for o in after_up)
    assert any(o.started < timeline["stopping"] and o.status in SUCCESS for o in outcomes)
    return stored
