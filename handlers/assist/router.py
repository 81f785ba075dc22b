"""The 精准帮扶 router. Its routes are registered by the modules ``handlers/assist/__init__.py`` imports,
in order of precedence: the steps of a new project, the ``/帮扶`` commands, texts naming a project."""

from bot.dispatcher import Router

router = Router("assist")
