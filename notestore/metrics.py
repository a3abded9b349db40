"""Metrics in Prometheus's text exposition format (version 0.0.4).

A `Registry` holds counters, gauges and histograms, each with a fixed list
of label names, and renders them for a scrape. Values that another part of
the process already knows (a role, an LSN, a lag) are not copied into
gauges on every change: a *collector* function reads them at scrape time.

Every daemon keeps one registry and serves it at ``GET /metrics``: the
router on its HTTP front, a shard node on its own ``--metrics-port``.
"""

import math

__all__ = ["CONTENT_TYPE", "Registry", "wsgi_app"]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# Seconds: from a cached read (sub-millisecond) to a call held through a
# failover (seconds).
LATENCY_BUCKETS_S = (
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
)


class Registry:
    def __init__(self):
        self._metrics = []
        self._collectors = []

    def counter(self, name, help_text, labels=()):
        return self._add(_Counter(name, help_text, labels))

    def gauge(self, name, help_text, labels=()):
        return self._add(_Gauge(name, help_text, labels))

    def histogram(self, name, help_text, labels=(), buckets=LATENCY_BUCKETS_S):
        return self._add(_Histogram(name, help_text, labels, buckets))

    def collector(self, collect):
        """Register ``collect()``, called at every scrape, returning a list
        of ``(name, help, type, [(labels dict, value), ...])``."""
        self._collectors.append(collect)

    def render(self):
        """The text a scrape gets, as bytes."""
        lines = []
        for metric in self._metrics:
            metric.render(lines)
        for collect in self._collectors:
            for name, help_text, kind, samples in collect():
                _header(lines, name, help_text, kind)
                for labels, value in samples:
                    lines.append(f"{name}{_labels(labels)} {_number(value)}")
        lines.append("")
        return "\n".join(lines).encode("utf-8")

    def _add(self, metric):
        if any(existing.name == metric.name for existing in self._metrics):
            raise ValueError(f"metric {metric.name} is registered twice")
        self._metrics.append(metric)
        return metric


class _Metric:
    kind = "untyped"

    def __init__(self, name, help_text, labels):
        self.name = name
        self.help = help_text
        self.label_names = tuple(labels)
        self._values = {}  # label values, in label_names order -> value

    def _key(self, labels):
        if set(labels) != set(self.label_names):
            raise ValueError(f"{self.name} takes labels {self.label_names}")
        return tuple(str(labels[name]) for name in self.label_names)

    def value(self, **labels):
        """The current value for ``labels`` (0 when never set)."""
        return self._values.get(self._key(labels), 0)

    def render(self, lines):
        _header(lines, self.name, self.help, self.kind)
        for key, value in sorted(self._values.items()):
            labels = dict(zip(self.label_names, key, strict=True))
            lines.append(f"{self.name}{_labels(labels)} {_number(value)}")


class _Counter(_Metric):
    kind = "counter"

    def inc(self, amount=1, **labels):
        if amount < 0:
            raise ValueError("a counter only goes up")
        key = self._key(labels)
        self._values[key] = self._values.get(key, 0) + amount


class _Gauge(_Metric):
    kind = "gauge"

    def set(self, value, **labels):
        self._values[self._key(labels)] = value


class _Histogram(_Metric):
    kind = "histogram"

    def __init__(self, name, help_text, labels, buckets):
        super().__init__(name, help_text, labels)
        self.buckets = tuple(sorted(buckets))

    def observe(self, value, **labels):
        key = self._key(labels)
        state = self._values.get(key)
        if state is None:
            # Per bucket, how many values fell at or below it; then the sum
            # and the count of every value.
            state = self._values[key] = [[0] * len(self.buckets), 0.0, 0]
        for index, bound in enumerate(self.buckets):
            if value <= bound:
                state[0][index] += 1
        state[1] += value
        state[2] += 1

    def value(self, **labels):
        """How many values were observed for ``labels``."""
        state = self._values.get(self._key(labels))
        return state[2] if state is not None else 0

    def render(self, lines):
        _header(lines, self.name, self.help, self.kind)
        for key, (counts, total, observed) in sorted(self._values.items()):
            labels = dict(zip(self.label_names, key, strict=True))
            for bound, count in zip(self.buckets, counts, strict=True):
                bucket = _labels({**labels, "le": _number(bound)})
                lines.append(f"{self.name}_bucket{bucket} {count}")
            bucket = _labels({**labels, "le": "+Inf"})
            lines.append(f"{self.name}_bucket{bucket} {observed}")
            lines.append(f"{self.name}_sum{_labels(labels)} {_number(total)}")
            lines.append(f"{self.name}_count{_labels(labels)} {observed}")


def wsgi_app(registry):
    """A WSGI application answering ``GET /metrics`` and nothing else."""

    def app(environ, start_response):
        if environ.get("PATH_INFO") != "/metrics":
            return _plain(start_response, "404 Not Found", b"see /metrics\n")
        if environ["REQUEST_METHOD"] not in ("GET", "HEAD"):
            return _plain(start_response, "405 Method Not Allowed", b"GET /metrics\n")
        return serve(start_response, registry)

    return app


def serve(start_response, registry):
    """Answer a scrape of ``registry`` (for an application with more paths)."""
    body = registry.render()
    start_response(
        "200 OK", [("Content-Type", CONTENT_TYPE), ("Content-Length", str(len(body)))]
    )
    return [body]


def _plain(start_response, status, body):
    start_response(
        status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))]
    )
    return [body]


def _header(lines, name, help_text, kind):
    lines.append(f"# HELP {name} {_escape_help(help_text)}")
    lines.append(f"# TYPE {name} {kind}")


def _labels(labels):
    if not labels:
        return ""
    pairs = (f'{name}="{_escape_label(value)}"' for name, value in labels.items())
    return "{" + ",".join(pairs) + "}"


def _escape_help(text):
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _escape_label(value):
    return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value):
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if math.isnan(value):
        return "NaN"
    return repr(float(value))
