"""Long messages (80-300 characters, several sentences, voice run-ons): labelled in both splits, and parsed."""
from __future__ import annotations

import time

import pytest

from bot.nlu import Parser
from bot.nlu.dataset import load_split

LONG = 80


@pytest.fixture(scope="module")
def shipped() -> Parser:
    return Parser.load()


@pytest.mark.parametrize("split, at_least", [("train", 30), ("heldout", 15)])
def test_both_splits_have_long_messages(split: str, at_least: int) -> None:
    long = [ex for ds in load_split(split) for ex in ds.examples if len(ex.text) >= LONG]
    assert len(long) >= at_least
    assert all(len(ex.text) <= 300 for ex in long)
    assert len({ex.expect["intent"] for ex in long}) >= 6  # requests, care, visits, progress, incidents, …


def test_long_heldout_messages_parse(shipped: Parser) -> None:
    """Organisations the shipped model never saw: long messages are read about as well as short ones."""
    right = total = urgent_right = 0
    slowest = 0.0
    for ds in load_split("heldout"):
        shipped.set_roster(ds.roster)
        for ex in ds.examples:
            if len(ex.text) < LONG:
                continue
            start = time.perf_counter()
            got = shipped.parse(ex.text, sender=ex.sender, today=ex.today)
            slowest = max(slowest, time.perf_counter() - start)
            total += 1
            right += got.intent.value == ex.expect["intent"]
            urgent_right += got.urgent == ex.expect["urgent"]
            if ex.expect["urgent"]:
                assert got.urgent, ex.text  # an emergency in a long message is never missed
    assert total >= 15
    assert right / total >= 0.8
    assert urgent_right / total >= 0.8
    assert slowest < 0.5
