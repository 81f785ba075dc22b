"""The committee view (党委): every branch's figures, one branch in detail, 支部争先 (the quarterly ranking).

``from storage import committee`` gives the public surface below. Nothing here writes: the committee
reads every branch (sessions with the scope lifted, ``storage.scope.every_branch``) and writes only
audit lines, which the callers add. The figures are SQL aggregates grouped by branch
(``figures``); the formula is in ``docs/BRANCH_SCORE.md``.
"""

from storage.committee import figures
from storage.committee.detail import MEMBERS_SHOWN, OVERDUE_SHOWN, BranchDetail, OverdueDeed, detail, officers
from storage.committee.figures import COVERAGE_DAYS, Part
from storage.committee.lifecycle import ACTIVITY, COMPONENTS, BranchComponent, Order
from storage.committee.overview import TOTAL_CODE, BranchFigures, Overview, overview, quarter
from storage.committee.quarters import (
    next_quarter,
    previous_quarter,
    quarter_arg,
    quarter_bounds,
    quarter_label,
    quarter_start,
)
from storage.committee.score import DEFAULT_WEIGHTS, MIN_ACTIVITY, BranchWeightsError, rank, score
from storage.committee.score import weights

__all__ = [
    "ACTIVITY", "COMPONENTS", "COVERAGE_DAYS", "DEFAULT_WEIGHTS", "MEMBERS_SHOWN", "MIN_ACTIVITY",
    "OVERDUE_SHOWN", "TOTAL_CODE", "BranchComponent", "BranchDetail", "BranchFigures", "BranchWeightsError", "Order",
    "OverdueDeed", "Overview", "Part", "detail", "figures", "next_quarter", "officers", "overview",
    "previous_quarter", "quarter", "quarter_arg", "quarter_bounds", "quarter_label", "quarter_start", "rank",
    "score", "weights",
]
