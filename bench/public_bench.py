"""Public read paths under load (issue 5): the count JSON, the signatory JSON, the campaign
page and the embed widget, against a bare Starlette page that runs one asyncpg query, all
in the same run on the same database.

    .venv/bin/python bench/public_bench.py [--signers 3000] [--workers 1] [--duration 10]

Needs PostgreSQL (TEST_DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/postgres; a
fresh database is created and dropped) and wrk, the HTTP load generator, run as a separate
process (Debian: apt-get update && apt-get install -y wrk). Not a test: pytest does not
collect bench/.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from signon import campaign_rules, campaigns, settings  # noqa: E402
from signon import db as database  # noqa: E402
from signon.audit import CLI  # noqa: E402
from signon.offices import STATES  # noqa: E402

SLUG = "bench"
BASELINE_SQL = "SELECT id, slug, status, goal FROM campaigns WHERE slug = $1"
FIRST = ["Ana", "Bo", "Carla", "Dev", "Eli", "Fatima", "Gus", "Hana", "Iván", "Jo", "Kai", "Lena"]
LAST = [
    "Adams",
    "Álvarez",
    "Baker",
    "Chen",
    "Díaz",
    "Evans",
    "Fischer",
    "García",
    "Nguyen",
    "O'Brien",
    "Patel",
    "Quinn",
    "Rossi",
    "Smith",
    "Tanaka",
    "Young Jr.",
]


# --- The baseline: a bare Starlette page, one asyncpg query, no middleware -------------


def baseline_app():  # -> Starlette; uvicorn imports it by name (--factory)
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    url = os.environ["BENCH_DATABASE_URL"]
    state: dict[str, asyncpg.Pool] = {}

    @contextlib.asynccontextmanager
    async def lifespan(app):
        # The same pool size as `databases` gives the app (asyncpg's default, 10).
        state["pool"] = await asyncpg.create_pool(url, min_size=1, max_size=10)
        yield
        await state["pool"].close()

    async def count(request):
        async with state["pool"].acquire() as connection:
            row = await connection.fetchrow(BASELINE_SQL, request.path_params["slug"])
        return JSONResponse(dict(row))

    return Starlette(routes=[Route("/count/{slug}", count)], lifespan=lifespan)


# --- Data ------------------------------------------------------------------------------


def _admin_url() -> str:
    return settings.TEST_DATABASE_URL or "postgresql://postgres@127.0.0.1:5432/postgres"


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


async def _seed(url: str, signers: int) -> None:
    """A campaign opened through the domain functions, then verified signers in bulk
    (COPY fires the counts trigger row by row, as real verifications would)."""
    db = database.make_database(url)
    await db.connect()
    try:
        fields = campaign_rules.parse_campaign_fields(
            {
                "slug": SLUG,
                "title": "Reject the EATS Act",
                "summary": "State and local officials oppose the EATS Act.",
                "body_markdown": "We, the undersigned, urge Congress to **reject** it.\n" * 20,
                "sponsors": "Local Progress\nState Innovation Exchange",
                "goal": str(signers * 2),
            }
        )
        campaign = await campaigns.create_campaign(db, CLI, fields)
        await campaigns.open_campaign(db, CLI, SLUG)
    finally:
        await db.disconnect()
    rng = random.Random(5)  # noqa: S311 (fictional names, reproducible)
    codes = [code for code in STATES if code not in ("AS", "GU", "MP", "PR", "VI")]
    rows = [
        (
            campaign.id,
            f"signer{n}@example.gov",
            f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            "City Council Member",
            "municipal",
            f"Town {n}",
            rng.choice(codes),
            "verified",
            1,
            secrets.token_hex(8),
            secrets.token_hex(8),
        )
        for n in range(signers)
    ]
    connection = await asyncpg.connect(url)
    try:
        await connection.copy_records_to_table(
            "signatures",
            records=rows,
            columns=[
                "campaign_id",
                "email",
                "full_name",
                "title",
                "office_level",
                "jurisdiction",
                "state",
                "status",
                "text_version",
                "token_nonce",
                "withdraw_nonce",
            ],
        )
        await connection.execute(
            "UPDATE signatures SET confirmed_at = now(), verified_at = now() "
            "WHERE campaign_id = $1",
            campaign.id,
        )
        # The bulk load leaves a dead row version per trigger update; autovacuum would
        # clean them within a minute in production, so measure the steady state.
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()


@contextlib.contextmanager
def fresh_database(signers: int) -> Iterator[str]:
    admin = _admin_url()
    name = f"signon_bench_{secrets.token_hex(4)}"
    asyncio.run(_admin(admin, f'CREATE DATABASE "{name}"'))
    url = _with_database(admin, name)
    try:
        database.migrate(url)
        asyncio.run(_seed(url, signers))
        yield url
    finally:
        asyncio.run(_admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _admin(url: str, sql: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


# --- Servers and load ------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, timeout: float = 30.0) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (localhost)
                if response.status == 200:
                    return
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


@contextlib.contextmanager
def server(target: str, port: int, workers: int, env: dict[str, str]) -> Iterator[subprocess.Popen]:
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        target,
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
        "--app-dir",
        str(ROOT / "bench"),
    ]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env})  # noqa: S603
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=20)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its descendants (uvicorn's workers)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            child = int(stat.parent.name)
            parents[child] = int(fields[1])
            times[child] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    tree, changed = {pid}, True
    while changed:
        found = {child for child, parent in parents.items() if parent in tree} - tree
        tree |= found
        changed = bool(found)
    return sum(times.get(member, 0.0) for member in tree)


def wrk(url: str, duration: int, connections: int, threads: int) -> dict[str, float]:
    """req/s and latency percentiles (ms) from one wrk run."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} error responses\n{output}")
    result = {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "requests": float(re.search(r"(\d+) requests in", output).group(1)),
    }
    for label in ("50", "99"):
        value, unit = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()
        result[f"p{label}"] = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    size = re.search(r"Transfer/sec:\s+([\d.]+)(\w+)", output)
    result["transfer"] = f"{size.group(1)} {size.group(2)}/s" if size else ""
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--signers", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers of each server")
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed. On Debian: apt-get update && apt-get install -y wrk")

    with fresh_database(args.signers) as url, tempfile.TemporaryDirectory() as var:
        app_port, base_port = _free_port(), _free_port()
        app_env = {
            "DATABASE_URL": url,
            "SIGNON_ENV": "development",
            "SIGNON_VAR_DIR": var,
            "SIGN_RATE_LIMIT": "off",
            "BASE_URL": f"http://127.0.0.1:{app_port}",
        }
        with (
            server("signon.app:create_app", app_port, args.workers, app_env) as app_process,
            server(
                "public_bench:baseline_app", base_port, args.workers, {"BENCH_DATABASE_URL": url}
            ) as base_process,
        ):
            app, base = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{base_port}"
            app_pid, api = app_process.pid, f"{app}/api/v1/campaigns/{SLUG}"
            targets = [
                (
                    "baseline: bare Starlette + 1 asyncpg query",
                    f"{base}/count/{SLUG}",
                    base_process.pid,
                ),
                ("GET /api/v1/campaigns/{slug} (count)", api, app_pid),
                ("GET /api/v1/campaigns/{slug}/signatures", f"{api}/signatures", app_pid),
                ("GET /c/{slug} (campaign page)", f"{app}/c/{SLUG}", app_pid),
                ("GET /c/{slug}/embed", f"{app}/c/{SLUG}/embed", app_pid),
            ]
            for _, target, _pid in targets:
                _wait_for(target)
            _report(targets, args)


