"""Every selected fault scenario starts at once, each in its own thread and event loop.

They mostly wait (on server start-up, backoffs, rate windows, outages), so run one after the other they
took the sum of their lengths (~85 s); together they take about the longest one. A module lists its
scenarios in ``SCENARIOS`` (test name → coroutine function taking a folder); each test then waits for its
own with :func:`outcome`."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import asyncpg
import pytest

from tests.conftest import PG_ADMIN_DSN, _pg_template
from tests.faults.harness import drop_templates, prepare_templates


async def _prepare(folder: Path) -> None:
    """The templates every scenario copies, made before any starts (alembic is not safe to run twice at
    once in one process): the servers' (harness) and the processing scenarios' (tests.conftest)."""
    await prepare_templates(folder)
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await _pg_template(admin, PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://"))
    finally:
        await admin.close()


@pytest.fixture(scope="session")
def running(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Future[None]]]:
    wanted = {item.name: item.module.SCENARIOS[item.name] for item in request.session.items
              if item.get_closest_marker("faults") and item.name in getattr(item.module, "SCENARIOS", {})}
    asyncio.run(_prepare(tmp_path_factory.getbasetemp()))
    pool = ThreadPoolExecutor(max_workers=max(1, len(wanted)), thread_name_prefix="fault")
    futures = {name: pool.submit(asyncio.run, scenario(tmp_path_factory.mktemp(name[:30])))
               for name, scenario in wanted.items()}
    try:
        yield futures
    finally:
        pool.shutdown(wait=True)
        asyncio.run(drop_templates())


def outcome(running: dict[str, Future[None]], request: pytest.FixtureRequest) -> None:
    """Wait for this test's scenario; its failure is this test's."""
    running[request.node.name].result(timeout=300)
