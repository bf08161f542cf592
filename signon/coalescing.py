"""Concurrent requests sharing database work, so that under load the database sees one
query or one write where it would have seen dozens.

- SingleFlight: concurrent reads of the same thing share the one already in flight.
- WriteGroups: concurrent writes go together, one statement and one commit for a group
  (group commit, done in the web process). Each caller still waits for its own item, so
  nothing is answered before it is committed.

bench/load_bench.py measures what they buy (docs/performance.md).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Hashable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")
_FAILED = object()


class SingleFlight:
    """Concurrent calls for the same key share the one already running.

    Under load, many requests for one campaign arrive while its query is in flight; they
    wait for that query instead of sending their own, so the database sees at most one
    per key per process at a time. Nothing is kept afterwards: a request never gets an
    answer older than its own arrival minus one query's time.
    """

    def __init__(self) -> None:
        self._calls: dict[Hashable, asyncio.Future[Any]] = {}

    async def run(self, key: Hashable, call: Callable[[], Awaitable[T]]) -> T:
        pending = self._calls.get(key)
        if pending is not None:
            # shield: a waiter that goes away (a closed connection) leaves the call running.
            outcome = await asyncio.shield(pending)
            return await call() if outcome is _FAILED else outcome
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._calls[key] = future
        try:
            result = await call()
        except BaseException:
            future.set_result(_FAILED)  # waiters try on their own
            raise
        finally:
            del self._calls[key]
        future.set_result(result)
        return result


class WriteGroups(Generic[T, R]):
    """Items submitted while earlier groups are being written wait, and go together.

    `write` takes a group of items and returns one outcome per item, in order. At most
    `lanes` groups are in flight at once; an item that finds a free lane goes at once,
    alone if it is alone. A lane writes group after group while items wait, inside one
    `hold()` (a pooled connection: one acquire and one reset for the lot). A group that
    fails is written again item by item, so one bad item fails only its own caller.

    Each group runs in a task of its own: a caller that goes away (the client closed the
    connection) neither cancels nor loses the others' writes. One instance serves one
    event loop.
    """

    def __init__(
        self,
        write: Callable[[Sequence[T]], Awaitable[Sequence[R]]],
        *,
        lanes: int = 2,
        max_group: int = 200,
        hold: Callable[[], AbstractAsyncContextManager[Any]] | None = None,
    ) -> None:
        self._write = write
        self._hold = hold or contextlib.nullcontext
        self._lanes = lanes
        self._max_group = max_group
        self._waiting: list[tuple[T, asyncio.Future[R]]] = []
        self._busy = 0
        self._tasks: set[asyncio.Task[None]] = set()

    async def submit(self, item: T) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if self._busy < self._lanes:
            self._start()
        return await asyncio.shield(future)

    def _start(self) -> None:
        self._busy += 1
        task = asyncio.get_running_loop().create_task(self._lane())
        self._tasks.add(task)  # the loop keeps only weak references to tasks
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._busy -= 1
        if self._waiting:  # arrived while the lane was letting go of its connection
            self._start()

    async def _lane(self) -> None:
        group = self._take()
        try:
            async with self._hold():
                while group:
                    await self._run(group)
                    group = self._take()
        except BaseException as exc:  # no connection, or the loop is closing
            _fail(group, exc)
            if not isinstance(exc, Exception):
                raise

    def _take(self) -> list[tuple[T, asyncio.Future[R]]]:
        group = self._waiting[: self._max_group]
        del self._waiting[: self._max_group]
        return group

    async def _run(self, group: list[tuple[T, asyncio.Future[R]]]) -> None:
        if len(group) > 1:
            try:
                outcomes = await self._write([item for item, _ in group])
            except Exception:
                for entry in group:  # one bad item fails only its own caller
                    await self._settle([entry])
                return
            _resolve(group, outcomes)
        else:
            await self._settle(group)

    async def _settle(self, group: list[tuple[T, asyncio.Future[R]]]) -> None:
        try:
            outcomes = await self._write([item for item, _ in group])
        except Exception as exc:
            _fail(group, exc)
            return
        _resolve(group, outcomes)


def _fail(group: list[tuple[Any, asyncio.Future[Any]]], exc: BaseException) -> None:
    for _, future in group:
        if future.done():
            continue
        if isinstance(exc, Exception):
            future.set_exception(exc)
        else:
            future.cancel()


def _resolve(group: list[tuple[Any, asyncio.Future[Any]]], outcomes: Sequence[Any]) -> None:
    for (_, future), outcome in zip(group, outcomes, strict=True):
        if not future.done():
            future.set_result(outcome)
