"""Reply objects handlers return; the transport (outbox + sender) delivers them.

A text longer than WeCom's limit (2048 bytes) is never cut mid-sentence: :meth:`Reply.payloads` splits
it into several messages at line breaks, failing that at sentence ends, then at commas (``split_bytes``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

TEXT_LIMIT = 2048  # bytes, text and markdown
TEXTCARD_TITLE_LIMIT = 128
TEXTCARD_DESC_LIMIT = 512


def clip_bytes(text: str, limit: int, marker: str = "…") -> str:
    """Cut ``text`` so its UTF-8 encoding fits ``limit`` bytes, on a character boundary."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    room = limit - len(marker.encode("utf-8"))
    return data[:room].decode("utf-8", errors="ignore") + marker


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


# Where a long text may be split, best first: after a line break, a sentence end, a clause mark.
_BREAKS = (re.compile(r"(?<=\n)"), re.compile(r"(?<=[。！？!?；;…])"), re.compile(r"(?<=[，,、：:）)])"))


def _pieces(text: str, limit: int, level: int = 0) -> list[str]:
    """``text`` as consecutive pieces of at most ``limit`` bytes, each ending at the best break found."""
    if _size(text) <= limit:
        return [text]
    if level == len(_BREAKS):  # one unbroken run longer than a message: on character boundaries
        out, rest = [], text
        while _size(rest) > limit:
            head = rest.encode("utf-8")[:limit].decode("utf-8", errors="ignore")
            out.append(head)
            rest = rest[len(head):]
        return out + ([rest] if rest else [])
    out = []
    for part in _BREAKS[level].split(text):
        if part:
            out.extend(_pieces(part, limit, level + 1))
    return out


def split_bytes(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """``text`` as messages of at most ``limit`` UTF-8 bytes, split at line breaks where it can, else at
    sentence ends, else at commas; pieces are packed greedily, so a short text stays one message."""
    if _size(text) <= limit:
        return [text]
    messages: list[str] = []
    current = ""
    for piece in _pieces(text, limit):
        if current and _size(current + piece) > limit:
            messages.append(current)
            current = ""
        current += piece
    if current:
        messages.append(current)
    stripped = [m.strip("\n") for m in messages]
    return [m for m in stripped if m.strip()] or [clip_bytes(text, limit)]


@dataclass(frozen=True)
class Reply:
    """Something to send. ``to`` is a userid; ``None`` means the sender of the event. ``urgent``: it goes
    at any hour (an incident, an urgent item); anything else to someone else waits out quiet hours."""

    to: str | None = None
    urgent: bool = False

    def payload(self) -> dict[str, Any]:
        raise NotImplementedError

    def payloads(self) -> list[dict[str, Any]]:
        """What to send, as one or more messages (a long text is split; see :func:`split_bytes`)."""
        return [self.payload()]

    def addressed(self, default: str) -> str:
        return self.to or default


@dataclass(frozen=True)
class Text(Reply):
    content: str = ""

    def payload(self) -> dict[str, Any]:
        return {"msgtype": "text", "text": {"content": clip_bytes(self.content, TEXT_LIMIT)}}

    def payloads(self) -> list[dict[str, Any]]:
        return [{"msgtype": "text", "text": {"content": part}} for part in split_bytes(self.content)]


@dataclass(frozen=True)
class Markdown(Reply):
    content: str = ""

    def payload(self) -> dict[str, Any]:
        return {"msgtype": "markdown", "markdown": {"content": clip_bytes(self.content, TEXT_LIMIT)}}

    def payloads(self) -> list[dict[str, Any]]:
        return [{"msgtype": "markdown", "markdown": {"content": part}} for part in split_bytes(self.content)]


@dataclass(frozen=True)
class TextCard(Reply):
    title: str = ""
    description: str = ""
    url: str = ""
    btntxt: str = "详情"

    def payload(self) -> dict[str, Any]:
        return {
            "msgtype": "textcard",
            "textcard": {
                "title": clip_bytes(self.title, TEXTCARD_TITLE_LIMIT),
                "description": clip_bytes(self.description, TEXTCARD_DESC_LIMIT),
                "url": self.url,
                "btntxt": self.btntxt,
            },
        }


@dataclass(frozen=True)
class TemplateCard(Reply):
    """A ``template_card`` (e.g. button_interaction): one message, the card — never the card and a text.

    ``fallback`` is the text sent instead when the card does not fit (``fits`` False: no buttons, or
    its words were cut to WeCom's limits) or WeCom refuses the card (the sender queues it then:
    ``bot.cards.fall_back``). It travels in the outbox row under ``"fallback"``; the client drops it."""

    card: dict[str, Any] = field(default_factory=dict)
    fallback: str = ""
    fits: bool = True

    @property
    def as_text(self) -> bool:
        """The card does not fit (no buttons, or words cut): its text goes instead, whole."""
        return bool(self.fallback) and not (self.fits and self.card.get("button_list"))

    def payloads(self) -> list[dict[str, Any]]:
        return Text(content=self.fallback).payloads() if self.as_text else [self.payload()]

    def payload(self) -> dict[str, Any]:
        if self.as_text:
            return Text(content=self.fallback).payload()
        out: dict[str, Any] = {"msgtype": "template_card", "template_card": self.card}
        if self.fallback:
            out["fallback"] = Text(content=self.fallback).payload()
        return out

    @property
    def text(self) -> str:
        """What the card says, in words (the fallback, else its title and description)."""
        title = self.card.get("main_title", {})
        return self.fallback or "\n".join(x for x in (title.get("title"), title.get("desc")) if x)


CARD_UPDATE = "update_template_card"  # an outbox row's msgtype for message/update_template_card
RESULT_LIMIT = 48  # bytes of the words that replace a pressed card's buttons


@dataclass(frozen=True)
class CardUpdate(Reply):
    """A pressed card shown as done: its buttons replaced by ``result`` ("已确认满意 · 12-03 09:14"), no
    longer pressable (``message/update_template_card`` with the click's ``response_code``, once, ≤ 72 h)."""

    response_code: str = ""
    result: str = ""

    def payload(self) -> dict[str, Any]:
        return {"msgtype": CARD_UPDATE, "response_code": self.response_code,
                "button": {"replace_name": clip_bytes(self.result, RESULT_LIMIT)}}


@dataclass(frozen=True)
class File(Reply):
    """A file already uploaded with ``WeComClient.upload_media`` (``media_id`` is valid 3 days)."""

    media_id: str = ""

    def payload(self) -> dict[str, Any]:
        from bot.wecom.client import file_payload

        return file_payload(self.media_id)


@dataclass(frozen=True)
class Attachment(Reply):
    """A file the sender builds when it delivers the row, uploads (``media/upload``) and sends as a file
    message (``bot.sender``): ``build`` names what to build (``bot.registry.attachment``), JSON only;
    ``failed`` is the Chinese text the person gets instead if building fails."""

    build: dict[str, Any] = field(default_factory=dict)
    failed: str = ""

    def payload(self) -> dict[str, Any]:
        return {"msgtype": "file", "build": self.build, "failed": self.failed}
