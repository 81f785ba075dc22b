"""The ceiling for bench/callback.py: verify and decrypt a callback, nothing else."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.events import parse_fields  # noqa: E402
from bot.wecom.crypto import CallbackError, WeComCrypto  # noqa: E402


def main() -> None:
    crypto = WeComCrypto(os.environ["SIJING_WECOM_TOKEN"], os.environ["SIJING_WECOM_AES_KEY"],
                         os.environ["SIJING_WECOM_CORP_ID"])

    async def receive(request: web.Request) -> web.Response:
        q = request.query
        try:
            inner = crypto.decrypt_body(await request.read(), q["msg_signature"], q["timestamp"], q["nonce"])
            parse_fields(inner)
        except CallbackError as exc:
            return web.Response(status=exc.status)
        return web.Response(status=200, body=b"")

    async def ready(_request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/wecom/callback", receive)
    app.router.add_get("/ready", ready)
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)


if __name__ == "__main__":
    main()
