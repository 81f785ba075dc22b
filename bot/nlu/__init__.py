"""Chinese message parser (NLU) for 四精助手."""
from __future__ import annotations

from .parser import Parser
from .roster import load_roster_csv
from .types import Intent, Parse, Person

__all__ = ["Intent", "Parse", "Parser", "Person", "load_roster_csv"]
