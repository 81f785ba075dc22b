"""The scenario corpus's ``bot``: the real app with the scenario's own organisation (its roster) and clock."""

from __future__ import annotations

from datetime import timezone
from typing import Any

import pytest

from bot import keys
from bot.app import create_app
from bot.fakewecom import FakeWeCom
from bot.nlu import Parser
from handlers.people.importer import import_roster
from tests.conftest import Bot, Clock, make_settings
from tests.scenarios.driver import Scenario


@pytest.fixture
async def bot(request: pytest.FixtureRequest, database_url: str, fake_wecom: tuple[FakeWeCom, str],
              aiohttp_client: Any, clock: Clock, parser: Parser) -> Bot:
    scenario: Scenario = request.node.callspec.params["scenario"]
    clock.now = scenario.start.astimezone(timezone.utc)
    fake, api_base = fake_wecom
    settings = make_settings(database_url, api_base)
    app = create_app(settings, clock=clock, run_sender=False, parser=parser)
    client = await aiohttp_client(app)
    await import_roster(app[keys.DB], scenario.roster, clock())
    return Bot(client, app, fake, settings, clock)




def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The PostgreSQL subset runs on both databases through ``test_on_both_databases``; its SQLite runs are
    the same as ``test_scenario``'s, so they are left out."""
    dropped = [i for i in items if i.originalname == "test_on_both_databases" and "[sqlite-" in i.nodeid]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [i for i in items if i not in dropped]
