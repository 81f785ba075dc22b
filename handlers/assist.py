"""Placeholder router; filled in by the assist work."""

from __future__ import annotations

from bot.dispatcher import Router

router = Router("assist")
