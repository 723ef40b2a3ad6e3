"""Retries with exponential backoff and jitter, and an injectable clock.

Transient provider failures (connection errors, HTTP 429 and 5xx: a
:class:`~pickup.errors.ProviderError` with ``retryable=True``) are tried again
after ``base * 2**attempt`` seconds (capped), scaled by a random factor in
[0.5, 1.0] ("equal jitter") so that many jobs do not retry in lockstep.  When the
provider said how long to wait (``retry_after_s``, parsed by the HTTP layer from
``Retry-After`` / ``retry-after-ms``), the engine waits at least that long.

Tests inject a :class:`Clock` whose ``sleep`` records the delay and returns at once.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass

__all__ = ["Clock", "RetryPolicy", "SystemClock"]


class Clock:
    """Time for the engine; ``sleep`` returns True when ``cancel`` was set meanwhile."""

    def monotonic(self) -> float:
        raise NotImplementedError

    def sleep(self, seconds: float, cancel: threading.Event) -> bool:
        raise NotImplementedError


class SystemClock(Clock):
    """Real time; sleeping wakes early on cancel."""

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float, cancel: threading.Event) -> bool:
        return cancel.wait(max(0.0, seconds))


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry a transient failure."""

    max_retries: int = 5
    base_s: float = 1.0
    cap_s: float = 60.0
    max_job_attempts: int = 3  # resubmissions after a job itself failed transiently

    def delay(self, attempt: int, retry_after_s: float | None, rng: random.Random) -> float:
        """Seconds to wait before retry number ``attempt`` (0-based)."""
        backoff = min(self.cap_s, self.base_s * (2 ** attempt)) * rng.uniform(0.5, 1.0)
        if retry_after_s is not None and retry_after_s >= 0:
            # the server's word is the floor; a little jitter above it spreads callers
            return retry_after_s + rng.uniform(0.0, min(1.0, 0.1 * max(retry_after_s, 0.1)))
        return backoff
