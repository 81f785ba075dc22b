"""Shared fixtures for the NLU tests."""
from __future__ import annotations

import pytest

from bot.nlu import Parser, Person


ROSTER = (
    Person("secretary1", "郑国华", "secretary"),
    Person("member1", "刘振宇", "member"),
    Person("wangfang", "王芳"),
    Person("wangfang2", "王方"),
    Person("wangfangfang", "王芳芳"),
    Person("wangfang_b", "王芳"),
    Person("xiatian", "夏天"),
    Person("jiangnan", "江南"),
    Person("fangyuan", "方圆"),
    Person("tianye", "田野"),
    Person("mashangfei", "马上飞"),
    Person("songyanan", "宋亚楠"),
    Person("hexi", "贺喜"),
    Person("zhoujie", "周杰"),
    Person("gaoming", "高明"),
)


@pytest.fixture(scope="session")
def parser() -> Parser:
    """A parser with the shipped model and a small tricky roster."""
    p = Parser.load()
    p.set_roster(ROSTER)
    return p
