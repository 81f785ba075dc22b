"""What a sweep gets: the ledger as of an instant, and a way to send a nudge at most once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import cached_property
from sys import intern
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.replies import TEXT_LIMIT, Reply, TemplateCard, Text, clip_bytes
from schedules.config import ScheduleConfig
from schedules.pushes import ALONE, Due
from schedules.quiet import spread
from storage import outbox
from storage import people as roster
from storage.people import bulk as people_bulk
from storage.models import Nudge
from storage.scope import branch_range, every_branch
from storage.workdays import working_days_between

T = TypeVar("T")

WINDOW = 50  # branches read at once by RunReads (500 branches: 10 reads of each kind)
Bulk = Callable[[AsyncSession], Awaitable[Mapping[int, T]]]  # a read of every branch at once, per branch


class RunReads:
    """What the branches' sweeps read, read once per run of them for ``window`` branches at a time (one query
    per kind of read and window, not one per branch), then handed out branch by branch
    (:meth:`SweepContext.across`).

    A read is made in the session of the first branch that asks, its scope lifted for that one read (same
    connection and transaction: no second connection, which SQLite's ``BEGIN IMMEDIATE`` would make wait).
    Each branch takes its part once (then it is in its ``shared``) and the part is let go: the memory of a
    read over 100,000 people is given back branch by branch. A read that fails fails the sweeps that need it,
    in every branch, without being tried again in this run (the next run retries it)."""

    def __init__(self, branches: Sequence[int], window: int = WINDOW) -> None:
        ids = sorted(branches)
        # branch -> (first, last) of its window: WINDOW branches' worth read at a time (memory stays bounded)
        self._window = {b: (ids[i], ids[min(i + window, len(ids)) - 1]) for i in range(0, len(ids), window)
                        for b in ids[i:i + window]}
        self._got: dict[tuple[str, int], dict[int, object] | BaseException] = {}

    async def part(self, name: str, session: AsyncSession, branch: int, load: Bulk[T], empty: T) -> T:
        window = self._window.get(branch)
        if window is None:  # not one of the run's branches: its own read
            with every_branch(session):
                got = dict(await load(session))
            return got.get(branch, empty)  # type: ignore[return-value]
        at = (name, window[0])
        got = self._got.get(at)
        if got is None:
            try:
                with branch_range(session, *window):
                    got = dict(await load(session))
                _detach(session, got)  # read in one branch's transaction, kept for the others: not expired with it
            except Exception as exc:  # noqa: BLE001 - kept: every branch's sweep that needs it fails alike
                got = exc
            self._got[at] = got
        if isinstance(got, BaseException):
            raise RuntimeError(f"the sweeps' read {name!r} failed") from got
        return got.pop(branch, empty)  # type: ignore[return-value]


def lateness(due: date, today: date, repeat_days: int) -> tuple[int, int] | None:
    """(working days late, which repeat period that is) once ``due`` is a working day or more behind.

    Overdue reminders repeat every ``repeat_days`` working days: one nudge key per period.
    """
    late = working_days_between(due, today) if due < today else 0
    return (late, (late - 1) // max(1, repeat_days)) if late >= 1 else None


def warn(n: int) -> str:
    """A count that needs attention, highlighted in WeCom markdown — zeros stay plain."""
    return f'<font color="warning">{n}</font>' if n else "0"


def pct(x: float | None) -> str:
    """A ratio as a whole percentage for digests and lists; "—" when there is none."""
    return "—" if x is None else f"{x:.0%}"


Sent = Due  # one nudge a sweep sent (or, dry, would send): its key, recipient, kind, text and not_before


def _detach(session: AsyncSession, value: object) -> None:
    """Take the ORM rows in ``value`` (dicts and lists of them) out of ``session``, with what they loaded."""
    if hasattr(value, "_sa_instance_state"):
        session.expunge(value)
    elif isinstance(value, dict):
        if value and isinstance(next(iter(value.values())), (str, int, tuple)):
            return  # plain values (a bulk read's are all of one type): nothing to take out, 100,000 of them
        for v in value.values():
            _detach(session, v)
    elif isinstance(value, list) and value:
        if hasattr(value[0], "_sa_instance_state"):
            for row in value:
                session.expunge(row)
        elif isinstance(value[0], (dict, list)):
            for v in value:
                _detach(session, v)


@dataclass
class SweepContext:
    session: AsyncSession
    now: datetime  # aware, local time zone
    config: ScheduleConfig
    dry_run: bool = False
    branch: int | None = 1  # the branch this sweep looks at (the session is scoped to it); None: every branch
    sent: list[Sent] = field(default_factory=list)
    # set by the runner: what is due is collected here and sent merged per person after every sweep ran
    # (schedules.pushes); None: each nudge is queued at once, as it is (a sweep run on its own)
    due: dict[str, Due] | None = None
    # what a branch's sweeps all read, read once per run of them (the runner gives them one dict; see
    # :meth:`once`): only what no sweep writes (the roster, the open items), never the ledgers they add to
    shared: dict[str, object] = field(default_factory=dict, repr=False)
    _keys: set[str] = field(default_factory=set, repr=False)  # the keys of ``sent``: a repeat is found in O(1)
    # set by the runner: the reads of every branch at once (:meth:`across`); None: this branch's own reads
    run: RunReads | None = field(default=None, repr=False)

    @property
    def today(self) -> date:
        return self.now.date()

    @cached_property
    def quiet(self) -> bool:  # ``now`` and ``config`` are fixed for a sweep: asked once per nudge, worked out once
        return self.config.quiet.is_quiet(self.now)

    @cached_property
    def _scope(self) -> str:
        """The prefix of the ledger keys: numbers are per branch, so are the keys of what was sent (a
        deployment-wide sweep's are "all:")."""
        return f"b{self.branch}:" if self.branch is not None else "all:"

    async def once(self, name: str, load: Callable[[], Awaitable[T]]) -> T:
        """``load()``, read once for every sweep of this branch in this run (``shared``), then remembered.

        Only for what the sweeps do not write (a sweep that adds visit tasks must not be given the tasks
        read before it ran)."""
        if name not in self.shared:
            self.shared[name] = await load()
        return self.shared[name]  # type: ignore[return-value]

    async def across(self, name: str, every: Bulk[T], one: Callable[[], Awaitable[T]], empty: T) -> T:
        """This branch's part of ``every(session)`` (read once per run for every branch, ``RunReads``), or,
        for a sweep run on its own (no ``run``), ``one()``: the same read of what the session sees. Then
        remembered for this branch's sweeps, like :meth:`once` (so: only for what no sweep writes).

        ``every`` must give, per branch, exactly what ``one`` gives in a session scoped to that branch."""
        if name not in self.shared:
            if self.run is not None and self.branch is not None:
                self.shared[name] = await self.run.part(name, self.session, self.branch, every, empty)
            else:
                self.shared[name] = await one()
        return self.shared[name]  # type: ignore[return-value]

    async def names(self, userids: set[str | None]) -> Mapping[str, str]:
        """userid -> name of (at least) ``userids`` who are in the branch's roster."""
        if self.run is None or self.branch is None:
            return await roster.names(self.session, userids)
        return await self.across("names", people_bulk.names_by_branch, lambda: roster.names(self.session), {})

    async def by_role(self, role: str) -> list[roster.RosterEntry]:
        """The branch's active people with ``role``, by userid: read once per branch and run."""
        return list(await self.across(f"role:{role}", lambda s: people_bulk.by_role_by_branch(s, role),
                                      lambda: roster.by_role(self.session, role), []))

    async def secretary_entries(self) -> list[roster.RosterEntry]:
        """The branch's (active) secretaries, by userid: read once per branch and run."""
        return await self.by_role("secretary")

    async def secretaries(self) -> list[str]:
        """The userids of :meth:`secretary_entries`."""
        return [p.userid for p in await self.secretary_entries()]

    async def nudge(self, key: str, recipient: str, reply: Reply, *, kind: str, urgent: bool = False,
                    covers: tuple[str, ...] = ()) -> bool:
        """Send ``reply`` to ``recipient`` unless ``key`` was sent before, or it is quiet time.

        In quiet hours only ``urgent`` nudges go; the rest are simply not sent now and
        the first sweep after the quiet period (derived from the ledger) sends them. ``covers``: keys of
        earlier stages of the same reminder this one makes moot (recorded as sent, never sent after it).
        """
        if self.quiet and not urgent:
            return False
        key = key[:240]
        scope = self._scope
        stored, moot = scope + key, tuple(scope + k[:240] for k in covers) if covers else ()
        if self.due is not None:  # the runner merges and sends them (schedules.pushes.deliver)
            # the ledger is read in bulk then; a digest (a sweep may act on the answer) is looked up now
            if stored in self.due or (kind in ALONE and await self._seen(key, stored)):
                return False
            text = _text_of(reply)
            plain = type(reply) is Text and text is reply.content and reply.to is None and not reply.urgent
            # (interned: the recipient's userid was read with each row naming them, 100,000 copies of 5,000 ids)
            self.due[stored] = Due(stored, intern(recipient), None if plain else reply, kind, urgent, text, moot)
            return True  # not in ``sent``: the runner reports what went (its ``due`` finds a repeat)
        if await self._seen(key, stored):
            return False
        not_before = self.now if urgent else spread(self.now, f"{recipient}:{kind}", self.config.jitter_s)
        text = _text_of(reply)
        if not self.dry_run:
            maker = pg_insert if self.session.bind.dialect.name == "postgresql" else sqlite_insert
            stmt = maker(Nudge).values(key=stored, recipient=recipient, kind=kind, created_at=self.now)
            result = await self.session.execute(stmt.on_conflict_do_nothing(index_elements=["key"]).returning(Nudge.key))
            if result.scalar_one_or_none() is None:
                return False  # another process sent it a moment ago
            for k in moot:
                await self.session.execute(maker(Nudge).values(key=k, recipient=recipient, kind=kind, created_at=self.now)
                                           .on_conflict_do_nothing(index_elements=["key"]))
            await outbox.enqueue(self.session, recipient, reply.payload(), self.now.astimezone(timezone.utc),
                                 dedupe_key=f"nudge:{stored}", not_before=not_before.astimezone(timezone.utc))
        self._record(Due(stored, recipient, None, kind, urgent, text, moot, not_before))
        return True

    async def say(self, key: str, recipient: str, content: str, *, kind: str, urgent: bool = False,
                  covers: tuple[str, ...] = ()) -> bool:
        """``nudge(key, recipient, Text(content=content), ...)``, the Text not made when the runner collects
        what is due (it keeps the text alone: 300,000 nudges a run over an enterprise)."""
        due = self.due
        if due is None or kind in ALONE or not content or len(content) > TEXT_LIMIT // 4:
            return await self.nudge(key, recipient, Text(content=content), kind=kind, urgent=urgent, covers=covers)
        if not urgent and self.quiet:
            return False
        scope = self._scope
        stored = scope + key[:240]
        if stored in due:
            return False
        moot = tuple(scope + k[:240] for k in covers) if covers else ()
        due[stored] = Due(stored, intern(recipient), None, kind, urgent, content, moot)
        return True

    def _record(self, sent: Sent) -> None:
        self.sent.append(sent)
        self._keys.add(sent.stored)

    async def _seen(self, key: str, stored: str) -> bool:
        if stored in self._keys:
            return True
        return (await self.session.execute(select(Nudge.key).where(Nudge.key == stored))).first() is not None


def _text_of(reply: Reply) -> str:
    if type(reply) is Text and reply.content:  # what its payload would carry, without building it
        content = reply.content  # (short enough whatever its characters: not encoded to be measured)
        return content if len(content) <= TEXT_LIMIT // 4 else clip_bytes(content, TEXT_LIMIT)
    if isinstance(reply, TemplateCard):
        return reply.text
    payload = reply.payload()
    body = payload.get(str(payload.get("msgtype")), {})
    return str(body.get("content") or body.get("description") or body)


Sweep = Callable[[SweepContext], Awaitable[None]]
DEPLOYMENT_WIDE = "deployment_wide"


def deployment_wide(sweep: Sweep) -> Sweep:
    """Mark ``sweep`` to run once per run of the sweeps, not once per branch: with a session that sees
    every branch and ``ctx.branch`` None (the committee's digest). Its nudge keys are the deployment's."""
    setattr(sweep, DEPLOYMENT_WIDE, True)
    return sweep


def is_deployment_wide(sweep: Sweep) -> bool:
    return bool(getattr(sweep, DEPLOYMENT_WIDE, False))
