"""The sending half under faults, black-box: real ``sijing serve`` processes, the fake WeCom failing on demand.

Every scenario asserts with counts: every reply to an acknowledged message sent exactly once or listed
in doubt; in doubt only what was in flight (at most the sender's concurrency per crash); nothing
``sending`` after a graceful stop; at most 30 requests per person in any 60 s.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.harness import HEAVY, Deployment, Server, deployment, drop_templates, report, scaled

pytestmark = pytest.mark.faults

CONCURRENCY = 4  # the sender's default: the most requests in flight, so the most a crash can leave in doubt


@pytest.fixture(scope="module", autouse=True)
def _templates() -> Iterator[None]:
    yield
    asyncio.run(drop_templates())


async def until(predicate, timeout: float = 30.0, every: float = 0.05) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not await predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(every)


def users(n: int, prefix: str = "u") -> list[str]:
    return [f"{prefix}{i:03d}" for i in range(n)]


async def _stop_then_crash(kind: str, folder: Path) -> None:
    n = scaled(120)
    async with deployment(kind, folder) as dep:
        dep.fake.faults.delay = 0.03  # each request takes a while: the stop and the crash land mid-send
        first = await dep.start()
        people = users(20)
        acked = await dep.drive(first, people, n // len(people))
        await until(lambda: _arrived(dep, n // 4))
        assert await first.terminate() == 0  # SIGTERM: exit 0
        after_term = await dep.outbox()
        assert after_term["sending"] == 0 and after_term["in_doubt"] == 0, after_term
        report(f"SIGTERM while sending ({kind})", await dep.ledger(), pending_at_stop=after_term["pending"])

        second = await dep.start()
        acked += await dep.drive(second, people, n // len(people))
        await until(lambda: _arrived(dep, acked // 2))
        await second.kill()  # kill -9
        crashed = await dep.outbox()
        assert crashed["sending"] <= CONCURRENCY, crashed

        third = await dep.start()
        dep.fake.faults.delay = 0.0
        await dep.settled(60)
        ledger = await dep.ledger(third)
        report(f"SIGTERM then kill -9 while sending ({kind})", ledger)
        assert ledger.acked == acked == 2 * n
        assert ledger.lost == 0 and ledger.duplicated == 0, ledger.line()
        assert ledger.in_doubt <= CONCURRENCY and ledger.listed == ledger.in_doubt, ledger.line()
        assert ledger.rows["pending"] == ledger.rows["sending"] == ledger.rows["failed"] == 0


async def _arrived(dep: Deployment, count: int) -> bool:
    return len(dep.arrivals) >= count


async def test_sigterm_and_kill_while_sending_lose_nothing(tmp_path: Path) -> None:
    (tmp_path / "sqlite").mkdir()
    (tmp_path / "pg").mkdir()
    await asyncio.gather(_stop_then_crash("sqlite", tmp_path / "sqlite"), _stop_then_crash("postgresql", tmp_path / "pg"))
