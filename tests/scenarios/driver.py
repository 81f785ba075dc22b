"""The scenario driver: a YAML conversation played through the real webhook against a fake WeCom.

A scenario names an organisation (its roster under ``orgs/``), optionally a start time, and steps:
who says what (``say``), who presses which button (``click``), the clock (``advance``, ``at``), the
schedules (``sweep``); after each step, who was told what (``expect``) and which records are as
they should be (``records``). The format is described in ``README.md`` beside this file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import select

from bot import keys, registry
from schedules.runner import run_due
from storage.base import Base
from storage.people.models import Branch

HERE = Path(__file__).parent
ORGS = HERE / "orgs"
TZ = ZoneInfo("Asia/Shanghai")
DEFAULT_START = datetime(2026, 11, 25, 9, 40, tzinfo=TZ)  # a Wednesday morning, a working day
DELIVERY_WINDOW = timedelta(minutes=12)  # sweeps spread their nudges over ~10 minutes: a sweep step delivers them all
ACTIONS = ("say", "click", "advance", "at", "sweep")
STEP_KEYS = {*ACTIONS, "by", "expect", "records", "note"}
SCENARIO_KEYS = {"title", "org", "start", "databases", "tags", "steps", "note"}
EXPECT_KEYS = {"contains", "not_contains", "any_of", "count", "min_count", "times", "first", "last", "max_bytes"}


class ScenarioError(AssertionError):
    """A scenario failed (or is written wrongly); the message says which scenario, which step, what arrived."""


@dataclass(frozen=True)
class Scenario:
    path: Path
    title: str
    org: str
    start: datetime
    both_databases: bool
    tags: tuple[str, ...]
    steps: tuple[dict[str, Any], ...]

    @property
    def name(self) -> str:
        return self.path.relative_to(HERE).with_suffix("").as_posix()

    @property
    def roster(self) -> Path:
        return ORGS / f"{self.org}.csv"


def _moment(value: Any) -> datetime:
    """``2026-12-31 09:00`` (local time) or a YAML timestamp."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=TZ)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, 9, 0, tzinfo=TZ)
    parsed = datetime.fromisoformat(str(value).strip())
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=TZ)


# "say: /关闭 #1 …" unquoted: YAML reads " #1 …" as a comment. Texts with " #" must be quoted.
UNQUOTED_HASH = re.compile(r"""(?:^|[{,]\s*)(?:-\s*)?(?:say|title|click|by):\s*[^"'\s{\[][^"']*?\s#""")


def load(path: Path) -> Scenario:
    text = path.read_text(encoding="utf-8")
    where = path.relative_to(HERE).as_posix()
    for n, line in enumerate(text.splitlines(), 1):
        if UNQUOTED_HASH.search(line.strip()):
            raise ScenarioError(f"{where} line {n}: quote this text — YAML reads “ #…” as a comment: {line.strip()}")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ScenarioError(f"{where}: a scenario is a mapping with title, org and steps")
    unknown = set(data) - SCENARIO_KEYS
    if unknown:
        raise ScenarioError(f"{where}: unknown keys {sorted(unknown)} (allowed: {sorted(SCENARIO_KEYS)})")
    org = str(data.get("org", ""))
    if not (ORGS / f"{org}.csv").is_file():
        raise ScenarioError(f"{where}: no roster orgs/{org}.csv")
    steps = data.get("steps") or []
    for i, step in enumerate(steps, 1):
        if not isinstance(step, dict) or set(step) - STEP_KEYS:
            raise ScenarioError(f"{where} step {i}: a step is a mapping of {sorted(STEP_KEYS)}, got {step!r}")
        if sum(a in step for a in ACTIONS) > 1:
            raise ScenarioError(f"{where} step {i}: one action per step ({', '.join(ACTIONS)})")
        if ("say" in step or "click" in step) and "by" not in step:
            raise ScenarioError(f"{where} step {i}: say/click need “by” (a userid)")
    dbs = data.get("databases", "sqlite")
    return Scenario(path, str(data.get("title", path.stem)), org, _moment(data["start"]) if "start" in data
                    else DEFAULT_START, dbs in ("both", ["sqlite", "postgresql"]), tuple(data.get("tags") or ()),
                    tuple(steps))


def all_scenarios() -> list[Scenario]:
    return [load(p) for p in sorted(HERE.rglob("*.yaml")) if "orgs" not in p.parts]


# --- what arrived ------------------------------------------------------------------------


