"""Long-lived objects handlers need: the parser (loaded once) and its roster."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dispatcher import Context
from bot.events import TextMessage
from bot.nlu import Intent, ParseContext, Parser, Person
from storage import deeds, duty, people
from storage.db import Database

log = logging.getLogger(__name__)

COMMAND_MARKS = ("/", "／")


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("parser roster sync failed (the next message tries again)", exc_info=task.exception())


INLINE = 200  # at most this many changed people are applied in the message that sees the change
PAGE = 1000  # people per read and per step between two yields to the loop (~75 ms of work at most) when more changed


def _person(row: Any) -> Person:
    return Person(row.userid, row.name, row.role, row.team or None, row.zone_member, row.branch_id or None,
                  bool(row.grid_leader))


@dataclass
class Services:
    """Shared by every event; built once at start-up."""

    parser: Parser
    db: Database | None = None
    _version: int | None = None  # the roster's version the parser's names are at (None: not loaded)
    _written: dict[str, int] = field(default_factory=dict)  # userid -> version of what was applied since start-up
    _sync: asyncio.Task[None] | None = None
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @classmethod
    async def load(cls, db: Database, parser: Parser | None = None) -> Services:
        """Load the parser (unless one is given: tests share one) and the roster's names."""
        if parser is None:
            parser = await asyncio.to_thread(Parser.load)
        services = cls(parser, db)
        await services.sync_roster(full=True)
        return services

    async def refresh_roster(self, session: AsyncSession) -> None:
        """Bring the parser's names up to the roster's version (read along with the sender: no query when
        nothing changed). A few changed people are applied here; more (an import) in the background, page
        by page, never blocking the loop; a roster that went back (a restored database) is read again."""
        version, _ = await people.version(session)
        have = self._version
        if have is not None and version == have:
            return
        if self._sync is not None and not self._sync.done():
            return  # the background sync catches up with this version too
        if have is None or version < have:
            self._start_sync(full=True)
            return
        async with self._lock:
            if self._version is None or version <= self._version:
                return
            rows = await people.changed_since(session, self._version, limit=INLINE + 1)
            if len(rows) > INLINE:
                self._start_sync(full=False)
                return
            self._apply(rows)
            self._version = version

    def _start_sync(self, *, full: bool) -> None:
        if self.db is None or (self._sync is not None and not self._sync.done()):
            return
        self._sync = asyncio.create_task(self.sync_roster(full=full), name="parser-roster")
        self._sync.add_done_callback(_log_failure)

    async def sync_roster(self, *, full: bool = False) -> int:
        """Apply to the parser everyone written since its version (``full``: everyone, and forget who is no
        longer in the roster), :data:`PAGE` at a time with the loop free in between. Returns the changes."""
        assert self.db is not None
        since = None if full or self._version is None else self._version
        async with self.db.sessions() as session:
            version, _ = await people.version(session)  # first: whatever is written after it is read again later
        seen: set[str] = set()
        changed, after = 0, ""
        while True:
            async with self.db.sessions() as session:
                rows = await people.changed_since(session, since, after=after, limit=PAGE)
            changed += self._apply(rows)
            seen.update(r.userid for r in rows)
            if len(rows) < PAGE:
                break
            after = rows[-1].userid
            await asyncio.sleep(0)
        if since is None:
            gone = [u for u in self.parser.userids() if u not in seen]
            changed += self.parser.update_roster((), gone)
        if self._version is None or version > self._version or since is None:
            self._version = version
        log.info("parser roster %s: %d changed, %d people, version %d", "loaded" if since is None else "updated",
                 changed, self.parser.roster_size, version)
        return changed

    def _apply(self, rows: list[Any]) -> int:
        """Apply rows unless a newer version of that person was applied already (a page read before a change
        and applied after it)."""
        fresh = []
        for row in rows:
            if self._written.get(row.userid, -1) > row.roster_version:
                continue
            if self._version is not None:  # after start-up: remember what was applied, to refuse an older copy
                self._written[row.userid] = row.roster_version
            fresh.append(_person(row))
        return self.parser.update_roster(fresh)

    async def enrich(self, ctx: Context) -> None:
        """Parse a known person's text before the handlers see it."""
        if ctx.sender is None or not isinstance(ctx.event, TextMessage):
            return
        await self.refresh_roster(ctx.session)  # type: ignore[arg-type]
        context = await self.context(ctx)
        parse = self.parser.parse(ctx.event.content, sender=ctx.sender.userid, today=ctx.now.date(), context=context)
        if ctx.event.content.lstrip().startswith(COMMAND_MARKS):
            # A slash command means what its router says, not what the words suggest:
            # keep the entities (names, dates, #N) but no intent for other domains to act on.
            parse = dataclasses.replace(parse, intent=Intent.OTHER, category=None, polarity=None)
        ctx.parse = parse

    async def context(self, ctx: Context) -> ParseContext:
        """The sender's role, zone, team and branch (from the roster) and what is open for them.

        Open items (owned or asked for) are looked up only for those who are not party staff (a
        member or the secretary follows items anyway): an employee with no open item is not
        reporting progress; nor for a slash command (its router decides, not the parsed intent). A grid leader's open incidents are those of their team.
        """
        sender = ctx.sender
        assert sender is not None
        base = self.parser.context_of(sender.userid)
        if sender.is_staff or ctx.is_command:  # a command's intent is its router's: what is open changes nothing
            return base
        open_items = await deeds.open_count(ctx.session, sender.userid)
        open_incidents = len(await duty.open_incidents(ctx.session, team=sender.team)) if sender.grid_leader else None
        return dataclasses.replace(base, open_items=open_items, open_incidents=open_incidents)
