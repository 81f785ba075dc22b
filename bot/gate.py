"""Acknowledging WeCom comes first: background work yields while callbacks are in flight."""

from __future__ import annotations

import asyncio


class IdleGate:
    """Counts callbacks being verified and stored; background work waits for a quiet moment.

    Waiting is bounded, so sustained traffic slows processing down but never stops it.
    """

    def __init__(self) -> None:
        self._inflight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def enter(self) -> None:
        self._inflight += 1
        self._idle.clear()

    def leave(self) -> None:
        self._inflight -= 1
        if self._inflight <= 0:
            self._inflight = 0
            self._idle.set()

    @property
    def busy(self) -> bool:
        return self._inflight > 0

    async def quiet(self, at_most: float) -> None:
        """Return when no callback is in flight, or after ``at_most`` seconds."""
        if not self._idle.is_set():
            try:
                await asyncio.wait_for(self._idle.wait(), at_most)
            except TimeoutError:
                pass
