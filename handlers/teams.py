"""Placeholder router; filled in by the teams work."""

from __future__ import annotations

from bot.dispatcher import Router

router = Router("teams")
