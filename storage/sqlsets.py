"""``column IN (values)`` for many values: one array parameter on PostgreSQL, not one parameter each.

``column.in_(values)`` renders one bound parameter per value, so each list length is a statement of its own:
rendered anew, and prepared anew by asyncpg (one more round trip). :func:`among` sends PostgreSQL one array
(``column = ANY(:values)``): one statement text whatever the length, prepared once. SQLite keeps ``IN``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement


def _dialect(session: AsyncSession | Session) -> str:
    bind = session.bind if isinstance(session, Session) else session.sync_session.bind
    return bind.dialect.name if bind is not None else ""


def among(session: AsyncSession | Session, column: Any, values: Iterable[Any]) -> ColumnElement[bool]:
    """``column`` is one of ``values`` (a list, set or tuple), in the form best for ``session``'s database."""
    values = list(values)
    if _dialect(session) == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(column.type)))  # type: ignore[no-any-return]
    return column.in_(values)  # type: ignore[no-any-return]
