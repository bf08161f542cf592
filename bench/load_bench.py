"""Signing and public reads under load (issue 7): sign POSTs with distinct emails, the count
JSON and the campaign page, each against a bare Starlette page that runs one asyncpg query,
all measured in the same run, on the same fresh database, with the same uvicorn workers.

    .venv/bin/python bench/load_bench.py [--workers 2] [--connections 50] [--duration 10]
        [--rounds 1] [--signers 3000] [--only sign|count|page] [--public-cache-seconds 2]

Goals (issue 7): sign POST at least 0.5x the baseline's req/s with p99 at most 100 ms at
50 connections; the count JSON at least 2x the baseline. After each signing run the bench
checks that nothing was lost: every 2xx wrk counted is a signature row with its queued
confirmation email, and no row exists that wrk did not send.

Each endpoint runs right after its own baseline run; "ratio" is req/s over that baseline's,
"cpu ms/req" the CPU time of the server's processes per request (PostgreSQL's not
included), the figure the machine's other load moves least. With --rounds N the medians
come last.

Needs what bench/public_bench.py needs (PostgreSQL, wrk) and reuses its harness: the fresh
database with its seeded campaign, the baseline app and the uvicorn processes. wrk runs
bench/load_sign.lua for the POSTs. Not a test: pytest does not collect bench/.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import public_bench as harness  # bench/ is on sys.path when this file runs as a script

SIGN_SCRIPT = Path(__file__).resolve().parent / "load_sign.lua"
UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def run_wrk(
    url: str, args: argparse.Namespace, *, seconds: int, script_args: tuple[str, ...] = ()
) -> dict[str, object]:
    """One wrk run: req/s, p50 and p99 (ms), error counts, and the sign script's tallies."""
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "5s",
    ]
    if script_args:
        command += ["-s", str(SIGN_SCRIPT), url, "--", *script_args]
    else:
        command.append(url)
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    result: dict[str, object] = {"output": output}
    result["rps"] = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    result["requests"] = int(re.search(r"(\d+) requests in", output).group(1))
    for label in ("50", "99"):
        value, unit = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()
        result[f"p{label}"] = float(value) * UNITS_MS[unit]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    result["errors"] = (int(non_2xx.group(1)) if non_2xx else 0) + (
        sum(int(n) for n in sockets.groups()) if sockets else 0
    )
    tallies = re.search(r"lua: sent=(\d+) created=(\d+) repeated=(\d+) other=(\d+)", output)
    if tallies:
        names = ("sent", "created", "repeated", "other")
        result.update(zip(names, map(int, tallies.groups()), strict=True))
    return result


async def _rows_of_run(url: str, run: str) -> tuple[int, int]:
    """(signature rows, outbox emails) whose address carries this run's id."""
    pattern = f"load-{run}-%"
    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetchval(
            "SELECT count(*) FROM signatures WHERE email LIKE $1", pattern
        )
        emails = await connection.fetchval(
            "SELECT count(*) FROM email_outbox WHERE to_address LIKE $1", pattern
        )
    finally:
        await connection.close()
    return rows, emails


def measure_signing(
    url: str, pid: int, database_url: str, args: argparse.Namespace
) -> dict[str, object]:
    run_wrk(url, args, seconds=2, script_args=(secrets.token_hex(4),))  # warm-up
    run = secrets.token_hex(4)
    before = harness.cpu_seconds(pid)
    result = run_wrk(url, args, seconds=args.duration, script_args=(run,))
    result["cpu_ms"] = (harness.cpu_seconds(pid) - before) * 1000 / max(result["requests"], 1)
    time.sleep(1.0)  # requests wrk abandoned at the deadline finish on the server
    rows, emails = asyncio.run(_rows_of_run(database_url, run))
    ok = result["created"] + result["repeated"]
    # wrk stops mid-flight: a request it sent but never saw answered may still have
    # committed. So: every 2xx is a row, and no row exists beyond what was sent.
    unanswered = result["sent"] - ok - result["other"]
    result["check"] = (
        f"2xx {ok} (201: {result['created']}, 200: {result['repeated']}), other "
        f"{result['other']}, unanswered at stop {unanswered}; rows {rows}, emails {emails}"
    )
    result["lost"] = not (ok <= rows <= ok + unanswered and emails == rows and not result["other"])
    return result


