"""A WeCom API simulator on loopback: gettoken and message/send, recording what was sent (and files uploaded),
OAuth2, and the directory (通讯录) of a fixture organisation with the ``change_contact`` events it raises.

Used by ``sijing demo``, the tests and the benchmarks, through the same client code
as production (only the API base URL differs). It can be told to fail.
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from yarl import URL

from bot import fakecards
from bot.fakefaults import ERRMSG, FakeFaults


@dataclass
class FakeWeCom:
    """State of the simulated WeCom server."""

    corp_id: str
    secret: str
    agent_id: int
    sent: list[dict[str, Any]] = field(default_factory=list)
    token_requests: int = 0
    send_requests: int = 0
    valid_tokens: set[str] = field(default_factory=set)
    expired_tokens: set[str] = field(default_factory=set)
    failures: deque[int] = field(default_factory=deque)
    listeners: list[Callable[[dict[str, Any]], None]] = field(default_factory=list)
    _counter: itertools.count = field(default_factory=lambda: itertools.count(1))  # type: ignore[type-arg]
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    directory: FakeDirectory = field(default_factory=lambda: FakeDirectory())
    faults: FakeFaults = field(default_factory=FakeFaults)  # bot.fakefaults: errors and slowness on demand

    def fail_next(self, errcode: int, times: int = 1) -> None:
        """The next ``times`` message/send calls answer ``errcode``."""
        self.failures.extend([errcode] * times)

    def expire_tokens(self) -> None:
        """Every token issued so far now answers 42001."""
        self.expired_tokens |= self.valid_tokens
        self.valid_tokens.clear()

    def to(self, userid: str) -> list[dict[str, Any]]:
        return [m for m in self.sent if userid in m.get("touser", "").split("|")]

    def texts(self, userid: str) -> list[str]:
        out = []
        for m in self.to(userid):
            kind = m.get("msgtype", "")
            body = m.get(kind, {})
            out.append(body.get("content") or body.get("description") or fakecards.card_text(body))
        return out

    async def wait_for(self, count: int, timeout: float = 5.0) -> None:
        """Wait until at least ``count`` messages were recorded."""
        async def _wait() -> None:
            while len(self.sent) < count:
                self._changed.clear()
                await self._changed.wait()
        await asyncio.wait_for(_wait(), timeout)

    # -- HTTP -------------------------------------------------------------

    async def gettoken(self, request: web.Request) -> web.Response:
        self.token_requests += 1
        if (faulty := await self.faults.on_token()) is not None:
            return faulty
        if request.query.get("corpid") != self.corp_id or request.query.get("corpsecret") != self.secret:
            return web.json_response({"errcode": 40001, "errmsg": ERRMSG[40001]})
        token = f"fake-token-{next(self._counter)}"
        self.valid_tokens.add(token)
        return web.json_response({"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200})

    async def send(self, request: web.Request) -> web.Response:
        self.send_requests += 1
        if (faulty := await self.faults.on_send()) is not None:
            return faulty
        token = request.query.get("access_token", "")
        if token in self.expired_tokens:
            return web.json_response({"errcode": 42001, "errmsg": ERRMSG[42001]})
        if token not in self.valid_tokens:
            return web.json_response({"errcode": 40014, "errmsg": ERRMSG[40014]})
        if self.failures:
            code = self.failures.popleft()
            return web.json_response({"errcode": code, "errmsg": ERRMSG.get(code, "error")})
        body = await request.json()
        if str(body.get("agentid")) != str(self.agent_id) or not body.get("touser"):
            return web.json_response({"errcode": 40031, "errmsg": ERRMSG[40031]})
        if body.get("msgtype") == "file" and (body.get("file") or {}).get("media_id") not in self.web.media:
            return web.json_response({"errcode": 40007, "errmsg": "invalid media_id"})
        self.sent.append(body)
        self._changed.set()
        for listener in self.listeners:
            listener(body)
        return web.json_response({"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": f"m{len(self.sent)}"})

    def make_app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/cgi-bin/gettoken", self.gettoken)
        app.router.add_post("/cgi-bin/message/send", self.send)
        self.add_web_routes(app)
        self.directory.register(app, self)
        fakecards.register(app, self)  # message/update_template_card: FakeCards (fakecards.cards_of)
        return app

    # -- web login (OAuth2) and files (media/upload) --------------------------

    @property
    def web(self) -> FakeWeb:
        """OAuth and media state, created on first use."""
        state = self.__dict__.get("_web")
        if state is None:
            state = self.__dict__["_web"] = FakeWeb()
        return state

    def login_as(self, userid: str | None) -> None:
        """Whom the simulated WeCom client is logged in as: the next OAuth2 authorize answers for them."""
        self.web.user = userid

    def _token_error(self, request: web.Request) -> web.Response | None:
        token = request.query.get("access_token", "")
        if token in self.expired_tokens:
            return web.json_response({"errcode": 42001, "errmsg": ERRMSG[42001]})
        if token not in self.valid_tokens:
            return web.json_response({"errcode": 40014, "errmsg": ERRMSG[40014]})
        return None

    async def authorize(self, request: web.Request) -> web.StreamResponse:
        """``open.weixin.qq.com/connect/oauth2/authorize``: straight back to ``redirect_uri`` with a code."""
        q = request.query
        if q.get("appid") != self.corp_id or q.get("scope") != "snsapi_base" or not q.get("redirect_uri"):
            return web.Response(status=400, text="fake wecom: bad authorize request")
        user = q.get("fake_user") or self.web.user
        if user is None:
            return web.Response(status=403, text="fake wecom: nobody is logged in (FakeWeCom.login_as)")
        code = secrets.token_urlsafe(12)
        self.web.codes[code] = (user, time.monotonic())
        target = URL(q["redirect_uri"]).update_query(code=code, state=q.get("state", ""))
        raise web.HTTPFound(str(target))

    async def getuserinfo(self, request: web.Request) -> web.Response:
        if (refused := self._token_error(request)) is not None:
            return refused
        found = self.web.codes.pop(request.query.get("code", ""), None)
        if found is None or time.monotonic() - found[1] > self.web.code_ttl:
            return web.json_response({"errcode": 40029, "errmsg": "invalid code"})
        return web.json_response({"errcode": 0, "errmsg": "ok", "userid": found[0], "user_ticket": ""})

    def files(self, userid: str) -> list[tuple[str, bytes]]:
        """``(file name, bytes)`` of each file message sent to ``userid``, as uploaded."""
        return [self.web.media[m["file"]["media_id"]] for m in self.to(userid) if m.get("msgtype") == "file"]

    def fail_uploads(self, errcode: int, times: int = 1) -> None:
        """The next ``times`` media/upload calls answer ``errcode``."""
        self.web.upload_failures.extend([errcode] * times)

    async def upload(self, request: web.Request) -> web.Response:
        if (refused := self._token_error(request)) is not None:
            return refused
        self.web.uploads += 1
        if self.web.upload_failures:
            code = self.web.upload_failures.popleft()
            return web.json_response({"errcode": code, "errmsg": ERRMSG.get(code, "error")})
        post = await request.post()
        media = post.get("media")
        if not isinstance(media, web.FileField) or request.query.get("type") != "file":
            return web.json_response({"errcode": 40005, "errmsg": "invalid file type"})
        media_id = f"media-{next(self._counter)}"
        self.web.media[media_id] = (media.filename, media.file.read())
        return web.json_response({"errcode": 0, "errmsg": "ok", "type": "file", "media_id": media_id,
                                  "created_at": str(int(time.time()))})

    def add_web_routes(self, app: web.Application) -> None:
        app.router.add_get("/connect/oauth2/authorize", self.authorize)
        app.router.add_get("/cgi-bin/auth/getuserinfo", self.getuserinfo)
        app.router.add_post("/cgi-bin/media/upload", self.upload)


@dataclass
class FakeWeb:
    """The simulated WeCom client's login, issued OAuth2 codes, uploaded files."""

    user: str | None = None
    code_ttl: float = 300.0
    codes: dict[str, tuple[str, float]] = field(default_factory=dict)
    media: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    uploads: int = 0
    upload_failures: deque[int] = field(default_factory=deque)


