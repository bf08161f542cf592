"""Issue 13, item 2: memory and time an anonymous client can take from a real server.

A real `signon serve` process (uvicorn, production argon2 costs) is attacked while its
resident memory is read from /proc: the peak (VmHWM, reset before each attack) less what it
held before. Sizes are modest so the module takes seconds, and still far apart before and
after the fix (figures in docs/reliability.md). The header deadline is proved in-process
on uvicorn with the same protocol class and a short deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from starlette.exceptions import HTTPException

from signon.web import bodylimit, server
from tests.factories import make_campaign
from tests.processes import cli_env

MIB = 1024 * 1024
# Fields of 256 KiB: under Starlette's 1 MiB a field, and 48 MB of them under its 200
# fields a form, so only a limit on the whole body stops them.
FIELD_START = b"&f=" + b"a" * (64 * 1024 - 3)
FIELD_MORE = b"a" * (64 * 1024)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _memory(pid: int, field: str) -> int:
    """A VmRSS or VmHWM figure of the process, in bytes."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", status, re.MULTILINE).group(1)) * 1024


def _reset_peak(pid: int) -> int:
    """Start the peak afresh (Linux's clear_refs "5"); return the memory held now."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")
    return _memory(pid, "VmRSS")


@pytest.fixture(scope="module")
def served(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    """`signon serve` on a free port: (base URL, process id)."""
    var_dir = tmp_path_factory.mktemp("serve")
    port = _free_port()
    env = cli_env(database_url, SIGNON_VAR_DIR=str(var_dir), BASE_URL=f"http://127.0.0.1:{port}")
    log = (var_dir / "serve.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - our own command, waited on below
        [sys.executable, "-m", "signon", "serve", "--port", str(port)],
        cwd=var_dir,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert process.poll() is None, "signon serve exited"
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(base + "/staff/login").status_code == 200:
                    break
            time.sleep(0.2)
        yield base, process.pid
    finally:
        process.terminate()
        try:
            process.wait(30)
        finally:
            if process.poll() is None:
                process.kill()
            log.close()


def _chunked_post(port: int, path: str, total: int) -> tuple[int, int]:
    """POST `total` bytes with chunked encoding (no Content-Length); (status, bytes sent).

    Sending stops as soon as the server answers or closes, as a real attacker's would."""
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n\r\n".encode()
        )
        with contextlib.suppress(OSError):
            while sent < total and not select.select([sock], [], [], 0)[0]:
                chunk = FIELD_MORE if sent % (256 * 1024) else FIELD_START
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
            if sent >= total:
                sock.sendall(b"0\r\n\r\n")
        answer = sock.recv(200)
    return int(answer.split()[1]), sent


async def test_chunked_bodies_are_cut_off_while_they_stream(served, db):
    await make_campaign(db)
    base, pid = served
    port = int(base.rsplit(":", 1)[1])
    before = _reset_peak(pid)
    started = time.monotonic()
    # Three at once, 48 MB each: before the fix the server held each whole (about 300 MB).
    results = await asyncio.gather(
        *(
            asyncio.to_thread(_chunked_post, port, path, 48 * MIB)
            for path in ("/staff/login", "/c/eats-act/sign", "/c/eats-act/confirm/abc")
        )
    )
    elapsed = time.monotonic() - started
    growth = _memory(pid, "VmHWM") - before
    print(f"chunked 3 x 48 MB: peak +{growth / MIB:.0f} MiB in {elapsed:.2f} s, {results}")
    assert [status for status, _sent in results] == [413, 413, 413]
    assert all(sent < 16 * MIB for _status, sent in results)
    assert growth < 40 * MIB


async def test_concurrent_wrong_passwords_hash_a_few_at_a_time(served):
    base, pid = served
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        page = await client.get("/staff/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        before = _reset_peak(pid)
        started = time.monotonic()
        # Twelve at once, each a different unknown account (one address may try 20):
        # before the fix each ran argon2 at once with its 64 MiB (about 770 MiB).
        responses = await asyncio.gather(
            *(
                client.post(
                    "/staff/login",
                    data={
                        "email": f"x{n}@example.org",
                        "password": "wrong" * 4,
                        "csrf_token": token,
                    },
                )
                for n in range(12)
            )
        )
        elapsed = time.monotonic() - started
    growth = _memory(pid, "VmHWM") - before
    statuses = sorted(response.status_code for response in responses)
    print(f"12 wrong logins at once: peak +{growth / MIB:.0f} MiB in {elapsed:.2f} s, {statuses}")
    assert set(statuses) <= {403, 429} and 403 in statuses
    assert all(r.headers.get("retry-after") for r in responses if r.status_code == 429)
    assert growth < 3 * 64 * MIB


async def test_a_body_that_trickles_in_gets_408():
    async def app(scope, receive, send):
        await receive()

    async def slow_receive():
        await asyncio.sleep(5)

    limited = bodylimit.BodyLimitMiddleware(app, timeout=0.2)
    with pytest.raises(HTTPException) as refused:
        await limited({"type": "http", "headers": []}, slow_receive, None)
    assert refused.value.status_code == 408


async def test_slow_or_silent_clients_are_disconnected(monkeypatch):
    monkeypatch.setattr(server, "HEADERS_TIMEOUT", 0.3)

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    port = _free_port()
    config = uvicorn.Config(
        app, port=port, http=server.TimedHttpToolsProtocol, lifespan="off", log_level="error"
    )
    instance = uvicorn.Server(config)
    serving = asyncio.create_task(instance.serve())
    while not instance.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
        await asyncio.sleep(0.05)
    try:
        silent = await asyncio.open_connection("127.0.0.1", port)
        partial = await asyncio.open_connection("127.0.0.1", port)
        partial[1].write(b"GET / HTTP/1.1\r\nHost: x\r\n")
        whole = await asyncio.open_connection("127.0.0.1", port)
        whole[1].write(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert b" 200 " in await asyncio.wait_for(whole[0].read(), 2)
        started = time.monotonic()
        for reader, _writer in (silent, partial):
            assert await asyncio.wait_for(reader.read(), 2) == b""  # closed by the server
        assert time.monotonic() - started < 1.5
        for _reader, writer in (silent, partial, whole):
            writer.close()
            await writer.wait_closed()
    finally:
        instance.should_exit = True
        await serving
