"""A per-token request limit: a fixed one-minute window per token, kept in the worker's memory.

With `--workers N` each worker counts on its own, so a client can make up to N times the limit
across the workers; the limit is there to stop a runaway script or a leaked token from flooding
the model bill, not to meter exactly.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

WINDOW_SECONDS = 60.0


class RateLimiter:
    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._windows: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()  # dependencies run in the threadpool

    def hit(self, key: str) -> int | None:
        """Count one request; None when allowed, else the seconds to wait (for Retry-After)."""
        if self.per_minute <= 0:
            return None
        now = self.clock()
        with self._lock:
            start, count = self._windows.get(key, (now, 0))
            if now - start >= WINDOW_SECONDS:
                start, count = now, 0
            if count >= self.per_minute:
                return max(1, math.ceil(start + WINDOW_SECONDS - now))
            self._windows[key] = (start, count + 1)
            if len(self._windows) > 10_000:
                # Forget finished windows so the table stays small.
                self._windows = {k: v for k, v in self._windows.items() if now - v[0] < WINDOW_SECONDS}
        return None