def message_text(message: dict[str, Any]) -> str:
    """A sent message as readable text: a card shows its title, description and buttons (with their keys)."""
    kind = message.get("msgtype", "")
    body = message.get(kind, {})
    if kind in ("text", "markdown"):
        return str(body.get("content", ""))
    if kind == "textcard":
        return f"{body.get('title', '')}\n{body.get('description', '')}"
    if kind == "template_card":
        title = body.get("main_title", {})
        buttons = " ".join(f"[{b.get('text')} → {b.get('key')}]" for b in body.get("button_list", []))
        return f"【卡片】{title.get('title', '')}\n{title.get('desc', '')}\n{buttons}"
    return json.dumps(body, ensure_ascii=False)


@dataclass
class Arrived:
    """What reached each person during one step, in order."""

    by_user: dict[str, list[str]] = field(default_factory=dict)

    def of(self, user: str) -> list[str]:
        return self.by_user.get(user, [])

    def describe(self) -> str:
        if not self.by_user:
            return "  （没有任何消息）"
        out = []
        for user, texts in self.by_user.items():
            for t in texts:
                out.append(f"  → {user}: " + t.replace("\n", "\n      "))
        return "\n".join(out)


def _arrived(sent: list[dict[str, Any]]) -> Arrived:
    arrived = Arrived()
    for m in sent:
        for user in str(m.get("touser", "")).split("|"):
            arrived.by_user.setdefault(user, []).append(message_text(m))
    return arrived


# --- checking ----------------------------------------------------------------------------


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def check_expect(expect: dict[str, Any], arrived: Arrived) -> list[str]:
    """Problems with what arrived; ``expect`` maps a userid (or ``others``) to what they should be told."""
    problems: list[str] = []
    listed = set(expect) - {"others"}
    for user, want in expect.items():
        if user == "others":
            if want not in ("nothing", None):
                problems.append("“others” only takes “nothing”")
                continue
            extra = [u for u in arrived.by_user if u not in listed]
            if extra:
                problems.append(f"nobody else should have been told anything, but {', '.join(extra)} were")
            continue
        got = arrived.of(user)
        joined = "\n".join(got)
        if want in ("nothing", None):
            if got:
                problems.append(f"{user} should have been told nothing, got {len(got)} message(s)")
            continue
        if isinstance(want, (str, list)):
            want = {"contains": want}
        if not isinstance(want, dict):
            problems.append(f"{user}: cannot read the expectation {want!r}")
            continue
        for text in _strings(want.get("contains")):
            if text not in joined:
                problems.append(f"{user} should have been told “{text}”")
        for text in _strings(want.get("not_contains")):
            if text in joined:
                problems.append(f"{user} should not have been told “{text}”")
        options = _strings(want.get("any_of"))
        if options and not any(t in joined for t in options):
            problems.append(f"{user} should have been told one of {options}")
        if "count" in want and len(got) != int(want["count"]):
            problems.append(f"{user} should have got {want['count']} message(s), got {len(got)}")
        if "min_count" in want and len(got) < int(want["min_count"]):
            problems.append(f"{user} should have got at least {want['min_count']} message(s), got {len(got)}")
        for text, n in dict(want.get("times") or {}).items():
            found = sum(str(text) in t for t in got)
            if found != int(n):
                problems.append(f"{user} should have got {n} message(s) with “{text}”, got {found}")
        if "max_bytes" in want:
            big = [len(t.encode("utf-8")) for t in got if len(t.encode("utf-8")) > int(want["max_bytes"])]
            if big:
                problems.append(f"{user}: messages of {big} bytes, over {want['max_bytes']}")
        if "first" in want and (not got or str(want["first"]) not in got[0]):
            problems.append(f"{user}'s first message should contain “{want['first']}”")
        if "last" in want and (not got or str(want["last"]) not in got[-1]):
            problems.append(f"{user}'s last message should contain “{want['last']}”")
        unknown = set(want) - EXPECT_KEYS
        if unknown:
            problems.append(f"{user}: unknown expectation keys {sorted(unknown)}")
    return problems


def _tables() -> dict[str, type]:
    return {m.class_.__tablename__: m.class_ for m in Base.registry.mappers if hasattr(m.class_, "__tablename__")}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(TZ).replace(tzinfo=None)
    return value


