"""30 unsigned UTF-16 DTD requests a second against a real server: valid callbacks keep being answered
at once (target < 1 s, WeCom's limit is 5 s; the exact figures: bench/dtd_flood.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults.pgfaults import Driver, Server, dtd_flood, fake_wecom, pg_database, settle

pytestmark = pytest.mark.faults


async def test_a_dtd_flood_does_not_slow_valid_callbacks(tmp_path: Path) -> None:
    async with pg_database() as pg, fake_wecom() as (fake, api_base):
        server = await Server(pg.url, api_base).start(tmp_path)
        driver = Driver()
        try:
            flood = await dtd_flood(server, driver, per_second=30, seconds=4.0)
            await settle(pg, len(flood.valid), fake)
            stored = (await pg.fetch("SELECT count(*) AS n FROM inbox"))[0]["n"]
        finally:
            await driver.close()
            assert await server.stop() == 0
    assert set(flood.junk_statuses) == {400} and len(flood.junk_statuses) == 120
    assert set(flood.valid_statuses) == {200} and len(flood.valid) == 20
    assert max(flood.valid) < 2.5, sorted(flood.valid)[-3:]  # generous: the bench shows the real figure
    assert max(flood.junk) < 2.5
    assert stored == 20 and len(fake.to("wutao")) == 20
