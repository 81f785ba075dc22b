"""Async WeCom API client. Every call, gettoken included, goes through the configured base URL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aiohttp

CARD_UPDATE = "update_template_card"  # bot.replies.CardUpdate's msgtype

# Error codes, see WECOM.md
TOKEN_ERRORS = frozenset({40014, 42001, 40001})
BUSY = -1
FREQ_LIMIT = 45009
CONCURRENCY_LIMIT = 45033
RETRYABLE = frozenset({BUSY, FREQ_LIMIT, CONCURRENCY_LIMIT})
PERMANENT = {60020: "IP 不在企业微信可信 IP 列表中 (60020)", 40031: "接收人列表无效 (40031)"}
# Errors of the deployment, not of one message: /healthz says ``error`` until a request succeeds again.
CONFIG_ERRORS = {
    40001: "应用 Secret 不正确 (40001)",
    40013: "企业 CorpID 不正确 (40013)",
    60020: "服务器 IP 不在企业微信可信 IP 列表中 (60020)",
    40031: "接收人列表无效 (40031)：应用可见范围或 AgentID 是否正确",
    40056: "应用 AgentID 不正确 (40056)",
    48002: "接口无权限 (48002)",
}


class WeComAPIError(Exception):
    """WeCom answered with a non-zero errcode."""

    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"{errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg


class TransportError(Exception):
    """No usable answer. ``sent_maybe`` tells whether the request may have reached WeCom: False for a
    refused connection, a DNS failure, a connect timeout, and an HTTP 5xx without a WeCom body (the
    gateway answered, WeCom did not act)."""

    def __init__(self, reason: str, *, sent_maybe: bool) -> None:
        super().__init__(reason)
        self.sent_maybe = sent_maybe


@dataclass(frozen=True)
class SendResult:
    invalid_users: tuple[str, ...]
    msgid: str


class WeComClient:
    """The two calls the bot needs: ``gettoken`` and ``message/send``."""

    def __init__(self, http: aiohttp.ClientSession, api_base: str, corp_id: str, secret: str, agent_id: int,
                 timeout: float = 10.0) -> None:
        self._http = http
        self._base = api_base if api_base.endswith("/") else api_base + "/"
        self._corp_id = corp_id
        self._secret = secret
        self.agent_id = agent_id
        # a connect timeout proves the request never left; a timeout after that may have sent it
        self._timeout = aiohttp.ClientTimeout(total=timeout, sock_connect=min(5.0, timeout))

    async def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        url = self._base + path
        try:
            async with self._http.request(method, url, timeout=self._timeout, **kwargs) as resp:
                if resp.status >= 500:
                    data = await _wecom_body(resp)
                    if data is None:  # the gateway's own error page: WeCom never saw the request
                        raise TransportError(f"HTTP {resp.status} without a WeCom answer", sent_maybe=False)
                else:
                    data = await resp.json(content_type=None)
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as exc:
            raise TransportError(f"cannot connect: {exc}", sent_maybe=False) from None
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise TransportError(f"{type(exc).__name__}: {exc}", sent_maybe=True) from None
        if not isinstance(data, dict):
            raise TransportError("answer is not a JSON object", sent_maybe=True)
        code = int(data.get("errcode", 0) or 0)
        if code != 0:
            raise WeComAPIError(code, str(data.get("errmsg", "")))
        return data

    async def get_token(self) -> tuple[str, int]:
        """Returns ``(access_token, expires_in)``."""
        data = await self._call("GET", "gettoken", params={"corpid": self._corp_id, "corpsecret": self._secret})
        return str(data["access_token"]), int(data.get("expires_in", 7200))

    async def send(self, token: str, touser: str, payload: dict[str, Any]) -> SendResult:
        if payload.get("msgtype") == CARD_UPDATE:  # a pressed card shown as done (bot.replies.CardUpdate)
            return await self.update_template_card(token, touser, payload)
        # a card's text fallback rides in its outbox row (bot.replies.TemplateCard), never to WeCom
        body = {"touser": touser, "agentid": self.agent_id, **{k: v for k, v in payload.items() if k != "fallback"}}
        data = await self._call("POST", "message/send", params={"access_token": token}, json=body)
        invalid = tuple(u for u in str(data.get("invaliduser", "") or "").split("|") if u)
        return SendResult(invalid, str(data.get("msgid", "")))

    async def update_template_card(self, token: str, touser: str, payload: dict[str, Any]) -> SendResult:
        body = {"userids": [touser], "agentid": self.agent_id, "response_code": payload.get("response_code", ""),
                "button": payload.get("button", {})}
        data = await self._call("POST", "message/update_template_card", params={"access_token": token}, json=body)
        invalid = data.get("invaliduser") or []
        return SendResult(tuple(invalid.split("|") if isinstance(invalid, str) else invalid), "")

    # --- web login and files (OAuth2 code exchange, media/upload) ------------------

    async def get_user_info(self, token: str, code: str) -> str | None:
        """``auth/getuserinfo``: the userid behind an OAuth2 ``code`` (single-use, 5 minutes).

        Returns None for someone who is not a member of the enterprise (WeCom answers an openid).
        """
        data = await self._call("GET", "auth/getuserinfo", params={"access_token": token, "code": code})
        userid = data.get("userid") or data.get("UserId")
        return str(userid) if userid else None

    async def upload_media(self, token: str, filename: str, content: bytes, *, kind: str = "file",
                           content_type: str = "application/octet-stream") -> str:
        """``media/upload`` (multipart field ``media``, ≤ 20 MB); returns the ``media_id`` (valid 3 days)."""
        if len(content) > MEDIA_LIMIT:
            raise ValueError(f"media larger than {MEDIA_LIMIT} bytes")
        # WeCom reads the file name as raw UTF-8 in filename="…" (no RFC 2231 / percent-encoding, which
        # aiohttp's FormData would use): otherwise a Chinese name arrives as %E5%8F%B0….
        safe = "".join(ch for ch in filename if ch not in '"\\\r\n') or "file"
        with aiohttp.MultipartWriter("form-data") as form:
            part = form.append(content, {"Content-Type": content_type})
            part.headers["Content-Disposition"] = f'form-data; name="media"; filename="{safe}"; filelength={len(content)}'
        data = await self._call("POST", "media/upload", params={"access_token": token, "type": kind}, data=form)
        return str(data["media_id"])


    # -- directory (通讯录): read with the 通讯录同步 secret's token (see WECOM.md) ----------

    async def department_simplelist(self, token: str, department: int | None = None) -> list[Department]:
        """Every department (below ``department``, recursively): id, parent and order, no names."""
        params: dict[str, Any] = {"access_token": token}
        if department is not None:
            params["id"] = department
        data = await self._call("GET", "department/simplelist", params=params)
        return [Department(int(d["id"]), int(d.get("parentid", 0) or 0), int(d.get("order", 0) or 0))
                for d in data.get("department_id", []) or []]

    async def department_get(self, token: str, department: int) -> str:
        """A department's name."""
        data = await self._call("GET", "department/get", params={"access_token": token, "id": department})
        return str((data.get("department") or {}).get("name", ""))

    async def user_list_id(self, token: str, cursor: str = "", limit: int = 10000) -> tuple[list[tuple[str, int]], str]:
        """One page of ``(userid, department)`` pairs (a user in two departments comes twice) and the
        next cursor ("" after the last page)."""
        body: dict[str, Any] = {"limit": limit}
        if cursor:
            body["cursor"] = cursor
        data = await self._call("POST", "user/list_id", params={"access_token": token}, json=body)
        pairs = [(str(p["userid"]), int(p["department"])) for p in data.get("dept_user", []) or []]
        return pairs, str(data.get("next_cursor", "") or "")

    async def user_get(self, token: str, userid: str) -> DirectoryUser:
        """A member's name and departments (new apps get no mobile, email or avatar).

        Raises:
            WeComAPIError: 60111 when WeCom has no such member.
        """
        data = await self._call("GET", "user/get", params={"access_token": token, "userid": userid})
        departments = tuple(int(d) for d in data.get("department", []) or [])
        main = int(data.get("main_department", 0) or 0) or (departments[0] if departments else 0)
        return DirectoryUser(str(data.get("userid", userid)), str(data.get("name", "")), departments, main)


async def _wecom_body(resp: aiohttp.ClientResponse) -> dict[str, Any] | None:
    """A 5xx answer's JSON body if it is WeCom's (has an ``errcode``), else None."""
    try:
        data = await resp.json(content_type=None)
    except (ValueError, aiohttp.ClientError):
        return None
    return data if isinstance(data, dict) and "errcode" in data else None


NO_SUCH_USER = 60111  # user/get: the userid does not exist
NO_SUCH_DEPARTMENT = 60123



MEDIA_LIMIT = 20 * 1024 * 1024


def file_payload(media_id: str) -> dict[str, Any]:
    """A ``message/send`` body (without touser/agentid) for a file uploaded with ``upload_media``."""
    return {"msgtype": "file", "file": {"media_id": media_id}}


@dataclass(frozen=True)
class Department:
    id: int
    parent: int  # 0 for the root
    order: int = 0


@dataclass(frozen=True)
class DirectoryUser:
    userid: str
    name: str
    departments: tuple[int, ...]
    main_department: int
