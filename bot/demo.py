"""``sijing demo``: the whole bot on SQLite with a simulated WeCom, chatted with in a terminal.

Typed lines go through the same encrypted callback, inbox, dispatcher, outbox,
sender and API client as production; only the WeCom server is simulated.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import secrets
import sys
import time
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot import keys
from bot.app import create_app
from bot.config import load_settings
from bot.fakewecom import FakeWeCom, oauth_base, serve
from handlers.people.importer import import_roster
from bot.wecom.crypto import WeComCrypto
from storage import outbox, people

HELP = """命令：/as 账号  切换身份    /who  名册    /web  工作台地址    /help  帮助    /quit  退出
直接输入文字，就是以当前身份在企业微信里发给四精助手的消息。"""


def text_xml(corp_id: str, user: str, content: str, agent_id: int, msg_id: str | None = None) -> str:
    """A WeCom text message callback, as WeCom would encrypt it."""
    msg_id = msg_id or str(time.time_ns())
    content = content.replace("]]>", "]]]]><![CDATA[>")
    return (
        f"<xml><ToUserName><![CDATA[{corp_id}]]></ToUserName><FromUserName><![CDATA[{user}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId><AgentID>{agent_id}</AgentID></xml>"
    )


class Terminal:
    def __init__(self, names: dict[str, str], fake: FakeWeCom | None = None, folder: Path | None = None) -> None:
        self.names = names
        self.fake = fake  # a file message's bytes are in the fake's uploads: saved to ``folder`` to open
        self.folder = folder

    def show(self, body: dict[str, Any]) -> None:
        kind = body.get("msgtype", "")
        part = body.get(kind, {})
        text = part.get("content") or part.get("description") or ""
        if kind == "textcard" and part.get("url"):
            text = f"[{part.get('title', '')}] {text}\n{part.get('url')}"
        if kind == "file" and self.fake is not None and self.folder is not None:
            name, data = self.fake.web.media.get(part.get("media_id", ""), ("", b""))
            path = self.folder / (Path(name).name or "file")
            path.write_bytes(data)
            text = f"[文件] {name}（{len(data) // 1024 + 1} KB）已保存到 {path}"
        if kind == "template_card":
            main = part.get("main_title", {})
            text = f"[卡片] {main.get('title', '')} {main.get('desc', '')}".strip()
            buttons = " / ".join(b.get("text", "") for b in part.get("button_list", []))
            if buttons:
                text += f"  按钮: {buttons}"
        for user in body.get("touser", "").split("|"):
            who = self.names.get(user, user)
            print(f"\n  ◀ 四精助手 → {who}:")
            for line in str(text).splitlines():
                print(f"      {line}")
        sys.stdout.flush()


async def run_demo(db_path: Path, *, fresh: bool = False) -> int:
    logging.getLogger().setLevel(logging.WARNING)
    if fresh and db_path.exists():
        db_path.unlink()
    key = base64.b64encode(secrets.token_bytes(32)).decode().rstrip("=")
    fake = FakeWeCom(corp_id="wwdemo0000000001", secret=secrets.token_hex(16), agent_id=1000002)
    fake_runner, api_base = await serve(fake)
    port = _free_port()
    settings = load_settings(
        env={},
        database_url=f"sqlite+aiosqlite:///{db_path}",
        wecom_corp_id=fake.corp_id,
        wecom_agent_id=fake.agent_id,
        wecom_secret=fake.secret,
        wecom_token=secrets.token_hex(8),
        wecom_aes_key=key,
        wecom_api_base=api_base,
        wecom_oauth_base=oauth_base(api_base),
        public_url=f"http://127.0.0.1:{port}/",
    )
    app = create_app(settings)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    callback = f"http://127.0.0.1:{port}/wecom/callback"
    db = app[keys.DB]
    async with db.sessions() as session:
        roster = await people.all_people(session)
    if not roster:
        with resources.as_file(resources.files("bot") / "data" / "sample_roster.csv") as sample:
            await import_roster(db, sample, datetime.now(timezone.utc))
        async with db.sessions() as session:
            roster = await people.all_people(session)
    names = {p.userid: f"{p.name}({p.role_label})" for p in roster}
    term = Terminal(names, fake, db_path.resolve().parent)
    fake.listeners.append(term.show)
    crypto = WeComCrypto(settings.wecom_token, settings.wecom_aes_key, settings.wecom_corp_id)
    current = next((p.userid for p in roster if p.role == "employee"), roster[0].userid)
    fake.login_as(current)  # the simulated WeCom client: the workbench's OAuth2 login answers for this person
    workbench = f"http://127.0.0.1:{port}/web/oauth/start"
    print("四精助手演示：数据库", db_path, "，企业微信为本机模拟。")
    print(f"工作台：{workbench} （在浏览器打开即以当前身份登录；/as 切换身份后再打开一次）")
    print(HELP)
    interactive = sys.stdin.isatty()
    try:
        async with aiohttp.ClientSession() as http:
            while True:
                prompt = f"\n[{names.get(current, current)}] > " if interactive else ""
                try:
                    line = await asyncio.to_thread(input, prompt)
                except EOFError:
                    break
                line = line.strip()
                if not line:
                    continue
                if line in ("/quit", "/exit", "/q"):
                    break
                if line == "/help":
                    print(HELP)
                    continue
                if line == "/web":
                    print(f"工作台：{workbench} （以 {names.get(current, current)} 登录）")
                    continue
                if line == "/who":
                    for userid, label in names.items():
                        print(f"  {userid:<14} {label}")
                    continue
                if line.startswith("/as"):
                    who = line[3:].strip()
                    match = [u for u, label in names.items() if who and (u == who or label.startswith(who))]
                    if len(match) == 1:
                        current = match[0]
                        print(f"现在的身份：{names[current]}；工作台重新打开 {workbench} 即切换")
                    elif who:
                        current = who
                        print(f"现在的身份：{who}（不在名册中）")
                    else:
                        print("用法：/as 账号，/who 查看名册")
                    fake.login_as(current)
                    continue
                if not interactive:
                    print(f"\n[{names.get(current, current)}] {line}")
                body, query = crypto.sign_body(text_xml(settings.wecom_corp_id, current, line, settings.wecom_agent_id),
                                               agent_id=settings.wecom_agent_id)
                async with http.post(callback, params=query, data=body) as resp:
                    if resp.status != 200:
                        print(f"  (回调被拒绝: HTTP {resp.status})")
                await _settle(app)
    finally:
        await runner.cleanup()
        await fake_runner.cleanup()
    return 0


def _free_port() -> int:
    """A free loopback port, so the workbench's address (and its login links) are known before start."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _settle(app: web.Application, timeout: float = 5.0) -> None:
    """Wait until the message is processed and its replies delivered (for a tidy terminal)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await app[keys.PROCESSOR].drain()
        async with app[keys.DB].sessions() as session:
            counts = await outbox.count_by_status(session)
        if not counts.get("pending") and not counts.get("sending"):
            return
        app[keys.SENDER].wake()
        await asyncio.sleep(0.05)
