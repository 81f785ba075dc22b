"""What a run of the sweeps sends: everything due for one person merged into one message.

The sweeps say what is due (``SweepContext.nudge``); this module decides what goes. Per person and run:
urgent items and incidents go at once, in one message; everything else in one more message, most urgent
first, with the count and the command for the rest ("今天有 12 件事需要您：…"), within the daily cap
(``ScheduleConfig.daily_pushes``; what is over it waits for the next day: nothing is recorded, the ledger
derives it again). Survey reminders ride along as one line, or go in the morning window. Digests go as
they are. The nudge keys already sent are loaded in one query per run, not one per nudge.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, suppress
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.pushes import PUSH  # the nudge ledger's kind for one unasked message (the daily cap counts these)
from bot.replies import TEXT_LIMIT, Reply, Text
from schedules.config import ScheduleConfig
from schedules.quiet import spread
from storage import outbox
from storage.models import Nudge, OutboxRow
from storage.sqlsets import among, insert_rows

PUSH_URGENT = "push_urgent"  # one urgent message sent (not counted against the cap)
CHUNK = 500  # keys per IN (...) query
ROWS_AT_ONCE = 10_000  # ledger rows (about) recorded per statement, with their messages queued in one more
ARRAY_CHUNK = 20_000  # keys per "= ANY(array)" query (PostgreSQL)
BUDGET = TEXT_LIMIT - 200  # bytes of items in one merged message; the rest are counted
MORNING_WINDOW = timedelta(hours=2)  # survey reminders alone go only this long after the morning hour

# kind -> (rank: most urgent first, Chinese label). Labels are what operators read (run-due --dry-run).
KINDS: dict[str, tuple[int, str]] = {
    "incident": (0, "事件未确认"), "incident_unclosed": (1, "事件未处置"), "item_escalate": (2, "事项超时"),
    "item_response": (3, "待接单"), "item_late": (4, "事项逾期"), "followup_escalate": (5, "回访逾期上报"),
    "assist_escalate": (5, "帮扶逾期上报"), "item_confirm_escalate": (6, "待确认销号"),
    "followup_overdue": (7, "回访逾期"), "assist_overdue": (7, "帮扶逾期"), "assist_deadline": (8, "帮扶到期"),
    "followup_due": (9, "回访提醒"), "assist_due": (9, "帮扶提醒"), "item_confirm": (10, "请确认办结"),
    "training_eve": (11, "培训提醒"), "activity_eve": (11, "活动提醒"), "morning": (12, "早间清单"),
    "survey_remind": (13, "问卷提醒"), "digest": (20, "支部周报/月报"), "committee_digest": (21, "党委周报/月报"),
}
ATTENTION = frozenset({"incident", "incident_unclosed", "item_escalate", "followup_escalate", "assist_escalate",
                       "item_confirm_escalate"})  # what the secretary is told about others: "需要您关注"
ALONE = frozenset({"digest", "committee_digest"})  # sent as they are, never merged
MORNING_ONLY = frozenset({"survey_remind"})  # alone, only in the morning window; else rides along
MIXED = "合并提醒"  # the label of a merged message


def label(kind: str) -> str:
    return KINDS.get(kind, (50, "提醒"))[1]


def _rank(kind: str) -> int:
    return KINDS.get(kind, (50, ""))[0]


class Due:
    """One nudge a sweep found due: ``stored`` is its ledger key (branch-prefixed); once planned, ``not_before``
    says when the message carrying it goes. It is also what a run reports it sent (``schedules.context.Sent``).

    One small object (slots) per nudge, made once: a run of the sweeps over an enterprise makes 300,000 of
    them, and a second object per nudge for the report would be 30 MB more."""

    __slots__ = ("stored", "recipient", "given", "kind", "urgent", "text", "covers", "not_before")

    def __init__(self, stored: str, recipient: str, given: Reply | None, kind: str, urgent: bool, text: str,
                 covers: tuple[str, ...] = (), not_before: datetime | None = None) -> None:
        self.stored = stored
        self.recipient = recipient
        self.given = given  # None: a plain ``Text`` of ``text`` (not kept: 300,000 of them are 60 MB), see ``reply``
        self.kind = kind
        self.urgent = urgent
        self.text = text
        self.covers = covers  # ledger keys this one makes moot (an earlier stage never sent): recorded too
        self.not_before = not_before  # set by ``plan`` (or when queued at once)

    @property
    def key(self) -> str:
        """The key the sweep gave (``stored`` without its scope, "b3:" or "all:")."""
        return self.stored.split(":", 1)[1]

    @property
    def reply(self) -> Reply:
        return self.given if self.given is not None else Text(content=self.text)

    def _sent(self) -> tuple[object, ...]:
        return (self.stored, self.recipient, self.kind, self.text, self.not_before)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Due) and self._sent() == other._sent()

    def __hash__(self) -> int:
        return hash(self._sent())

    def __repr__(self) -> str:
        return f"Due({self.stored!r}, {self.recipient!r}, {self.kind!r}, not_before={self.not_before!r})"


@dataclass(frozen=True, slots=True)  # slots: a run over an enterprise makes 100,000 of them
class Push:
    """One message that goes (or, dry, would go) to one person, and the nudges it carries."""

    recipient: str
    kind: str  # the kind of its one nudge, or MIXED
    given: Reply | None  # None: a plain ``Text`` of ``text`` (made when asked for: ``reply``)
    text: str
    urgent: bool
    not_before: datetime
    carried: tuple[Due, ...]

    @property
    def reply(self) -> Reply:
        return self.given if self.given is not None else Text(content=self.text)

    @property
    def label(self) -> str:
        return "合并提醒" if self.kind == MIXED else label(self.kind)


def _items(dues: Sequence[Due]) -> list[str]:
    out = []
    for d in dues:
        text = d.text.strip()
        for word in ("再次提醒：", "提醒："):
            if text.startswith(word):
                text = text[len(word):]
                break
        out.append(("· " + text) if "\n" not in text else text)
    return out


def _more(rest: Sequence[Due]) -> str:
    kinds = {d.kind for d in rest}
    command = "/事件" if kinds <= {"incident", "incident_unclosed"} else "/逾期" if kinds <= ATTENTION else "/待办"
    labels = "、".join(dict.fromkeys(label(d.kind) for d in rest))
    return f"……还有 {len(rest)} 件（{labels}），发“{command}”查看全部。"


def merge(dues: Sequence[Due], *, urgent: bool) -> str:
    """One message for several nudges: a heading with the count, the most urgent first, the secretary's
    escalations as one "需要您关注" list, as many items as fit, then the count and command for the rest."""
    dues = sorted(dues, key=lambda d: _rank(d.kind))  # stable: each sweep's own order within a kind
    attention = [d for d in dues if d.kind in ATTENTION]
    mine = [d for d in dues if d.kind not in ATTENTION]
    if urgent:
        head = f"紧急：有 {len(dues)} 件事需要您马上处理："
    elif not mine:
        head = f"需要您关注（{len(dues)} 件）："
    else:
        head = f"今天有 {len(dues)} 件事需要您："
    lines, used, rest = [head], len(head.encode()), []
    sections = [("【需要您关注】", attention), ("【您的待办】", mine)] if attention and mine else [("", dues)]
    for title, group in sections:
        if title:
            lines.append(title)
        for d, line in zip(group, _items(group)):
            size = len(line.encode()) + 1
            if rest or used + size > BUDGET:
                rest.append(d)
                continue
            lines.append(line)
            used += size
    if rest:
        lines.append(_more(rest))
    return "\n".join(lines)


async def _seen(session: AsyncSession, keys: Iterable[str]) -> set[str]:
    """The ones of ``keys`` already in the nudge ledger: one query per CHUNK keys (PostgreSQL: per ARRAY_CHUNK,
    sent as one array parameter, ``storage.sqlsets.among``)."""
    keys = list(keys)  # (no repeats: deliver's are a dict's)
    seen: set[str] = set()
    step = ARRAY_CHUNK if session.bind.dialect.name == "postgresql" else CHUNK
    for i in range(0, len(keys), step):
        stmt = select(Nudge.key).where(among(session, Nudge.key, keys[i:i + step]))
        seen.update((await session.execute(stmt)).scalars())
    return seen


def day_start(now: datetime) -> datetime:
    return datetime.combine(now.date(), time(0), tzinfo=now.tzinfo)


async def pushes_today(session: AsyncSession, now: datetime) -> dict[str, tuple[int, datetime]]:
    """Per person: unasked messages sent them today (local day: the sweeps' and notices from what others
    did, ``bot.pushes``), urgent ones not counted, and the last."""
    since = day_start(now).astimezone(timezone.utc)
    rows = await session.execute(select(Nudge.recipient, Nudge.created_at).where(Nudge.kind == PUSH,
                                                                                Nudge.created_at >= since))
    out: dict[str, tuple[int, datetime]] = {}
    for person, at in rows:
        n, last = out.get(person, (0, at))
        out[person] = (n + 1, max(last, at))
    return out


def plan(dues: Sequence[Due], now: datetime, config: ScheduleConfig,
         today: dict[str, tuple[int, datetime]]) -> list[Push]:
    """The messages for ``dues`` (not yet sent), per person: see the module's docstring."""
    by_person: dict[str, list[Due]] = defaultdict(list)
    for d in dues:
        by_person[d.recipient].append(d)
    morning = datetime.combine(now.date(), config.morning, tzinfo=now.tzinfo)
    in_morning = morning <= now < morning + MORNING_WINDOW
    out: list[Push] = []
    coalesce = timedelta(seconds=config.coalesce_window_s)
    for person in sorted(by_person):
        mine = by_person[person]
        urgent: list[Due] = []
        alone: list[Due] = []
        normal: list[Due] = []
        for d in mine:  # (one pass: 300,000 nudges)
            (urgent if d.urgent else alone if d.kind in ALONE else normal).append(d)
        if urgent:
            out.append(_push(person, urgent, now, urgent=True))
        count, last = today.get(person, (0, None))
        if last is not None and now - last < coalesce:
            normal = []  # they just got one: what came due since waits to go with what comes next
        for d in alone:
            out.append(_push(person, [d], spread(now, f"{person}:{d.kind}", config.jitter_s), urgent=False))
            count += 1
        if normal and not in_morning and all(d.kind in MORNING_ONLY for d in normal):
            normal = []  # a survey reminder alone waits for the morning list
        if normal and count < config.daily_pushes:
            out.append(_push(person, normal, spread(now, f"{person}:push", config.jitter_s), urgent=False))
    return out