async def serve(fake: FakeWeCom, host: str = "127.0.0.1", port: int = 0) -> tuple[web.AppRunner, str]:
    """Start the simulator; returns the runner and its API base URL."""
    runner = web.AppRunner(fake.make_app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    sock = site._server.sockets[0]  # type: ignore[union-attr]
    actual = sock.getsockname()[1]
    return runner, f"http://{host}:{actual}/cgi-bin/"


def oauth_base(api_base: str) -> str:
    """The simulator's stand-in for ``https://open.weixin.qq.com/``, given its API base URL."""
    return str(URL(api_base).with_path("/"))
# -- the directory (通讯录) ----------------------------------------------------------------------


@dataclass
class FakeDepartment:
    id: int
    parent: int
    name: str
    order: int = 0


@dataclass
class FakeMember:
    userid: str
    name: str
    departments: list[int]
    main: int


# The fixture organisation: a company whose Party committee (党委, its office in 机关's branch) has three
# branches' departments, teams under two of them, a department nobody mapped (外包) and one not to
# import (离退休).
SAMPLE_DEPARTMENTS = (
    (1, 0, "四精能源公司"), (2, 1, "党委办公室"), (10, 1, "运行部"), (11, 10, "运行一班"), (12, 10, "运行二班"), (20, 1, "检修部"),
    (21, 20, "检修一班"), (22, 20, "检修二班"), (30, 1, "机关"), (31, 30, "综合办公室"), (32, 30, "财务科"),
    (40, 1, "外包服务中心"), (50, 1, "离退休人员"),
)
SAMPLE_MEMBERS = (
    ("zongjingli", "赵总", 1), ("hanli", "韩立", 2), ("gaoyuan", "高远", 10), ("qianwei", "钱伟", 11), ("sunli", "孙丽", 11),
    ("zhoujie", "周杰", 11), ("wuhao", "吴昊", 12), ("zhengyi", "郑毅", 12), ("fengjuan", "冯娟", 12),
    ("chenhui", "陈辉", 20), ("hanmei", "韩梅", 21), ("yangfan", "杨帆", 21), ("zhuxin", "朱鑫", 22),
    ("heping", "何平", 31), ("luoyi", "罗毅", 31), ("tangning", "唐宁", 32), ("xiaoyu", "肖雨", 32),
    ("songtao", "宋涛", 40), ("dingwen", "丁文", 40), ("laoli", "李老", 50),
)
SAMPLE_MAPPING = """部门ID,支部代号,支部名称,班组,部门名称
2,机关,,党委办公室,党委办公室
10,运行,运行部党支部,下级,运行部
20,检修,,下级,检修部
30,机关,机关党支部,,机关
31,,,综合办公室,综合办公室
32,,,*,财务科
50,-,,,离退休人员
"""


@dataclass
class FakeDirectory:
    """The simulated directory. Its change methods return the ``change_contact`` callback XML WeCom
    would send (post it through the real encrypted webhook); ``page_size`` is small so that every
    ``user/list_id`` caller pages with the cursor."""

    departments: dict[int, FakeDepartment] = field(default_factory=dict)
    members: dict[str, FakeMember] = field(default_factory=dict)
    page_size: int = 4
    corp_id: str = ""
    calls: dict[str, int] = field(default_factory=dict)
    failures: deque[int] = field(default_factory=deque)  # errcodes the next directory calls answer
    refused: dict[str, int] = field(default_factory=dict)  # user/get of these userids answers this errcode

    def load_sample(self) -> FakeDirectory:
        for d, parent, name in SAMPLE_DEPARTMENTS:
            self.departments[d] = FakeDepartment(d, parent, name)
        for userid, name, dept in SAMPLE_MEMBERS:
            self.members[userid] = FakeMember(userid, name, [dept], dept)
        self.members["xiaoyu"].departments.append(40)  # also in a second department
        return self

    def populate(self, branches: int, teams: int, per_team: int, *, first: int = 1000) -> str:
        """A large organisation under department 1; returns its mapping file (CSV text)."""
        self.departments.setdefault(1, FakeDepartment(1, 0, "集团"))
        rows = ["部门ID,支部代号,支部名称,班组"]
        for b in range(branches):
            bd = first + b * (teams + 1)
            self.departments[bd] = FakeDepartment(bd, 1, f"第{b + 1}部")
            rows.append(f"{bd},B{b + 1},第{b + 1}党支部,下级")
            for t in range(teams):
                td = bd + 1 + t
                self.departments[td] = FakeDepartment(td, bd, f"第{b + 1}部{t + 1}班")
                for m in range(per_team):
                    userid = f"u{b}x{t}x{m}"
                    self.members[userid] = FakeMember(userid, f"员工{b}-{t}-{m}", [td], td)
        return "\n".join(rows) + "\n"

    # -- changes, and the events they raise ----------------------------------------------

    def event(self, change: str, *, created: int | None = None, **fields: object) -> str:
        """A ``change_contact`` callback as WeCom sends it (``FromUserName`` ``sys``)."""
        inner = "".join(f"<{k}><![CDATA[{v}]]></{k}>" for k, v in fields.items() if v not in (None, ""))
        return (f"<xml><ToUserName><![CDATA[{self.corp_id}]]></ToUserName><FromUserName><![CDATA[sys]]>"
                f"</FromUserName><CreateTime>{created or int(time.time())}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
                f"<Event><![CDATA[change_contact]]></Event><ChangeType><![CDATA[{change}]]></ChangeType>{inner}</xml>")

    def add_department(self, dept: int, parent: int, name: str) -> str:
        self.departments[dept] = FakeDepartment(dept, parent, name)
        return self.event("create_party", Id=dept, ParentId=parent, Name=name)

    def rename_department(self, dept: int, name: str) -> str:
        self.departments[dept].name = name
        return self.event("update_party", Id=dept, Name=name)

    def delete_department(self, dept: int) -> str:
        del self.departments[dept]
        return self.event("delete_party", Id=dept)

    def add_member(self, userid: str, name: str, dept: int) -> str:
        self.members[userid] = FakeMember(userid, name, [dept], dept)
        return self.event("create_user", UserID=userid, Department=dept)  # new callbacks: no Name

    def move_member(self, userid: str, dept: int) -> str:
        member = self.members[userid]
        member.departments, member.main = [dept], dept
        return self.event("update_user", UserID=userid, Department=dept)

    def rename_member(self, userid: str, name: str) -> str:
        self.members[userid].name = name
        return self.event("update_user", UserID=userid)

    def change_userid(self, old: str, new: str) -> str:
        member = self.members.pop(old)
        member.userid = new
        self.members[new] = member
        return self.event("update_user", UserID=old, NewUserID=new)

    def delete_member(self, userid: str) -> str:
        del self.members[userid]
        return self.event("delete_user", UserID=userid)

    # -- HTTP ---------------------------------------------------------------------------------

    def register(self, app: web.Application, fake: FakeWeCom) -> None:
        self.corp_id = self.corp_id or fake.corp_id

        def guarded(path: str, handler: Callable[[web.Request], Any]) -> Callable[[web.Request], Any]:
            async def serve_one(request: web.Request) -> web.Response:
                self.calls[path] = self.calls.get(path, 0) + 1
                token = request.query.get("access_token", "")
                code = 42001 if token in fake.expired_tokens else 0 if token in fake.valid_tokens else 40014
                if not code and self.failures:
                    code = self.failures.popleft()
                if code:
                    return web.json_response({"errcode": code, "errmsg": ERRMSG.get(code, "error")})
                return web.json_response({"errcode": 0, "errmsg": "ok", **(await handler(request))})
            return serve_one

        app.router.add_get("/cgi-bin/department/simplelist", guarded("department/simplelist", self._simplelist))
        app.router.add_get("/cgi-bin/department/get", guarded("department/get", self._department))
        app.router.add_post("/cgi-bin/user/list_id", guarded("user/list_id", self._list_id))
        app.router.add_get("/cgi-bin/user/get", guarded("user/get", self._user))

    async def _simplelist(self, request: web.Request) -> dict[str, Any]:
        return {"department_id": [{"id": d.id, "parentid": d.parent, "order": d.order}
                                  for d in sorted(self.departments.values(), key=lambda d: d.id)]}

    async def _department(self, request: web.Request) -> dict[str, Any]:
        found = self.departments.get(int(request.query.get("id", "0") or 0))
        if found is None:
            return {"errcode": 60123, "errmsg": "invalid party id"}
        return {"department": {"id": found.id, "name": found.name, "parentid": found.parent, "order": found.order}}

    async def _list_id(self, request: web.Request) -> dict[str, Any]:
        body = await request.json()
        start = int(body.get("cursor") or 0)
        size = min(int(body.get("limit") or 10000), self.page_size)
        pairs = [(m.userid, d) for m in sorted(self.members.values(), key=lambda m: m.userid) for d in m.departments]
        page = pairs[start:start + size]
        after = start + size
        return {"next_cursor": str(after) if after < len(pairs) else "",
                "dept_user": [{"userid": u, "department": d} for u, d in page]}

    async def _user(self, request: web.Request) -> dict[str, Any]:
        userid = request.query.get("userid", "")
        if userid in self.refused:
            return {"errcode": self.refused[userid], "errmsg": "no privilege to access/modify contact/party/agent"}
        member = self.members.get(userid)
        if member is None:
            return {"errcode": 60111, "errmsg": "userid not found"}
        # since mid-2022 a new app gets no mobile, email or avatar
        return {"userid": member.userid, "name": member.name, "department": list(member.departments),
                "main_department": member.main, "status": 1}
