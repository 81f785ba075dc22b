"""The roster (名册): who is who, their role, team, 责任区 and phone.

``from storage import people`` gives the public surface below: ``people.get``, ``people.find``,
``people.by_role`` … and the vocabulary (``Role`` with its one Chinese label).
"""

from storage.people.lifecycle import PHONE, ROLE_WORDS, ROLES, STAFF, Role, role_of, valid_phone
from storage.people import branches
from storage.people.models import Branch, Person
from storage.people.repo import RosterEntry, all_people, by_id, by_role, find, get, grid_leaders, name_of, named
from storage.people.repo import names, staff, team_members, teams, upsert, userids, version, zone
from storage.people.repo import leaders_by_team, retiring, roles, zones
from storage.people.repo import entry
from storage.people.version import changed_since
from storage.people.version import remember as remember_version

__all__ = [
    "PHONE", "ROLES", "ROLE_WORDS", "STAFF", "Branch", "Person", "Role", "RosterEntry", "all_people", "branches",
    "by_id", "by_role", "changed_since", "entry", "remember_version", "find", "get", "grid_leaders", "name_of", "named", "names", "role_of", "staff",
    "team_members", "teams", "upsert",
    "userids", "valid_phone", "version", "zone", "leaders_by_team", "retiring", "roles", "zones",
]
