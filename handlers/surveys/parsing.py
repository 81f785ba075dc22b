"""Reading what people type about surveys: a question the secretary adds, the answer to a question,
the words for pausing, resuming and finishing. Pure functions of the text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.fsm import is_cancel
from handlers.surveys.messages import BUILD_HELP
from storage import surveys
from storage.surveys import QuestionKind, SurveyQuestion

RESUME = re.compile(r"^(?:继续问卷|继续答题|继续作答|开始作答|开始答题|开始|填写问卷)\s*(?:[#＃]?\s*(\d{1,6}))?\s*[。.!！]?$")
PAUSE = re.compile(r"^(暂停|稍后|稍后再答|稍后再说|等会|等会儿|等一下|先不答了|以后再答|退出)\s*[。.!！]?$")
DONE = re.compile(r"^(完成|完成了|结束|好了|就这些)\s*[。.!！]?$")
UNDO = re.compile(r"^(撤销|删除上一题|删掉上一题)\s*[。.!！]?$")
STOP_EDITING = re.compile(r"^(取消|不编了|退出)\s*[。.!！]?$")
QUESTION = re.compile(r"^(单选|多选|问答)题?[\s:：]*(.*)$", re.S)
NUMBER = re.compile(r"^[#＃]?\s*(\d{1,6})\b")
OPTION_SEP = re.compile(r"[/／|｜]")
CHOICE_SEP = re.compile(r"[\s、,，;；/／+＋]+")
TRAILING = "。.!！ "
FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


class AnswerError(ValueError):
    """The answer cannot be understood; the message says how to answer."""


def pausing(text: str) -> bool:
    """暂停 / 稍后再答 / 退出 …, or any of the mechanism's cancel words: stop answering for now."""
    return bool(PAUSE.match(text.strip())) or is_cancel(text)


def finishing(text: str) -> bool:
    """完成 / 取消 / 退出 …: stop adding questions (the draft is kept)."""
    t = text.strip()
    return bool(DONE.match(t) or STOP_EDITING.match(t)) or is_cancel(t)


def number(rest: str) -> int | None:
    """The survey number at the start of a sub-command's arguments (``3``, ``#3``)."""
    m = NUMBER.match(rest.strip())
    return int(m.group(1)) if m else None


@dataclass(frozen=True)
class QuestionSpec:
    kind: QuestionKind
    text: str
    options: tuple[str, ...] = ()


def parse_question(line: str) -> QuestionSpec:
    """``单选 食堂满意度如何？ 满意/一般/不满意`` -> a question.

    Raises:
        ValueError: with a Chinese explanation of what is wrong.
    """
    m = QUESTION.match(line.strip())
    if not m:
        raise ValueError("没看懂这道题。" + BUILD_HELP)
    kind, rest = QuestionKind.parse(m.group(1)), m.group(2).strip()
    assert kind is not None
    if kind == QuestionKind.TEXT:
        if not rest:
            raise ValueError("问答题需要写上题目，例如“问答 还有什么建议？”")
        if len(rest) > surveys.QUESTION_LIMIT:
            raise ValueError(f"题目太长了，请控制在{surveys.QUESTION_LIMIT}字以内。")
        return QuestionSpec(kind, rest)
    parts = rest.split()
    if len(parts) >= 2 and OPTION_SEP.search(parts[-1]):
        text, raw = " ".join(parts[:-1]), parts[-1]
    else:
        cut = max(rest.rfind(c) for c in "？?：:")
        text, raw = (rest[:cut + 1], rest[cut + 1:]) if cut >= 0 else (rest, "")
    text = text.strip()
    options = [o.strip() for o in OPTION_SEP.split(raw) if o.strip()]
    cn = kind.label
    if not text:
        raise ValueError(f"{cn}题需要写上题目，例如“{cn} 食堂满意度如何？ 满意/一般/不满意”。")
    if len(options) < 2:
        raise ValueError(f"{cn}题至少需要两个选项，选项之间用“/”隔开，题目和选项之间空一格，"
                         f"例如“{cn} 食堂满意度如何？ 满意/一般/不满意”。这道题没有保存。")
    if len(set(options)) != len(options):
        raise ValueError("选项有重复，请检查后重新发送这道题。")
    if len(options) > surveys.MAX_OPTIONS:
        raise ValueError(f"选项最多{surveys.MAX_OPTIONS}个。")
    if len(text) > surveys.QUESTION_LIMIT or any(len(o) > surveys.OPTION_LIMIT for o in options):
        raise ValueError(f"题目或选项太长了（题目{surveys.QUESTION_LIMIT}字、每个选项{surveys.OPTION_LIMIT}字以内）。")
    return QuestionSpec(kind, text, tuple(options))


