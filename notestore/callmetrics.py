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
            started = time.perf_counter()
            reply = process(data)
            self.seconds.observe(time.perf_counter() - started, service=service_label)
            name = _declared_name(api, data)
            self.calls.inc(
                service=service_label,
                method=name,
                outcome=dispatch.reply_outcome(api, name, reply),
            )
            return reply

        return measured


def _declared_name(api, data):
    try:
        name = wire.peek_call(data).name
    except wire.ProtocolError:
        return _UNDECLARED
    return name if name in api.thrift_services else _UNDECLARED
