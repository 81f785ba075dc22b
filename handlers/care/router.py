"""The 精密关注 router. Its routes are registered by the modules ``handlers/care/__init__.py`` imports,
in order of precedence: open questions, card clicks, slash commands, "登记 T{n}" texts, intents."""

from bot.dispatcher import Router

router = Router("care")
