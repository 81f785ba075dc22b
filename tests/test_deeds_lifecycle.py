"""The 办实事 lifecycle table, its refusals, and the card keys: units, no database."""

from __future__ import annotations

import pytest

from bot.cardkeys import CardKey
from handlers.deeds.states import DeedCard
from storage.deeds import Action, DeedStatus, lifecycle
from storage.errors import Refused

S, A = DeedStatus, Action
# Which action may start from which status, written out by hand (the table in storage must agree).
ALLOWED = {
    A.ACCEPT: {S.SUBMITTED, S.REOPENED},
    A.PROGRESS: {S.SUBMITTED, S.ACCEPTED, S.IN_PROGRESS, S.REOPENED},
    A.RESOLVE: {S.SUBMITTED, S.ACCEPTED, S.IN_PROGRESS, S.REOPENED},
    A.CONFIRM: {S.RESOLVED},
    A.REOPEN: {S.RESOLVED, S.CLOSED},
    A.CLOSE: {S.SUBMITTED, S.ACCEPTED, S.IN_PROGRESS, S.REOPENED, S.RESOLVED},
    A.REASSIGN: {S.SUBMITTED, S.ACCEPTED, S.IN_PROGRESS, S.REOPENED, S.RESOLVED},
}


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("status", list(DeedStatus))
def test_transition_table(action: Action, status: DeedStatus) -> None:
    allowed = status in ALLOWED[action]
    assert lifecycle.can(action, status) is allowed
    if allowed:
        lifecycle.check(action, 7, status)
    else:
        with pytest.raises(Refused) as refused:
            lifecycle.check(action, 7, status)
        assert "#7" in refused.value.message


@pytest.mark.parametrize(("action", "status", "to"), [
    (A.ACCEPT, S.SUBMITTED, S.ACCEPTED), (A.ACCEPT, S.REOPENED, S.ACCEPTED),
    (A.PROGRESS, S.IN_PROGRESS, S.IN_PROGRESS), (A.RESOLVE, S.ACCEPTED, S.RESOLVED),
    (A.CONFIRM, S.RESOLVED, S.CLOSED), (A.REOPEN, S.CLOSED, S.REOPENED), (A.CLOSE, S.RESOLVED, S.CLOSED),
    # reassigning resets acceptance: the new owner accepts again
    (A.REASSIGN, S.ACCEPTED, S.SUBMITTED), (A.REASSIGN, S.IN_PROGRESS, S.SUBMITTED),
    (A.REASSIGN, S.REOPENED, S.REOPENED), (A.REASSIGN, S.RESOLVED, S.RESOLVED),
])
def test_where_an_action_leads(action: Action, status: DeedStatus, to: DeedStatus) -> None:
    assert lifecycle.check(action, 1, status) is to


@pytest.mark.parametrize(("action", "status", "text"), [
    (A.ACCEPT, S.CLOSED, "#3 已经办结了，不用再接单。"),
    (A.ACCEPT, S.IN_PROGRESS, f"#3 您已经接过了，当前状态：{S.IN_PROGRESS.label}。"),
    (A.RESOLVE, S.RESOLVED, "#3 已报办好，正在等反映人确认。"),
    (A.CONFIRM, S.ACCEPTED, f"#3 还在办理中（{S.ACCEPTED.label}），办好后会请您确认。"),
    (A.CONFIRM, S.CLOSED, "#3 已经办结了，谢谢您的认可！"),
    (A.REASSIGN, S.CLOSED, "#3 已办结，不能再改派。"),
    (A.CLOSE, S.CLOSED, "#3 已经办结了。"),
])
def test_refusals_say_why(action: Action, status: DeedStatus, text: str) -> None:
    with pytest.raises(Refused) as refused:
        lifecycle.check(action, 3, status)
    assert refused.value.message == text


def test_one_label_per_status_everywhere() -> None:
    labels = [s.label for s in DeedStatus]
    assert len(set(labels)) == len(labels)
    assert DeedStatus.label_of("resolved") == "已办好待确认" and DeedStatus.label_of("bogus") == "bogus"
    assert lifecycle.status_label("incident", "open") != lifecycle.status_label("deed", "submitted")


def test_card_keys_pack_and_unpack() -> None:
    key = DeedCard("accept", 12).pack()
    assert key == "deed:accept:12"
    assert DeedCard.unpack(key) == DeedCard("accept", 12)
    assert DeedCard.unpack("deed:accept:x") is None  # a stale or forged key
    assert DeedCard.unpack("deed:accept:²") is None and DeedCard.unpack("deed:accept:١٢") is None  # isdigit() says yes
    assert DeedCard.unpack("deed:accept") is None
    assert DeedCard.unpack("care:accept:12") is None
    with pytest.raises(ValueError):
        DeedCard("a:b", 1).pack()
    with pytest.raises(ValueError):
        class Clash(CardKey, prefix="deed"):  # noqa: F841 - a prefix is one domain's
            n: int
