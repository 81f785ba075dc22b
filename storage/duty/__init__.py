"""The duty domain's storage: the duty rota (``rota``) and incidents (``incidents``, ``lifecycle``).

``from storage import duty`` gives the public surface below. Incidents share the ``#N`` counter
with deeds (``duty.next_number`` is ``storage.deeds.next_number``).
"""

from storage.deeds import next_number
from storage.duty.incidents import KIND, TITLE_CHARS, acknowledge, acknowledged_by, acknowledgements, add_progress
from storage.duty.incidents import acknowledgements_by_branch, incidents_by_branch
from storage.duty.incidents import close, create_incident, get_incident, incidents_in, open_incidents, reported_by
from storage.duty.lifecycle import TRANSITIONS, UNCLOSED, IncidentAction, IncidentStatus, check, check_action
from storage.duty.models import Duty
from storage.duty.rota import DutyEntry, between, on_day, put_on_duty, take_off_duty, upsert, upsert_many

__all__ = [
    "KIND", "TITLE_CHARS", "TRANSITIONS", "UNCLOSED", "Duty", "DutyEntry", "IncidentAction", "IncidentStatus",
    "acknowledge", "acknowledged_by", "acknowledgements", "acknowledgements_by_branch", "incidents_by_branch", "add_progress", "between", "check", "check_action", "close",
    "create_incident", "get_incident", "incidents_in", "next_number", "on_day", "open_incidents", "put_on_duty",
    "reported_by", "take_off_duty", "upsert", "upsert_many",
]
