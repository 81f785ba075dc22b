"""The vocabulary of 精益班组: the five parts of the monthly team score, each with its one label.

Teams have no status lifecycle of their own (a team is a roster ``Person.team``); what they are
measured by is named here, read by chat (/排名, /班组), the API, the export and the digest alike.
"""

from __future__ import annotations

from storage.vocab import Labeled


class ScoreComponent(Labeled):
    VISITS = "visits", "按时回访"
    SATISFACTION = "satisfaction", "满意办结"
    RESPONSE = "response", "及时响应"
    INCIDENTS = "incidents", "事件处置"
    PARTICIPATION = "participation", "活动参与"


COMPONENTS: tuple[ScoreComponent, ...] = tuple(ScoreComponent)
