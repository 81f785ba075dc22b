"""Long messages: a title that says what the message is about, and the distinct problems in it.

``title(text)`` drops greetings and self-introductions ("领导你好我是运行二班的…") and keeps the
clauses that carry the problem (who / what / where), trimmed of filler, in about 16-24 characters.
``split_problems(text)`` cuts a message that raises several unrelated problems into one part per
problem, so a handler can offer "这条消息里有 3 件事，要分开登记吗？".
"""
from __future__ import annotations

import re
import unicodedata

from .lexicon import concept_features
from .normalize import strip_emoji

TITLE_MAX = 20
TITLE_MIN = 12

_GREETING = re.compile(
    r"^(?:(?:各位)?(?:尊敬的)?(?:领导|书记|主任|老师|师傅|大家|同志们?|支部)?(?:们)?(?:你们|您|你)?(?:好|早上好|下午好|晚上好)(?:呀|啊)?[!！,，。\s~]*"
    r"|打扰(?:一下|了|您了)?[!！,，。\s]*|不好意思[!！,，。\s]*|麻烦(?:问)?一下[!！,，。\s]*|在吗[?？!！,，。\s]*"
    r"|我是(?:[\u4e00-\u9fff]{1,10}?(?:班|组|科|室|队|部|所|站|车间|中心|处|办|病区|年级组?|值|厂|矿|院|支行|网点|线)(?:的)?)?(?:[\u4e00-\u9fff]{2,3}?)?[!！,，。\s]+"
    r"|我是(?:[\u4e00-\u9fff]{1,10}?(?:班|组|科|室|队|部|所|站|车间|中心|处|办|病区|年级组?|值|厂|矿|院|支行|网点|线))的?"
    r"|(?:我)?(?:想|要)?(?:跟您|跟你|向您|向你|给您|给你)?(?:反映|反应|说|汇报|报告)(?:一下|个|一个)?(?:事|事情|问题|情况)?(?:哈|啊|吧)?[!！,，。:：\s]*"
    r"|(?:有|有个|有一个|有件|有几件)(?:事|事情|问题|情况)(?:想|要)?(?:跟您|跟你|向您|向你)?(?:反映|说|汇报)?(?:一下)?[!！,，。:：\s]*"
    r"|是这样的?[!！,，。:：\s]*|就是说?[,，\s]*)+"
)
_THANKS_TAIL = re.compile(r"(?:[,，。\s]*(?:谢谢|麻烦|辛苦)(?:领导|书记|你们|您|大家|了|啦|啊)*[!！。~\s]*)+$")
_FILLER = re.compile(r"那个|就是说|就是|然后呢|然后|的话|咱们|俺们|真的是|真的|实在是|实在|其实|反正|嗯+|啊+|呃+|哎+|唉+|吧$|呢$|哈$|嘛$|啦$")
_SENTENCE = re.compile(r"[。！？!?；;\n]+")
# Where a new problem starts: enumerators and run-on connectors (voice input has no punctuation).
_NEXT = re.compile(r"(?:还有(?:就是|一个|个|一件事|件事)?|另外(?:还有)?|再就是|再一个|再有就是|再有|此外|其次|对了|顺便说一下|"
                   r"第[二三四五六七八九十]|[二三四五六七八九十]是|[2-9][.、．)）]|[②③④⑤⑥⑦⑧⑨])")
_FIRST = re.compile(r"^(?:第一|一是|1[.、．)）]|①|首先)")
# An enumerator or connector that opens a part ("第二 ", "还有就是", "2、").
_LEAD = re.compile(r"^(?:" + _NEXT.pattern + "|" + _FIRST.pattern[1:] + r")[\s,，、:：.．]*")
_CLAUSE = re.compile(r"[,，、\s]+|(?<=[了的])(?=然后|而且|并且|结果|现在)|然后|而且|并且")
_TOPICS = ("k:canteen", "k:facility", "k:commute", "k:pay", "k:safety", "k:housing", "k:workload",
           "k:illness", "k:death", "k:celebration", "k:retire", "k:hardship", "k:emotion")
# Subjects that make a new problem (a consequence such as 睡不着 or 病 stays with its cause).
_SUBJECTS = frozenset(("k:canteen", "k:facility", "k:commute", "k:pay", "k:safety", "k:housing", "k:workload"))
_CONSEQUENCES = frozenset(("k:emotion", "k:illness"))
_PROBLEM = ("k:broken", "k:request", "k:unsatisfied")
_PROBLEM_WORDS = re.compile(r"坏|漏|堵|不够|没有|没人|太|老是|总是|能不能|能否|可不可以|建议|希望|麻烦|问题|隐患|不行|不了|不到|没法|住院|病|去世|困难")


