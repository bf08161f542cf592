"""A real browser against a real server: Debian's Chromium driven by Playwright, the app
served by uvicorn on a loopback port, email received by aiosmtpd, pages checked by axe-core.

The server runs in its own thread with its own event loop and its own database pool; the
test talks to the same database through the `db` fixture on the test's loop, as a worker
process and a web process would.
"""

from __future__ import annotations

import email
import json
import os
import shutil
import socket
import threading
import time
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
import uvicorn
from aiosmtpd.controller import Controller
from starlette.applications import Starlette

from signon import settings

CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = settings.PROJECT_DIR / "node_modules" / "axe-core" / "axe.min.js"
# Quiet, deterministic, offline: nothing phones home, no GPU, no QUIC. Root (CI) needs
# --no-sandbox. Playwright gives every launch a fresh temporary user-data-dir.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
    "--disable-quic",
]
# Every WCAG 2.0, 2.1 and 2.2 level A and AA rule axe knows.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def chromium_path() -> str:
    """The browser, or skip (fail in CI, where .ci/run installs it) when it is absent."""
    found = str(CHROMIUM) if CHROMIUM.exists() else shutil.which("chromium")
    if not found:
        _missing("Chromium is not installed (Debian: apt-get install chromium)")
    return str(found)


def axe_path() -> Path:
    if not AXE_JS.exists():
        _missing(f"{AXE_JS} is absent (run npm ci at the project root)")
    return AXE_JS


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}: CI must run the browser tests", pytrace=False)
    pytest.skip(reason)


class LiveServer:
    """uvicorn serving `app` on a free loopback port, in a thread with its own loop."""

    def __init__(self, app: Starlette) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )

    def start(self, timeout: float = 30.0) -> None:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.socket.close()


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


class SmtpServer:
    """A real SMTP server on a free loopback port, in aiosmtpd's own thread."""

    def __init__(self) -> None:
        self.inbox = Inbox()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=port)
        self.url = f"smtp://127.0.0.1:{port}"

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


def plain_body(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def describe_violations(violations: list[dict]) -> str:
    """axe's findings as lines a person can act on: rule, impact, help, and each node."""
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{violation['helpUrl']}]"
        )
        for node in violation["nodes"]:
            lines.append(f"    at {json.dumps(node['target'])}: {node['html'][:200]}")
            summary = node.get("failureSummary", "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary}")
    return "\n".join(lines)