def _push(person: str, dues: list[Due], not_before: datetime, *, urgent: bool) -> Push:
    for d in dues:
        d.not_before = not_before
    if len(dues) == 1:
        d = dues[0]
        return Push(person, d.kind, d.given, d.text, urgent, not_before, (d,))
    text = merge(dues, urgent=urgent)
    return Push(person, MIXED, Text(content=text), text, urgent, not_before, tuple(dues))


Part = list[tuple[Push, str, list[dict[str, object]]]]  # each message, its stamp, its outbox rows
PartSession = Callable[[], AbstractAsyncContextManager[AsyncSession]]  # a session in a transaction of its own


async def deliver(session: AsyncSession, dues: Sequence[Due], now: datetime, config: ScheduleConfig, *,
                  dry_run: bool = False, parts: PartSession | None = None, writers: int = 1
                  ) -> tuple[list[Push], set[str]]:
    """Plan the messages for ``dues`` and (unless ``dry_run``) record the nudges they carry and queue them.

    They are recorded a part at a time (about ROWS_AT_ONCE ledger rows, their messages' outbox rows with
    them), each part while the next is built. In ``session``'s transaction; or, with ``parts``, each part in a
    transaction of its own (its nudges and its messages together), up to ``writers`` parts at once: the
    database writes them on as many cores (a first run over an enterprise records 441,000 nudges).

    Returns the messages and the people who had something not yet sent (some of it may wait)."""
    first: dict[str, Due] = {}
    for d in dues:
        first.setdefault(d.stored, d)
    for moot in {k for d in first.values() for k in d.covers}:
        first.pop(moot, None)  # a later stage of the same reminder is due too: it alone goes
    seen = await _seen(session, list(first))
    fresh = [d for k, d in first.items() if k not in seen]
    moot = {k for d in fresh for k in d.covers if k not in first}  # earlier stages to record, never sent
    del first, seen  # (300,000 keys: let them go before the messages are made)
    planned = plan(fresh, now, config, await pushes_today(session, now))
    waiting = {d.recipient for d in fresh}
    if dry_run:
        return planned, waiting
    out: list[Push] = []
    undo: list[str] = []  # (parts recorded in ``session``: taken back at the end)

    async def record(part: Part, ledger: list[dict[str, object]]) -> list[Push]:
        if parts is None:
            return await _record(session, part, ledger, undo)
        async with parts() as own:
            taken: list[str] = []
            recorded = await _record(own, part, ledger, taken)
            await _undo(own, taken)
            return recorded

    utc = now.astimezone(timezone.utc)
    at = f"{utc:%Y%m%dT%H%M%S}"
    part: Part = []
    ledger: list[dict[str, object]] = []
    writing: deque[asyncio.Future[list[Push]]] = deque()  # parts being recorded while the next is built
    most = max(1, writers) if parts is not None else 1
    try:
        for i, p in enumerate(planned):
            ledger += [dict(key=d.stored, recipient=d.recipient, kind=d.kind[:32], created_at=now) for d in p.carried]
            ledger += [dict(key=k, recipient=d.recipient, kind=d.kind[:32], created_at=now) for d in p.carried
                       for k in d.covers if k in moot]
            stamp = f"{PUSH}:{p.recipient}:{at}:{i}"
            ledger.append(dict(key=stamp, recipient=p.recipient, kind=PUSH_URGENT if p.urgent else PUSH,
                               created_at=now))
            not_before = p.not_before.astimezone(timezone.utc)
            part.append((p, stamp, [outbox.row_values(p.recipient, payload, utc, not_before=not_before,
                                                      dedupe_key=f"nudge:{stamp}:{j}")
                                    for j, payload in enumerate(p.reply.payloads())]))
            if len(ledger) >= ROWS_AT_ONCE or i == len(planned) - 1:
                if len(writing) >= most:
                    out += await writing.popleft()  # (in order: the messages as planned)
                writing.append(asyncio.ensure_future(record(part, ledger)))
                await asyncio.sleep(0)  # it sends its statement; the database writes while the next part is built
                part, ledger = [], []
        while writing:
            out += await writing.popleft()
    finally:
        for left in writing:  # building or a part failed: the others are stopped (their transactions roll back)
            left.cancel()
        for left in writing:
            with suppress(asyncio.CancelledError, Exception):
                await left
    await _undo(session, undo)
    return out, waiting


