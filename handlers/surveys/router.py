"""The 征求意见 router. Its routes are registered by the modules ``handlers/surveys/__init__.py`` imports,
in order of precedence: open questions, card clicks, the ``/问卷`` commands and the resume words."""

from bot.dispatcher import Router

router = Router("surveys")
