"""GET /healthz: database reachable, sender backlog and problems, rows in doubt, last processed message time."""

from __future__ import annotations

from datetime import datetime, timezone

from aiohttp import web
from sqlalchemy import text

from bot import keys
from bot.logsafe import pseudo
from storage import inbox, outbox

IN_DOUBT_LISTED = 50


async def healthz(request: web.Request) -> web.Response:
    app = request.app
    body: dict[str, object] = {"status": "ok"}
    try:
        async with app[keys.DB].sessions() as session:
            await session.execute(text("SELECT 1"))
            out = await outbox.count_by_status(session)
            inb = await inbox.count_by_status(session)
            last = await inbox.last_processed_at(session)
            doubt = await outbox.listed(session, ("in_doubt",), limit=IN_DOUBT_LISTED) if out.get("in_doubt") else []
            waiting = await inbox.backlog(session)
            stored = await outbox.problem(session)  # met by whichever process sends (a worker, maybe)
    except Exception as exc:  # noqa: BLE001 - report, don't crash
        return web.json_response({"status": "error", "database": f"unreachable: {type(exc).__name__}"}, status=503)
    tz = app[keys.SETTINGS].tz
    body.update(
        database="ok",
        sender_backlog=out.get("pending", 0) + out.get("sending", 0),
        outbox=out,
        inbox_pending=inb.get("pending", 0),
        inbox_failed=inb.get("failed", 0),
        processing=app[keys.PROCESSOR].backlog,
        last_processed_at=last.astimezone(tz).isoformat() if last else None,
    )
    if doubt:  # may or may not have reached the person: `sijing outbox resend|drop ID`
        body["in_doubt"] = [{"id": r.id, "to": pseudo(r.recipient), "error": r.error,
                             "claimed_at": r.claimed_at.astimezone(tz).isoformat() if r.claimed_at else None}
                            for r in doubt]
    if out.get("in_doubt") or out.get("failed"):
        body["status"] = "degraded"
    backlog_state(app, body, *waiting)
    sender = app.get(keys.SENDER)
    problem = sender.problem if sender is not None else None
    reason, since = (problem.reason, problem.since) if problem is not None else (stored[1:] if stored else (None, None))
    if reason is not None and since is not None:
        body["status"] = "error"
        body["sender_error"] = reason
        body["sender_error_since"] = since.astimezone(tz).isoformat()
    return web.json_response(body)


def backlog_state(app: web.Application, body: dict[str, object], pending: int, oldest: datetime | None) -> None:
    """Callbacks keep being stored and acknowledged whatever the backlog; past the processor's
    threshold (rows waiting, or the oldest one's age) the status says ``backlogged``."""
    processor = app[keys.PROCESSOR]
    age = max(0.0, (datetime.now(timezone.utc) - oldest).total_seconds()) if oldest else 0.0
    body["inbox_oldest_pending_s"] = round(age, 1)
    if (pending > processor.backlog_rows or age > processor.backlog_age) and body.get("status") in ("ok", "degraded"):
        body["status"] = "backlogged"


def setup(app: web.Application) -> None:
    app.router.add_get("/healthz", healthz)
