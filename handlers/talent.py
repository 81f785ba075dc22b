"""Placeholder router; filled in by the talent work."""

from __future__ import annotations

from bot.dispatcher import Router

router = Router("talent")
