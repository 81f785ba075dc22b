"""The vocabulary and lifecycle of a gathering (a training 培训 or an activity 活动) and its sign-ups.

::

    open (报名中) --cancel--> cancelled (已取消)
         |
         +------finish----> done (已结束)

While a gathering is open people sign up (within its capacity, before it starts, in its team if it
has one) and withdraw (before it starts); attendance is recorded from its day on, while it is open
or done. ``LIFECYCLE`` says which action may start from which status; ``check`` is the only
place an action is allowed or refused (``storage.gatherings.actions`` calls it under a row lock).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from storage.vocab import Labeled, Transitions

if TYPE_CHECKING:
    from storage.gatherings.models import Gathering


class GatheringKind(Labeled):
    TRAINING = "training", "培训"
    ACTIVITY = "activity", "活动"


class GatheringStatus(Labeled):
    OPEN = "open", "报名中"
    CANCELLED = "cancelled", "已取消"
    DONE = "done", "已结束"


class ActivityCategory(Labeled):
    STUDY_TRIP = "study_trip", "参观学习"
    CONTEST = "contest", "竞赛"
    SPORTS = "sports", "运动会"
    OTHER = "other", "其他"


class SignupStatus(Labeled):
    SIGNED = "signed", "已报名"
    CANCELLED = "cancelled", "已取消报名"


class SignupOutcome(Labeled):
    """What happened to a sign-up; the label is the gist, ``message(g)`` the whole answer."""

    OK = "ok", "报名成功"
    FULL = "full", "名额已满"
    ALREADY = "already", "不用重复报名"
    PAST = "past", "已经开始或结束"
    CANCELLED = "cancelled", "已取消，不能报名"
    NOT_TEAM = "not_team", "不在该班组"
    LECTURER = "lecturer", "您是讲师，不用报名"

    def message(self, g: Gathering) -> str:
        what = f"{label_of(g)}「{g.title}」"
        return {
            SignupOutcome.OK: f"已为您报名{what}。",
            SignupOutcome.FULL: f"抱歉，{what}{self.label}（共{g.capacity}人），没能为您报名。",
            SignupOutcome.ALREADY: f"您已经报名了{what}，{self.label}。",
            SignupOutcome.PAST: f"{what}{self.label}，不能再报名了。",
            SignupOutcome.CANCELLED: f"{what}{self.label}。",
            SignupOutcome.NOT_TEAM: f"{what}只面向{g.team}，您{self.label}，不能报名。",
            SignupOutcome.LECTURER: f"{what}由您授课，{self.label}。",
        }[self]


class Action(Labeled):
    """What can be done to a gathering; each has the statuses it starts from (``LIFECYCLE``)."""

    CANCEL = "cancel", "取消"
    FINISH = "finish", "结束"
    SIGN_UP = "sign_up", "报名"
    WITHDRAW = "withdraw", "取消报名"
    ATTEND = "attend", "登记到场"


S = GatheringStatus
A = Action

# action -> (statuses it may start from, the status it leads to; None: unchanged), and why not:
# "{g}" is 培训3 / 活动3, "{status}" the status label.
LIFECYCLE: Transitions[GatheringStatus] = Transitions(GatheringStatus, {
    A.CANCEL: ((S.OPEN,), S.CANCELLED),
    A.FINISH: ((S.OPEN,), S.DONE),
    A.SIGN_UP: ((S.OPEN,), None),
    A.WITHDRAW: ((S.OPEN, S.CANCELLED), None),
    A.ATTEND: ((S.OPEN, S.DONE), None),
}, refusals={
    A.CANCEL: "{g}{status}，不能取消。",
    A.FINISH: "{g}{status}，不能再结束。",
    A.SIGN_UP: "{g}{status}，不能报名。",
    A.WITHDRAW: "{g}{status}，不用取消报名了。",
    A.ATTEND: "{g}{status}，不能登记到场。",
})
TRANSITIONS = LIFECYCLE.table


def label_of(g: Gathering) -> str:
    """``培训3`` / ``活动3``."""
    return f"{GatheringKind.label_of(g.kind)}{g.number}"


def can(action: Action, current: str) -> bool:
    return LIFECYCLE.can(action, current)


def check(action: Action, g: Gathering) -> GatheringStatus:
    """The status ``action`` leads to, or :class:`Refused` with the Chinese reason."""
    return LIFECYCLE.check(action, g.status, g=label_of(g))


# The button of a sign-up card: ``talent:signup:3`` (a training), ``teams:signup:3`` (an activity).
# ``handlers.gatherings.states`` declares the same keys as CardKey classes with these prefixes.
CARD_PREFIX: dict[GatheringKind, str] = {GatheringKind.TRAINING: "talent", GatheringKind.ACTIVITY: "teams"}
SIGNUP = "signup"


def signup_key(g: Gathering) -> str:
    """The packed key of ``g``'s 报名 button."""
    return f"{CARD_PREFIX[GatheringKind(g.kind)]}:{SIGNUP}:{g.number}"
