"""Branch scope: a session sees one branch's rows (or, for the committee and the sweeps' loop, all).

The scope lives in ``session.info``. While a branch is set, every ORM SELECT, UPDATE and DELETE
of a :class:`~storage.base.BranchScoped` table is given ``branch_id = <branch>`` (SQLAlchemy's
``with_loader_criteria``), and every new scoped row gets that branch. With no branch set, reads
see every branch and a new scoped row must name its branch, or the flush fails — loudly, in tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from sqlalchemy import Integer, bindparam, event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from storage.base import BranchScoped

KEY = "branch"


class ScopedSession(Session):
    """The sync session behind every ``AsyncSession`` of ``storage.db``."""


def _sync(session: AsyncSession | Session) -> Session:
    return session.sync_session if isinstance(session, AsyncSession) else session


def set_branch(session: AsyncSession | Session, branch: int | None) -> None:
    """Scope ``session`` to ``branch`` (None: every branch)."""
    _sync(session).info[KEY] = branch


def branch_of(session: AsyncSession | Session) -> int | None:
    return _sync(session).info.get(KEY)


def require_branch(session: AsyncSession | Session) -> int:
    branch = branch_of(session)
    if branch is None:
        raise RuntimeError("this needs a session scoped to a branch (storage.scope.set_branch)")
    return branch


@contextmanager
def in_branch(session: AsyncSession | Session, branch: int | None) -> Iterator[None]:
    """Scope ``session`` to ``branch`` (None: every branch) for a moment, then back to what it was."""
    info = _sync(session).info
    before = info.get(KEY)
    info[KEY] = branch
    try:
        yield
    finally:
        info[KEY] = before


RANGE = "branches"  # (first, last): a session that sees every branch sees only the branches' ids in between


@contextmanager
def branch_range(session: AsyncSession | Session, first: int, last: int) -> Iterator[None]:
    """See the branches ``first`` to ``last`` (ids, both included) for a moment, reads only (the sweeps'
    reads of many branches at once, ``schedules.context.RunReads``); then back to what it was."""
    info = _sync(session).info
    before = info.get(KEY), info.get(RANGE)
    info[KEY], info[RANGE] = None, (first, last)
    try:
        yield
    finally:
        info[KEY], info[RANGE] = before


def every_branch(session: AsyncSession | Session) -> AbstractContextManager[None]:
    """Lift the scope for a moment (finding the sender before knowing their branch, committee views)."""
    return in_branch(session, None)


BOUND = "branch_bound"  # execution option: the statement bounds the branch itself (:func:`bound`)


def bound(stmt: Any, *models: Any) -> Any:
    """``stmt`` restricted to the branch bound as ``:branch`` for each of ``models`` (the scoped models of its
    FROM list), marked so that the scope does not add its criteria again: a statement built and compiled once
    for every branch (the scope's ``with_loader_criteria``, added per execution, cost more CPU than the read)."""
    branch = bindparam("branch", type_=Integer)
    return stmt.where(*(model.branch_id == branch for model in models)).execution_options(**{BOUND: True})


async def execute(session: AsyncSession, build: Callable[..., Any], *key: Any, **params: Any) -> Any:
    """Run a statement built once per way of scoping it: ``build(True, *key)`` (made with :func:`bound`) with
    the session's branch bound, or ``build(False, *key)`` in a session that sees every branch or a range of
    them (the scope adds its criteria to that one, as to any statement). ``build`` is cached
    (``functools.cache``); ``key``: what else chooses the statement's form, ``params`` its values."""
    branch = _sync(session).info.get(KEY)
    if branch is None:
        return await session.execute(build(False, *key), params)
    params["branch"] = branch
    return await session.execute(build(True, *key), params)


@event.listens_for(ScopedSession, "do_orm_execute")
def _scope_statement(state: ORMExecuteState) -> None:
    branch = state.session.info.get(KEY)
    if branch is None:
        seen = state.session.info.get(RANGE)
        if seen is not None and state.is_select and not (state.is_column_load or state.is_relationship_load):
            first, last = seen
            state.statement = state.statement.options(with_loader_criteria(
                BranchScoped, lambda cls: cls.branch_id.between(first, last), include_aliases=True))
        return
    if state.is_column_load or state.is_relationship_load or state.execution_options.get(BOUND):
        return
    if state.is_select or state.is_update or state.is_delete:
        state.statement = state.statement.options(
            with_loader_criteria(BranchScoped, lambda cls: cls.branch_id == branch, include_aliases=True))


@event.listens_for(ScopedSession, "before_flush")
def _stamp_new_rows(session: Session, _context: Any, _instances: Any) -> None:
    branch = session.info.get(KEY)
    for obj in session.new:
        if isinstance(obj, BranchScoped) and getattr(obj, "branch_id", None) is None:
            if branch is None:
                raise RuntimeError(f"a new {type(obj).__name__} needs a branch: the session is not scoped to one")
            obj.branch_id = branch
