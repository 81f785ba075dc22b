"""The 精英培养 router. Its routes are registered by the modules ``handlers/talent/__init__.py``
imports, in order of precedence: slash commands (profiles, trainings and lecturers, reserve talent),
then free statements (a skill, a certificate, a wish, a recommendation).

Signing up for a training ("报名 培训N", the card's button, rosters, /签到) is the gatherings
domain's (``handlers.gatherings``), shared with 精益班组's activities.
"""

from bot.dispatcher import Router

router = Router("talent")
