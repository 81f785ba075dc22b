"""Tunable schedule settings (intervals, thresholds, quiet hours)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from typing import TYPE_CHECKING

from schedules.quiet import QuietHours

if TYPE_CHECKING:
    from bot.config import Settings


@dataclass(frozen=True)
class ScheduleConfig:
    quiet: QuietHours = field(default_factory=QuietHours)
    morning: time = time(8, 10)  # member morning lists and digests go after this
    jitter_s: int = 600  # nudges of one batch spread over this many seconds
    coalesce_window_s: int = 600  # what comes due within this long after a person's last push waits to merge
    daily_pushes: int = 6  # messages a person gets from the sweeps a day, urgent ones and incidents aside
    overdue_repeat_days: int = 2  # repeat an overdue follow-up reminder every N working days
    escalate_after_days: int = 3  # tell the secretary after N working days overdue
    response_limit_days: int = 1  # first response expected within N working days
    confirm_remind_days: int = 2  # remind the requester to confirm after N working days
    confirm_escalate_days: int = 5  # tell owner and secretary after N working days
    stale_contact_days: int = 30  # people in a zone not contacted for N days
    retirement_notice_days: int = 14  # visit task this many days before a retirement date
    team_weights: Mapping[str, float] | None = None  # team score weights (settings.team_weights)
    branch_weights: str | None = None  # 支部争先 weights, JSON (settings.branch_weights; parsed where used)
    link: str | None = None  # "more" link in digests (settings.public_url)


def from_settings(settings: Settings) -> ScheduleConfig:
    """The schedule configuration a deployment's settings imply."""
    from storage.teams import weights

    link = f"{settings.public_url}api/items?overdue=true" if settings.public_url else None
    return ScheduleConfig(team_weights=weights(settings.team_weights), link=link,
                          branch_weights=settings.branch_weights)
