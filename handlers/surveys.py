"""Placeholder router; filled in by the surveys work."""

from __future__ import annotations

from bot.dispatcher import Router

router = Router("surveys")
