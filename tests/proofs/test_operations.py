"""Running Signon for real (issue 14): PgBouncer in transaction pooling mode, trusted
proxies, Redis going away, the worker through a PostgreSQL restart and SIGTERM, health
checks, request logs, locked migrations, production's refusals and the systemd units.

Each test starts the real component it needs (a PgBouncer on a free port in front of the
shared server, a redis-server on a free port, a private PostgreSQL) and stops it; none
touches the machine's own Redis or restarts its PostgreSQL. Figures are printed (run with
-s) and recorded in docs/reliability.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest
from aiosmtpd.controller import Controller

from signon import settings
from tests.emails import Inbox
from tests.factories import signer
from tests.processes import assert_refused, cli_env, free_port, run_signon

API = "/api/v1/campaigns/eats-act/signatures"
BODY = "We, the undersigned, urge Congress to **reject** the EATS Act.\n"


def _temp_folder(prefix: str) -> Path:
    """Not under pytest's tmp_path: when the tests run as root, servers run as another
    user, who must be able to read the folder."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    folder.chmod(0o755)
    return folder


async def _admin_execute(admin_url: str, sql: str) -> None:
    connection = await asyncpg.connect(admin_url)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@contextlib.asynccontextmanager
async def fresh_database(admin_url: str) -> AsyncIterator[str]:
    """A new, empty database on the test server; yields its name."""
    name = f"signon_ops_{secrets.token_hex(4)}"
    await _admin_execute(admin_url, f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        await _admin_execute(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def fetchval(url: str, sql: str) -> object:
    connection = await asyncpg.connect(url, statement_cache_size=0)
    try:
        return await connection.fetchval(sql)
    finally:
        await connection.close()


@contextlib.asynccontextmanager
async def serving(env: dict[str, str], var_dir: Path, *args: str) -> AsyncIterator[str]:
    """`signon serve` on a free port with `env`; yields its base URL. Its log is
    var_dir/serve-PORT.log."""
    port = free_port()
    log = (var_dir / f"serve-{port}.log").open("w")
    process = subprocess.Popen(  # noqa: ASYNC220, S603 - our own command; waited on below
        [sys.executable, "-m", "signon", "serve", "--port", str(port), *args],
        cwd=var_dir,
        env={**env, "SIGNON_VAR_DIR": str(var_dir), "BASE_URL": f"http://127.0.0.1:{port}"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        async with httpx.AsyncClient(base_url=base) as client:
            while True:
                assert process.poll() is None, (var_dir / f"serve-{port}.log").read_text()
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get("/healthz")).status_code == 200:
                        break
                assert time.monotonic() < deadline, "signon serve did not answer in 60 s"
                await asyncio.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            await asyncio.to_thread(process.wait, 30)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            log.close()


# -- PgBouncer in transaction pooling mode ----------------------------------------------


@pytest.fixture
def pgbouncer(admin_url: str) -> Iterator[str]:
    """A PgBouncer (pool_mode=transaction) on a free port in front of the test server;
    yields its address as host:port."""
    binary = shutil.which("pgbouncer") or (
        "/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None
    )
    if binary is None:
        pytest.skip("pgbouncer is not installed (apt-get install pgbouncer; .ci/run does)")
    server = urlsplit(admin_url)
    if not server.hostname:
        pytest.skip("the test PostgreSQL listens on a Unix socket only; PgBouncer needs TCP")
    folder = _temp_folder("signon-pgbouncer-")
    port = free_port()
    (folder / "users.txt").write_text(f'"{server.username or getpass.getuser()}" ""\n')
    (folder / "pgbouncer.ini").write_text(
        f"[databases]\n* = host={server.hostname} port={server.port or 5432}\n"
        f"[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {folder / 'users.txt'}\npool_mode = transaction\n"
        "default_pool_size = 20\nmax_client_conn = 1000\n"
        "ignore_startup_parameters = extra_float_digits\n"
    )
    for path in folder.iterdir():
        path.chmod(0o644)
    # PgBouncer refuses to run as root; as root, it runs as nobody.
    user = ["-u", "nobody"] if os.geteuid() == 0 else []
    log = (folder / "pgbouncer.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - our own command
        [binary, *user, str(folder / "pgbouncer.ini")], stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 10
        while not _answers(port):
            assert process.poll() is None, (folder / "pgbouncer.log").read_text()
            assert time.monotonic() < deadline, "pgbouncer did not listen within 10 s"
            time.sleep(0.05)
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


def _answers(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


async def test_every_command_works_through_pgbouncer_in_transaction_mode(
    pgbouncer, admin_url, tmp_path
):
    async with fresh_database(admin_url) as name:
        user = urlsplit(admin_url).username or getpass.getuser()
        url = f"postgresql://{user}@{pgbouncer}/{name}"
        env = cli_env(url, DATABASE_STATEMENT_CACHE="off", SIGN_RATE_LIMIT="off")
        env["MIN_FILL_SECONDS"] = "0"
        # The control: with the cache on, the second process through PgBouncer meets the
        # first one's named statement on the same server connection, and dies.
        cached = {**env, "DATABASE_STATEMENT_CACHE": "on"}
        first = await run_signon("migrate", cwd=tmp_path, env=cached)
        second = await run_signon("migrate", cwd=tmp_path, env=cached)
        assert first.returncode == 0, first
        assert second.returncode != 0 and "already exists" in second.stderr, second
        for _ in range(2):
            result = await run_signon("migrate", cwd=tmp_path, env=env)
            assert result.returncode == 0, result
        (tmp_path / "body.md").write_text(BODY)
        for command in (
            [
                "campaign",
                "create",
                "--slug",
                "eats-act",
                "--title",
                "EATS",
                "--body-file",
                "body.md",
            ],
            ["campaign", "open", "eats-act"],
            ["import", "dotgov", str(settings.PROJECT_DIR / "tests/fixtures/importing/dotgov.csv")],
        ):
            result = await run_signon(*command, cwd=tmp_path, env=env)
            assert result.returncode == 0, result
        async with serving(env, tmp_path) as one, serving(env, tmp_path) as two:
            signed, confirmed = await _sign_through_two_processes(url, one, two)
        worker = await run_signon("worker", "--once", cwd=tmp_path, env=env)
        assert worker.returncode == 0 and "Sent 50 message(s)." in worker.stdout, worker
        rows = await fetchval(url, "SELECT count(*) FROM signatures")
        sent = await fetchval(url, "SELECT count(*) FROM email_outbox WHERE status = 'sent'")
    assert (signed, rows, confirmed, sent) == (400, 400, 20, 50)
    print(
        f"\noperations: through PgBouncer: 2 migrations, 3 commands, {rows} signatures at "
        f"once through two processes, {confirmed} confirmed on the other, {sent} emails sent"
    )


async def _sign_through_two_processes(url: str, one: str, two: str) -> tuple[int, int]:
    """400 signatures at once, half through each process; 20 confirmed on the other one."""
    limits = httpx.Limits(max_connections=40)
    async with (
        httpx.AsyncClient(base_url=one, limits=limits, timeout=60) as first,
        httpx.AsyncClient(base_url=two, limits=limits, timeout=60) as second,
    ):
        responses = await asyncio.gather(
            *((first if n % 2 else second).post(API, json=signer(f"pgb{n}")) for n in range(400))
        )
        assert [r.status_code for r in responses] == [201] * 400, {
            r.status_code: r.text for r in responses if r.status_code != 201
        }
        health = await first.get("/readyz")
        assert health.status_code == 200, health.text
        confirmed = 0
        for link in await _confirm_links(url, 20):
            path = urlsplit(link).path
            page = await second.get(path)
            token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
            done = await second.post(path, data={"csrf_token": token})
            confirmed += done.status_code == 303
    return len(responses), confirmed


async def _confirm_links(url: str, count: int) -> list[str]:
    connection = await asyncpg.connect(url, statement_cache_size=0)
    try:
        rows = await connection.fetch(
            "SELECT body_text FROM email_outbox ORDER BY id LIMIT $1", count
        )
    finally:
        await connection.close()
    links = []
    for row in rows:
        [link] = [word for word in row["body_text"].split() if "/confirm/" in word]
        links.append(link)
    return links


# -- Proxies: FORWARDED_ALLOW_IPS -------------------------------------------------------


@contextlib.asynccontextmanager
async def app_client(database_url: str, peer: str, **options: object):
    from signon.app import create_app

    app = create_app(database_url, min_fill_seconds=0, **options)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=(peer, 51000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http


HTTPS = {"X-Forwarded-Proto": "https"}


async def _sign_as(http: httpx.AsyncClient, n: int, forwarded_for: str) -> int:
    headers = {"X-Forwarded-For": forwarded_for, **HTTPS}
    return (await http.post(API, json=signer(f"fwd{n}"), headers=headers)).status_code


async def test_forwarded_headers_count_only_from_trusted_proxies(db, database_url):
    from tests.factories import make_campaign

    await make_campaign(db)
    # Default, no proxy trusted: even from 127.0.0.1, four "different" clients are one.
    async with app_client(database_url, "127.0.0.1", sign_rate_limit="3/hour") as http:
        forged = [await _sign_as(http, n, f"198.51.100.{n}") for n in range(4)]
        assert (await http.get("/staff", headers=HTTPS)).headers["location"].startswith("http://")
    assert forged == [201, 201, 201, 429]
    # Behind a trusted balancer, each visitor has their own limit and redirects say https.
    trusted = {"sign_rate_limit": "3/hour", "forwarded_allow_ips": "10.0.0.0/8"}
    async with app_client(database_url, "10.0.0.5", **trusted) as http:
        visitors = [await _sign_as(http, n, f"198.51.100.{n}") for n in range(4, 8)]
        assert (await http.get("/staff", headers=HTTPS)).headers["location"].startswith("https://")
    assert visitors == [201] * 4
    # From a peer outside the list, the headers are ignored again.
    async with app_client(database_url, "192.0.2.1", **trusted) as http:
        outside = [await _sign_as(http, n, f"198.51.100.{n}") for n in range(8, 12)]
    assert outside == [201, 201, 201, 429]


async def test_signon_serve_trusts_no_forwarded_header_by_default_and_logs_json(
    db, database_url, tmp_path
):
    env = cli_env(database_url, LOG_FORMAT="json", SIGN_RATE_LIMIT="off")
    async with serving(env, tmp_path) as base, httpx.AsyncClient(base_url=base) as http:
        forged = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.1"}
        redirect = await http.get("/staff", headers={**forged, "X-Request-ID": "forged-id"})
    assert redirect.headers["location"].startswith("http://")
    request_id = redirect.headers["x-request-id"]
    assert request_id != "forged-id"  # not from a trusted proxy
    lines = [json.loads(line) for line in _log_lines(tmp_path) if line.startswith("{")]
    [entry] = [line for line in lines if line.get("request_id") == request_id]
    assert (entry["method"], entry["path"], entry["status"]) == ("GET", "/staff", 307)
    assert entry["duration_ms"] >= 0 and entry["time"]
    assert not any(line.get("logger") == "uvicorn.access" for line in lines)


def _log_lines(folder: Path) -> list[str]:
    return [line for log in folder.glob("serve-*.log") for line in log.read_text().splitlines()]


# -- Redis going away under REDIS_URL ---------------------------------------------------


class RedisServer:
    def __init__(self, binary: str, folder: Path) -> None:
        self.binary, self.folder, self.port = binary, folder, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None
        self.options = ["--appendonly", "no", "--dir", str(folder)]

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - our own command
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                *self.options,
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not _answers(self.port):
            assert time.monotonic() < deadline, "redis-server did not listen within 10 s"
            time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    folder = _temp_folder("signon-redis-")
    server = RedisServer(binary, folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


async def _redis_keys(url: str) -> int:
    import redis.asyncio as redis

    client = redis.from_url(url)
    try:
        return len(await client.keys("LIMITS*"))
    finally:
        await client.aclose()


async def test_redis_down_fails_no_request_and_recovers(db, database_url, redis_server, caplog):
    from tests.factories import make_campaign

    await make_campaign(db)
    shared = {"redis_url": redis_server.url}
    async with (
        app_client(database_url, "203.0.113.20", sign_rate_limit="1000/hour", **shared) as http,
        app_client(database_url, "203.0.113.21", sign_rate_limit="5/hour", **shared) as strict,
    ):
        up = [(await http.post(API, json=signer(f"r{n}"))).status_code for n in range(10)]
        assert up == [201] * 10 and await _redis_keys(redis_server.url) > 0
        redis_server.stop()
        caplog.set_level("WARNING", logger="signon.web.ratelimit")
        started = time.monotonic()
        down = await asyncio.gather(*(http.post(API, json=signer(f"d{n}")) for n in range(200)))
        down_seconds = time.monotonic() - started
        assert [r.status_code for r in down] == [201] * 200
        warnings = [r for r in caplog.records if "cannot be reached" in r.getMessage()]
        assert len(warnings) == 1  # one a minute, not one a request
        # The limit still holds, counted by the process alone (which warns once too).
        limited = [(await strict.post(API, json=signer(f"s{n}"))).status_code for n in range(6)]
        assert limited == [201] * 5 + [429]
        redis_server.start()
        back = time.monotonic()
        n = 0
        while await _redis_keys(redis_server.url) == 0:  # Redis restarted empty
            assert (await http.post(API, json=signer(f"b{n}"))).status_code == 201
            assert time.monotonic() - back < 5, "the limiter did not go back to Redis"
            n += 1
            await asyncio.sleep(0.05)
        recovery = time.monotonic() - back
    assert any("answers again" in r.getMessage() for r in caplog.records)
    print(
        f"\noperations: Redis down: 200 requests in {down_seconds:.2f} s, 0 errors, "
        f"{len(warnings)} warning; back in Redis {recovery:.2f} s after it restarted"
    )


# -- The worker through a PostgreSQL restart, and SIGTERM -------------------------------


async def _queue(url: str, first: int, count: int) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(
            "INSERT INTO email_outbox (to_address, subject, body_text, kind) "
            "SELECT 'member' || n || '@stpaul.gov', 'Confirm', 'Body ' || n, 'confirmation' "
            "FROM generate_series($1::int, $2::int) AS n",
            first,
            first + count - 1,
        )
    finally:
        await connection.close()


async def _wait_for(check, seconds: float, what: str) -> float:
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < seconds, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)
    return time.monotonic() - started


async def test_the_worker_keeps_sending_through_a_postgresql_restart_and_stops_on_sigterm(
    private_postgres, tmp_path
):
    from signon import db as database

    await asyncio.to_thread(database.migrate, private_postgres.url)
    await _queue(private_postgres.url, 0, 200)
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    env = cli_env(private_postgres.url, SMTP_URL=f"smtp://127.0.0.1:{smtp.port}", LOG_FORMAT="json")
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(  # noqa: ASYNC220 - our own command
        [sys.executable, "-m", "signon", "worker"], cwd=tmp_path, env=env, stderr=log
    )
    try:
        await _wait_for(lambda: len(inbox.messages) >= 60, 60, "the first 60 emails")
        await asyncio.to_thread(private_postgres.stop)
        down_at = len(inbox.messages)
        await asyncio.sleep(2.0)
        await asyncio.to_thread(private_postgres.start)
        recovery = await _wait_for(lambda: len(inbox.messages) > down_at + 1, 30, "recovery")
        await _queue(private_postgres.url, 200, 30)  # queued after the restart
        await _wait_for(lambda: len({m["To"] for m in inbox.messages}) == 230, 60, "all 230")
        assert worker.poll() is None, "the worker died"
        worker.send_signal(signal.SIGTERM)
        exit_status = await asyncio.to_thread(worker.wait, 20)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        log.close()
        smtp.stop()
    recipients = [message["To"] for message in inbox.messages]
    assert set(recipients) == {f"member{n}@stpaul.gov" for n in range(230)}
    # At most the message in hand when the server went away is sent twice; never earlier ones.
    assert len(recipients) - 230 <= 1, len(recipients)
    assert exit_status == 0
    entries = [json.loads(line) for line in (tmp_path / "worker.log").read_text().splitlines()]
    sent_logs = [e for e in entries if " sent to " in e["message"]]
    assert len(sent_logs) >= 230 and any("stops" in e["message"] for e in entries)
    pending = await fetchval(
        private_postgres.url, "SELECT count(*) FROM email_outbox WHERE status <> 'sent'"
    )
    assert pending == 0
    print(
        f"\noperations: worker through a restart: {len(recipients)} emails delivered for 230 "
        f"queued ({len(recipients) - 230} twice), sending again {recovery:.2f} s after the "
        f"server was back; SIGTERM: exit {exit_status}"
    )


# -- /healthz and /readyz ---------------------------------------------------------------


async def test_readyz_follows_the_database_and_the_schema_healthz_never_calls_it(
    private_postgres,
):
    from signon import db as database
    from signon.app import create_app

    await asyncio.to_thread(database.migrate, private_postgres.url)
    app = create_app(private_postgres.url, sign_rate_limit="off")
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            assert (await http.get("/readyz")).status_code == 200
            assert (await http.get("/healthz")).text == "ok\n"
            await app.state.db.execute("UPDATE alembic_version SET version_num = '0004'")
            behind = await http.get("/readyz")
            assert behind.status_code == 503 and "run signon migrate" in behind.text
            await app.state.db.execute(
                "UPDATE alembic_version SET version_num = :head",
                {"head": database.latest_revision()},
            )
            await asyncio.to_thread(private_postgres.stop)
            started = time.monotonic()
            down = await http.get("/readyz")
            answered_in = time.monotonic() - started
            live = await http.get("/healthz")
            await asyncio.to_thread(private_postgres.start)
            back = time.monotonic()
            while (await http.get("/readyz")).status_code != 200:
                assert time.monotonic() - back < 10, "/readyz did not recover"
                await asyncio.sleep(0.05)
            recovery = time.monotonic() - back
    assert (down.status_code, live.status_code) == (503, 200)
    assert answered_in < 5 and "database unavailable" in down.text
    print(
        f"\noperations: /readyz 503 in {answered_in:.2f} s with the database down, "
        f"200 again {recovery:.2f} s after it was back; /healthz 200 throughout"
    )


# -- Migrations under a lock ------------------------------------------------------------


async def test_processes_that_migrate_together_wait_for_each_other(admin_url, tmp_path):
    from signon import db as database

    async with fresh_database(admin_url) as name:
        url = f"{admin_url.rsplit('/', 1)[0]}/{name}"
        env = cli_env(url)
        started = time.monotonic()
        results = await asyncio.gather(
            *(run_signon("migrate", cwd=tmp_path, env=env) for _ in range(4))
        )
        seconds = time.monotonic() - started
        versions = await fetchval(url, "SELECT array_agg(version_num) FROM alembic_version")
    assert [r.returncode for r in results] == [0] * 4, results
    # One process ran the migrations; the other three waited, then found nothing to do.
    ran = [r for r in results if "Running upgrade  -> 0001" in r.stderr]
    assert len(ran) == 1 and versions == [database.latest_revision()]
    print(f"\noperations: 4 processes migrating one new database at once: {seconds:.1f} s, ok")


async def test_a_migration_lock_held_elsewhere_times_out_clearly(database_url):
    from signon import db as database

    holder = await asyncpg.connect(database_url)
    try:
        await holder.execute("SELECT pg_advisory_lock($1)", database.MIGRATION_LOCK_KEY)
        started = time.monotonic()
        with pytest.raises(database.MigrationLockTimeout, match="migration lock for more than 1"):
            await asyncio.to_thread(database.migrate, database_url, lock_timeout=1)
        waited = time.monotonic() - started
    finally:
        await holder.close()
    assert 1 <= waited < 5


# -- Production refuses what would silently go wrong ------------------------------------


@pytest.mark.parametrize("command", [["serve"], ["worker"], ["migrate"]])
async def test_production_refuses_a_missing_database_url(command, tmp_path):
    env = cli_env(None, SIGNON_ENV="production", SECRET_KEY=secrets.token_urlsafe(48))
    result = await run_signon(*command, cwd=tmp_path, env=env)
    assert_refused(result, "DATABASE_URL must be set when SIGNON_ENV=production")
    assert not (tmp_path / "var").exists()  # no embedded server was started


async def test_production_commands_refuse_a_schema_behind_the_code(admin_url, tmp_path):
    async with fresh_database(admin_url) as name:
        url = f"{admin_url.rsplit('/', 1)[0]}/{name}"
        env = cli_env(url, SIGNON_ENV="production", SECRET_KEY=secrets.token_urlsafe(48))
        (tmp_path / "body.md").write_text(BODY)
        create = ["campaign", "create", "--slug", "x", "--title", "X", "--body-file", "body.md"]
        refused = await run_signon(*create, cwd=tmp_path, env=env)
        migrated = await run_signon("migrate", cwd=tmp_path, env=env)
        created = await run_signon(*create, cwd=tmp_path, env=env)
    assert_refused(refused, "run `signon migrate` first")
    assert migrated.returncode == 0 and created.returncode == 0, (migrated, created)


# -- The systemd units ------------------------------------------------------------------


def test_the_systemd_units_pass_systemd_analyze_verify(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (systemd is absent on this machine)")
    units = sorted((settings.PROJECT_DIR / "deploy" / "systemd").glob("*.service"))
    assert {unit.name for unit in units} == {
        "signon-web.service",
        "signon-worker.service",
        "signon-migrate.service",
    }
    # The units name the install folder /srv/signon (docs/deploy.md); here, this checkout's
    # interpreter stands in for it, so that verify can check the commands exist.
    for unit in units:
        text = unit.read_text().replace(
            "/srv/signon/.venv/bin/signon", f"{sys.executable} -m signon"
        )
        (tmp_path / unit.name).write_text(text.replace("/srv/signon", str(settings.PROJECT_DIR)))
    result = subprocess.run(  # noqa: S603 - our own command
        [analyze, "verify", *(str(tmp_path / unit.name) for unit in units)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    problems = [line for line in result.stderr.splitlines() if "signon" in line]
    assert result.returncode == 0 and not problems, result.stderr
    # The control: verify does fail a unit whose command is missing.
    broken = tmp_path / "broken" / "signon-worker.service"
    broken.parent.mkdir()
    broken.write_text((tmp_path / broken.name).read_text().replace(sys.executable, "/nonexistent"))
    refused = subprocess.run(  # noqa: S603 - our own command
        [analyze, "verify", str(broken)], capture_output=True, text=True, timeout=60, check=False
    )
    assert refused.returncode != 0 and "/nonexistent" in refused.stderr, refused.stderr
