"""The duty router. Its routes are registered by the modules ``handlers/duty/__init__.py`` imports, in
order of precedence: card buttons (``收到``), slash commands (``/值班``, ``/事件``), then everyday words
("收到 #N", an incident report, "今天谁值班")."""

from bot.dispatcher import Router

router = Router("duty")
