"""Two ``sijing serve`` processes on one PostgreSQL database, each person's messages arriving at both in
turn: every message processed exactly once, each person's strictly in arrival order."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.faults.pgfaults import HEAVY, PEOPLE, Driver, Outcome, Server, fake_wecom, pg_database, settle

pytestmark = pytest.mark.faults

PER_PERSON = 170 if HEAVY else 25  # 6 people: 1,020 or 150 messages


@pytest.mark.parametrize("shape", [["--workers", "0"], ["--workers", "1"]], ids=["inline", "with-workers"])
async def test_two_servers_keep_each_persons_order(shape: list[str], tmp_path: Path) -> None:
    async with pg_database() as pg, fake_wecom() as (fake, api_base):
        servers = [await Server(pg.url, api_base, shape).start(tmp_path) for _ in range(2)]
        driver = Driver()
        try:
            async def person(user: str, offset: int) -> None:
                for seq in range(PER_PERSON):  # WeCom delivers one person's messages one after the other
                    assert await driver.say(servers[(seq + offset) % 2], user, "你好", seq)

            await asyncio.gather(*(person(u, i) for i, u in enumerate(PEOPLE)))
            total = PER_PERSON * len(PEOPLE)
            await settle(pg, total, fake)
            outcome = await Outcome.of(pg, fake)
        finally:
            await driver.close()
            codes = [await s.stop() for s in servers]
        assert codes == [0, 0], [s.log_text()[-3000:] for s in servers]
        assert len(driver.acked) == total
        assert (outcome.stored, outcome.done, outcome.failed, outcome.pending) == (total, total, 0, 0)
        assert outcome.out_of_order == 0
        assert len(outcome.replies_per_row) == total and set(outcome.replies_per_row.values()) == {1}
        for user in PEOPLE:  # every reply sent exactly once
            assert len(fake.to(user)) == PER_PERSON
        assert outcome.apologies == 0
