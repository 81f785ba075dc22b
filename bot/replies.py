"""Reply objects handlers return; the transport (outbox + sender) delivers them."""

from __future__ import annotations

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


@dataclass(frozen=True)
class Reply:
    """Something to send. ``to`` is a userid; ``None`` means the sender of the event."""

    to: str | None = None

    def payload(self) -> dict[str, Any]:
        raise NotImplementedError

    def addressed(self, default: str) -> str:
        return self.to or default


@dataclass(frozen=True)
class Text(Reply):
    content: str = ""

    def payload(self) -> dict[str, Any]:
        return {"msgtype": "text", "text": {"content": clip_bytes(self.content, TEXT_LIMIT)}}


@dataclass(frozen=True)
class Markdown(Reply):
    content: str = ""

    def payload(self) -> dict[str, Any]:
        return {"msgtype": "markdown", "markdown": {"content": clip_bytes(self.content, TEXT_LIMIT)}}


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
    """A ``template_card`` (e.g. button_interaction). ``fallback`` is sent as text too,
    because cards do not render everywhere (WeChat 微工作台)."""

    card: dict[str, Any] = field(default_factory=dict)
    fallback: str = ""

    def payload(self) -> dict[str, Any]:
        return {"msgtype": "template_card", "template_card": self.card}


@dataclass(frozen=True)
class File(Reply):
    """A file already uploaded with ``WeComClient.upload_media`` (``media_id`` is valid 3 days)."""

    media_id: str = ""

    def payload(self) -> dict[str, Any]:
        from bot.wecom.client import file_payload

        return file_payload(self.media_id)
