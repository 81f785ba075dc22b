"""Who sees what in the workbench: the chat's rules, in one place.

- employees: their own items (raised or owned), the duty calendar, trainings and activities;
- party members: also the items of the people in their zone, the care entries they are responsible for,
  the visits they made or to people in their zone, their zone's coverage, the projects they work on;
- grid leaders (网格长): also their team's incidents and score;
- the secretary: everything in the branch.

Sensitive care details (category and summary of a sensitive entry, notes of visits linked to one)
only reach the secretary and the responsible member (and a visit note its author); callers audit
every such view. Each page's session is scoped to the viewer's branch (``storage.scope``), so a
page never sees another branch's rows; every rule also checks :func:`in_branch`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import false, or_, select
from sqlalchemy.sql.elements import ColumnElement

from storage.assist import Involvement
from storage.gatherings import Gathering, may_manage
from storage.models import CareEntry, Item, Person, Project, Visit
from storage.people import RosterEntry



@dataclass(frozen=True)
class Viewer:
    userid: str
    name: str
    role: str
    team: str = ""
    grid_leader: bool = False
    branch: int = 0  # the viewer's branch: the page's session is scoped to it (storage.scope)
    branch_name: str = ""  # shown on every page and in the workbooks' title rows

    @property
    def secretary(self) -> bool:
        return self.role == "secretary"

    @property
    def member(self) -> bool:
        """A party member (the secretary is one too)."""
        return self.role in ("member", "secretary")


def viewer_of(person: RosterEntry, branch_name: str = "") -> Viewer:
    return Viewer(person.userid, person.name, person.role, person.team, person.grid_leader, person.branch_id,
                  branch_name)


def in_branch(viewer: Viewer, branch: int | None = None) -> bool:
    """The viewer belongs to ``branch`` (default: their own; the session shows no other branch's rows)."""
    return viewer.branch > 0 and (branch is None or viewer.branch == branch)


# --- pages -----------------------------------------------------------------------


def secretary(viewer: Viewer) -> bool:
    return in_branch(viewer) and viewer.secretary


def member(viewer: Viewer) -> bool:
    return in_branch(viewer) and viewer.member


def anyone(viewer: Viewer) -> bool:
    return in_branch(viewer)


def team_lead(viewer: Viewer) -> bool:
    """The secretary or a grid leader (team scores, incidents)."""
    return in_branch(viewer) and (viewer.secretary or viewer.grid_leader)


def can_view_team(viewer: Viewer, team: str) -> bool:
    return in_branch(viewer) and (viewer.secretary or (viewer.grid_leader and viewer.team == team))


# --- items -----------------------------------------------------------------------


def _zone_of(viewer: Viewer):  # type: ignore[no-untyped-def]
    return select(Person.userid).where(Person.zone_member == viewer.userid).scalar_subquery()


def item_scope(viewer: Viewer) -> ColumnElement[bool] | None:
    """SQL condition for the items ``viewer`` may see (None: all of them)."""
    if not in_branch(viewer):
        return false()
    if viewer.secretary:
        return None
    own = [Item.requester == viewer.userid, Item.owner == viewer.userid]
    if viewer.member:
        own.append(Item.requester.in_(_zone_of(viewer)))
    if viewer.grid_leader:
        own.append((Item.kind == "incident") & (Item.team == viewer.team))
    return or_(*own)


def can_view_item(viewer: Viewer, item: Item, requester_zone_member: str | None) -> bool:
    if not in_branch(viewer):
        return False
    if viewer.secretary or viewer.userid in (item.requester, item.owner):
        return True
    if viewer.member and requester_zone_member == viewer.userid:
        return True
    return viewer.grid_leader and item.kind == "incident" and item.team == viewer.team


def can_act_on_item(viewer: Viewer, item: Item) -> bool:
    """Assign and close by hand: the secretary, on deeds (as ``/指派`` and ``/关闭``)."""
    return secretary(viewer) and item.kind == "deed"


# --- care ------------------------------------------------------------------------


def care_scope(viewer: Viewer) -> ColumnElement[bool] | None:
    """The ledger entries ``viewer`` may list: all (secretary) or those they are responsible for."""
    if not member(viewer):
        return false()
    return None if viewer.secretary else CareEntry.responsible == viewer.userid


def sees_care_detail(viewer: Viewer, entry: CareEntry) -> bool:
    """Category and summary of an entry: sensitive ones only to the secretary and the responsible member."""
    return in_branch(viewer) and (not entry.sensitive or viewer.secretary or entry.responsible == viewer.userid)


def visit_scope(viewer: Viewer) -> ColumnElement[bool] | None:
    if not member(viewer):
        return false()
    if viewer.secretary:
        return None
    return or_(Visit.member == viewer.userid, Visit.person.in_(_zone_of(viewer)))


def sees_visit_note(viewer: Viewer, visit: Visit, entry: CareEntry | None) -> bool:
    """A visit's note: a note on a sensitive entry only to the secretary, the responsible member, its author."""
    if not in_branch(viewer):
        return False
    if entry is None or not entry.sensitive or viewer.secretary or viewer.userid == visit.member:
        return True
    return entry.responsible == viewer.userid


def can_view_person(viewer: Viewer, person: Person, responsible: set[str]) -> bool:
    """A person's care timeline: the secretary, their zone member, a member responsible for one of their entries."""
    if not member(viewer):
        return False
    return viewer.secretary or person.zone_member == viewer.userid or viewer.userid in responsible


def can_view_zone(viewer: Viewer, zone_member: str) -> bool:
    return member(viewer) and (viewer.secretary or viewer.userid == zone_member)


# --- projects, gatherings ------------------------------------------------------------


def project_scope(viewer: Viewer) -> ColumnElement[bool] | None:
    if not member(viewer):
        return false()
    if viewer.secretary:
        return None
    return or_(Project.lead == viewer.userid, Project.members.contains(f'"{viewer.userid}"', autoescape=True))


def can_view_project(viewer: Viewer, involvement: Involvement) -> bool:
    """As ``/帮扶 N``: the lead, the responsible members, the people it helps and the secretary
    (``storage.assist.involvement`` says how the viewer stands to the project)."""
    return in_branch(viewer) and involvement.involved


def can_view_roll(viewer: Viewer, g: Gathering) -> bool:
    """Who signed up and who came: party members and the organisers (``storage.gatherings.may_manage``),
    as ``/培训 N 名单``."""
    return in_branch(viewer) and (viewer.member or may_manage(g, viewer.userid, secretary=viewer.secretary))
