"""Feature extraction for the linear intent/category/polarity models."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .lexicon import concept_features
from .persons import PLACEHOLDER

_QUESTION = re.compile(r"[?？]|吗|么|没有?$|了没|没呢|呢$|啥时候|什么时候|多久|到哪|怎么样|咋样|如何|几时|是不是|能不能|可不可以|有没有")
_DIGIT = re.compile(r"\d+")
_CARE_CONCEPTS = ("k:illness", "k:hardship", "k:death", "k:celebration", "k:retire", "k:emotion", "k:family",
                  "k:other_need")
_AFTERWARDS = frozenset(("k:unsatisfied", "k:satisfied", "k:done", "k:thanks", "k:status", "k:partial",
                         "k:improved", "k:waited"))


@dataclass(frozen=True)
class Signals:
    """Non-lexical signals from the extractors."""

    n_persons: int
    has_due: bool
    has_ref: bool
    urgent: bool
    role: str | None
    zone_person: bool = False
    open_items: int | None = None
    open_incidents: int | None = None


def featurize(masked: str, tokens: list[str], sig: Signals) -> list[str]:
    """Turn a masked message into a list of sparse binary features.

    Args:
        masked: Normalised text with person mentions replaced by a placeholder.
        tokens: jieba tokens of ``masked``.
        sig: Extractor signals.

    Returns:
        Feature names (duplicates removed, order stable).
    """
    text = _DIGIT.sub("0", masked.replace(PLACEHOLDER, "P"))
    feats: list[str] = ["bias"]
    compact = text.replace(" ", "")
    chars = "^" + compact + "$"
    feats.extend("c2:" + chars[i:i + 2] for i in range(len(chars) - 1))
    for tok in tokens:
        tok = tok.strip()
        if tok:
            feats.append("w:" + _DIGIT.sub("0", tok.replace(PLACEHOLDER, "P")))
    n = len(compact)
    feats.append("len:" + ("1" if n <= 2 else "2" if n <= 5 else "3" if n <= 12 else "4" if n <= 30 else "5"))
    if sig.n_persons:
        feats.append("per:1")
        if sig.n_persons > 1:
            feats.append("per:2+")
    if sig.has_due:
        feats.append("due")
    if sig.has_ref:
        feats.append("ref")
    if sig.urgent:
        feats.append("urgent")
    if sig.role:
        feats.append("role:" + sig.role)
    if _QUESTION.search(text):
        feats.append("question")
    concepts = concept_features(text)
    feats.extend(concepts)
    if not set(concepts) & _AFTERWARDS:
        feats.append("k:fresh")  # no word of something said, done or asked before: a new matter, not feedback
    feats.extend(c + "&per" for c in concepts if sig.n_persons)
    if sig.role:
        feats.extend(c + "&" + sig.role for c in concepts if c in ("k:visit", "k:done", "k:status"))
    cs = set(concepts)
    # Pairs a linear model cannot form itself: a plea for the person's own matter (care) against one for the
    # workplace (a request), a failure now against one that has lasted, a half-kept promise (feedback).
    for head in ("k:ask_help", "k:personal", "k:request"):
        if head in cs:
            feats.extend(head + "+" + c for c in _CARE_CONCEPTS if c in cs)
    if "k:broken" in cs or "k:outage" in cs:
        feats.append("broken:" + ("chronic" if "k:chronic" in cs else "now" if "k:outage" in cs or "k:incident_now" in cs
                                   or "k:impact_now" in cs else "plain"))
    if sig.zone_person:
        feats.append("zone:per")
        feats.extend(c + "&zone" for c in concepts if c in ("k:visit", "k:done", "k:status", "k:illness"))
    return list(dict.fromkeys(feats))
