"""Acknowledging WeCom comes first: background work yields while callbacks are in flight."""

from __future__ import annotations

import asyncio
import time


class IdleGate:
    """Counts callbacks being verified and stored; background work waits for a quiet moment.

    Waiting is bounded, so sustained traffic slows processing down but never stops it: each wait
    lasts at most ``at_most``, and once callbacks have been in flight without a pause for ``max_busy``
    seconds nobody waits at all until the next quiet moment (a steady stream of callbacks would
    otherwise hold every step back by ``at_most``: a backlog that never drains).
    """

    def __init__(self, max_busy: float = 1.0) -> None:
        self._inflight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._busy_since = 0.0
        self.max_busy = max_busy

    def enter(self) -> None:
        if self._inflight <= 0:
            self._busy_since = time.monotonic()
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
        """Return when no callback is in flight, or after ``at_most`` seconds (at once when callbacks
        have kept the gate busy for ``max_busy`` already)."""
        if not self._idle.is_set():
            waited = time.monotonic() - self._busy_since
            if waited >= self.max_busy:
                return
            try:
                await asyncio.wait_for(self._idle.wait(), min(at_most, self.max_busy - waited))
            except TimeoutError:
                pass
