"""The render cache: rendered PDFs kept in pdf_renders, reused until their fingerprint changes.

A row per (campaign, variant, fingerprint): `pending` while one request (or a background
task) renders it, then `ready` with the bytes, or `failed` with the error. Claiming a row
is one INSERT .. ON CONFLICT, so across any number of web processes one renders and the
others wait. The renderer bumps the row's heartbeat every HEARTBEAT_SECONDS; a pending row
whose heartbeat is older than STALE_PENDING_SECONDS lost its process (a crash, a deploy)
and the next request takes it over. Rendering itself happens in the app's process pool
(pdf.RenderPool, kept by signon/state.py), driven from a thread: never on the event loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING

import sqlalchemy as sa
from databases import Database

from signon.errors import PdfUnavailable
from signon.letter import pdf
from signon.tables import pdf_renders
from signon.vocabulary import RenderStatus

if TYPE_CHECKING:
    from signon.state import ProcessState

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 5.0
STALE_PENDING_SECONDS = 30
RETRY_FAILED_SECONDS = 60
# How often a caller that must have the bytes looks again while another process renders.
POLL_SECONDS = 0.5


async def render(doc: pdf.LetterDocument, pool: pdf.RenderPool) -> bytes:
    """Render in the process pool, coordinated from a thread so the event loop runs on."""
    try:
        return await asyncio.to_thread(
            pdf.render_letter, doc, executor=pool.executor(), parts=pool.workers
        )
    except BrokenProcessPool:
        pool.reset()
        raise


Producer = Callable[[], Awaitable[bytes]]


async def _claim(db: Database, campaign_id: int, variant: str, key: str) -> int | None:
    """Take the job of rendering (campaign, variant, key); None when someone else has it."""
    return await db.fetch_val(
        "INSERT INTO pdf_renders (campaign_id, variant, fingerprint, status)"
        " VALUES (:campaign_id, :variant, :key, 'pending')"
        " ON CONFLICT (campaign_id, variant, fingerprint) DO UPDATE"
        " SET status = 'pending', error = NULL, created_at = now(), heartbeat_at = now(),"
        "     finished_at = NULL"
        " WHERE (pdf_renders.status = 'pending' AND pdf_renders.heartbeat_at"
        "        < now() - make_interval(secs => :stale))"
        "    OR (pdf_renders.status = 'failed' AND pdf_renders.created_at"
        "        < now() - make_interval(secs => :retry))"
        " RETURNING id",
        {
            "campaign_id": campaign_id,
            "variant": variant,
            "key": key,
            "stale": STALE_PENDING_SECONDS,
            "retry": RETRY_FAILED_SECONDS,
        },
    )


async def _heartbeat(db: Database, render_id: int) -> None:
    while True:
        await asyncio.sleep(HEARTBEAT_SECONDS)
        await db.execute(
            pdf_renders.update()
            .where(pdf_renders.c.id == render_id, pdf_renders.c.status == RenderStatus.PENDING)
            .values(heartbeat_at=sa.func.now())
        )


async def _produce(
    db: Database, render_id: int, campaign_id: int, variant: str, make: Producer
) -> bytes:
    beating = asyncio.create_task(_heartbeat(db, render_id))
    try:
        content = await make()
    except Exception as exc:
        log.exception("Rendering %s of campaign %s failed", variant, campaign_id)
        await db.execute(
            pdf_renders.update()
            .where(pdf_renders.c.id == render_id)
            .values(status=RenderStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000])
        )
        raise
    finally:
        beating.cancel()
    async with db.transaction():
        await db.execute(
            pdf_renders.update()
            .where(pdf_renders.c.id == render_id)
            .values(status=RenderStatus.READY, pdf=content, error=None, finished_at=sa.func.now())
        )
        # Earlier renders of this variant are out of date: keep only the newest.
        await db.execute(
            pdf_renders.delete().where(
                pdf_renders.c.campaign_id == campaign_id,
                pdf_renders.c.variant == variant,
                pdf_renders.c.id != render_id,
                pdf_renders.c.status != RenderStatus.PENDING,
            )
        )
    return content


def _the_render(campaign_id: int, variant: str, key: str) -> sa.ColumnElement[bool]:
    return sa.and_(
        pdf_renders.c.campaign_id == campaign_id,
        pdf_renders.c.variant == variant,
        pdf_renders.c.fingerprint == key,
    )


async def status(db: Database, campaign_id: int, variant: str, key: str) -> str | None:
    """ "ready", "pending" or "failed" for the render of `key`; None when none was asked for."""
    return await db.fetch_val(
        sa.select(pdf_renders.c.status).where(_the_render(campaign_id, variant, key))
    )


async def cached(
    db: Database,
    process: ProcessState,
    campaign_id: int,
    variant: str,
    key: str,
    make: Producer,
    *,
    wait: bool,
    must: bool = False,
) -> bytes | None:
    """The stored render for `key`, or render it: waiting when `wait`, else in the background.

    None means pending: another request is rendering it, or a background task now is.
    With `must` (delivery, the CLI) the bytes always come back: while another process
    holds the render, this waits for it (taking it over should that process die).
    """
    while True:
        row = await db.fetch_one(
            sa.select(pdf_renders.c.status, pdf_renders.c.pdf).where(
                _the_render(campaign_id, variant, key)
            )
        )
        if row is not None and row["status"] == RenderStatus.READY:
            return bytes(row["pdf"])
        render_id = await _claim(db, campaign_id, variant, key)
        if render_id is not None:
            break
        if row is not None and row["status"] == RenderStatus.FAILED:
            raise _failed()
        if not must:
            return None
        await asyncio.sleep(POLL_SECONDS)
    job = _produce(db, render_id, campaign_id, variant, make)
    if wait or must:
        return await _failing_clearly(job)
    task = asyncio.create_task(_quietly(job))
    process.background_renders.add(task)  # the loop keeps only weak references to tasks
    task.add_done_callback(process.background_renders.discard)
    return None


def _failed() -> PdfUnavailable:
    return PdfUnavailable()


async def _failing_clearly(job: Awaitable[bytes]) -> bytes:
    try:
        return await job
    except Exception as exc:  # logged by _produce; a person gets a page, not a traceback
        raise _failed() from exc


async def _quietly(job: Awaitable[bytes]) -> None:
    # The failure is logged and stored by _produce; a background task has no one to tell.
    try:
        await job
    except Exception:  # noqa: S110
        pass
