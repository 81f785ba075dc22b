"""GET /healthz: database reachable, sender backlog, last processed message time."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import text

from bot import keys
from storage import inbox, outbox


async def healthz(request: web.Request) -> web.Response:
    app = request.app
    body: dict[str, object] = {"status": "ok"}
    try:
        async with app[keys.DB].sessions() as session:
            await session.execute(text("SELECT 1"))
            out = await outbox.count_by_status(session)
            inb = await inbox.count_by_status(session)
            last = await inbox.last_processed_at(session)
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
    if out.get("in_doubt") or out.get("failed"):
        body["status"] = "degraded"
    return web.json_response(body)


def setup(app: web.Application) -> None:
    app.router.add_get("/healthz", healthz)
