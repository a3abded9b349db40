"""Unit tests for notestore.ratelimit over a hand-driven clock."""

import pytest

from notestore.ratelimit import RateLimiter

pytestmark = pytest.mark.timeout(30)


class Clock:
    def __init__(self):
        self.now_s = 1000.0

    def __call__(self):
        return self.now_s


@pytest.fixture
def clock():
    return Clock()


def test_a_burst_up_to_the_limit_passes_and_the_next_call_waits(clock):
    limiter = RateLimiter(4, 60, clock)

    assert [limiter.spend("k") for _ in range(4)] == [0, 0, 0, 0]
    assert limiter.spend("k") == 15  # one unit comes back every 60 / 4 s
    assert limiter.wait_s("k") == 15


def test_units_come_back_evenly(clock):
    limiter = RateLimiter(4, 60, clock)
    for _ in range(4):
        limiter.spend("k")

    clock.now_s += 14.5
    assert limiter.spend("k") == 1  # rounded up: never told to come back early
    clock.now_s += 0.5
    assert limiter.spend("k") == 0
    assert limiter.spend("k") == 15


def test_a_client_within_the_limit_is_never_refused(clock):
    limiter = RateLimiter(4, 60, clock)

    for _ in range(100):
        assert limiter.spend("k") == 0
        clock.now_s += 15


def test_a_refused_call_spends_nothing(clock):
    limiter = RateLimiter(1, 10, clock)
    limiter.spend("k")
    for _ in range(5):
        assert limiter.spend("k") == 10

    clock.now_s += 10
    assert limiter.spend("k") == 0


def test_keys_are_independent(clock):
    limiter = RateLimiter(1, 10, clock)
    limiter.spend(("user", 1))

    assert limiter.spend(("user", 2)) == 0
    assert limiter.spend(("user", 1)) == 10


def test_wait_s_spends_nothing(clock):
    limiter = RateLimiter(1, 10, clock)

    assert [limiter.wait_s("k") for _ in range(3)] == [0, 0, 0]
    assert limiter.spend("k") == 0


def test_a_limit_of_zero_disables_it(clock):
    limiter = RateLimiter(0, 10, clock)

    assert not limiter.enabled
    assert all(limiter.spend("k") == 0 for _ in range(1000))


@pytest.mark.parametrize(("limit", "window_s"), [(-1, 10), (1, 0), (1, -5)])
def test_nonsense_settings_are_refused(limit, window_s):
    with pytest.raises(ValueError):
        RateLimiter(limit, window_s)


def test_memory_follows_the_active_keys_not_every_key_seen(clock):
    limiter = RateLimiter(2, 10, clock)
    for key in range(50_000):
        limiter.spend(key)
        clock.now_s += 0.01  # 100 new keys a second, each idle after one call

    # Only keys that spent within the last window can be remembered, and
    # the table is pruned once it doubles that.
    assert len(limiter._buckets) <= 10_000
    assert limiter.spend(49_999) == 0
    assert limiter.spend(49_999) == 5
