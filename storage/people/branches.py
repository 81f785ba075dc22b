"""Branches (支部): the default one an upgraded single-branch database has, looking them up, adding one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from storage.errors import Refused
from storage.people.models import Branch
from storage.scope import ScopedSession

DEFAULT = 1  # the branch every record of a single-branch database was given


async def all_branches(session: AsyncSession) -> list[Branch]:
    return list((await session.execute(select(Branch).order_by(Branch.id))).scalars())


async def count(session: AsyncSession) -> int:
    return int((await session.execute(select(func.count()).select_from(Branch))).scalar_one())


async def get(session: AsyncSession, branch_id: int) -> Branch | None:
    return await session.get(Branch, branch_id)


async def by_code(session: AsyncSession, word: str) -> Branch | None:
    """A branch by its code, its name or its id."""
    w = word.strip()
    stmt = select(Branch).where((Branch.code == w) | (Branch.name == w))
    found = (await session.execute(stmt)).scalars().first()
    if found is None and w.isdigit():
        found = await session.get(Branch, int(w))
    return found


async def ensure(session: AsyncSession, code: str, name: str, now: datetime, *, rename: bool = False) -> Branch:
    """The branch with this code, created when missing (directory sync, imports); ``rename``: take ``name``.

    The session's first call reads every branch at once (an import naming 500 branches: one query, not 500).
    """
    known: dict[str, Branch] | None = session.info.get(_KNOWN)
    if known is None:
        known = session.info[_KNOWN] = {b.code: b for b in await all_branches(session)}
    found = known.get(code)
    if found is None:  # maybe added since by someone else: look before creating
        found = (await session.execute(select(Branch).where(Branch.code == code))).scalar_one_or_none()
    if found is None:
        found = Branch(code=code, name=name, created_at=now)
        session.add(found)
        await session.flush()
    elif rename and found.name != name:
        found.name = name
    known[code] = found
    return found


_KNOWN = "branches_by_code"  # session.info: what ensure() has seen in this transaction


@event.listens_for(ScopedSession, "after_transaction_end")
def _forget(session: Session, _transaction: Any) -> None:
    session.info.pop(_KNOWN, None)  # a rolled-back branch must not be handed out again


async def resolve(session: AsyncSession, word: str | None) -> Branch:
    """The branch a command or import means: ``word`` (code, name or id), or the only branch there is.

    Raises:
        Refused: no such branch, or several branches and none named.
    """
    if word:
        found = await by_code(session, word)
        if found is None:
            raise Refused(f"没有“{word}”这个支部。")
        return found
    branches = await all_branches(session)
    if len(branches) != 1:
        raise Refused("有多个支部，请指定支部（代号或名称）：" + "、".join(b.code for b in branches))
    return branches[0]


def number_label(code: str, number: int, *, here: bool) -> str:
    """``#12`` inside its branch, ``运行-12`` across branches."""
    return f"#{number}" if here else f"{code}-{number}"
