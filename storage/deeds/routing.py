"""Secretary-editable routing: a deed category goes to a named owner instead of the zone member."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit
from storage.deeds.models import Routing


async def routes(session: AsyncSession) -> dict[str, str]:
    """category -> owner userid."""
    rows = (await session.execute(select(Routing).order_by(Routing.category))).scalars()
    return {r.category: r.owner for r in rows}


async def _rule(session: AsyncSession, category: str) -> Routing | None:
    """The branch's rule for ``category`` (the session is scoped to the branch)."""
    return (await session.execute(select(Routing).where(Routing.category == category))).scalar_one_or_none()


async def route_for(session: AsyncSession, category: str) -> str | None:
    row = await _rule(session, category)
    return row.owner if row else None


async def set_route(session: AsyncSession, category: str, owner: str | None, *, now: datetime, actor: str) -> None:
    """Send ``category`` to ``owner``; ``owner=None`` removes the rule (back to the zone member)."""
    row = await _rule(session, category)
    if owner is None:
        if row is not None:
            await session.delete(row)
    elif row is None:
        session.add(Routing(category=category, owner=owner, updated_by=actor, updated_at=now))
    else:
        row.owner, row.updated_by, row.updated_at = owner, actor, now
    await audit.record(session, now, actor, "routing_set", "routing", category, owner or "(default)")
    await session.flush()
