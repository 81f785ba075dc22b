"""The people router: what someone not in the roster gets (``registration``)."""

from bot.dispatcher import Router

router = Router("people")
