"""Placing directory members by the mapping, planning what changes, and applying it in batches.

The full sync (``handlers.people.directory``) and the ``change_contact`` worker
(``handlers.people.contacts``) share this: the same member gives the same roster entry whichever
way it arrives, and a plan of a roster that already agrees is empty (nothing is written).

Applying: branches first, then new people, then the changed ones, then the moves and the retired,
each batch in its own short transaction (the webhook keeps storing callbacks meanwhile; a crash
half-way is repaired by the next run, which plans only what is still different). Someone who leaves
a branch hands their open work there to its secretary (``storage.people.handover``), who is told
through the outbox in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.replies import Text
from bot.wecom.client import DirectoryUser
from handlers.people import messages as msg
from handlers.people.mapping import IGNORED, Placement, Resolver
from storage import outbox
from storage.db import Database
from storage.people import branches as branch_store
from storage.people import directory as store
from storage.people.directory import Placed, Synced
from storage.people.handover import Handover, hand_over, secretary_of
from storage.people.lifecycle import Role
from storage.people.repo import BATCH

LEAVERS_PER_TRANSACTION = 100


@dataclass(frozen=True)
class Target:
    """Where the directory puts one member."""

    userid: str
    name: str
    code: str
    branch_name: str
    team: str
    department: int


@dataclass
class Plan:
    create: list[Target] = field(default_factory=list)
    update: list[tuple[Synced, Target]] = field(default_factory=list)  # same branch, something differs
    move: list[tuple[Synced, Target]] = field(default_factory=list)  # to another branch
    retire: list[Synced] = field(default_factory=list)
    branches: dict[str, str] = field(default_factory=dict)  # code -> name, every branch a target is in
    new_branches: list[str] = field(default_factory=list)
    renamed_branches: list[tuple[str, str, str]] = field(default_factory=list)  # code, old name, new name

    @property
    def changed(self) -> bool:
        return bool(self.create or self.update or self.move or self.retire or self.new_branches
                    or self.renamed_branches)


@dataclass
class Applied:
    notices: int = 0
    warnings: list[str] = field(default_factory=list)
    handovers: list[tuple[str, Handover]] = field(default_factory=list)  # (name, what went)


def departments_of(user: DirectoryUser) -> list[int]:
    """The main department first, then the others."""
    return [d for d in dict.fromkeys((user.main_department, *user.departments)) if d]


def placement_of(user: DirectoryUser, resolver: Resolver, names: Mapping[int, str]) -> tuple[Placement | None, int, bool]:
    """``(placement, department, ignored)``: the first mapped of the member's departments (main first);
    a main department marked not-to-import keeps them out. Unplaced: the department they count under."""
    order = departments_of(user)
    if not order:
        return None, 0, False
    if resolver.spec(order[0]) is IGNORED:
        return None, order[0], True
    for d in order:
        placement = resolver.place(d, names)
        if placement is not None:
            return placement, d, False
    return None, order[0], False


def target_of(user: DirectoryUser, placement: Placement, department: int) -> Target:
    name = (user.name or user.userid)[:64]
    return Target(user.userid, name, placement.code, placement.branch_name, placement.team[:64], department)


def make_plan(targets: Iterable[Target], known: Mapping[str, Synced], branch_names: Mapping[int, tuple[str, str]],
              gone: Iterable[Synced] = ()) -> Plan:
    """What to change so the roster agrees with ``targets``; ``gone``: entries to retire.

    ``branch_names``: branch id -> (code, name) of the branches there are.
    """
    plan = Plan()
    existing = dict(branch_names.values())
    for t in targets:
        plan.branches.setdefault(t.code, t.branch_name)
        before = known.get(t.userid)
        if before is None:
            plan.create.append(t)
        elif branch_names.get(before.branch_id, ("", ""))[0] != t.code:
            plan.move.append((before, t))
        elif not before.active or (before.name, before.team, before.department) != (t.name, t.team, t.department):
            plan.update.append((before, t))
    for code, name in sorted(plan.branches.items()):
        if code not in existing:
            plan.new_branches.append(code)
        elif existing[code] != name:
            plan.renamed_branches.append((code, existing[code], name))
    plan.retire = [s for s in gone if s.active]
    return plan


async def apply(db: Database, plan: Plan, now: datetime) -> Applied:
    """Write ``plan`` (see the module's docstring); returns the notices sent and what was handed over."""
    done = Applied()
    async with db.sessions() as session, session.begin():
        ids = {code: (await branch_store.ensure(session, code, name, now, rename=True)).id
               for code, name in sorted(plan.branches.items())}
        names = {b.id: b.name for b in await branch_store.all_branches(session)}

    def placed(t: Target) -> Placed:
        return Placed(t.userid, t.name, ids[t.code], t.team, t.department)

    for start in range(0, len(plan.create), BATCH):
        async with db.sessions() as session, session.begin():
            await store.create(session, [placed(t) for t in plan.create[start:start + BATCH]], now)
    for start in range(0, len(plan.update), BATCH):
        chunk = plan.update[start:start + BATCH]
        # a 网格长 who went to another team (not one whose team was renamed) no longer leads it
        leaders = [s.userid for s, t in chunk if s.grid_leader and s.team != t.team and s.department != t.department]
        async with db.sessions() as session, session.begin():
            await store.update_fields(session, [placed(t) for _, t in chunk], now, no_longer_leading=leaders)
    leavers: list[tuple[Synced, Target | None]] = [*plan.move, *((s, None) for s in plan.retire)]
    for start in range(0, len(leavers), LEAVERS_PER_TRANSACTION):
        async with db.sessions() as session, session.begin():
            for before, target in leavers[start:start + LEAVERS_PER_TRANSACTION]:
                if target is not None:
                    await store.move(session, placed(target), now)
                    if before.role == Role.SECRETARY:
                        done.warnings.append(f"{before.name} 原为书记，调到“{names.get(ids[target.code])}”后改为党员，"
                                             "请在名册中确认其角色")
                else:
                    await store.retire(session, before.userid, now)
                moved_to = names.get(ids[target.code]) if target is not None else None
                await _hand_over(session, before, moved_to, now, done)
    return done


async def _hand_over(session: AsyncSession, before: Synced, moved_to: str | None, now: datetime, done: Applied) -> None:
    """The leaver's open work in their old branch to its secretary, who is told."""
    secretary = await secretary_of(session, before.branch_id, besides=before.userid)
    handover = await hand_over(session, before.userid, secretary, now, branch=before.branch_id)
    if not (handover.work or handover.zone):
        return
    done.handovers.append((before.name, handover))
    if secretary is None:
        done.warnings.append(f"{before.name} 原所在支部没有书记，其未办完的工作无人接手，请在名册中指定书记后处理")
        return
    text = msg.handed_over(before.name, handover, moved_to=moved_to)
    await outbox.enqueue(session, secretary, Text(content=text).payload(), now)
    done.notices += 1
