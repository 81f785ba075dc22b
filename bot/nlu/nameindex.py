"""The name index of :class:`bot.nlu.persons.PersonFinder`: a key (full name, surname, given name) and its userids."""
from __future__ import annotations

from collections.abc import Iterable

# An index maps a key to its userids: the one userid itself (a str) while there is one — most full and
# given names belong to one person, and a one-entry dict for each of 100,000 names cost ~20 MB — else a dict
# used as an ordered set (adding or removing one is O(1) however many share a surname). Read it with ids_of.
Index = dict[str, "str | dict[str, None]"]


def ids_of(value: str | dict[str, None] | None) -> Iterable[str]:
    if value is None:
        return ()
    return (value,) if type(value) is str else value


def push(index: Index, counts: dict[int, int], key: str, userid: str) -> None:
    ids = index.get(key)
    if ids is None:
        index[key] = userid
        counts[len(key)] = counts.get(len(key), 0) + 1
    elif type(ids) is str:
        if ids != userid:
            index[key] = {ids: None, userid: None}
    else:
        ids[userid] = None  # type: ignore[index]


def pull(index: Index, counts: dict[int, int], key: str, userid: str) -> None:
    ids = index.get(key)
    if ids is None:
        return
    if type(ids) is str:
        if ids != userid:
            return
    elif userid in ids:
        del ids[userid]  # type: ignore[attr-defined]
        if len(ids) == 1:
            index[key] = next(iter(ids))
        if ids:
            return
    else:
        return
    del index[key]
    counts[len(key)] -= 1
    if not counts[len(key)]:
        del counts[len(key)]
