"""Hand rules applied on top of the model (kept few and general)."""
from __future__ import annotations

import re

from .types import ParseContext

_NEG_SAT = re.compile(r"不满意|不太满意|不行|没解决|没修好|还是不|还是那样|还是没|一点没|根本没|差评|敷衍|不接受|又坏|白修|等于没")
_NO_WORDS = re.compile(r"^[\sA-Za-z0-9.,!?~。，、…·\-_=+*/\\:;'\"]*$")
_LATIN_SMALLTALK = re.compile(r"^\s*(?:ok|okay|hi|hello|hey|thx|thanks|thank you|good|nice|yes|yeah|no|bye|666+|888+|999+)[\s.!?~]*$",
                              re.IGNORECASE)
_POS_SAT = re.compile(r"满意|好评|点赞|解决了|修好了|可以了|好了|收到了|谢谢|辛苦|不错|挺好|很好|很快")


def apply_rules(masked: str, intent: str, category: str | None, polarity: str | None,
                context: ParseContext | None = None, zone_person: bool = False) -> tuple[str, str | None, str | None]:
    """Adjust the model's reading with a few high-precision rules.

    Args:
        masked: Normalised, person-masked text.
        intent: Model intent.
        category: Model category.
        polarity: Model polarity.
        context: The sender's context.
        zone_person: A person in the sender's zone is mentioned.

    Returns:
        (intent, category, polarity).
    """
    if masked.strip() and _NO_WORDS.match(masked) and not _LATIN_SMALLTALK.match(masked):
        # Key mashing, bare numbers, punctuation only: nothing to understand.
        intent = "other"
    if intent == "feedback" and polarity is None:
        polarity = "unsatisfied" if _NEG_SAT.search(masked) else "satisfied"
    if intent not in ("deed_request", "care_need"):
        category = None
    elif category is None:
        category = "other"
    if intent != "feedback":
        polarity = None
    return intent, category, polarity
