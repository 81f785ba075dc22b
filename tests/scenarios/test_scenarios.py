"""The scenario corpus: every conversation under ``tests/scenarios/`` through the real webhook and a fake
WeCom, on SQLite; those marked ``databases: both`` on PostgreSQL too. See ``README.md`` for the format."""

from __future__ import annotations

import pytest

from tests.conftest import Bot
from tests.scenarios.driver import Scenario, all_scenarios, run

SCENARIOS = all_scenarios()
BOTH = [s for s in SCENARIOS if s.both_databases]


def test_the_corpus_is_there() -> None:
    assert len(SCENARIOS) >= 80
    orgs = ("power_plant", "hospital_ward", "bank_branch")
    assert all(sum(s.org == org for s in SCENARIOS) >= 15 for org in orgs)
    topics = {s.name.split("/", 1)[0] for s in SCENARIOS}
    assert topics >= {"incidents", "emergencies", "yesno", "context", "clarify", "dates", "commands", "polish"}
    assert len(BOTH) >= 8


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
async def test_scenario(bot: Bot, scenario: Scenario) -> None:
    await run(bot, scenario)


@pytest.mark.both_databases
@pytest.mark.parametrize("scenario", BOTH, ids=[s.name for s in BOTH])
async def test_on_both_databases(bot: Bot, scenario: Scenario) -> None:
    await run(bot, scenario)
