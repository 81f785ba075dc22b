"""Who a message is spoken to ("王书记，…"): named in it, but not what it is about."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .titles import GIVEN_TITLES, SURNAME_TITLES

if TYPE_CHECKING:
    from .persons import Mention

# Speaking to someone at the start of a message: "王书记，…", "邱书记 跟您反映…", "海燕书记你好 …". Only a
# mention that ends in a title (or is greeted) and is followed by a pause, and only when what follows speaks to
# them ("您", "你", "麻烦", …) or names someone else: "苟伟师傅 谈过了 退休手续他都清楚" (a member's visit
# report) is about 苟伟.
_ADDRESS_BEFORE = re.compile(r"^[\s@＠]*(?:(?:您好|你好|早上好|早|嗨|hi|hello)[\s，,、！!：:~～。]*)?$", re.I)
_ADDRESS_TITLE = re.compile(rf"(?:{SURNAME_TITLES}|{GIVEN_TITLES}|领导)$")
_ADDRESS_PAUSE = re.compile(r"^(?:\s*(?:您好|你好|好)?[\s，,、：:！!~～。]|您好|你好)")
_ADDRESS_SPOKEN = re.compile(r"您|你|麻烦|请问|打扰|辛苦|汇报|报告一下|跟您|向您|给您")
# a leader so addressed who is then told about the speaker ("王书记 我家里今年确实太难了…") is spoken to as well
_ADDRESS_LEADER = re.compile(r"(?:书记|主任|经理|领导|站长|所长|科长|处长|部长|校长|矿长|院长|队长|护士长|行长|值长)$")
_ADDRESS_SELF = re.compile(r"我|咱")


def addressee(text: str, mentions: list[Mention]) -> Mention | None:
    """The first mention when the message is spoken to that person (see ``_ADDRESS_BEFORE``)."""
    if not mentions:
        return None
    first = mentions[0]
    after = text[first.end:]
    if not _ADDRESS_BEFORE.match(text[:first.start]) or not _ADDRESS_PAUSE.match(after):
        return None
    if not (_ADDRESS_TITLE.search(text[first.start:first.end]) or re.match(r"\s*(?:您好|你好)", after)):
        return None
    others = any(set(m.userids) != set(first.userids) for m in mentions[1:])
    leader = bool(_ADDRESS_LEADER.search(text[first.start:first.end])) and bool(_ADDRESS_SELF.search(after))
    return first if others or leader or _ADDRESS_SPOKEN.search(after) else None
