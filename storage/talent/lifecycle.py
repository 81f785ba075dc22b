"""The vocabulary and lifecycle of 精英培养: reserve talent (后备人才), review aspects, profile fields.

Reserve talent::

    recommended (支部推荐) --review--> reviewing (骨干考察中) --approve--> approved (已认定)
         |                                  |
         +----------approve / reject--------+--reject--> rejected (未通过)

A member's review note moves a recommended candidate to ``reviewing``; the secretary's decision
(综合认定) ends the candidacy. ``LIFECYCLE`` says which action may start from which status;
``check`` is the only place an action is allowed or refused (``storage.talent.reserve`` calls it
under a row lock).
"""

from __future__ import annotations

from storage.vocab import Labeled, Transitions


class ReserveStatus(Labeled):
    RECOMMENDED = "recommended", "支部推荐"
    REVIEWING = "reviewing", "骨干考察中"
    APPROVED = "approved", "已认定"
    REJECTED = "rejected", "未通过"


class ReviewAspect(Labeled):
    WORK = "work", "工作表现"
    CONDUCT = "conduct", "品行"
    COLLEAGUES = "colleagues", "群众评价"
    OTHER = "other", "其他"

    @classmethod
    def read(cls, word: str) -> ReviewAspect | None:
        """From the value, the label or a usual short word (``工作``, ``作风``, ``群众``…)."""
        return ASPECT_WORDS.get(word.strip()) or cls.parse(word)


ASPECT_WORDS: dict[str, ReviewAspect] = {
    "工作": ReviewAspect.WORK, "业绩": ReviewAspect.WORK, "作风": ReviewAspect.CONDUCT,
    "群众": ReviewAspect.COLLEAGUES, "评价": ReviewAspect.COLLEAGUES,
}


class ProfileField(Labeled):
    SKILLS = "skills", "技能"
    CERTIFICATES = "certificates", "证书"
    WISHES = "wishes", "意愿"


class ReserveAction(Labeled):
    REVIEW = "review", "考察"
    APPROVE = "approve", "认定通过"
    REJECT = "reject", "认定不通过"


R = ReserveStatus
OPEN_STATUSES: tuple[ReserveStatus, ...] = (R.RECOMMENDED, R.REVIEWING)
DECIDED: tuple[ReserveStatus, ...] = (R.APPROVED, R.REJECTED)

# action -> (statuses it may start from, the status it leads to), and why not:
# "{name}" is the candidate's name, "{status}" the status label.
LIFECYCLE: Transitions[ReserveStatus] = Transitions(ReserveStatus, {
    ReserveAction.REVIEW: (OPEN_STATUSES, R.REVIEWING),
    ReserveAction.APPROVE: (OPEN_STATUSES, R.APPROVED),
    ReserveAction.REJECT: (OPEN_STATUSES, R.REJECTED),
}, refusals={
    ReserveAction.REVIEW: "{name}的后备人才认定已完成（{status}），不能再补充考察意见。",
    ReserveAction.APPROVE: "{name}已经认定过了（{status}）。",
    ReserveAction.REJECT: "{name}已经认定过了（{status}）。",
})
TRANSITIONS = LIFECYCLE.table


def can(action: ReserveAction, current: str) -> bool:
    return LIFECYCLE.can(action, current)


def check(action: ReserveAction, current: str, name: str = "") -> ReserveStatus:
    """The status ``action`` leads to, or :class:`Refused` with the Chinese reason."""
    return LIFECYCLE.check(action, current, name=name or "该同志")