def _measure(url: str, pid: int, args: argparse.Namespace) -> dict[str, float]:
    wrk(url, 2, args.connections, args.threads)  # warm-up: caches, pools
    before = cpu_seconds(pid)
    result = wrk(url, args.duration, args.connections, args.threads)
    result["cpu_ms"] = (cpu_seconds(pid) - before) * 1000 / max(result["requests"], 1)
    return result


def _report(targets: list[tuple[str, str, int]], args: argparse.Namespace) -> None:
    """Each endpoint is measured right after a fresh baseline run, and its ratio is to that
    run: the machine's load drifts less within a pair than across the whole run. CPU per
    request is the web server's own (PostgreSQL's share is not counted): it moves much
    less than req/s when other work shares the machine."""
    print(
        f"{args.signers} verified signers, {args.workers} uvicorn worker(s) per server, "
        f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"{'endpoint':42} {'req/s':>6} {'p50 ms':>7} {'p99 ms':>7} {'base/s':>6} {'ratio':>5} "
        f"{'cpu ms/req':>10} {'base':>5} {'ratio':>5}  transfer"
    )
    (_, baseline_url, baseline_pid), *measured = targets
    for name, url, pid in measured:
        base = _measure(baseline_url, baseline_pid, args)
        result = _measure(url, pid, args)
        print(
            f"{name:42} {result['rps']:6.0f} {result['p50']:7.2f} {result['p99']:7.2f} "
            f"{base['rps']:6.0f} {result['rps'] / base['rps']:5.2f} "
            f"{result['cpu_ms']:10.2f} {base['cpu_ms']:5.2f} "
            f"{base['cpu_ms'] / max(result['cpu_ms'], 1e-9):5.2f}  {result['transfer']}",
            flush=True,
        )


if __name__ == "__main__":
    main()
