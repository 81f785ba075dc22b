"""What a sweep gets: the ledger as of an instant, and a way to send a nudge at most once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import cached_property
from typing import NamedTuple, TypeVar

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
from storage.models import Nudge
from storage.workdays import working_days_between

T = TypeVar("T")


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


class Sent(NamedTuple):
    """One nudge a sweep sent (or, in a dry run, would send). A named tuple: cheap to make by the 100,000."""

    key: str
    recipient: str
    kind: str
    text: str
    not_before: datetime


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

    @property
    def today(self) -> date:
        return self.now.date()

    @cached_property
    def quiet(self) -> bool:  # ``now`` and ``config`` are fixed for a sweep: asked once per nudge, worked out once
        return self.config.quiet.is_quiet(self.now)

    async def once(self, name: str, load: Callable[[], Awaitable[T]]) -> T:
        """``load()``, read once for every sweep of this branch in this run (``shared``), then remembered.

        Only for what the sweeps do not write (a sweep that adds visit tasks must not be given the tasks
        read before it ran)."""
        if name not in self.shared:
            self.shared[name] = await load()
        return self.shared[name]  # type: ignore[return-value]

    async def secretary_entries(self) -> list[roster.RosterEntry]:
        """The branch's (active) secretaries, by userid: read once per branch and run."""
        return list(await self.once("secretaries", lambda: roster.by_role(self.session, "secretary")))

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
        # numbers are per branch: so are the keys of what was sent (a deployment-wide sweep's are "all:")
        scope = f"b{self.branch}:" if self.branch is not None else "all:"
        stored, moot = scope + key, tuple(scope + k[:240] for k in covers)
        if self.due is not None:  # the runner merges and sends them (schedules.pushes.deliver)
            # the ledger is read in bulk then; a digest (a sweep may act on the answer) is looked up now
            if stored in self.due or (kind in ALONE and await self._seen(key, stored)):
                return False
            self.due[stored] = Due(stored, key, recipient, reply, kind, urgent, _text_of(reply), moot)
            return True  # not in ``sent``: the runner reports what went (its ``due`` finds a repeat)
        if await self._seen(key, stored):
            return False
        not_before = self.now if urgent else spread(self.now, f"{recipient}:{kind}", self.config.jitter_s)
        text = _text_of(reply)
        if not self.dry_run:
            maker = pg_insert if self.session.bind.dialect.name == "postgresql" else sqlite_insert
            stmt = maker(Nudge).values(key=stored, recipient=recipient, kind=kind, created_at=self.now)
            result = await self.session.execute(stmt.on_conflict_do_nothing(index_elements=["key"]).returning(Nudge.id))
            if result.scalar_one_or_none() is None:
                return False  # another process sent it a moment ago
            for k in moot:
                await self.session.execute(maker(Nudge).values(key=k, recipient=recipient, kind=kind, created_at=self.now)
                                           .on_conflict_do_nothing(index_elements=["key"]))
            await outbox.enqueue(self.session, recipient, reply.payload(), self.now.astimezone(timezone.utc),
                                 dedupe_key=f"nudge:{stored}", not_before=not_before.astimezone(timezone.utc))
        self._record(Sent(key, recipient, kind, text, not_before))
        return True

    def _record(self, sent: Sent) -> None:
        self.sent.append(sent)
        self._keys.add(sent.key)

    async def _seen(self, key: str, stored: str) -> bool:
        if key in self._keys:
            return True
        return (await self.session.execute(select(Nudge.id).where(Nudge.key == stored))).first() is not None


def _text_of(reply: Reply) -> str:
    if isinstance(reply, TemplateCard):
        return reply.text
    if type(reply) is Text and reply.content:  # what its payload would carry, without building it
        return clip_bytes(reply.content, TEXT_LIMIT)
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
