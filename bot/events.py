"""Typed inbound events built from decrypted callback XML."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Mapping

from bot.wecom.crypto import CallbackError, parse_xml


@dataclass(frozen=True)
class Event:
    """Base of every inbound event."""

    user: str
    created: datetime
    agent_id: str
    raw: Mapping[str, str] = field(repr=False, compare=False)


@dataclass(frozen=True)
class TextMessage(Event):
    msg_id: str = ""
    content: str = field(default="", repr=False)


@dataclass(frozen=True)
class MediaMessage(Event):
    """Image, voice, video, file, location, link: anything that is not text."""

    msg_id: str = ""
    msg_type: str = ""


@dataclass(frozen=True)
class AppEvent(Event):
    """``MsgType=event``: subscribe, enter_agent, template_card_event, click…"""

    event: str = ""
    event_key: str = ""
    task_id: str = ""
    response_code: str = ""


CONTACT_FIELDS = ("UserID", "NewUserID", "Id", "ParentId", "Department", "MainDepartment", "Name")


def dedupe_key(fields: Mapping[str, str]) -> str:
    """MsgId for messages; FromUserName+CreateTime+Event+EventKey/TaskId for events (and for
    ``change_contact``, which WeCom sends as ``sys``, also what changed: ChangeType and a hash of
    UserID, NewUserID, Id, Department…)."""
    msg_id = fields.get("MsgId")
    if msg_id and fields.get("MsgType") != "event":
        return f"msg:{msg_id}"
    parts = [
        fields.get("FromUserName", ""),
        fields.get("CreateTime", ""),
        fields.get("Event", ""),
        fields.get("EventKey", ""),
        fields.get("TaskId", ""),
    ]
    if fields.get("Event") == "change_contact":
        # many members change in the same second (an import in the admin console): tell them apart
        change = "\x1f".join(fields.get(k, "") for k in CONTACT_FIELDS)
        parts += [fields.get("ChangeType", ""), hashlib.sha1(change.encode()).hexdigest()[:20]]
    return "evt:" + ":".join(parts)


def _created(fields: Mapping[str, str]) -> datetime:
    try:
        return datetime.fromtimestamp(int(fields.get("CreateTime", "0")), tz=timezone.utc)
    except (ValueError, OverflowError, OSError):
        raise CallbackError(400, "bad CreateTime") from None


def parse_fields(xml: str) -> dict[str, str]:
    """Parse decrypted XML and check the fields every event needs."""
    fields = parse_xml(xml)
    if not fields.get("FromUserName") or not fields.get("MsgType"):
        raise CallbackError(400, "missing FromUserName or MsgType")
    if fields["MsgType"] != "event" and not fields.get("MsgId"):
        raise CallbackError(400, "message without MsgId")
    _created(fields)
    return fields


def build_event(fields: Mapping[str, str]) -> Event:
    """Turn checked callback fields into a typed event."""
    base = dict(
        user=fields["FromUserName"],
        created=_created(fields),
        agent_id=fields.get("AgentID", ""),
        raw=dict(fields),
    )
    kind = fields["MsgType"]
    if kind == "text":
        return TextMessage(**base, msg_id=fields.get("MsgId", ""), content=fields.get("Content", ""))
    if kind == "event":
        return AppEvent(
            **base,
            event=fields.get("Event", ""),
            event_key=fields.get("EventKey", ""),
            task_id=fields.get("TaskId", ""),
            response_code=fields.get("ResponseCode", ""),
        )
    return MediaMessage(**base, msg_id=fields.get("MsgId", ""), msg_type=kind)
