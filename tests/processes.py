"""The signon command as a separate process, as a user runs it, and free loopback ports
for the servers tests start (the app under uvicorn, SMTP)."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

from signon import settings

# Everything settings.py reads that would change what the command does.
CONFIG_VARS = ("DATABASE_URL", "SECRET_KEY", "SIGNON_ENV", "SIGNON_VAR_DIR", "BASE_URL")
TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class Result:
    returncode: int
    stdout: str
    stderr: str


def cli_env(database_url: str | None, **extra: str) -> dict[str, str]:
    """The test's environment without Signon's settings, plus the ones given."""
    env = {key: value for key, value in os.environ.items() if key not in CONFIG_VARS}
    # The checkout need not be installed: the child imports signon from it.
    env["PYTHONPATH"] = os.pathsep.join(
        part for part in (str(settings.PROJECT_DIR), env.get("PYTHONPATH")) if part
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    env.update(extra)
    return env


async def run_signon(*args: str, cwd: Path, env: dict[str, str], stdin: str = "") -> Result:
    """`python -m signon ARGS` in `cwd` (so ./var/ is there), as a separate process."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "signon",
        *args,
        cwd=cwd,
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with asyncio.timeout(TIMEOUT_SECONDS):  # a command that hangs fails the test
            out, err = await process.communicate(stdin.encode())
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    return Result(process.returncode or 0, out.decode(), err.decode())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