def _clean(text: str) -> str:
    return text.strip().translate(FULLWIDTH).strip(TRAILING)


def _option_index(token: str, options: list[str]) -> int | None:
    """A 0-based option index from "2", "第2个", "二" or the option's text."""
    t = token.strip()
    folded = [o.casefold() for o in options]
    if t.casefold() in folded:
        return folded.index(t.casefold())
    t = re.sub(r"^(选|第)", "", t)
    t = re.sub(r"(个|项|号)$", "", t)
    if t.isdigit() and len(t) <= 3:
        i = int(t)
        return i - 1 if 1 <= i <= len(options) else None
    if t in CN_DIGITS and CN_DIGITS[t] <= len(options):
        return CN_DIGITS[t] - 1
    return None


def _digits(token: str, n: int) -> list[int]:
    """A run of digits in a multiple choice: "13" is options 1 and 3, or option 13 — say which."""
    as_whole = 1 <= int(token) <= n
    digits = [int(c) for c in token]
    as_digits = all(1 <= d <= n for d in digits) and len(set(digits)) == len(digits)
    if as_whole and as_digits:
        raise AnswerError(f"“{token}”可能是第{int(token)}项，也可能是几项连写，请用空格或顿号把序号隔开，例如“1 3”。")
    if as_digits:
        return [d - 1 for d in digits]
    if as_whole:
        return [int(token) - 1]
    raise AnswerError(f"序号要在 1 到 {n} 之间，请用空格或顿号隔开，例如“1 3”。")


def parse_choice(text: str, options: list[str], *, multi: bool) -> list[int]:
    """0-based option indexes, sorted.

    Raises:
        AnswerError: with what to send instead (never repeating what was sent).
    """
    n = len(options)
    t = _clean(text)
    if not t:
        raise AnswerError("请回复选项的序号。")
    whole = None if multi and t.isdigit() and len(t) > 1 else _option_index(t, options)
    if whole is not None:
        return [whole]
    if not multi:
        raise AnswerError(f"这是单选题，请回复 1 到 {n} 之间的一个序号，或者选项原文。")
    picked: list[int] = []
    for token in CHOICE_SEP.split(t):
        if not token:
            continue
        if token.isdigit() and len(token) > 1:
            picked += _digits(token, n)
            continue
        i = _option_index(token, options)
        if i is None:
            raise AnswerError(f"有的内容不是选项。这是多选题，请回复 1 到 {n} 之间的序号，用空格或顿号隔开，例如“1 3”。")
        picked.append(i)
    if not picked:
        raise AnswerError("请回复选项的序号。")
    return sorted(set(picked))


def parse_answer(q: SurveyQuestion, text: str) -> list[int] | str:
    """The answer to ``q``: option indexes, or the (clipped) text of a free-text answer."""
    if q.kind == QuestionKind.TEXT:
        t = text.strip()
        if not t:
            raise AnswerError("请直接回复您的意见。")
        return t[:surveys.TEXT_ANSWER_LIMIT]
    return parse_choice(text, surveys.options_of(q), multi=q.kind == QuestionKind.MULTI)
