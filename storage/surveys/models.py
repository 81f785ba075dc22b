"""Questionnaires (征求意见)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, BranchScoped, UTCDateTime


class Survey(BranchScoped, Base):
    """A questionnaire (征求意见)."""

    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    number: Mapped[int] = mapped_column(Integer)  # unique per branch
    title: Mapped[str] = mapped_column(String(128))
    anonymous: Mapped[bool] = mapped_column(default=False)
    audience: Mapped[str] = mapped_column(String(128), default="all")  # all | team:X | role:Y
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft | open | closed
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    __table_args__ = (UniqueConstraint("branch_id", "number"),)


class SurveyQuestion(BranchScoped, Base):
    __tablename__ = "survey_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    survey_id: Mapped[int] = mapped_column(Integer, index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # single | multi | text
    text: Mapped[str] = mapped_column(Text)
    options: Mapped[str] = mapped_column(Text, default="[]")  # JSON list


class SurveyRecipient(BranchScoped, Base):
    """Who was asked, and how far they got (they can stop and resume)."""

    __tablename__ = "survey_recipients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    survey_id: Mapped[int] = mapped_column(Integer, index=True)
    userid: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | answering | done
    position: Mapped[int] = mapped_column(Integer, default=0)  # questions answered so far
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    __table_args__ = (UniqueConstraint("survey_id", "userid"),)


class SurveyAnswer(BranchScoped, Base):
    """An answer; ``respondent`` is empty for anonymous surveys."""

    __tablename__ = "survey_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    survey_id: Mapped[int] = mapped_column(Integer, index=True)
    question_id: Mapped[int] = mapped_column(Integer, index=True)
    respondent: Mapped[str | None] = mapped_column(String(64), nullable=True)
    answer: Mapped[str] = mapped_column(Text)  # JSON: option indexes or free text
    at: Mapped[datetime] = mapped_column(UTCDateTime())
