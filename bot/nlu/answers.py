"""Yes / no in everyday words: the one reading of an answer to a consent or confirmation question.

``read("嗯 可以吧")`` is ``Answer.YES``, ``read("算了 不用登记了")`` ``Answer.NO``, ``read("我想想")``
``Answer.UNSURE`` (an answer, but not a decision: ask again), ``read("食堂晚班没有热饭")`` ``Answer.OTHER``
(not an answer at all: the person talks of something else).

The reading is by rules, in this order: a refusal anywhere wins over a yes ("好的 不用了" is no), except
the double negatives that mean yes ("没问题", "不介意"); a hedge ("我想想", "再说吧") is unsure, also after
a yes ("可以 不过我想想"); then the yes words. Width (full-width letters), emoji (👌 🙅), punctuation,
repeated characters ("好好好") and the usual slips of pinyin input ("号的", "可义") are taken care of.
A question can add its own words (``extra_yes=("同一件",)``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from enum import Enum


class Answer(str, Enum):
    YES = "yes"
    NO = "no"
    UNSURE = "unsure"  # an answer that decides nothing ("我想想", "啥意思", "嗯…不知道")
    OTHER = "other"  # not an answer: something else altogether


YES_EMOJI = "👌👍✅✔☑🙆🆗💯🤝"
NO_EMOJI = "🙅❌✖👎🚫⛔🙅‍♀🙅‍♂"

# Slips of pinyin / voice input, wrong -> right.
TYPOS: tuple[tuple[str, str], ...] = (
    ("号的", "好的"), ("好得", "好的"), ("好d", "好的"), ("可义", "可以"), ("可一", "可以"), ("课以", "可以"),
    ("恩", "嗯"), ("额", "嗯"), ("昂", "嗯"), ("阔以", "可以"), ("科以", "可以"), ("嗯哪", "嗯"), ("嗯呐", "嗯"), ("木问题", "没问题"), ("没门题", "没问题"), ("没问提", "没问题"),
    ("不用拉", "不用了"), ("不用啦", "不用了"), ("部用", "不用"), ("布用", "不用"), ("不要拉", "不要了"),
)
# Latin words, whole words only ("not sure" is not a no).
LATIN = {"ok": "好", "okay": "好", "okk": "好", "okok": "好", "k": "好", "yes": "是", "yep": "是", "yeah": "是",
         "y": "是", "sure": "好", "no": "不", "nope": "不", "n": "不", "nah": "不"}

# Phrases with a negation in them that mean yes; read before the refusals.
DOUBLE_NEGATIVE = ("莫得问题", "冇问题", "没得问题", "没问题", "没毛病", "没事儿可以", "不介意", "不反对", "不成问题", "不是问题", "何乐而不为",
                   "没意见", "没有意见", "没关系可以", "当然不介意", "求之不得", "不错")

NO_WORDS = ("不用", "不要", "不需要", "不必", "没必要", "用不着", "不了", "算了", "先别", "别登记", "别记", "别了",
            "不登记", "不记", "不是", "不对", "不行", "不可以", "不同意", "不愿意", "不想", "不太方便", "不方便",
            "不合适", "不太好", "拒绝", "免了", "暂时不", "先不", "还是不", "不劳", "别麻烦", "不麻烦你", "取消",
            "否", "没有需要", "没有", "不打扰", "唔使", "唔要", "唔好", "不消", "莫要", "不得", "不好意思不", "谢绝", "婉拒", "甭", "不干", "不中", "不得行", "要不得")
BARE_NO = ("不", "别", "没", "没有", "不不", "否")

UNSURE_WORDS = ("想想", "考虑", "再说", "回头", "等等", "等一下", "等下", "稍等", "晚点", "过两天", "看看再",
                "不确定", "不知道", "不清楚", "说不好", "说不准", "拿不准", "商量", "问问", "问一下家", "犹豫",
                "啥意思", "什么意思", "怎么说", "是什么", "干嘛的", "有什么用", "会怎样", "会怎么样", "随便",
                "都行吧", "看情况", "再看", "不一定", "?", "？")

YES_WORDS = ("是的", "是滴", "是啊", "是呀", "对的", "对滴", "对啊", "对呀", "好的", "好滴", "好哒", "好嘞", "好勒",
             "好啊", "好呀", "好吧", "好", "行", "行吧", "行啊", "可以", "嗯", "嗯呢", "对", "是", "要", "需要",
             "同意", "确认", "确定", "登记", "记一下", "记上", "麻烦了", "麻烦你", "成了",
             "得嘞", "妥", "妥了", "要得", "得行", "没错", "当然", "必须的", "愿意", "接受", "安排", "来吧",
             "弄吧", "拜托", "没有异议")
WHOLE_YES = ("中", "成", "可", "搞", "请", "来", "整")  # yes on their own only ("中午再说" is not a yes)

_PUNCT = re.compile(r"[\s,，.。!！~～、…:：;；\"'“”‘’()（）【】\[\]<>《》·\-—_=+*&^%$#@]+")
_REPEAT = re.compile(r"(.)\1+")
_A_NOT_A = re.compile(r"([^不没了])[不没]\1")  # "要不要", "行不行", "可不可以", "有没有": a question, not a refusal
QUESTION_CHARS = 6  # a question back this short is about the question asked ("可不可以不写名字")
SHORT = 12  # longer than this (after cleaning) with no answer word in front: not an answer


def _clean(text: str) -> tuple[str, bool, bool]:
    """The text without punctuation, width and emoji; and whether it had a yes / a no emoji."""
    raw = unicodedata.normalize("NFKC", text).lower()
    raw = re.sub(r"[a-z]+", lambda m: LATIN.get(m.group(), m.group()), raw)
    yes_emoji = any(e in raw for e in YES_EMOJI)
    no_emoji = any(e in raw for e in NO_EMOJI if len(e) == 1)
    kept = "".join(ch for ch in raw if ch in "?？" or unicodedata.category(ch)[0] in "LN")
    for wrong, right in TYPOS:
        kept = kept.replace(wrong, right)
    return _A_NOT_A.sub("?", kept), yes_emoji, no_emoji


def _squeeze(text: str) -> str:
    """"好好好" -> "好", "嗯嗯嗯" -> "嗯" (repeated characters say the same once)."""
    return _REPEAT.sub(r"\1", text)


def read(text: str, *, extra_yes: Iterable[str] = (), extra_no: Iterable[str] = ()) -> Answer:
    """How a reply to a yes/no question reads."""
    clean, yes_emoji, no_emoji = _clean(text)
    if not clean:
        if no_emoji and not yes_emoji:
            return Answer.NO
        if yes_emoji and not no_emoji:
            return Answer.YES
        return Answer.UNSURE if text.strip() else Answer.OTHER
    squeezed = _squeeze(clean)
    extra_yes, extra_no = tuple(extra_yes), tuple(extra_no)
    for word in extra_no:
        if word in clean:
            return Answer.NO
    for word in extra_yes:
        if word in clean:
            return Answer.YES
    rest = clean
    for phrase in DOUBLE_NEGATIVE:
        rest = rest.replace(phrase, "好")
    refused = squeezed in BARE_NO or any(w in rest for w in NO_WORDS) or (no_emoji and not yes_emoji)
    hedged = any(w in clean for w in UNSURE_WORDS if w not in "?？")
    asked = "?" in clean or "？" in clean  # a question back ("行不行啊", "要不要登记？")
    agreed = any(w in rest for w in YES_WORDS) or squeezed in WHOLE_YES or yes_emoji
    if len(clean) > SHORT and not _opens_with_answer(rest):
        return Answer.OTHER
    if refused:
        return Answer.NO
    if hedged or (asked and (agreed or len(clean) <= QUESTION_CHARS)):
        return Answer.UNSURE
    if asked:
        return Answer.OTHER  # "班车太挤了，能不能加一趟": a new matter, not an answer
    if agreed:
        return Answer.YES
    return Answer.UNSURE if len(clean) <= 4 and not any(ch.isdigit() for ch in clean) else Answer.OTHER


def _opens_with_answer(text: str) -> bool:
    """A long reply that starts as an answer ("可以的，麻烦你们了，我爸下周二住院……")."""
    head = text[:4]
    return any(head.startswith(w) for w in (*YES_WORDS, *NO_WORDS, "算了", "嗯", "好")) and len(text) <= 40


def is_yes(text: str) -> bool:
    return read(text) is Answer.YES


def is_no(text: str) -> bool:
    return read(text) is Answer.NO
