"""The fake WeCom's template cards: ``message/update_template_card`` (each response code once, within
72 hours), recorded; and a card's words for tests that read what reached someone."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from bot.fakewecom import FakeWeCom

REFUSED_CARD = 40058  # the fake's answer to a card it was told to refuse
USED_CODE = 40099  # the fake's answer to a response code used twice (WeCom: once only)


@dataclass
class FakeCards:
    """``update_template_card`` calls as received, and the response codes they consumed."""

    updates: list[dict[str, Any]] = field(default_factory=list)
    used: set[str] = field(default_factory=set)
    refused: int = 0
    refuse_cards: int = 0  # the next this many template_card sends answer REFUSED_CARD

    def refuse_next(self, times: int = 1) -> None:
        """The next ``times`` template cards sent are refused (as a client that cannot take them)."""
        self.refuse_cards += times

    def replaced(self, userid: str) -> list[str]:
        """The button words each update for ``userid`` put in place of the buttons, in order."""
        return [str((u.get("button") or {}).get("replace_name", "")) for u in self.updates
                if userid in u.get("userids", [])]


def card_text(card: dict[str, Any]) -> str:
    """A template card's title, description and buttons as one text (what a person sees)."""
    title = card.get("main_title") or {}
    buttons = " ".join(f"[{b.get('text', '')}]" for b in card.get("button_list") or [])
    return "\n".join(x for x in (title.get("title"), title.get("desc"), buttons) if x) or str(card)


def cards_of(fake: FakeWeCom) -> FakeCards:
    state = fake.__dict__.get("_cards")
    if state is None:
        state = fake.__dict__["_cards"] = FakeCards()
    return state


def register(app: web.Application, fake: FakeWeCom) -> None:
    async def update(request: web.Request) -> web.Response:
        if (refused := fake._token_error(request)) is not None:
            return refused
        state = cards_of(fake)
        body = await request.json()
        code = str(body.get("response_code") or "")
        if str(body.get("agentid")) != str(fake.agent_id) or not body.get("userids") or not code:
            return web.json_response({"errcode": 40058, "errmsg": "invalid parameter"})
        if code in state.used:
            state.refused += 1
            return web.json_response({"errcode": USED_CODE, "errmsg": "response_code already used"})
        state.used.add(code)
        state.updates.append(body)
        return web.json_response({"errcode": 0, "errmsg": "ok", "invaliduser": []})

    @web.middleware
    async def refuse_cards(request: web.Request, handler: Any) -> web.StreamResponse:
        state = cards_of(fake)
        if state.refuse_cards and request.path == "/cgi-bin/message/send" and request.method == "POST":
            body = await request.json()  # aiohttp keeps the body: the handler reads it again
            if body.get("msgtype") == "template_card" and str(request.query.get("access_token", "")) in fake.valid_tokens:
                state.refuse_cards -= 1
                return web.json_response({"errcode": REFUSED_CARD, "errmsg": "invalid template_card"})
        return await handler(request)

    app.middlewares.append(refuse_cards)
    app.router.add_post("/cgi-bin/message/update_template_card", update)
