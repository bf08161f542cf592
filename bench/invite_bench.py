"""Invitations queued and sent (issue 15): N invitations added through the domain function
and sent by a `signon worker` process through a real SMTP server (aiosmtpd on loopback)
at full rate, against a baseline of N plain outbox emails sent by the same worker command,
in the same run, on the same fresh database.

    .venv/bin/python bench/invite_bench.py [--invitations 5000]

Prints, for each: the time to queue them, the time from the worker's start to the last
message accepted by the SMTP server, messages per second, and the worker's peak resident
memory (VmHWM, read from /proc before it is stopped); then the ratios of invitations over
the baseline. Checks that the SMTP server received each message exactly once.

Needs PostgreSQL as bench/public_bench.py does (a fresh database is created and dropped).
Not a test: pytest does not collect bench/.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import public_bench as harness  # bench/ is on sys.path when this file runs as a script
from aiosmtpd.controller import Controller

from signon import campaigns
from signon import db as database
from signon.audit import CLI
from signon.invitations import invitees
from signon.invitations.csvfile import Invitee
from signon.views.invitations import RouteLinks
from signon.views.routes import routes

ROOT = Path(__file__).resolve().parent.parent


class Counter:
    def __init__(self) -> None:
        self.recipients: list[str] = []

    async def handle_DATA(self, server, session, envelope):
        self.recipients.extend(envelope.rcpt_tos)
        return "250 OK"


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def queue_plain(url: str, count: int) -> float:
    db = database.make_database(url)
    await db.connect()
    started = time.perf_counter()
    try:
        await db.execute(
            "INSERT INTO email_outbox (to_address, subject, body_text, body_html, kind) "
            "SELECT 'plain' || n || '@example.gov', 'A message', repeat('Some text. ', 60), "
            "'<p>' || repeat('Some text. ', 60) || '</p>', 'confirm' "
            "FROM generate_series(1, :count) AS n",
            {"count": count},
        )
    finally:
        await db.disconnect()
    return time.perf_counter() - started


async def queue_invitations(url: str, count: int) -> float:
    from starlette.routing import Router

    db = database.make_database(url)
    await db.connect()
    started = time.perf_counter()
    try:
        campaign = await campaigns.get_campaign(db, harness.SLUG)
        found = [
            Invitee(0, f"invitee{n}@legis.example.gov", None, {"full_name": f"Member {n}"})
            for n in range(count)
        ]
        result = await invitees.add_invitees(
            db,
            CLI,
            campaign,
            found,
            source="csv",
            links=RouteLinks(Router(routes())),
            now=datetime.now(UTC),
        )
        assert result.invited == count, result
    finally:
        await db.disconnect()
    return time.perf_counter() - started


async def pending(url: str) -> int:
    db = database.make_database(url)
    await db.connect()
    try:
        return await db.fetch_val("SELECT count(*) FROM email_outbox WHERE status = 'pending'")
    finally:
        await db.disconnect()


def send_all(url: str, smtp_url: str, counter: Counter, expected: int) -> tuple[float, float]:
    """(seconds from the worker's start to the last message, the worker's peak RSS in MB)."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SMTP_URL": smtp_url,
        "INVITE_RATE": "1000000",
        "PYTHONPATH": str(ROOT),
    }
    before = len(counter.recipients)
    with tempfile.TemporaryDirectory() as cwd:
        started = time.perf_counter()
        worker = subprocess.Popen([sys.executable, "-m", "signon", "worker"], cwd=cwd, env=env)
        try:
            while len(counter.recipients) - before < expected:
                if worker.poll() is not None:
                    raise SystemExit(f"the worker exited with {worker.returncode}")
                time.sleep(0.01)
            elapsed = time.perf_counter() - started
            peak = peak_rss_mb(worker.pid)
            # Stop it only once every message is marked sent: mail.deliver_due commits a
            # batch of 50 after sending it, so a worker stopped before that commit would
            # leave the batch pending and the next worker would send it again.
            while asyncio.run(pending(url)):
                time.sleep(0.05)
        finally:
            worker.terminate()
            worker.wait(30)
    return elapsed, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invitations", type=int, default=5000)
    args = parser.parse_args()
    counter = Counter()
    controller = Controller(counter, hostname="127.0.0.1", port=harness._free_port())
    controller.start()
    smtp_url = f"smtp://127.0.0.1:{controller.port}"
    results = {}
    try:
        with harness.fresh_database(1) as url:
            queued = asyncio.run(queue_plain(url, args.invitations))
            results["plain outbox (baseline)"] = (
                queued,
                *send_all(url, smtp_url, counter, args.invitations),
            )
            queued = asyncio.run(queue_invitations(url, args.invitations))
            results["invitations"] = (queued, *send_all(url, smtp_url, counter, args.invitations))
    finally:
        controller.stop()
    received, distinct = len(counter.recipients), len(set(counter.recipients))
    assert received == distinct == 2 * args.invitations, (received, distinct)
    n = args.invitations
    print(f"{n} messages each, one worker, aiosmtpd on loopback; each received exactly once")
    print(f"{'':26} {'queue s':>8} {'send s':>8} {'msg/s':>8} {'peak MB':>8}")
    for name, (queue_s, send_s, peak) in results.items():
        print(f"{name:26} {queue_s:8.2f} {send_s:8.2f} {n / send_s:8.0f} {peak:8.1f}")
    (bq, bs, bp), (iq, is_, ip) = results.values()
    print(
        f"ratio invitations/baseline: send time {is_ / bs:.2f}x, msg/s {bs / is_:.2f}x, "
        f"peak memory {ip / bp:.2f}x, queue time {iq / bq:.1f}x"
    )


if __name__ == "__main__":
    main()
