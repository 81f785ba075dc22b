"""``column IN (values)`` for many values: one array parameter on PostgreSQL, not one parameter each; and
many rows inserted likewise (:func:`insert_rows`).

``column.in_(values)`` renders one bound parameter per value, so each list length is a statement of its own:
rendered anew, and prepared anew by asyncpg (one more round trip). :func:`among` sends PostgreSQL one array
(``column = ANY(:values)``): one statement text whatever the length, prepared once. SQLite keeps ``IN``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import DateTime, Row, Select, Table, Text, TypeDecorator, any_, bindparam, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement, TextClause

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

    PostgreSQL: one statement (:func:`_pg_insert`), whatever the number of rows. SQLite: an executemany."""
    if not rows:
        return []
    if _dialect(session) == "postgresql":
        return await _pg_insert_rows(session, model, rows, conflict, returning)
    stmt = sqlite_insert(model).on_conflict_do_nothing(index_elements=[conflict])
    if returning is None:
        await session.execute(stmt, list(rows))
        return []
    return list((await session.execute(stmt.returning(returning), list(rows))).scalars())


async def _pg_insert_rows(session: AsyncSession, model: Any, rows: Sequence[Mapping[str, Any]], conflict: str,
                          returning: Any) -> list[Any]:
    """:func:`insert_rows` on PostgreSQL, in one statement. A column whose value is the same in every row (a time
    stamp, a status) is one plain parameter. Any other is one parameter too, unpacked by ``ROWS FROM (…)``
    (which walks them in step) and cast to the column's type: short values (keys, ids, names, times) as one
    JSON array, a single text, since the driver encodes an array's values one by one (2 s of a sweep run's CPU,
    recording 441,000 nudges); long texts (``Text`` columns: message bodies) as an array, since JSON would
    escape every character of them. What is returned comes back as one JSON array too."""
    table = model.__table__
    names = tuple(rows[0])
    varying: list[str] = []
    params: dict[str, Any] = {}
    for n in names:
        vs = [r[n] for r in rows]
        if vs.count(vs[0]) == len(vs):  # the same in every row
            params[n] = vs[0]
            continue
        varying.append(n)
        column_type = table.c[n].type
        how = _shape(column_type)
        if how == "datetime":  # as the column's own type takes them (UTCDateTime: aware, in UTC), as ISO text
            bind = column_type.process_bind_param if isinstance(column_type, TypeDecorator) else (lambda v, _d: v)
            vs = [None if v is None else bind(v, _PG).isoformat() for v in vs]
        params[n] = vs if how == "array" else json.dumps(vs, ensure_ascii=False)
    stmt = _pg_insert(table, names, tuple(varying), conflict, None if returning is None else returning.key)
    # on the session's connection: an INSERT has no branch scope to apply (storage.scope), and what comes back is
    # taken as it is, not made anew by the ORM
    await session.flush()  # (what the session holds goes first, as session.execute would)
    connection = await session.connection()
    result = await connection.execute(stmt, params)
    if returning is None:
        return []
    got = result.scalar_one()  # (a key or an id: as JSON gives it, a str or an int)
    return [] if got is None else list(json.loads(got) if isinstance(got, str) else got)


def _shape(type_: Any) -> str:
    """How a varying column of this type is sent: "array", "datetime" (JSON of ISO times) or "json"."""
    if isinstance(type_, TypeDecorator):
        type_ = type_.impl
    if isinstance(type_, DateTime):
        return "datetime"
    if isinstance(type_, Text):
        return "array"
    return "json"


def _from(varying: tuple[str, ...], unpack: str, quote: Any) -> str:
    # (nothing varies, a single row or copies of one, which the conflict would drop: one row, no FROM)
    return f"FROM ROWS FROM ({unpack}) AS r({', '.join(quote(n) for n in varying)}) " if varying else ""


def _sql_type(type_: Any, dialect: Any) -> str:
    """``type_`` as a CAST names it: without a collation (the column's own applies when it is stored)."""
    return type_.compile(dialect=dialect).split(" COLLATE ", 1)[0]


_PG = postgresql.dialect()


@lru_cache(maxsize=64)
def _pg_insert(table: Table, names: tuple[str, ...], varying: tuple[str, ...], conflict: str,
               returning: str | None) -> TextClause:
    """The statement of :func:`_pg_insert_rows` for these columns (built once per shape)."""
    dialect = _PG
    quote = dialect.identifier_preparer.quote
    unpack = ", ".join(f"unnest(:{n})" if _shape(table.c[n].type) == "array"
                       else f"json_array_elements_text(CAST(:{n} AS JSON))" for n in varying)
    source = ", ".join(
        f"CAST(r.{quote(n)} AS {_sql_type(table.c[n].type, dialect)})" if n in varying else f":{n}"
        for n in names)
    sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
           f"SELECT {source} {_from(varying, unpack, quote)}ON CONFLICT ({quote(conflict)}) DO NOTHING")
    if returning is not None:
        sql = f"WITH ins AS ({sql} RETURNING {quote(returning)}) SELECT json_agg({quote(returning)}) FROM ins"
    fixed = [bindparam(n, type_=table.c[n].type) for n in names if n not in varying]
    arrays = [bindparam(n, type_=ARRAY(table.c[n].type)) for n in varying if _shape(table.c[n].type) == "array"]
    return text(sql).bindparams(*fixed, *arrays)


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