def measure(url: str, pid: int, args: argparse.Namespace) -> dict[str, object]:
    """One wrk run after a warm-up (pools, caches, templates), with the CPU time the
    server's processes spent per request: the figure other load on the machine moves least."""
    run_wrk(url, args, seconds=2)
    before = harness.cpu_seconds(pid)
    result = run_wrk(url, args, seconds=args.duration)
    result["cpu_ms"] = (harness.cpu_seconds(pid) - before) * 1000 / max(result["requests"], 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--signers", type=int, default=3000, help="verified signers seeded")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers of each server")
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--rounds", type=int, default=1, help="times to repeat the set")
    parser.add_argument("--only", choices=["sign", "count", "page"], action="append")
    parser.add_argument("--server-log", action="store_true", help="show the servers' stderr")
    parser.add_argument(
        "--public-cache-seconds", type=float, default=2.0, help="the app's PUBLIC_CACHE_SECONDS"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed. On Debian: apt-get update && apt-get install -y wrk")

    with harness.fresh_database(args.signers) as url, tempfile.TemporaryDirectory() as var:
        app_port, base_port = harness._free_port(), harness._free_port()
        app_env = {
            "DATABASE_URL": url,
            "SIGNON_ENV": "development",
            "SIGNON_VAR_DIR": var,
            "SIGN_RATE_LIMIT": "off",
            "MIN_FILL_SECONDS": "0",
            # As in production (SIGNON_ENV=development would turn the replay off).
            "PUBLIC_CACHE_SECONDS": str(args.public_cache_seconds),
            "BASE_URL": f"http://127.0.0.1:{app_port}",
        }
        with (
            _servers_log(Path(var) / "servers.log", args.server_log),
            harness.server("signon.app:create_app", app_port, args.workers, app_env) as app_process,
            harness.server(
                "public_bench:baseline_app", base_port, args.workers, {"BENCH_DATABASE_URL": url}
            ) as base_process,
        ):
            _restore_stderr()
            app, base = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{base_port}"
            slug = harness.SLUG
            baseline = f"{base}/count/{slug}"
            targets = [
                (
                    "sign",
                    "POST /api/v1/campaigns/{slug}/signatures",
                    f"{app}/api/v1/campaigns/{slug}/signatures",
                ),
                (
                    "count",
                    "GET /api/v1/campaigns/{slug} (count JSON)",
                    f"{app}/api/v1/campaigns/{slug}",
                ),
                ("page", "GET /c/{slug} (campaign page)", f"{app}/c/{slug}"),
            ]
            targets = [t for t in targets if not args.only or t[0] in args.only]
            for target in (baseline, *(t[2] for t in targets if t[0] != "sign")):
                harness._wait_for(target)
            pids = (app_process.pid, base_process.pid)
            found = [
                _round(n, baseline, targets, url, pids, args) for n in range(1, args.rounds + 1)
            ]
            if args.rounds > 1:
                _summary(found, targets)


_saved_stderr: list[int] = []


@contextlib.contextmanager
def _servers_log(path: Path, keep: bool) -> Iterator[None]:
    """The servers' stderr goes to a file: when wrk stops with requests in flight, uvicorn
    logs each one's ClientDisconnect, which would bury the table."""
    if keep:
        yield
        return
    with path.open("w") as log:
        _saved_stderr.append(os.dup(2))
        os.dup2(log.fileno(), 2)  # the servers started next inherit it
        try:
            yield
        finally:
            _restore_stderr()


def _restore_stderr() -> None:
    if _saved_stderr:
        os.dup2(_saved_stderr[0], 2)
        os.close(_saved_stderr.pop())


def _round(
    number: int,
    baseline: str,
    targets: list[tuple[str, str, str]],
    database_url: str,
    pids: tuple[int, int],
    args: argparse.Namespace,
) -> dict[str, tuple[dict, dict]]:
    """Each endpoint right after its own baseline run, so a change in the machine's other
    load moves both figures of a ratio alike."""
    print(
        f"round {number}: {args.signers} verified signers, {args.workers} uvicorn workers per "
        f"server, wrk -t{args.threads} -c{args.connections} -d{args.duration}s, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"{'endpoint':46} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>6} {'errors':>7}"
        f" {'cpu ms/req':>10}"
    )
    results = {}
    for key, name, url in targets:
        base = measure(baseline, pids[1], args)
        _row("baseline: bare Starlette + 1 asyncpg query", base, base["rps"])
        if key == "sign":
            found = measure_signing(url, pids[0], database_url, args)
        else:
            found = measure(url, pids[0], args)
        _row(name, found, base["rps"])
        if key == "sign":
            print(f"{'':4}check: {found['check']}: {'LOST' if found['lost'] else 'nothing lost'}")
        print(f"{'':4}goal: {_goal(key, found, base)}", flush=True)
        results[key] = (found, base)
    return results


def _summary(
    rounds: list[dict[str, tuple[dict, dict]]], targets: list[tuple[str, str, str]]
) -> None:
    """Medians over the rounds: the machine's other load moves single runs a lot."""
    print(f"median of {len(rounds)} rounds (range)")
    for key, name, _ in targets:
        ratios = [found["rps"] / base["rps"] for found, base in (r[key] for r in rounds)]
        p99s = [found["p99"] for found, _ in (r[key] for r in rounds)]
        base_p99s = [base["p99"] for _, base in (r[key] for r in rounds)]
        cpu = [base["cpu_ms"] / found["cpu_ms"] for found, base in (r[key] for r in rounds)]
        print(
            f"{name:46} ratio {statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f})"
            f", p99 {statistics.median(p99s):.0f} ms ({min(p99s):.0f}-{max(p99s):.0f})"
            f", baseline p99 {statistics.median(base_p99s):.0f} ms"
            f", CPU ratio {statistics.median(cpu):.2f}"
        )


def _row(name: str, result: dict[str, object], baseline_rps: float) -> None:
    print(
        f"{name:46} {result['rps']:8.0f} {result['p50']:8.2f} {result['p99']:8.2f} "
        f"{result['rps'] / baseline_rps:6.2f} {result['errors']:7d} {result['cpu_ms']:10.3f}",
        flush=True,
    )


def _goal(key: str, found: dict[str, object], base: dict[str, object]) -> str:
    ratio = found["rps"] / base["rps"]
    if key == "sign":
        met = ratio >= 0.5 and found["p99"] <= 100 and not found["lost"]
        return f"sign >= 0.5x baseline, p99 <= 100 ms: {'met' if met else 'NOT met'}"
    if key == "count":
        return f"count JSON >= 2x baseline: {'met' if ratio >= 2 else 'NOT met'}"
    return "none set (reported for reference)"


if __name__ == "__main__":
    main()
