"""Long-lived objects handlers need: the parser (loaded once) and its roster."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from dataclasses import dataclass, field
from datetime import datetime

from bot.dispatcher import Context
from bot.events import TextMessage
from bot.nlu import Intent, ParseContext, Parser, Person
from storage import deeds, duty, people
from storage.db import Database
from storage.scope import every_branch

log = logging.getLogger(__name__)

COMMAND_MARKS = ("/", "／")


@dataclass
class Services:
    """Shared by every event; built once at start-up."""

    parser: Parser
    _roster_version: tuple[int, datetime | None] | None = None
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @classmethod
    async def load(cls, db: Database, parser: Parser | None = None) -> Services:
        """Load the parser (unless one is given: tests share one) and the roster's names."""
        if parser is None:
            parser = await asyncio.to_thread(Parser.load)
        services = cls(parser)
        async with db.sessions() as session:
            await services.refresh_roster(session)
        return services

    async def refresh_roster(self, session: object) -> None:
        """Reload roster names into the parser when the roster changed (any process may import)."""
        version = await people.version(session)  # type: ignore[arg-type]
        if version == self._roster_version:
            return
        async with self._lock:
            if version == self._roster_version:
                return
            with every_branch(session):  # type: ignore[arg-type]
                entries = await people.all_people(session)  # type: ignore[arg-type]
            self.parser.set_roster([Person(e.userid, e.name, e.role, e.team or None, e.zone_member, e.branch_id or None,
                                           e.grid_leader) for e in entries])
            self._roster_version = version
            log.info("parser roster loaded: %d people", len(entries))

    async def enrich(self, ctx: Context) -> None:
        """Parse a known person's text before the handlers see it."""
        if ctx.sender is None or not isinstance(ctx.event, TextMessage):
            return
        await self.refresh_roster(ctx.session)
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
        reporting progress. A grid leader's open incidents are those of their team.
        """
        sender = ctx.sender
        assert sender is not None
        base = self.parser.context_of(sender.userid)
        if sender.is_staff:
            return base
        open_items = len(await deeds.open_for_owner(ctx.session, sender.userid)) + len(
            await deeds.list_items(ctx.session, requester=sender.userid, status=deeds.WORKING, limit=20))
        open_incidents = len(await duty.open_incidents(ctx.session, team=sender.team)) if sender.grid_leader else None
        return dataclasses.replace(base, open_items=open_items, open_incidents=open_incidents)
