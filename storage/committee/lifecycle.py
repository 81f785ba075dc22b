"""The vocabulary of the committee view: the parts of 支部争先 (the quarterly branch ranking), one label each.

Branches have no lifecycle of their own; what they are measured by is named here and read by chat
(/支部, /争先), the API and the committee digest alike. See ``docs/BRANCH_SCORE.md``.
"""

from __future__ import annotations

from storage.vocab import Labeled


class BranchComponent(Labeled):
    COVERAGE = "coverage", "责任区覆盖"
    VISITS = "visits", "按时回访"
    SATISFACTION = "satisfaction", "满意办结"
    RESPONSE = "response", "及时响应"
    INCIDENTS = "incidents", "事件处置"
    PARTICIPATION = "participation", "活动参与"


COMPONENTS: tuple[BranchComponent, ...] = tuple(BranchComponent)
# the parts whose denominators are things that happened in the quarter (the activity a rank needs)
ACTIVITY: tuple[BranchComponent, ...] = (BranchComponent.VISITS, BranchComponent.SATISFACTION,
                                         BranchComponent.RESPONSE, BranchComponent.INCIDENTS)


class Order(Labeled):
    """How /支部 sorts the branches (most in need first)."""

    OVERDUE = "overdue", "逾期事项多的在前，其次责任区覆盖低的在前"
    COVERAGE = "coverage", "责任区覆盖低的在前，其次逾期事项多的在前"