def _matches(actual: Any, want: Any) -> bool:
    actual = _plain(actual)
    if isinstance(want, dict):
        ok = True
        if "contains" in want:
            ok &= actual is not None and all(s in str(actual) for s in _strings(want["contains"]))
        if "not_contains" in want:
            ok &= actual is None or not any(s in str(actual) for s in _strings(want["not_contains"]))
        if "null" in want:
            ok &= (actual is None) == bool(want["null"])
        if "not" in want:
            ok &= not _matches(actual, want["not"])
        return ok
    if isinstance(want, date) and not isinstance(want, datetime) and isinstance(actual, datetime):
        return actual.date() == want
    if isinstance(actual, (date, datetime)) and isinstance(want, str):
        return actual.isoformat(sep=" ").startswith(want)
    if isinstance(actual, bool) or isinstance(want, bool):
        return bool(actual) == bool(want)
    return actual == want or str(actual) == str(want)


async def check_records(bot: Any, checks: list[dict[str, Any]]) -> list[str]:
    """Problems with the records: each check names a ``table``, rows ``where`` …, their ``count`` and what
    every such row ``is``."""
    problems: list[str] = []
    tables = _tables()
    async with bot.app[keys.DB].sessions() as session:
        for c in checks:
            unknown = set(c) - {"table", "where", "count", "is", "branch"}
            model = tables.get(str(c.get("table")))
            if unknown or model is None:
                problems.append(f"cannot read the record check {c!r} (tables: {', '.join(sorted(tables))})")
                continue
            stmt = select(model)
            where = dict(c.get("where") or {})
            if "branch" in c:
                branch = (await session.execute(select(Branch).where(Branch.code == str(c["branch"])))).scalar_one()
                stmt = stmt.where(model.branch_id == branch.id)  # type: ignore[attr-defined]
            rows = list((await session.execute(stmt)).scalars())
            rows = [r for r in rows if all(_matches(getattr(r, k), v) for k, v in where.items())]
            label = f"{c['table']} where {where or '（全部）'}"
            if "count" in c and len(rows) != int(c["count"]):
                problems.append(f"{label}: expected {c['count']} row(s), found {len(rows)}")
            if "count" not in c and not rows:
                problems.append(f"{label}: expected at least one row, found none")
            for k, v in dict(c.get("is") or {}).items():
                bad = [getattr(r, k) for r in rows if not _matches(getattr(r, k), v)]
                if bad:
                    problems.append(f"{label}: {k} should be {v!r}, found {[_plain(b) for b in bad]!r}")
    return problems


# --- running -----------------------------------------------------------------------------


def _describe_step(i: int, step: dict[str, Any]) -> str:
    if "say" in step:
        return f"step {i}: {step['by']} says “{step['say']}”"
    if "click" in step:
        return f"step {i}: {step['by']} presses {step['click']}"
    for action in ("advance", "at", "sweep"):
        if action in step:
            return f"step {i}: {action} {step[action]}"
    return f"step {i}: (checks only)"


async def sweep(bot: Any) -> None:
    """Run every domain's schedules now, then deliver what they sent (nudges spread over ~10 minutes)."""
    await run_due(bot.app[keys.DB], bot.clock.now.astimezone(TZ), registry.sweeps())
    bot.clock.now += DELIVERY_WINDOW
    try:
        await bot.flush()
    finally:
        bot.clock.now -= DELIVERY_WINDOW


async def run(bot: Any, scenario: Scenario) -> None:
    """Play ``scenario``; raise :class:`ScenarioError` at the first step whose expectations fail."""
    for i, step in enumerate(scenario.steps, 1):
        before = len(bot.fake.sent)
        if "say" in step:
            assert await bot.say(str(step["by"]), str(step["say"])) == 200
            await bot.flush()
        elif "click" in step:
            await bot.click(str(step["by"]), str(step["click"]))
        elif "advance" in step:
            bot.clock.advance(**{k: float(v) for k, v in dict(step["advance"]).items()})
        elif "at" in step:
            bot.clock.now = _moment(step["at"]).astimezone(timezone.utc)
        elif step.get("sweep"):
            await sweep(bot)
        arrived = _arrived(bot.fake.sent[before:])
        problems = check_expect(dict(step.get("expect") or {}), arrived)
        problems += await check_records(bot, list(step.get("records") or []))
        if problems:
            raise ScenarioError(
                f"scenario {scenario.name} (“{scenario.title}”, org {scenario.org}), {_describe_step(i, step)}:\n"
                + "\n".join(f"  ✗ {p}" for p in problems) + "\nwhat arrived in this step:\n" + arrived.describe())
