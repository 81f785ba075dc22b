"""``storage.sqlsets.insert_rows``: many rows in one statement (on PostgreSQL, each varying column one JSON
array), exactly what an insert of each row would write, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from storage.db import create_database
from storage.migrate import upgrade
from storage.models import Nudge, OutboxRow
from storage.sqlsets import insert_rows

T0 = datetime(2026, 11, 25, 1, 40, tzinfo=timezone.utc)
AWKWARD = ['引号"与\\反斜杠', "换行\n制表\t", "emoji 😀 {}[],", "", "null", "'单引号'"]


async def test_rows_go_in_as_given_and_taken_keys_are_skipped(database_url: str) -> None:
    db = create_database(database_url)
    try:
        await upgrade(db)
        async with db.sessions() as session:
            async with session.begin():
                rows = [dict(key=f"k:{i}:{text}", recipient=f"u{i % 3}", kind="push" if i % 2 else "item_late",
                             created_at=T0) for i, text in enumerate(AWKWARD)]
                written = await insert_rows(session, Nudge, rows, conflict="key", returning=Nudge.key)
                assert sorted(written) == sorted(r["key"] for r in rows)
                again = rows[:2] + [dict(key="k:new", recipient="u9", kind="push", created_at=T0)]
                assert await insert_rows(session, Nudge, again, conflict="key", returning=Nudge.key) == ["k:new"]
                assert await insert_rows(session, Nudge, rows[:1], conflict="key", returning=Nudge.key) == []
                assert await insert_rows(session, Nudge, [], conflict="key", returning=Nudge.key) == []
                got = (await session.execute(select(Nudge.key, Nudge.recipient, Nudge.kind, Nudge.created_at)
                                             .order_by(Nudge.key))).all()
                assert got == sorted([(r["key"], r["recipient"], r["kind"], T0) for r in rows]
                                     + [("k:new", "u9", "push", T0)])

                # varying times, integers and NULLs (an outbox row's columns); a single row (nothing varies)
                out = [dict(recipient=f"u{i}", msg_type="text", body=f'{{"text": {{"content": "{t}"}}}}',
                            status="pending", created_at=T0, next_attempt_at=T0 + timedelta(seconds=i * 37),
                            attempts=i, inbox_id=None if i % 2 else i, dedupe_key=f"nudge:{i}")
                       for i, t in enumerate(AWKWARD)]
                assert await insert_rows(session, OutboxRow, out, conflict="dedupe_key") == []
                await insert_rows(session, OutboxRow, [dict(out[0], dedupe_key="alone")], conflict="dedupe_key")
                stored = (await session.execute(select(
                    OutboxRow.recipient, OutboxRow.body, OutboxRow.next_attempt_at, OutboxRow.attempts,
                    OutboxRow.inbox_id, OutboxRow.dedupe_key).order_by(OutboxRow.id))).all()
                assert stored == [(r["recipient"], r["body"], r["next_attempt_at"], r["attempts"], r["inbox_id"],
                                   r["dedupe_key"]) for r in [*out, dict(out[0], dedupe_key="alone")]]
                naive = [dict(r, dedupe_key=f"naive:{i}", next_attempt_at=T0.replace(tzinfo=None)
                              + timedelta(seconds=i)) for i, r in enumerate(out[:2])]
                with pytest.raises(Exception, match="naive datetime"):
                    await insert_rows(session, OutboxRow, naive, conflict="dedupe_key")
    finally:
        await db.dispose()
