"""Input normalisation: width, emoji, whitespace, common voice-typing slips."""
from __future__ import annotations

import re
import unicodedata

# Emoji, pictographs, dingbats, variation selectors, ZWJ, keycaps, flags.
_EMOJI_RE = re.compile(
    "["
    "\U0001F000-\U0001FAFF"
    "\U00002600-\U000027BF"
    "\U00002B00-\U00002BFF"
    "\U0000FE00-\U0000FE0F"
    "\U0000200B-\U0000200F"
    "\U00002060-\U0000206F"
    "\U000020E3"
    "\U0001F1E6-\U0001F1FF"
    "\U000E0020-\U000E007F"
    "]+"
)
_SPACE_RE = re.compile(r"[ \t\r\n\u3000\xa0]+")
_PUNCT_MAP = str.maketrans({"。": " ", "，": " ", "、": "、", "“": '"', "”": '"', "‘": "'", "’": "'", "～": "~", "…": " "})

# Frequent homophone slips from pinyin/voice input (wrong -> right).
_TYPOS: tuple[tuple[str, str], ...] = (
    ("食唐", "食堂"),
    ("空掉", "空调"),
    ("空条", "空调"),
    ("完点", "晚点"),
    ("扣前", "扣钱"),
    ("工姿", "工资"),
    ("宿社", "宿舍"),
    ("住园", "住院"),
    ("值斑", "值班"),
    ("加斑", "加班"),
)


def strip_emoji(text: str) -> str:
    """Remove emoji and invisible joiners."""
    return _EMOJI_RE.sub(" ", text)


def normalize(text: str) -> str:
    """Normalise a raw message.

    NFKC (full-width digits/letters/punctuation to half-width), emoji removed,
    CJK sentence punctuation turned into spaces, common typos fixed, runs of
    whitespace collapsed.

    Args:
        text: Raw message text.

    Returns:
        The cleaned text (may be empty).
    """
    text = strip_emoji(text)
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(_PUNCT_MAP)
    for wrong, right in _TYPOS:
        if wrong in text:
            text = text.replace(wrong, right)
    return _SPACE_RE.sub(" ", text).strip()
