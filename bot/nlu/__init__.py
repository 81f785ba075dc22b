"""Chinese message parser (NLU) for 四精助手."""
from __future__ import annotations

from .parser import Parser
from .roster import load_roster_csv
from .types import Intent, Parse, ParseContext, Person

__all__ = ["Intent", "Parse", "ParseContext", "Parser", "Person", "load_roster_csv"]
