"""The migrations build exactly the tables the models declare, and a single-branch database migrates
into one branch with nothing lost."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from storage.db import create_database
from storage.migrate import upgrade
from storage.models import Base


def _diff(connection: sa.Connection) -> list[Any]:
    return compare_metadata(MigrationContext.configure(connection, opts={"compare_type": False}), Base.metadata)


async def test_migrated_schema_is_the_models(database_url: str) -> None:
    db = create_database(database_url)
    try:
        await upgrade(db)
        async with db.engine.connect() as conn:
            assert await conn.run_sync(_diff) == []
    finally:
        await db.dispose()


async def test_a_single_branch_database_becomes_branch_one(database_url: str) -> None:
    from alembic import command

    from storage.migrate import _config

    db = create_database(database_url)
    try:
        async with db.engine.begin() as conn:
            await conn.run_sync(lambda c: command.downgrade(_config(c), "0006"))  # the database before branches
            now = "2026-11-25 01:40:00"
            await conn.execute(sa.text(
                "INSERT INTO people (userid, name, role, team, grid_leader, phone, updated_at) "
                f"VALUES ('sunpeng', '孙鹏', 'employee', '运行一班', false, '', '{now}')"))
            await conn.execute(sa.text(
                "INSERT INTO items (number, kind, category, requester, owner, team, title, text, status, urgent, "
                f"created_at, updated_at, reopen_count) VALUES (7, 'deed', 'canteen', 'sunpeng', NULL, '运行一班', "
                f"'食堂', '食堂晚班没有热饭', 'submitted', false, '{now}', '{now}', 0)"))
            await conn.execute(sa.text("INSERT INTO counters (name, value) VALUES ('item', 7)"))
            await conn.execute(sa.text("INSERT INTO routing (category, owner, updated_by, updated_at) "
                                       f"VALUES ('canteen', 'sunpeng', 'x', '{now}')"))
        await upgrade(db)
        async with db.engine.connect() as conn:
            assert (await conn.execute(sa.text("SELECT id, code FROM branches"))).all() == [(1, "本支部")]
            assert (await conn.execute(sa.text("SELECT number, branch_id FROM items"))).all() == [(7, 1)]
            assert (await conn.execute(sa.text("SELECT branch_id, active FROM people"))).one() == (1, True)
            assert (await conn.execute(sa.text("SELECT name, value FROM counters"))).all() == [("item:1", 7)]
            assert (await conn.execute(sa.text("SELECT category, branch_id FROM routing"))).all() == [("canteen", 1)]
    finally:
        await db.dispose()
