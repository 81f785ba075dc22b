"""Branches (支部): the default one an upgraded single-branch database has, looking them up, adding one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import Refused
from storage.people.models import Branch

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
    """The branch with this code, created when missing (directory sync, imports); ``rename``: take ``name``."""
    found = (await session.execute(select(Branch).where(Branch.code == code))).scalar_one_or_none()
    if found is None:
        found = Branch(code=code, name=name, created_at=now)
        session.add(found)
        await session.flush()
    elif rename and found.name != name:
        found.name = name
    return found


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
