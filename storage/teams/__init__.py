"""精益班组 storage: teams (grids) from the roster, the monthly team score and ranking, a team's record.

``from storage import teams`` gives the public surface below. Activities are gatherings
(``storage.gatherings``, kind ``activity``).
"""

from storage.teams.components import INCIDENT_ACK_WITHIN, RESPONSE_WORKING_DAYS, Component, attended
from storage.teams.lifecycle import COMPONENTS, ScoreComponent
from storage.teams.months import month_bounds, month_label, month_start, next_month, previous_month
from storage.teams.ranking import EXCELLENT_SCORE, Ranking, TeamScore, combine, ranking
from storage.teams.records import TeamFigures, TeamRecord, figures, people_of, record, team_names, teams
from storage.teams.weights import DEFAULT_WEIGHTS, ENV_WEIGHTS, TeamWeightsError, weights, weights_from_env

__all__ = [
    "COMPONENTS", "DEFAULT_WEIGHTS", "ENV_WEIGHTS", "EXCELLENT_SCORE", "INCIDENT_ACK_WITHIN",
    "RESPONSE_WORKING_DAYS", "Component", "Ranking", "ScoreComponent", "TeamFigures", "TeamRecord", "TeamScore",
    "TeamWeightsError", "attended", "combine", "figures", "month_bounds", "month_label", "month_start",
    "next_month", "people_of", "previous_month", "ranking", "record", "team_names", "teams", "weights",
    "weights_from_env",
]
