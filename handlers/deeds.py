"""Placeholder router; filled in by the deeds work."""

from __future__ import annotations

from bot.dispatcher import Router

router = Router("deeds")
