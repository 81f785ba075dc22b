"""The vocabulary and lifecycle of a questionnaire (征求意见), in one place.

::

    survey:     draft (questions being added) --publish--> open --close--> closed
    recipient:  pending --start--> answering --answer (the last question)--> done

Questions are added and removed only on a draft; people start and answer only while it is open, and
a recipient who is done cannot answer again. Every status and kind has one Chinese label, here, read by
chat, digest, API and Excel alike. ``check`` and ``check_recipient`` are the only places an action is
allowed or refused (``storage.surveys.actions`` calls them under a row lock).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from storage.vocab import Labeled, Transitions

if TYPE_CHECKING:
    from storage.surveys.models import Survey, SurveyRecipient


class SurveyStatus(Labeled):
    DRAFT = "draft", "草稿"
    OPEN = "open", "征求中"
    CLOSED = "closed", "已结束"


class RecipientStatus(Labeled):
    """How far one person asked got (``SurveyRecipient.position`` counts the questions answered)."""

    PENDING = "pending", "未开始"
    ANSWERING = "answering", "作答中"
    DONE = "done", "已答完"


class QuestionKind(Labeled):
    SINGLE = "single", "单选"
    MULTI = "multi", "多选"
    TEXT = "text", "问答"


class AudienceRole(Labeled):
    """``角色=党员`` when publishing: who counts as that role."""

    MEMBER = "member", "党员"
    SECRETARY = "secretary", "书记"
    EMPLOYEE = "employee", "员工"

    @property
    def roster_roles(self) -> tuple[str, ...]:
        """The roster roles it reaches: 党员 includes the secretary, who is a party member too."""
        return ("member", "secretary") if self is AudienceRole.MEMBER else (self.value,)


class Action(Labeled):
    """What can be done to a survey (and, for START and ANSWER, by a recipient)."""

    EDIT = "edit", "编辑题目"
    PUBLISH = "publish", "发布"
    CLOSE = "close", "结束征求"
    START = "start", "开始作答"
    ANSWER = "answer", "作答"


S = SurveyStatus
R = RecipientStatus
A = Action

# action -> (survey statuses it may start from, the status it leads to; None: unchanged), and why not
# (fields: label, n).
LIFECYCLE: Transitions[SurveyStatus] = Transitions(SurveyStatus, {
    A.EDIT: ((S.DRAFT,), None),
    A.PUBLISH: ((S.DRAFT,), S.OPEN),
    A.CLOSE: ((S.OPEN,), S.CLOSED),
    A.START: ((S.OPEN,), None),
    A.ANSWER: ((S.OPEN,), None),
}, refusals={
    (A.EDIT, S.OPEN): "问卷 {label} 已经发布，不能再改题目。",
    (A.EDIT, S.CLOSED): "问卷 {label} 已经发布，不能再改题目。",
    (A.PUBLISH, S.OPEN): "问卷 {label} 已经发布了，正在征求意见，不能重复发布。",
    (A.PUBLISH, S.CLOSED): "问卷 {label} 已经结束，不能再发布。",
    (A.CLOSE, S.DRAFT): "问卷 {label} 还没有发布，不用关闭。",
    (A.CLOSE, S.CLOSED): "问卷 {label} 已经关闭了。",
    (A.START, S.DRAFT): "没有编号 #{n} 的问卷。",
    (A.START, S.CLOSED): "问卷{label}已经结束，不再接收答案。谢谢关注！",
    (A.ANSWER, S.DRAFT): "问卷{label}还没有发布。您的这条回复没有记录。",
    (A.ANSWER, S.CLOSED): "问卷{label}已经结束，不再接收答案。您的这条回复没有记录，谢谢关注！",
})
# a recipient's action (an answer to the last question leads to ``done`` instead, see ``answered``)
RECIPIENTS: Transitions[RecipientStatus] = Transitions(RecipientStatus, {
    A.START: ((R.PENDING, R.ANSWERING), R.ANSWERING),
    A.ANSWER: ((R.PENDING, R.ANSWERING), R.ANSWERING),
}, refusals={
    (A.START, R.DONE): "您已经答完问卷{label}了，答案已提交，不能重复作答。谢谢！",
    (A.ANSWER, R.DONE): "您已经答完问卷{label}了，答案已提交，不能修改。谢谢！",
})
TRANSITIONS, RECIPIENT_TRANSITIONS = LIFECYCLE.table, RECIPIENTS.table


def label(survey: Survey) -> str:
    """``#3《食堂意见征求》`` — how a survey is named everywhere."""
    return f"#{survey.number}《{survey.title}》"


def audience_label(audience: str) -> str:
    """``all`` -> ``全体``, ``team:运行一班`` -> ``班组“运行一班”``, ``role:member`` -> ``党员``."""
    if audience.startswith("team:"):
        return f"班组“{audience[5:]}”"
    if audience.startswith("role:"):
        return AudienceRole.label_of(audience[5:])
    return "全体"


def can(action: Action, current: str) -> bool:
    return LIFECYCLE.can(action, current)


def check(action: Action, survey: Survey) -> SurveyStatus:
    """The survey's status after ``action``, or :class:`Refused` with the Chinese reason."""
    return LIFECYCLE.check(action, survey.status, label=label(survey), n=survey.number)


def check_recipient(action: Action, survey: Survey, rec: SurveyRecipient) -> RecipientStatus:
    """The recipient's status after ``action`` (the survey checked first), or :class:`Refused`."""
    check(action, survey)
    return RECIPIENTS.check(action, rec.status, label=label(survey))


def answered(position: int, total: int) -> RecipientStatus:
    """A recipient's status once they answered question ``position`` of ``total``."""
    return R.DONE if position >= total else R.ANSWERING
