"""WriteGroups: writes that arrive together go together, each caller gets its own outcome,
one bad item fails only its caller, and a caller that goes away loses nobody's write."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from signon.coalescing import WriteGroups


class Recorder:
    """A write that records its groups and takes a while, like a database round trip."""

    def __init__(self, bad: set[int] | None = None) -> None:
        self.groups: list[list[int]] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.bad = bad or set()

    async def write(self, group):
        self.groups.append(list(group))
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(0.01)
            if self.bad & set(group):
                raise ValueError(f"bad item in {sorted(group)}")
            return [item * 10 for item in group]
        finally:
            self.in_flight -= 1


async def test_items_that_wait_go_together_and_each_gets_its_own_outcome():
    recorder = Recorder()
    groups = WriteGroups(recorder.write, lanes=1)
    first = asyncio.ensure_future(groups.submit(0))
    await asyncio.sleep(0.001)  # its write is in flight
    outcomes = await asyncio.gather(first, *(groups.submit(n) for n in range(1, 10)))
    assert outcomes == [n * 10 for n in range(10)]
    # The first went alone; the nine that arrived while it was written go as one group.
    assert recorder.groups == [[0], list(range(1, 10))]


async def test_no_more_lanes_than_allowed_are_in_flight():
    recorder = Recorder()
    groups = WriteGroups(recorder.write, lanes=2, max_group=3)
    outcomes = await asyncio.gather(*(groups.submit(n) for n in range(20)))
    assert outcomes == [n * 10 for n in range(20)]
    assert recorder.most_in_flight == 2
    assert max(len(group) for group in recorder.groups) <= 3
    assert sorted(n for group in recorder.groups for n in group) == list(range(20))


async def test_one_bad_item_fails_only_its_own_caller():
    recorder = Recorder(bad={3})
    groups = WriteGroups(recorder.write, lanes=1)
    outcomes = await asyncio.gather(*(groups.submit(n) for n in range(6)), return_exceptions=True)
    assert [o for n, o in enumerate(outcomes) if n != 3] == [0, 10, 20, 40, 50]
    assert isinstance(outcomes[3], ValueError)


async def test_a_caller_that_goes_away_does_not_cancel_the_write():
    recorder = Recorder()
    groups = WriteGroups(recorder.write, lanes=1)
    first = asyncio.ensure_future(groups.submit(1))
    await asyncio.sleep(0.001)  # its write is in flight
    second = asyncio.ensure_future(groups.submit(2))
    third = asyncio.ensure_future(groups.submit(3))
    await asyncio.sleep(0)
    second.cancel()
    assert await first == 10 and await third == 30
    with pytest.raises(asyncio.CancelledError):
        await second
    assert recorder.groups == [[1], [2, 3]]  # 2 was written all the same


async def test_a_failure_to_get_a_connection_reaches_every_caller_and_no_lane_sticks():
    refusals = [OSError("connection refused")]

    @contextlib.asynccontextmanager
    async def connection():
        if refusals:
            raise refusals.pop()
        yield

    groups = WriteGroups(Recorder().write, lanes=1, hold=connection)
    outcomes = await asyncio.gather(*(groups.submit(n) for n in range(3)), return_exceptions=True)
    assert [type(outcome) for outcome in outcomes] == [OSError, OSError, OSError]
    assert await asyncio.wait_for(groups.submit(7), 1) == 70
