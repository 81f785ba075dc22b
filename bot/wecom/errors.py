"""What happens to a message after a failed request: retried with capped exponential backoff and
jitter for a window (default 24 h), failed at once only for permanent errors, or in doubt when the
request may have reached WeCom (see WECOM.md)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.wecom import client as wc
from bot.wecom.client import TransportError, WeComAPIError


@dataclass(frozen=True)
class Outcome:
    """What to record for a claimed row."""

    status: str  # sent | failed | in_doubt | pending
    error_code: int | None = None
    error: str | None = None
    retry_in: float = 0.0


@dataclass(frozen=True)
class Policy:
    """Retries: ``base`` * 2^(attempt-1) seconds, at most ``cap``, plus up to 25 % jitter, until the row
    is older than ``window`` (then failed). 45009 waits at least ``freq_wait`` (a minute)."""

    window: timedelta = timedelta(hours=24)
    base: float = 1.0
    cap: float = 300.0
    freq_wait: float = 60.0

    def backoff(self, attempts: int, floor: float = 0.0) -> float:
        delay = max(floor, min(self.cap, self.base * 2.0 ** max(0, attempts - 1)))
        return delay + random.uniform(0, delay / 4)


def classify(exc: Exception, attempts: int, age: timedelta, policy: Policy = Policy()) -> Outcome:
    """Map a send failure to what happens next (see WECOM.md)."""
    if isinstance(exc, TransportError):
        if exc.sent_maybe:
            return Outcome("in_doubt", None, f"outcome unknown: {exc}")
        return retry(None, str(exc), attempts, age, policy)
    if not isinstance(exc, WeComAPIError):
        return Outcome("failed", None, f"{type(exc).__name__}: {exc}")
    code = exc.errcode
    if code == 40031:
        return Outcome("failed", code, f"{wc.PERMANENT[code]}: {exc.errmsg}")
    if code in wc.RETRYABLE or code in wc.TOKEN_ERRORS or code in wc.CONFIG_ERRORS:
        floor = policy.freq_wait if code == wc.FREQ_LIMIT else policy.cap if code in wc.CONFIG_ERRORS else 0.0
        return retry(code, exc.errmsg, attempts, age, policy, floor)
    return Outcome("failed", code, f"企业微信拒绝 ({code}): {exc.errmsg}")


def retry(code: int | None, error: str, attempts: int, age: timedelta, policy: Policy, floor: float = 0.0) -> Outcome:
    delay = policy.backoff(attempts, floor)
    if age + timedelta(seconds=delay) > policy.window:
        hours = policy.window.total_seconds() / 3600
        return Outcome("failed", code, f"重试 {hours:g} 小时仍未发出: {error}")
    return Outcome("pending", code, error, retry_in=delay)


@dataclass(frozen=True)
class Problem:
    """A configuration error: nothing can be sent until it is fixed."""

    code: int
    reason: str
    since: datetime
