"""``column IN (values)`` for many values: one array parameter on PostgreSQL, not one parameter each; and
many rows inserted likewise (:func:`insert_rows`).

``column.in_(values)`` renders one bound parameter per value, so each list length is a statement of its own:
rendered anew, and prepared anew by asyncpg (one more round trip). :func:`among` sends PostgreSQL one array
(``column = ANY(:values)``): one statement text whatever the length, prepared once. SQLite keeps ``IN``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Row, Select, any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from storage import scope


def _dialect(session: AsyncSession | Session) -> str:
    bind = session.bind if isinstance(session, Session) else session.sync_session.bind
    return bind.dialect.name if bind is not None else ""


def among(session: AsyncSession | Session, column: Any, values: Iterable[Any]) -> ColumnElement[bool]:
    """``column`` is one of ``values`` (a list, set or tuple), in the form best for ``session``'s database."""
    values = list(values)
    if _dialect(session) == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(column.type)))  # type: ignore[no-any-return]
    return column.in_(values)  # type: ignore[no-any-return]


async def insert_rows(session: AsyncSession, model: Any, rows: Sequence[Mapping[str, Any]], *, conflict: str,
                      returning: Any = None) -> list[Any]:
    """Insert ``rows`` (dicts with the same columns) into ``model``'s table, skipping those whose ``conflict``
    column is taken; the ``returning`` column of the rows inserted (else nothing).

    PostgreSQL: one statement, each column one array parameter (``INSERT … SELECT unnest(…), …``), or one
    value if it is the same in every row: no statement text per row count, no parameter per value, and the
    rows' values are not copied again into a multi-row VALUES. SQLite: an executemany."""
    if not rows:
        return []
    names = list(rows[0])
    if _dialect(session) == "postgresql":
        values = []
        for n in names:
            column, vs = getattr(model, n), [r[n] for r in rows]
            if vs.count(vs[0]) == len(vs):  # the same in every row (a time stamp, a status): one plain parameter
                values.append(bindparam(None, vs[0], type_=column.type))
            else:
                values.append(func.unnest(bindparam(None, vs, type_=ARRAY(column.type))))
        source = select(*values)
        stmt = pg_insert(model).from_select(names, source).on_conflict_do_nothing(index_elements=[conflict])
        # on the session's connection: an INSERT has no branch scope to apply (storage.scope), and the rows
        # returned (a run of the sweeps: 400,000 keys) are taken as they are, not made anew by the ORM
        await session.flush()  # (what the session holds goes first, as session.execute would)
        connection = await session.connection()
        if returning is None:
            await connection.execute(stmt)
            return []
        return list((await connection.execute(stmt.returning(returning))).scalars())
    stmt = sqlite_insert(model).on_conflict_do_nothing(index_elements=[conflict])
    if returning is None:
        await session.execute(stmt, list(rows))
        return []
    return list((await session.execute(stmt.returning(returning), list(rows))).scalars())


async def plain_rows(session: AsyncSession, stmt: Select[Any], *scoped: Any) -> Sequence[Row[Any]]:
    """The rows of ``stmt`` (a select of columns) as the database gives them, without the ORM's work per row
    and column (``session.execute`` makes each row anew: a second of a sweep run's CPU over 100,000 people).

    Run on the session's connection (its transaction), after a flush, so the ORM's branch scope
    (``storage.scope``) is not applied by itself: it is applied here to each model of ``scoped`` (the scoped
    tables of ``stmt``'s FROM list; a correlated subquery is bounded by them), as the session's reads see it:
    its branch, or its range of branches, or every branch."""
    info = (session.sync_session if isinstance(session, AsyncSession) else session).info
    branch, seen = info.get(scope.KEY), info.get(scope.RANGE)
    for model in scoped:
        if branch is not None:
            stmt = stmt.where(model.branch_id == branch)
        elif seen is not None:
            stmt = stmt.where(model.branch_id.between(*seen))
    await session.flush()
    return (await (await session.connection()).execute(stmt)).all()
