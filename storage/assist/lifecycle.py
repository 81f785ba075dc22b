"""The vocabulary and lifecycle of an assistance project (精准帮扶), in one place.

::

    active --(the lead's assessment: met | partly | not_met)--> closed

Milestones go ``open -> done``. Progress and milestones are recorded only while a project is active;
feedback from the people it is for is taken in either status. Every status, kind and result has one
Chinese label, here, read by chat, digest, API and Excel alike. ``check`` and ``check_milestone`` are
the only places an action is allowed or refused (``storage.assist.actions`` calls them under a row lock).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from storage.vocab import Labeled, Transitions

if TYPE_CHECKING:
    from storage.assist.models import Milestone, Project


class ProjectStatus(Labeled):
    ACTIVE = "active", "进行中"
    CLOSED = "closed", "已结项"


class Assessment(Labeled):
    """The lead's final judgement, which closes the project."""

    MET = "met", "达成"
    PARTLY = "partly", "部分达成"
    NOT_MET = "not_met", "未达成"


class TargetType(Labeled):
    """Whom a project is for: a team, a person, or the requester of an item (#N)."""

    TEAM = "team", "班组"
    PERSON = "person", "个人"
    ITEM = "item", "事项"


class UpdateKind(Labeled):
    """What a ``ProjectUpdate`` records."""

    CREATED = "created", "立项"
    PROGRESS = "progress", "进展"
    FEEDBACK = "feedback", "意见反馈"
    MILESTONE = "milestone", "里程碑完成"
    ASSESSMENT = "assessment", "成效评估"


class MilestoneStatus(Labeled):
    OPEN = "open", "未完成"
    DONE = "done", "已完成"


class Action(Labeled):
    """What can be done to a project; each has the statuses it starts from (``LIFECYCLE``)."""

    PROGRESS = "progress", "记录进展"
    COMPLETE = "complete", "完成里程碑"
    FEEDBACK = "feedback", "提出意见"
    ASSESS = "assess", "评估结项"


P = ProjectStatus
A = Action

# action -> (statuses it may start from, the status it leads to; None: unchanged), and why not
# (fields: label, n, assessment).
LIFECYCLE: Transitions[ProjectStatus] = Transitions(ProjectStatus, {
    A.PROGRESS: ((P.ACTIVE,), None),
    A.COMPLETE: ((P.ACTIVE,), None),
    A.FEEDBACK: ((P.ACTIVE, P.CLOSED), None),
    A.ASSESS: ((P.ACTIVE,), P.CLOSED),
}, refusals={
    (A.PROGRESS, P.CLOSED): "{label}已经结项，不再记录进展。发“/帮扶 {n}”可查看全部经过。",
    (A.COMPLETE, P.CLOSED): "{label}已经结项，不再记录进展。发“/帮扶 {n}”可查看全部经过。",
    (A.ASSESS, P.CLOSED): "帮扶{n}号已经结项（评估：{assessment}）。",
})
# a milestone: completing it starts from open and leads to done
MILESTONES: Transitions[MilestoneStatus] = Transitions(MilestoneStatus, {
    A.COMPLETE: ((MilestoneStatus.OPEN,), MilestoneStatus.DONE),
}, refusals={None: "{label}的里程碑{position}「{title}」已经完成过了。"})
TRANSITIONS, MILESTONE_TRANSITIONS = LIFECYCLE.table, MILESTONES.table


def label(project: Project) -> str:
    """``帮扶3号「运行二班班组建设」`` — how a project is named everywhere."""
    return f"帮扶{project.number}号「{project.title}」"


def can(action: Action, current: str) -> bool:
    return LIFECYCLE.can(action, current)


def check(action: Action, project: Project) -> ProjectStatus:
    """The status ``action`` leads to, or :class:`Refused` with the Chinese reason."""
    return LIFECYCLE.check(action, project.status, label=label(project), n=project.number,
                           assessment=Assessment.label_of(project.assessment, "—"))


def check_milestone(project: Project, milestone: Milestone) -> MilestoneStatus:
    """``done``, or :class:`Refused` when the milestone already is."""
    return MILESTONES.check(A.COMPLETE, milestone.status, label=label(project), position=milestone.position,
                            title=milestone.title)