async def _undo(session: AsyncSession, keys: list[str]) -> None:
    for i in range(0, len(keys), CHUNK):
        await session.execute(delete(Nudge).where(Nudge.key.in_(keys[i:i + CHUNK])))


async def _record(session: AsyncSession, part: Part, ledger: list[dict[str, object]], undo: list[str]) -> list[Push]:
    """Record ``part``'s nudges (``ledger``, in one statement) and queue its messages (their outbox rows,
    likewise); the messages queued. One another process recorded first is not: the nudges this run wrote of it
    go to ``undo`` (the other run sends it)."""
    written = set(await insert_rows(session, Nudge, ledger, conflict="key", returning=Nudge.key))
    rows: list[dict[str, object]] = []
    out: list[Push] = []
    for p, stamp, queued in part:
        if any(d.stored not in written for d in p.carried):  # another process recorded some of it a moment ago
            undo += [k for k in (*(d.stored for d in p.carried), stamp) if k in written]  # (only ours)
            continue
        rows += queued
        out.append(p)
    await insert_rows(session, OutboxRow, rows, conflict="dedupe_key")
    return out


async def figures(session: AsyncSession, start: datetime, end: datetime, scope: str) -> tuple[int, int]:
    """(messages, reminders they carried) the sweeps sent in [start, end) to the people ``session`` sees;
    ``scope`` is the ledger keys' prefix ("b3:", or "all:")."""
    from storage.models import Person

    lo, hi = start.astimezone(timezone.utc), end.astimezone(timezone.utc)
    seen = select(Person.userid).scalar_subquery()  # the session's branch: its people
    messages = (await session.execute(select(func.count()).select_from(Nudge).where(
        Nudge.kind.in_((PUSH, PUSH_URGENT)), ~Nudge.key.like(f"{PUSH}:%:outbox%"),  # not notices (bot.pushes)
        Nudge.created_at >= lo, Nudge.created_at < hi, Nudge.recipient.in_(seen)))).scalar_one()
    carried = (await session.execute(select(func.count()).select_from(Nudge).where(
        Nudge.kind.notin_((PUSH, PUSH_URGENT)), Nudge.key.like(f"{scope}%"), Nudge.created_at >= lo, Nudge.created_at < hi))).scalar_one()
    return int(messages), int(carried)


def describe(pushes: Sequence[Push], names: dict[str, str], tz: object) -> list[str]:
    """What goes out, for operators (``run-due --dry-run``): per person, each message whole, with its kind
    in Chinese and when it goes."""
    by_person: dict[str, list[Push]] = defaultdict(list)
    for p in pushes:
        by_person[p.recipient].append(p)
    lines: list[str] = []
    for person, theirs in sorted(by_person.items()):
        lines.append(f"== {names.get(person, person)}（{person}）· {len(theirs)} 条 ==")
        for p in theirs:
            when = p.not_before.astimezone(tz)  # type: ignore[arg-type]
            what = "、".join(dict.fromkeys(label(d.kind) for d in p.carried)) if p.kind == MIXED else p.label
            flag = "紧急 · " if p.urgent else ""
            lines.append(f"[{flag}{what} · {len(p.carried)} 项 · {when:%m-%d %H:%M}]")
            lines.extend(p.text.splitlines() or [""])
            lines.append("")
    return lines
