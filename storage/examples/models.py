"""The labelled-examples table (see ``storage.examples``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime


class NluExample(Base):
    """One message (names redacted) with the intent its sender said they meant."""

    __tablename__ = "nlu_examples"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    text: Mapped[str] = mapped_column(Text)  # redacted: names -> 某某, phone numbers -> [电话]
    intent: Mapped[str] = mapped_column(String(32))  # what the sender chose
    predicted: Mapped[str] = mapped_column(String(32))  # what the parser had read
    role: Mapped[str] = mapped_column(String(16), default="")  # the sender's role (a feature, not who)
    source: Mapped[str] = mapped_column(String(16), default="clarify")
