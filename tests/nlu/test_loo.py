"""Leave-one-organisation-out machinery: a fold's model never sees the organisation it is tested on."""
from __future__ import annotations

import datetime as dt

from bot.nlu import Parser, Person
from bot.nlu.dataset import DataSet, Example
from bot.nlu.train import featurise, merge, train_bundle

from .conftest import ROSTER

DAY = dt.date(2027, 3, 10)


def _set(name: str, rows: list[tuple[str, str, str | None]]) -> DataSet:
    roster = (Person("a", "甲乙丙", "employee", "一班"),)
    return DataSet(name, roster, tuple(
        Example(f"{name}{i}", "a", DAY, text, {"intent": intent, "category": cat, "polarity": None})
        for i, (text, intent, cat) in enumerate(rows)))


def test_fold_model_is_trained_without_the_held_out_organisation(parser: Parser) -> None:
    mine = _set("mine", [("井下瓦斯传感器坏了", "deed_request", "safety"), ("谢谢", "smalltalk", None)])
    school = _set("school", [("教室投影仪坏了", "deed_request", "facilities"), ("你好", "smalltalk", None)])
    try:
        rows = {ds.name: featurise(parser, ds) for ds in (mine, school)}
    finally:
        parser.set_roster(ROSTER)  # featurise loads each organisation's roster into the shared parser
    assert len(rows["mine"]["intent"]) == 4  # each message with and without the sender's role
    assert [label for _, label in rows["mine"]["deed"]] == ["safety", "safety"]
    fold = train_bundle(merge(r for name, r in rows.items() if name != "mine"), epochs=2)
    seen = set(fold.heads["intent"].weights)
    assert "w:投影仪" in seen and "w:瓦斯" not in seen and "w:传感器" not in seen
    assert fold.heads["deed"].classes == ("facilities",)
