"""Placeholder router; filled in by the duty work."""

from __future__ import annotations

from bot.dispatcher import Router

router = Router("duty")
