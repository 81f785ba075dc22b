"""Roster person mentions: full names, names with titles, surname + title."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from .addressee import addressee
from .nameindex import Index, ids_of, pull, push
from .titles import GIVEN_TITLES, SURNAME_TITLES
from .types import ParseContext, Person

PLACEHOLDER = "\ue000"
TITLES = (
    "师傅|师父|大姐|大哥|姐姐|哥哥|姐|哥|老师|主任|副主任|书记|副书记|班长|副班长|组长|站长|所长|"
    "科长|处长|部长|经理|队长|主管|专责|技术员|工程师|同志|老哥|大叔|阿姨|姨|叔|护士长|大夫|医生|校长|矿长|院长"
)
# 小X / 老X / 阿X that are ordinary words, whatever the roster's surnames.
_NICK_WORDS = frozenset(
    "小时 小区 小学 小心 小孩 小组 小说 小姐 小伙 小吃 小事 小车 小米 小便 小麦 小子 小儿 小型 小路 小鸟 小狗 小猫 "
    "小妹 小弟 小哥 小姨 小舅 小叔 小数 小白 小卖 小票 小屋 小院 小寨 小店 小菜 小工 小号 小样 小康 小额 小半 小题 "
    "小女 小三 小五 小六 小九 小本 小伤 小病 小毛 小问 小时候 小会 小礼 小窗 小门 小楼 小桥 小河 小山 小城 小镇 "
    "老师 老板 老公 老婆 老家 老人 老是 老化 老大 老二 老三 老乡 老虎 老鼠 老年 老式 老总 老爷 老太 老汉 老伴 老头 "
    "老姐 老哥 老弟 老话 老实 老样 老毛 老地 老远 老早 老旧 老兵 老同 老百 老天 老字 老有 老在 老不 老了 老么 老区 "
    "老城 老街 老房 老楼 老路 老厂 老师傅 老领 老职 老党 老干 老将 老手 老少 老友 老客 老病 老胃 老腰 老寒 老花 "
    "老想 老要 老说 老找 老让 老叫 老跟 老给 老被 老加 老出 老犯 老坏 老卡 老掉 老停 老断 老漏 老堵 老响 老跳 "
    "阿姨 阿爸 阿妈 阿婆 阿公 阿伯 老王八 小白脸 老黄牛 老黄历 小金库 小高层 小马扎 老马识".split()
)
# Common surnames: a nickname on one of them names someone even when the roster has nobody of it.
_COMMON_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
                    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
_COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "夏侯", "长孙", "宇文", "司徒", "端木")
_TITLE_RE = re.compile(rf"(?:{TITLES})")
# Context that shows a common-word name (夏天, 江南, 方圆) names the person.
_POST_OK = re.compile(
    rf"^(?:{TITLES}|家|他|她|说|反映|提的|提了|讲|最近|这周|这两天|那边|在不在|在吗|在厂|在单位|请假|住院|"
    r"生了|当爸|当妈|结婚|退休|出院|手术|回来|回老家|回家|今天|昨天|明天|已经|刚|身体|状态|情绪|一家|"
    r"两口|夫妻|爱人|老婆|老公|媳妇|他爸|他妈|她爸|她妈|父亲|母亲|的(?:父亲|母亲|爸|妈|爱人|老婆|老公|媳妇|"
    r"丈夫|妻子|孩子|儿子|女儿|闺女|奶奶|爷爷|外婆|姥姥|姥爷|岳父|岳母|公公|婆婆|家|事|诉求|申请|情况|问题|"
    r"材料|工作|心理|身体|病|手|腿|困难|帮扶|补助|技术|成果))"
)
_PRE_OK = re.compile(
    r"(?:去|到|跟|和|与|同|给|找|叫|让|推荐|看望|看了|看|访了|访|联系了|联系|陪|陪着|帮|问|通知|慰问|"
    r"同事|徒弟|是|见|请|替|代|催|谈了|谈|聊了|聊|约|把|对|向|为|由|"
    r"(?:班|组|所|站|科|室|部|队|车间|中心|处|办)(?:的)?|我师傅|师傅|同学|老乡|你们|支部)$"
)
_POST_BAD = re.compile(
    r"^(?:热|冷|凉|暖|到了|来了|快到|快来|的时候|时|里|一带|地区|风光|天气|太|很|真|特别|晒|炎热|多雨|"
    r"百里|几里|十里|之内|以内|景色|美景|的风|的雨|季|一样|似的|般|道远|而道远)"
)
_SEP = re.compile(r"^\s*(?:、|,|和|与|及|跟|还有|以及|\s)\s*$")


@dataclass(frozen=True)
class Mention:
    """One resolved or ambiguous mention of roster people."""

    start: int
    end: int
    text: str
    userids: tuple[str, ...]
    partial: bool = True  # a nickname, given name or surname + title (not the full name)


@dataclass(frozen=True)
class PersonResult:
    """Persons found in one message."""

    persons: tuple[str, ...]
    ambiguous: tuple[tuple[str, tuple[str, ...]], ...]
    masked: str
    unknown: tuple[str, ...] = ()
    addressed: tuple[str, ...] = ()  # who the message is spoken to ("王书记，…"): among ``persons``, not its subject


def _surname(name: str) -> str:
    for sur in _COMPOUND_SURNAMES:
        if name.startswith(sur) and len(name) > len(sur):
            return sur
    return name[:1]


_COMMON_SET = frozenset(_COMMON_SURNAMES)
_NICK_BEFORE = frozenset("大一这那个每小老阿养得")
_BARE_BEFORE = frozenset("下大中一这那个每")
_TITLE_BEFORE = frozenset("这本上下每一二两三几多该那个整小老阿")
_GIVEN_TAIL = re.compile(rf"(?:{GIVEN_TITLES})")
_SURNAME_TAIL = re.compile(rf"(?:{SURNAME_TITLES})(?!作|人|资|厂|会|程|具|期|地|位|种|龄|序|装|艺|伤|号|段|区|单|夫|们)")


def _bare_start(text: str, i: int) -> bool:
    return text[i] in "小老阿" and (i == 0 or text[i - 1] not in _BARE_BEFORE)


def _plain_start(text: str, i: int) -> bool:
    return text[i] not in "小老阿"


def _title_start(text: str, i: int) -> bool:
    return i == 0 or text[i - 1] not in _TITLE_BEFORE


def _not_nick_word(word: str) -> bool:
    return word not in _NICK_WORDS


class PersonFinder:
    """Finds roster people in a message.

    The index is a few dictionaries (full name, surname, given name -> userids) scanned position by position,
    not one regular expression of every name: building it for 100,000 people takes about a second, and
    :meth:`add` / :meth:`remove` change one person without rebuilding anything (a roster change reloads only
    the people that changed). Matching is what the alternations of every name did: leftmost, then longest.
    """

    def __init__(self, people: Iterable[Person], is_common: Callable[[str], bool],
                 cut: Callable[[str], list[str]]) -> None:
        """Index a roster.

        Args:
            people: Roster entries.
            is_common: Whether a name is also an ordinary word.
            cut: Word segmenter aware of roster names.
        """
        self._name_of: dict[str, str] = {}  # userid -> the name indexed for them
        # key -> its userids (a dict as an ordered set: adding or removing one is O(1) however many share a surname)
        self._by_name: Index = {}
        self._by_surname: Index = {}
        self._by_given: Index = {}
        self._name_lens: dict[int, int] = {}  # length -> how many names of that length (longest tried first)
        self._given_lens: dict[int, int] = {}
        self._surname_lens: dict[int, int] = {}
        self._lens: dict[int, tuple[int, ...]] = {}  # id of a length counter -> its lengths, longest first
        self._is_common = is_common
        self._cut = cut
        for p in people:
            self.add(p.userid, p.name)

    # -- changing ------------------------------------------------------------

    def add(self, userid: str, name: str) -> None:
        """Index ``userid`` under ``name`` (someone already indexed is renamed)."""
        name = name.strip()
        if self._name_of.get(userid) == name:
            return
        self.remove(userid)
        if len(name) < 2:
            return
        self._name_of[userid] = name
        for index, counts, key in self._keys(name):
            push(index, counts, key, userid)
        self._lens.clear()

    def remove(self, userid: str) -> None:
        """Forget ``userid`` (nothing happens for someone not indexed)."""
        name = self._name_of.pop(userid, None)
        if name is None:
            return
        for index, counts, key in self._keys(name):
            pull(index, counts, key, userid)
        self._lens.clear()

    def _keys(self, name: str) -> list[tuple[Index, dict[int, int], str]]:
        """Where ``name`` is indexed: full name, surname, and given name when it has two characters or more."""
        sur = _surname(name)
        given = name[len(sur):]
        keys = [(self._by_name, self._name_lens, name), (self._by_surname, self._surname_lens, sur)]
        if len(given) >= 2:
            keys.append((self._by_given, self._given_lens, given))
        return keys

    def __len__(self) -> int:
        return len(self._name_of)

    # -- scanning (what ``re.finditer`` over an alternation of the index's keys, longest first, found) --------

    def _lengths(self, counts: dict[int, int]) -> tuple[int, ...]:
        found = self._lens.get(id(counts))
        if found is None:
            found = self._lens[id(counts)] = tuple(sorted(counts, reverse=True))
        return found

    def _scan(self, text: str, index: Index, counts: dict[int, int],
              starts: Callable[[str, int], bool] | None = None, tail: re.Pattern[str] | None = None,
              accept: Callable[[str], bool] | None = None) -> Iterator[tuple[int, int, str]]:
        """(start, end, key): non-overlapping, leftmost first, the longest key at a position; with ``tail``
        the key must be followed by it (the match ends after it); ``starts`` may refuse a position and
        ``accept`` a key."""
        lengths = self._lengths(counts)
        if not lengths:
            return
        i, n = 0, len(text)
        while i < n:
            if starts is None or starts(text, i):
                for size in lengths:
                    key = text[i:i + size]
                    if len(key) == size and key in index and (accept is None or accept(key)):
                        if tail is None:
                            yield i, i + size, key
                            i += size
                            break
                        t = tail.match(text, i + size)
                        if t is not None:
                            yield i, t.end(), key
                            i = t.end()
                            break
                else:
                    i += 1
                continue
            i += 1

    def _nicknames(self, text: str) -> Iterator[tuple[int, int, str]]:
        """小X / 老X / 阿X on a roster surname of one character or a common one."""
        i, n = 0, len(text)
        while i < n - 1:
            if text[i] in "小老阿" and (i == 0 or text[i - 1] not in _NICK_BEFORE) and (
                    text[i + 1] in self._by_surname or text[i + 1] in _COMMON_SET):
                yield i, i + 2, text[i + 1]
                i += 2
                continue
            i += 1

    @property
    def names(self) -> list[str]:
        """All roster names."""
        return list(self._by_name)

    def _aligned(self, text: str, start: int, end: int) -> bool:
        lo, hi = max(0, start - 6), min(len(text), end + 6)
        pos = lo
        bounds = {lo}
        for tok in self._cut(text[lo:hi]):
            pos += len(tok)
            bounds.add(pos)
        return start in bounds and end in bounds

    def _names_person(self, text: str, start: int, end: int, neighbours: set[int]) -> bool:
        after = text[end:end + 8]
        before = text[max(0, start - 6):start]
        if _POST_BAD.match(after):
            return False
        if _POST_OK.match(after) or _PRE_OK.search(before):
            return True
        if start in neighbours:
            return True
        stripped = before.rstrip()
        return not stripped or before.endswith(" ") or stripped.endswith(",")

    @staticmethod
    def _nearest(ids: tuple[str, ...], context: ParseContext | None) -> tuple[str, ...]:
        """Keep the candidates nearest the sender: their team, else their zone, else their branch."""
        if context is None or len(ids) < 2:
            return ids
        for circle in (context.team, context.zone, context.branch):
            near = tuple(u for u in ids if u in circle)
            if near:
                return near
        return ids

    def _partial(self, text: str, taken: list[tuple[int, int]], sender: str | None) -> Iterator[Mention]:
        """Given names alone (建国说…, 小兵) and nicknames (小王, 老覃, 阿珍): surname or given-name parts."""
        def free(a: int, b: int) -> bool:
            return all(b <= x or a >= y for x, y in taken)

        bare = self._scan(text, self._by_given, self._given_lens, _bare_start, accept=_not_nick_word)
        plain = self._scan(text, self._by_given, self._given_lens, _plain_start)
        for found, is_plain in ((bare, False), (plain, True)):
            for start, end, g in found:
                if not free(start, end):
                    continue
                if is_plain and (len(g) < 2 or not (
                        _POST_OK.match(text[end:end + 8]) or _PRE_OK.search(text[max(0, start - 6):start])
                        or (not self._is_common(g) and self._aligned(text, start, end)))):
                    continue
                ids = tuple(u for u in ids_of(self._by_given[g]) if u != sender)
                if ids:
                    taken.append((start, end))
                    yield Mention(start, end, g, ids)
        for start, end, sur in self._nicknames(text):
            word = text[start:end]
            if word in _NICK_WORDS or text[start:end + 1] in _NICK_WORDS or not free(start, end):
                continue
            if _POST_BAD.match(text[end:end + 4]):
                continue
            ids = tuple(u for u in ids_of(self._by_surname.get(sur)) if u != sender)
            if sender is not None and not ids and sender in ids_of(self._by_surname.get(sur)):
                continue  # the sender's own nickname
            taken.append((start, end))
            yield Mention(start, end, word, ids)

    def find(self, text: str, sender: str | None = None, context: ParseContext | None = None) -> PersonResult:
        """Find the roster people a message is about.

        Args:
            text: Normalised message text.
            sender: Sender's userid, never listed.
            context: The sender's team, zone and branch: several candidates are narrowed to the nearest.

        Returns:
            Persons in order of first mention, ambiguous mentions (candidates nearest first), nicknames
            that fit nobody and the text with every mention replaced by a placeholder.
        """
        raw = list(self._scan(text, self._by_name, self._name_lens))
        # Names adjacent to another name (lists) support each other.
        neighbours: set[int] = set()
        for s, e, _ in raw:
            for s2, _, _ in raw:
                if s2 > s and _SEP.match(text[e:s2] or "x"):
                    neighbours.add(s2)
                    neighbours.add(s)
        mentions: list[Mention] = []
        for s, e, name in raw:
            if self._is_common(name):
                if not self._names_person(text, s, e, neighbours):
                    continue
            elif not self._aligned(text, s, e) and not _TITLE_RE.match(text[e:e + 3]):
                continue
            t = _TITLE_RE.match(text, e)
            end = t.end() if t else e
            mentions.append(Mention(s, end, name, tuple(ids_of(self._by_name[name])), partial=False))
        taken = [(m.start, m.end) for m in mentions]
        for start, end, given in self._scan(text, self._by_given, self._given_lens, tail=_GIVEN_TAIL):
            if any(not (end <= a or start >= b) for a, b in taken):
                continue
            ids = tuple(dict.fromkeys(u for u in ids_of(self._by_given[given]) if u != sender))
            if ids:
                mentions.append(Mention(start, end, text[start:end], ids))
        taken = [(m.start, m.end) for m in mentions]
        for start, end, sur in self._scan(text, self._by_surname, self._surname_lens, _title_start, _SURNAME_TAIL):
            if any(not (end <= a or start >= b) for a, b in taken):
                continue
            ids = tuple(u for u in ids_of(self._by_surname[sur]) if u != sender)
            if ids:
                mentions.append(Mention(start, end, text[start:end], ids))
        mentions.extend(self._partial(text, [(m.start, m.end) for m in mentions], sender))
        mentions.sort(key=lambda m: m.start)
        persons: list[str] = []
        ambiguous: list[tuple[str, tuple[str, ...]]] = []
        unknown: list[str] = []
        addressed = addressee(text, mentions)
        for men in mentions:
            if men is addressed and len(men.userids) != 1:
                continue  # "王书记，…" with two 王 on the roster: no need to ask which one is spoken to
            if sender is not None and sender in men.userids and len(men.userids) > 1 and men.text in self._by_name:
                continue
            ids = tuple(u for u in men.userids if u != sender)
            if men.partial:  # two people of the same full name are asked about, wherever they are
                ids = self._nearest(ids, context)
            if len(ids) == 1:
                if ids[0] not in persons:
                    persons.append(ids[0])
            elif len(ids) > 1 and all(a[0] != men.text for a in ambiguous):
                ambiguous.append((men.text, ids))
            elif not ids and men.text not in unknown:
                unknown.append(men.text)
        masked = text
        for men in sorted(mentions, key=lambda m: m.start, reverse=True):
            masked = masked[:men.start] + PLACEHOLDER + masked[men.end:]
        return PersonResult(tuple(persons), tuple(ambiguous), masked, tuple(unknown),
                            addressed.userids if addressed is not None and len(addressed.userids) == 1 else ())

