"""The 精密关注 lifecycle tables, their refusals, the labels and the tip card key: units, no database."""

from __future__ import annotations

import pytest

from handlers.care.states import CareStates, TipCard
from storage.care import Action, CareCategory, CareSource, CareStatus, TaskAction, TaskStatus, lifecycle
from storage.errors import Refused

S, A, T = CareStatus, Action, TaskStatus
# Which action may start from which status, written out by hand (the tables in storage must agree).
ALLOWED = {A.ACCEPT: {S.PROPOSED}, A.DECLINE: {S.PROPOSED}, A.RESOLVE: {S.ACTIVE}}
LEADS_TO = {A.ACCEPT: S.ACTIVE, A.DECLINE: S.DECLINED, A.RESOLVE: S.RESOLVED}


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("status", list(CareStatus))
def test_entry_transition_table(action: Action, status: CareStatus) -> None:
    allowed = status in ALLOWED[action]
    assert lifecycle.can(action, status) is allowed
    if allowed:
        assert lifecycle.check(action, 7, status) is LEADS_TO[action]
    else:
        with pytest.raises(Refused) as refused:
            lifecycle.check(action, 7, status)
        assert refused.value.message


@pytest.mark.parametrize(("action", "status", "text"), [
    (A.ACCEPT, S.ACTIVE, "线索 T3 已经处理过了。"),
    (A.ACCEPT, S.DECLINED, "线索 T3 已经处理过了。"),
    (A.DECLINE, S.ACTIVE, "线索 T3 已经处理过了。"),
    (A.RESOLVE, S.RESOLVED, "这条重点关注已经结案了。"),
    (A.RESOLVE, S.PROPOSED, "线索 T3 还没有登记到台账，不能结案。"),
    (A.RESOLVE, S.DECLINED, "线索 T3 没有登记到台账，不能结案。"),
])
def test_entry_refusals_say_why(action: Action, status: CareStatus, text: str) -> None:
    with pytest.raises(Refused) as refused:
        lifecycle.check(action, 3, status)
    assert refused.value.message == text


@pytest.mark.parametrize("action", list(TaskAction))
@pytest.mark.parametrize("status", list(TaskStatus))
def test_task_transition_table(action: TaskAction, status: TaskStatus) -> None:
    if status == T.OPEN:
        assert lifecycle.check_task(action, status) is {TaskAction.DONE: T.DONE, TaskAction.CANCEL: T.CANCELLED}[action]
    else:
        with pytest.raises(Refused) as refused:
            lifecycle.check_task(action, status)
        assert status.label in refused.value.message


def test_one_label_each() -> None:
    for enum in (CareCategory, CareStatus, CareSource, TaskStatus):
        labels = [m.label for m in enum]
        assert len(set(labels)) == len(labels) and all(m.label != m.value for m in enum)
    assert CareCategory.label_of("illness") == "住院/疾病" and CareCategory.of("bogus") is CareCategory.OTHER
    assert CareCategory.of(None) is CareCategory.OTHER
    # a visit task's reason: a category, a tip, or an old free-text row
    assert lifecycle.reason_label("retirement") == "退休" and lifecycle.reason_label("退休") == "退休"
    assert lifecycle.reason_label("tip") == CareSource.TIP.label


def test_every_category_has_a_follow_up_interval() -> None:
    assert set(lifecycle.INTERVAL_DAYS) == set(CareCategory)
    assert lifecycle.interval_for("bogus") == lifecycle.INTERVAL_DAYS[CareCategory.OTHER]


def test_tip_card_key_and_stored_state_names() -> None:
    assert TipCard("accept", 12).pack() == "care:accept:12"
    assert TipCard.unpack("care:decline:3") == TipCard("decline", 3)
    assert TipCard.unpack("care:accept:x") is None and TipCard.unpack("deed:accept:3") is None
    names = {s.name for s in (CareStates.consent, CareStates.which, CareStates.tip, CareStates.visit_who)}
    assert names == {"care.consent", "care.which", "care.tip", "care.visit_who"}