# Full-width digits and Latin letters become ASCII; the person's punctuation (，。！？) is kept as typed.
_WIDE = {c: unicodedata.normalize("NFKC", chr(c)) for c in range(0xFF10, 0xFF5B) if chr(c).isalnum()}
_VOCATIVE = re.compile(r"^(?:各位|尊敬的)?(?:领导|书记|主任|老师|师傅|大家|支部|护士长|行长|校长|队长|班长|值长)"
                       r"(?:们)?(?:[!！,，。:：~\s]+)")
# A clause that only asks politely ("希望能尽快解决", "麻烦领导帮忙看看", "谢谢", "能不能尽快派人来修一下"):
# what is left once these words are gone is nothing.
_POLITE_WORDS = re.compile(
    r"麻烦|希望|请|恳请|拜托|盼|能不能|能否|可不可以|可否|是否|可以|能|帮忙|帮|给|派人|派个人|安排人?|"
    r"领导|书记|主任|你们|您|大家|各位|我们|有关部门|相关部门|尽快|早点|早日|赶紧|抓紧|马上|及时|"
    r"解决|处理|看看|看一下|看下|瞧瞧|修修|修一下|修理|维修|修|管管|管一下|关注|重视|落实|协调|过问|"
    r"来|过来|一下|下|了|吧|啊|哈|呗|呢|哦|呀|嘛|啦|"
    r"谢谢|感谢|多谢|辛苦|费心|问题|这个|这事|此事|事情")


def _clean(text: str) -> str:
    text = strip_emoji(text).translate(_WIDE)
    return re.sub(r"[ \t\u3000\xa0]+", " ", text).strip()


def _polite(clause: str) -> bool:
    """Only a polite ask or thanks, no problem of its own."""
    core = re.sub(r"[\W\d_]+", "", clause)
    if re.fullmatch(r"我是[\u4e00-\u9fff]{1,16}", core) and not _PROBLEM_WORDS.search(core):
        return True  # "我是集控一值的王晓斌": who writes, not what is wrong
    return bool(core) and not _POLITE_WORDS.sub("", core)


def _drop_polite(body: str) -> str:
    """The body without polite clauses, the separators the person typed kept."""
    parts = re.split(r"([，,、。！!？?；;~\s]+)", body)
    kept: list[str] = []
    for i in range(0, len(parts), 2):
        clause, sep = parts[i], parts[i + 1] if i + 1 < len(parts) else ""
        if clause and not _polite(clause):
            kept.append(clause + sep)
    out = "".join(kept).strip(" ,，、。;；~")
    return out or body


def _strip_greeting(text: str) -> str:
    out = _VOCATIVE.sub("", text, count=1)
    out = _GREETING.sub("", out, count=1).strip(" ,，。!！:：")
    out = _THANKS_TAIL.sub("", out).strip(" ,，。!！")
    return out or text


def _topics(text: str) -> set[str]:
    return {c for c in concept_features(text) if c in _SUBJECTS}


def _score(clause: str) -> float:
    feats = set(concept_features(clause))
    subjects = feats & _SUBJECTS
    score = 2.5 * len(subjects) + 1.5 * len((feats & set(_TOPICS)) - subjects) + 1.5 * len(feats & set(_PROBLEM))
    if subjects and "k:broken" in feats:
        score += 1.0  # the thing that is broken, before what follows from it (睡不着)
    score += 1.0 if _PROBLEM_WORDS.search(clause) else 0.0
    if _ASKING.match(clause):
        score -= 2.0  # "麻烦信息科来看看": who is asked, not what is wrong
    return score + min(len(clause), 12) / 12


_ASKING = re.compile(r"麻烦|希望|请|恳请|拜托|能不能|能否|可不可以|可否")
_ABOUT = re.compile(r"^(?:关于|我们(?=\S{4}))|(?<=.)的(?:问题|事情?|情况)$")


def _squeeze(clause: str) -> str:
    out = _FILLER.sub("", _ABOUT.sub("", clause))
    out = re.sub(r"\s+", "", out)
    return out.strip("，,、。 ")


