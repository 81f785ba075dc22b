"""The roster's vocabulary: a person's role, with its one Chinese label, and what a phone number looks like."""

from __future__ import annotations

import re
from functools import lru_cache

from storage.vocab import Labeled


class Role(Labeled):
    EMPLOYEE = "employee", "员工"
    MEMBER = "member", "党员"
    SECRETARY = "secretary", "支部书记"


ROLES: tuple[Role, ...] = tuple(Role)
# Party members and the secretary: the people who visit, follow up and may be 联系党员.
STAFF: frozenset[Role] = frozenset({Role.MEMBER, Role.SECRETARY})
# Other words a roster file may use for a role (besides the value and the label).
ROLE_WORDS: dict[str, Role] = {"群众": Role.EMPLOYEE, "职工": Role.EMPLOYEE, "书记": Role.SECRETARY}

PHONE = re.compile(r"^[0-9+\- ]{3,20}$")


@lru_cache(maxsize=256)  # a roster of 100,000 rows says a handful of different words
def role_of(word: str) -> Role | None:
    """The role a word names: ``member``, ``党员``, ``书记``…; None when it names none."""
    return Role.parse(word) or ROLE_WORDS.get(word.strip())


def valid_phone(text: str) -> bool:
    """Digits, ``+``, ``-`` and spaces, 3 to 20 of them."""
    return bool(PHONE.match(text))
