"""Rate limits: a token bucket per key, kept in memory.

Each key may spend ``limit`` units at once and earns them back evenly over
``window_s`` seconds, so a client that stays under ``limit`` per window is
never refused, and one that bursts waits only as long as the bucket needs to
refill by one. A refused caller is told how long to wait, which is what
EDAM's ``rateLimitDuration`` carries.

Buckets that have refilled completely hold no information and are dropped
once there are many, so memory follows the number of keys active within
one window, not every key ever seen.
"""

import math
import time

__all__ = ["RateLimiter"]

_PRUNE_AT = 10_000


class RateLimiter:
    """``limit`` units per key per ``window_s``; a ``limit`` of 0 disables it."""

    def __init__(self, limit, window_s, clock=time.monotonic):
        if limit < 0 or window_s <= 0:
            raise ValueError("a rate limit needs limit >= 0 and window_s > 0")
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._rate = limit / window_s  # units earned back per second
        self._buckets = {}  # key -> (units left, when counted)
        self._prune_at = _PRUNE_AT

    @property
    def enabled(self):
        return self.limit > 0

    def wait_s(self, key):
        """Seconds until ``key`` may spend one unit (0: it may now)."""
        if not self.enabled:
            return 0
        return self._wait(self._units(key, self._clock()))

    def spend(self, key):
        """Spend one unit if ``key`` has one; return `wait_s` as it was."""
        if not self.enabled:
            return 0
        now = self._clock()
        units = self._units(key, now)
        if units < 1:
            return self._wait(units)
        self._buckets[key] = (units - 1, now)
        if len(self._buckets) >= self._prune_at:
            self._prune(now)
        return 0

    def _wait(self, units):
        if units >= 1:
            return 0
        # Whole seconds, rounded up so nobody is told to come back early;
        # rounded first so float noise never adds a second.
        return math.ceil(round((1 - units) / self._rate, 6))

    def _units(self, key, now):
        units, counted = self._buckets.get(key, (self.limit, now))
        return min(self.limit, units + (now - counted) * self._rate)

    def _prune(self, now):
        self._buckets = {
            key: (units, counted)
            for key, (units, counted) in self._buckets.items()
            if units + (now - counted) * self._rate < self.limit
        }
        # Everyone still here spent within the last window: let the table
        # grow to twice that before the next look.
        self._prune_at = max(_PRUNE_AT, 2 * len(self._buckets))
