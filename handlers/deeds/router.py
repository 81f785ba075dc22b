"""The 办实事 router. Its routes are registered by the modules ``handlers/deeds/__init__.py`` imports,
in order of precedence: open questions, card clicks, slash commands, "接单 #N" texts, intents."""

from bot.dispatcher import Router

router = Router("deeds")
