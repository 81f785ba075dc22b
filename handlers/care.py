"""Placeholder router; filled in by the care work."""

from __future__ import annotations

from bot.dispatcher import Router

router = Router("care")