def _cut(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a clause end when there is one, never inside a number."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    for mark in ("，", ",", "、", " "):
        i = head.rfind(mark)
        if i >= limit // 2:
            return head[:i]
    pos = limit
    while pos > limit // 2 and text[pos - 1].isascii() and text[pos - 1].isalnum() and text[pos].isascii() \
            and text[pos].isalnum():
        pos -= 1  # not inside a number or a Latin word
    return text[:pos]


def _pieces(body: str) -> list[tuple[str, bool]]:
    """Clauses of the message, each with whether an enumerator or connector opens it."""
    out: list[tuple[str, bool]] = []
    for sentence in _SENTENCE.split(body):
        cuts = [m.start() for m in _NEXT.finditer(sentence) if m.start() > 0] + [len(sentence)]
        last = 0
        for cut in cuts:
            chunk, last = sentence[last:cut], cut
            opened = bool(_NEXT.match(chunk)) or bool(out and _FIRST.match(chunk))
            if _NEXT.match(chunk) or _FIRST.match(chunk):
                chunk = _LEAD.sub("", chunk, count=1) or chunk  # "1、食堂…": the enumerator is no clause
            for j, clause in enumerate(c for c in _CLAUSE.split(chunk) if c and c.strip(" ,，、:：")):
                out.append((clause.strip(" ,，、:："), opened and j == 0))
    return out


def title(text: str, limit: int = TITLE_MAX) -> str:
    """A short title for a list, a card or the export: what the message is about.

    Args:
        text: The message as the person typed it.
        limit: Longest title (characters).

    Returns:
        The title (the whole cleaned text when it is already short).
    """
    body = _strip_greeting(_drop_polite(_strip_greeting(_clean(text))))
    body = _LEAD.sub("", body, count=1) or body
    squeezed = _squeeze_spaces(body)
    if len(squeezed) <= limit:
        return squeezed or _clean(text)[:limit]
    clauses = [c for c in (_squeeze(_NEXT.sub("", x, count=1) if opened else x) for x, opened in _pieces(body))
               if c and not _polite(c)]
    if not clauses:
        return _cut(squeezed, limit)
    order = sorted(range(len(clauses)), key=lambda i: (-_score(clauses[i]), i))
    chosen = [order[0]]
    size = len(clauses[order[0]])
    for i in order[1:]:
        if size >= TITLE_MIN:
            break
        if size + 1 + len(clauses[i]) <= limit and not _ASKING.match(clauses[i]):
            chosen.append(i)
            size += 1 + len(clauses[i])
    return _cut("，".join(clauses[i] for i in sorted(chosen)), limit)


def _squeeze_spaces(body: str) -> str:
    """Fillers out; a space between two words (voice input, no punctuation) reads as a comma."""
    out = _FILLER.sub("", body)
    out = re.sub(r"(?<=[^\W_])\s+(?=[^\W_])", "，", out)
    out = re.sub(r"\s+", "", out)
    return out.strip("，,、。 ")


def split_problems(text: str) -> list[str]:
    """The distinct problems of one message, in order; one part when there is only one.

    A part starts at an enumerator or connector (第二 / 还有 / 另外…) or where the subject changes
    (the canteen, then the dormitory) with a problem of its own; clauses with no subject of their
    own stay with the problem before them. Greetings and thanks are not parts.

    Args:
        text: The message as typed.

    Returns:
        The parts (original wording, trimmed, without the enumerator that opened them).
    """
    body = _strip_greeting(_clean(text))
    parts: list[str] = []
    topics: list[set[str]] = []
    for piece, opened in _pieces(body):
        t = _topics(piece)
        problem = bool(_PROBLEM_WORDS.search(piece) or set(concept_features(piece)) & set(_PROBLEM))
        feats = set(concept_features(piece))
        consequence = bool(feats & _CONSEQUENCES) and "k:broken" not in feats  # 夜班根本睡不着
        strong = t - {"k:workload"}  # 夜班, 加班: when it happens, seldom a problem of its own without a connector
        new_subject = bool(strong) and bool(topics) and bool(topics[-1]) and not (t & topics[-1]) and not consequence
        if parts and not opened and not (new_subject and problem):
            parts[-1] += " " + piece
            topics[-1] |= t
        else:
            parts.append(piece)
            topics.append(t)
    real = [p for p in parts if len(_squeeze(p)) >= 4 and (_PROBLEM_WORDS.search(p) or _topics(p))]
    return [_LEAD.sub("", p, count=1) or p for p in real] if len(real) > 1 else [body]


# The deed category a part names by its subject (the model's labels), in order of precedence: the
# shift (夜班, 加班) is often only when the problem happens ("夜班没有热饭" is the canteen's).
_TOPIC_CATEGORY = (("k:canteen", "canteen"), ("k:housing", "housing"), ("k:commute", "commute"),
                   ("k:safety", "safety"), ("k:facility", "facilities"), ("k:pay", "pay_welfare"),
                   ("k:workload", "workload"))


def category_hint(part: str) -> str | None:
    """The request category one part of a message names by its subject (食堂 → canteen), or None."""
    found = _topics(part)
    return next((category for topic, category in _TOPIC_CATEGORY if topic in found), None)
