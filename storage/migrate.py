"""Apply Alembic migrations before the app takes traffic, or refuse clearly."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from storage.db import Database

MIGRATIONS = Path(__file__).parent / "migrations"


class MigrationRefused(Exception):
    """The database is at a revision this program does not know (it is newer)."""


def _config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def _current(connection: Connection) -> set[str]:
    return set(MigrationContext.configure(connection).get_current_heads())


@lru_cache(maxsize=1)
def _revisions() -> tuple[frozenset[str], frozenset[str]]:
    """(every revision this program knows, its heads): the scripts are read once per process (their parsing
    costs ~0.15 s, which every start and every ``sijing`` command paid again when the database was at head)."""
    script = ScriptDirectory.from_config(_config())
    return frozenset(rev.revision for rev in script.walk_revisions()), frozenset(script.get_heads())


def _upgrade(connection: Connection) -> None:
    current = _current(connection)
    known, heads = _revisions()
    unknown = current - known
    if unknown:
        raise MigrationRefused(
            "数据库结构版本 %s 比本程序新，拒绝启动：请升级四精助手，或换用匹配的数据库。"
            " (database revision %s is unknown to this program)" % ((", ".join(sorted(unknown)),) * 2)
        )
    if current == heads:
        return  # at head: nothing to run (alembic would read every script again only to find that out)
    command.upgrade(_config(connection), "head")


async def upgrade(db: Database) -> None:
    """Bring the schema to head; raises :class:`MigrationRefused` for a newer database."""
    async with db.engine.begin() as conn:
        await conn.run_sync(_upgrade)


def head() -> str:
    heads = _revisions()[1]
    return next(iter(heads)) if len(heads) == 1 else ""
