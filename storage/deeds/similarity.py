"""Titles and duplicate detection for new requests."""

from __future__ import annotations

import re

from storage.deeds.models import Item

# Duplicate detection: character-bigram Jaccard, plus a bonus for the same category.
DUPLICATE_THRESHOLD = 0.3
SAME_CATEGORY_BONUS = 0.15

TITLE_LIMIT = 30

_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def make_title(text: str, limit: int = TITLE_LIMIT) -> str:
    """The first clause of ``text``, at most ``limit`` characters."""
    cleaned = text.strip()
    first = re.split(r"[，,。.！!？?；;\n]", cleaned, maxsplit=1)[0].strip() or cleaned
    return first if len(first) <= limit else first[: limit - 1] + "…"


def _bigrams(text: str) -> set[str]:
    s = _NOISE.sub("", text.lower())
    if len(s) < 2:
        return {s} if s else set()
    return {s[i:i + 2] for i in range(len(s) - 1)}


def similarity(a: str, b: str) -> float:
    """Character-bigram Jaccard similarity of two texts, 0..1."""
    x, y = _bigrams(a), _bigrams(b)
    if not x or not y:
        return 0.0
    return len(x & y) / len(x | y)


def resemblance(text: str, category: str, item: Item) -> float:
    """How much a new request resembles an existing item (similarity plus same-category bonus)."""
    score = max(similarity(text, item.text), similarity(text, item.title))
    if category == item.category and category != "other":
        score += SAME_CATEGORY_BONUS
    return score


def most_similar(text: str, category: str, candidates: list[Item]) -> Item | None:
    """The candidate most like ``text``, if similar enough to ask whether it is the same matter."""
    best: tuple[float, Item] | None = None
    for item in candidates:
        score = resemblance(text, category, item)
        if score >= DUPLICATE_THRESHOLD and (best is None or score > best[0]):
            best = (score, item)
    return best[1] if best else None
