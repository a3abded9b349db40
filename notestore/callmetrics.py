"""Counting and timing the Thrift calls a process answers.

`CallMetrics.wrap` puts a request processor (bytes in, bytes out) inside a
measurement: one counter per service, method and outcome, and one latency
histogram per service. The method label takes only names the IDL declares,
so a client sending made-up names cannot grow the metrics without bound.
"""

import time

from notestore import dispatch, wire

__all__ = ["CallMetrics"]

_UNDECLARED = "undeclared"


class CallMetrics:
    def __init__(self, registry, prefix):
        self.calls = registry.counter(
            f"{prefix}_calls_total",
            "Thrift calls answered, by service, method and outcome.",
            ("service", "method", "outcome"),
        )
        self.seconds = registry.histogram(
            f"{prefix}_call_seconds",
            "Time from a call's arrival to its answer, in seconds.",
            ("service",),
        )

    def wrap(self, service_label, api, process):
        """``process`` (request bytes -> reply bytes), measured."""

        def measured(data):
            return self.measure(service_label, api, _peeked_name(data), process, data)

        return measured

    def measure(self, service_label, api, name, process, *args):
        """Return ``process(*args)``, the reply to a call of method ``name``
        (None when the request has no readable name), counted and timed."""
        started = time.perf_counter()
        reply = process(*args)
        self.seconds.observe(time.perf_counter() - started, service=service_label)
        method = name if name in api.thrift_services else _UNDECLARED
        outcome = dispatch.reply_outcome(api, method, reply)
        self.calls.inc(service=service_label, method=method, outcome=outcome)
        return reply


def _peeked_name(data):
    try:
        return wire.peek_call(data).name
    except wire.ProtocolError:
        return None
