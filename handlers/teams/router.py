"""The 精益班组 router: team ranking (/排名), a team's record (/班组), activities (/活动).

Only exact command shapes are taken here. Signing up for activities ("报名 活动N", the card's button,
rosters, /签到) is the gatherings domain's (``handlers.gatherings``), shared with trainings. The
score's formula lives in ``storage/teams/``.
"""

from bot.dispatcher import Router

router = Router("teams")
