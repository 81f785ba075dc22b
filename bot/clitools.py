"""What every ``sijing`` command needs: its settings, and the database opened (migrated) around its work."""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from bot.config import Settings, load_settings

T = TypeVar("T")


def settings_of(args: argparse.Namespace, *, need_wecom: bool = True) -> Settings:
    return load_settings(config_file=args.config, need_wecom=need_wecom)


async def with_db(settings: Settings, work: Callable[[Any], Awaitable[T]]) -> T:
    """Open the database (migrated), run ``work(db)``, close it."""
    from storage import migrate
    from storage.db import create_database

    db = create_database(settings.database_url)
    try:
        await migrate.upgrade(db)
        return await work(db)
    finally:
        await db.dispose()
