"""Every table, flat, for Alembic and old imports: the pipeline's own tables are defined here,
each domain's tables in ``storage/<domain>/models.py`` (re-exported below).

Every timestamp column is timezone-aware (stored as UTC).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import NAMING, Base, UTCDateTime

__all__ = ["NAMING", "Base", "UTCDateTime"]


class InboxRow(Base):
    """One accepted callback, stored before WeCom gets its 200."""

    __tablename__ = "inbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dedupe_key: Mapped[str] = mapped_column(String(255), unique=True)
    from_user: Mapped[str] = mapped_column(String(64))
    msg_type: Mapped[str] = mapped_column(String(32))
    payload: Mapped[str] = mapped_column(Text)  # decrypted XML
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | done | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = (Index("ix_inbox_status_id", "status", "id"),
                      Index("ix_inbox_from_user_status_id", "from_user", "status", "id"))  # a person's next row


class OutboxRow(Base):
    """One message to one recipient; written before anything is sent.

    status: pending -> sending -> sent | failed | in_doubt (| dropped by an operator).
    A row is claimed (``sending``, ``handed_at`` set) in its own committed write
    immediately before its request goes to the HTTP client, one per recipient at a
    time, so no process ever sends it again; a claim whose outcome was never recorded
    becomes ``in_doubt`` rather than being repeated. ``sending`` without ``handed_at``
    (a file being uploaded) provably never left and returns to ``pending``.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    recipient: Mapped[str] = mapped_column(String(64))
    msg_type: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)  # JSON payload without touser/agentid
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    handed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)  # request handed to HTTP
    retry_since: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)  # window start (resend)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    inbox_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    dedupe_key: Mapped[str | None] = mapped_column(String(255), unique=True, nullable=True)

    __table_args__ = (
        Index("ix_outbox_status_id", "status", "id"),
        Index("ix_outbox_recipient_claimed", "recipient", "claimed_at"),
        Index("ix_outbox_status_recipient_id", "status", "recipient", "id"),
        Index("ix_outbox_recipient_handed", "recipient", "handed_at"),
    )


class WeComToken(Base):
    """The shared access token, so several processes refresh it once."""

    __tablename__ = "wecom_tokens"

    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    token: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SenderProblemRow(Base):
    """WeCom refusing this deployment's requests (bad secret, untrusted IP…), as the last sender that met
    it wrote it: every process's /healthz reports it, not only the worker that sends."""

    __tablename__ = "sender_problems"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)  # "sender": one row
    code: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    since: Mapped[datetime] = mapped_column(UTCDateTime())


class Counter(Base):
    """Monotonic counters (item numbers): UPDATE .. RETURNING under the row lock."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class Conversation(Base):
    """A person's open question (which person? which item? consent?), one at a time."""

    __tablename__ = "conversations"

    userid: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    data: Mapped[str] = mapped_column(Text)  # JSON
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    prompt: Mapped[str | None] = mapped_column(Text, nullable=True)  # re-asked after an interrupt


class ConversationOffer(Base):
    """A question for someone, raised by another person's event; taken up under its owner's lock."""

    __tablename__ = "conversation_offers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    userid: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    data: Mapped[str] = mapped_column(Text)  # JSON
    prompt: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AuditEntry(Base):
    """Who did or saw what, when: every state change and every view of a sensitive record."""

    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text, default="")
    branch_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)  # the record's branch


class Nudge(Base):
    """A reminder sent: (person, object, kind, period) is unique, so it is never sent twice."""

    __tablename__ = "nudges"

    # byte order on PostgreSQL: ``key LIKE 'b3:%'`` (a branch's nudges) is a range of this index (migration 0021)
    key: Mapped[str] = mapped_column(String(255).with_variant(String(255, collation="C"), "postgresql"),
                                     primary_key=True)
    recipient: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_nudges_created_at", "created_at", postgresql_using="brin"),  # written in time order
        Index("ix_nudges_recipient_created_at", "recipient", "created_at"),
    )


class Lock(Base):
    """A named lease (SQLite stand-in for PostgreSQL advisory locks)."""

    __tablename__ = "locks"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WebLoginToken(Base):
    """A one-time workbench login link (``/后台``): only the token's hash is kept (``storage.logins``)."""

    __tablename__ = "web_login_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 hex of the token
    userid: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


# Domain tables, re-exported (defined after the pipeline tables: domain repositories import those).
from storage.assist.models import Milestone, Project, ProjectUpdate  # noqa: E402
from storage.care.models import CareEntry, Visit, VisitTask  # noqa: E402
from storage.deeds.models import Item, ItemEvent, Routing  # noqa: E402
from storage.duty.models import Duty  # noqa: E402
from storage.examples.models import NluExample  # noqa: E402
from storage.gatherings.models import Gathering, Signup  # noqa: E402
from storage.people.models import Branch, DirectoryChange, Person  # noqa: E402
from storage.surveys.models import Survey, SurveyAnswer, SurveyQuestion, SurveyRecipient  # noqa: E402
from storage.talent.models import Lecturer, ReserveCandidate, ReserveReview, TalentProfile  # noqa: E402

__all__ += [
    "AuditEntry", "Branch", "CareEntry", "DirectoryChange", "Conversation", "ConversationOffer", "Counter", "Duty", "Gathering", "InboxRow", "Item", "ItemEvent",
    "Lecturer", "Lock", "Milestone", "Nudge", "OutboxRow", "Person", "Project", "ProjectUpdate", "ReserveCandidate",
    "ReserveReview", "Routing", "Signup", "Survey", "SurveyAnswer", "SurveyQuestion", "SurveyRecipient",
    "TalentProfile", "Visit", "VisitTask", "WeComToken", "WebLoginToken",
]
__all__ += ["NluExample"]
