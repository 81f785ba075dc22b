"""A private jieba tokenizer with the domain dictionary and roster names."""
from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import jieba

jieba.setLogLevel(logging.WARNING)
logging.getLogger("jieba").setLevel(logging.WARNING)

DATA_DIR = Path(__file__).resolve().parent / "data"
DOMAIN_DICT = DATA_DIR / "domain_dict.txt"
NAME_FREQ = 1000
COMMON_WORD_FREQ = 50


def _cache_dir() -> str:
    path = os.environ.get("SIJING_CACHE_DIR") or os.path.join(tempfile.gettempdir(), "sijing-jieba")
    try:
        os.makedirs(path, exist_ok=True)
    except OSError:
        path = tempfile.gettempdir()
    return path


class Segmenter:
    """Wraps one private ``jieba.Tokenizer`` (never the global one)."""

    def __init__(self) -> None:
        """Load jieba's dictionary (cached in a temp dir) and the domain words."""
        tok = jieba.Tokenizer()
        tok.tmp_dir = _cache_dir()
        tok.initialize()
        with open(DOMAIN_DICT, "rb") as fh:
            tok.load_userdict(fh)
        self._tok = tok
        self._names: dict[str, int] = {}

    def base_freq(self, word: str) -> int:
        """Frequency of a word in the dictionary before roster names were added."""
        if word in self._names:
            return self._names[word]
        return int(self._tok.FREQ.get(word) or 0)

    def is_common_word(self, word: str) -> bool:
        """True if the word is an ordinary dictionary word (夏天, 江南, 方圆...)."""
        return self.base_freq(word) >= COMMON_WORD_FREQ

    def set_names(self, names: Iterable[str]) -> None:
        """Replace the roster names known to the tokenizer."""
        new = {n for n in names if n}
        for name in list(self._names):
            if name not in new:
                self.drop_name(name)
        for name in new:
            self.add_name(name)

    def add_name(self, name: str) -> None:
        """Know one more roster name (one change of the roster: nothing else is touched)."""
        if name and name not in self._names:
            self._names[name] = int(self._tok.FREQ.get(name) or 0)
            self._tok.add_word(name, max(self._names[name], NAME_FREQ), "nr")

    def drop_name(self, name: str) -> None:
        """Forget a roster name nobody has any more (an ordinary word keeps its own frequency)."""
        old = self._names.pop(name, None)
        if old is None:
            return
        if old:
            self._tok.add_word(name, old)
        else:
            self._tok.del_word(name)

    def cut(self, text: str) -> list[str]:
        """Segment text into words."""
        return self._tok.lcut(text)
