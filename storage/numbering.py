"""Monotonic numbers (``#N`` of items, projects, surveys, trainings…), safe under concurrency.

One counter row per branch and kind. ``UPDATE counters .. RETURNING`` takes the counter row's lock until the transaction ends; when the
row is missing it is created (``ON CONFLICT DO NOTHING``) starting from the highest number in use.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import String, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement

from storage.models import Counter
from storage.scope import BOUND, require_branch


async def next_number(session: AsyncSession, counter: str, column: Any, *where: ColumnElement[bool]) -> int:
    """The next number of ``counter`` in the session's branch (``#N`` is per branch); a new counter
    starts after ``max(column)`` of the branch's rows matching ``where``."""
    branch = require_branch(session)
    counter = f"{counter}:{branch}"
    value = (await session.execute(_bump(), {"counter": counter})).scalar_one_or_none()
    if value is not None:
        return int(value)
    # inside an INSERT the session's branch criteria do not reach this subquery: say the branch
    start = select(func.coalesce(func.max(column), 0)).where(column.class_.branch_id == branch, *where).scalar_subquery()
    dialect = session.get_bind().dialect.name
    ins: Any = postgresql.insert(Counter) if dialect == "postgresql" else sqlite.insert(Counter)
    await session.execute(ins.values(name=counter, value=start).on_conflict_do_nothing(index_elements=["name"]))
    return int((await session.execute(_bump(), {"counter": counter})).scalar_one())


@cache
def _bump() -> Any:
    """The counter's ``UPDATE … RETURNING``, built once (every new item runs it). The counter's name holds the
    branch: no scope to add (``storage.scope.BOUND``)."""
    return (update(Counter).where(Counter.name == bindparam("counter", type_=String))
            .values(value=Counter.value + 1).returning(Counter.value).execution_options(**{BOUND: True}))


# Numbers are INTEGER columns: a larger one (a 12-digit card key, a typo) names nothing, and PostgreSQL
# refuses it as a query argument; readers answer None for it instead of an internal error.
NUMBER_MAX = 2**31 - 1


def in_range(n: int) -> bool:
    """Whether ``n`` can be the number of a row (1 … ``NUMBER_MAX``)."""
    return 0 < n <= NUMBER_MAX
