"""Unit tests for notestore.metrics and notestore.callmetrics."""

import pytest

from notestore import dispatch, errors, metrics
from notestore.callmetrics import CallMetrics
from notestore.edam import NoteStoreApi, TApplicationException, UserStoreApi

pytestmark = pytest.mark.timeout(30)

NOTES, USERS = NoteStoreApi, UserStoreApi


def _lines(registry):
    return registry.render().decode().splitlines()


def test_a_counter_renders_with_help_type_and_labels():
    registry = metrics.Registry()
    calls = registry.counter("x_calls_total", "Calls.", ("method",))
    calls.inc(method="getNote")
    calls.inc(2, method="getNote")
    calls.inc(method="createNote")

    assert _lines(registry) == [
        "# HELP x_calls_total Calls.",
        "# TYPE x_calls_total counter",
        'x_calls_total{method="createNote"} 1',
        'x_calls_total{method="getNote"} 3',
    ]
    assert calls.value(method="getNote") == 3
    assert calls.value(method="never") == 0


def test_a_counter_only_goes_up():
    counter = metrics.Registry().counter("x_total", "X.")
    with pytest.raises(ValueError):
        counter.inc(-1)


def test_labels_must_be_the_declared_ones():
    counter = metrics.Registry().counter("x_total", "X.", ("a",))
    with pytest.raises(ValueError):
        counter.inc(b="1")
    with pytest.raises(ValueError):
        counter.inc()


def test_a_name_is_registered_once():
    registry = metrics.Registry()
    registry.gauge("x", "X.")
    with pytest.raises(ValueError):
        registry.counter("x", "X again.")


def test_label_values_and_help_are_escaped():
    registry = metrics.Registry()
    gauge = registry.gauge("x", "Help with \\ and\nnewline.", ("v",))
    gauge.set(1.5, v='a "quoted"\\ value\n')

    assert _lines(registry) == [
        "# HELP x Help with \\\\ and\\nnewline.",
        "# TYPE x gauge",
        'x{v="a \\"quoted\\"\\\\ value\\n"} 1.5',
    ]


def test_a_histogram_renders_cumulative_buckets_sum_and_count():
    registry = metrics.Registry()
    latency = registry.histogram("x_seconds", "Latency.", buckets=(0.1, 1.0))
    for value in (0.05, 0.5, 0.5, 3.0):
        latency.observe(value)

    assert _lines(registry)[2:] == [
        'x_seconds_bucket{le="0.1"} 1',
        'x_seconds_bucket{le="1.0"} 3',
        'x_seconds_bucket{le="+Inf"} 4',
        "x_seconds_sum 4.05",
        "x_seconds_count 4",
    ]
    assert latency.value() == 4


def test_a_collector_is_read_at_every_scrape():
    registry = metrics.Registry()
    state = {"lsn": 7}
    registry.collector(
        lambda: [("x_lsn", "Last LSN.", "gauge", [({"node": "a"}, state["lsn"])])]
    )

    assert 'x_lsn{node="a"} 7' in _lines(registry)
    state["lsn"] = 9
    assert 'x_lsn{node="a"} 9' in _lines(registry)


class _Response:
    def __init__(self, app, path, method="GET"):
        environ = {"PATH_INFO": path, "REQUEST_METHOD": method}
        self.body = b"".join(app(environ, self._start))

    def _start(self, status, headers):
        self.status = status
        self.headers = dict(headers)


def test_the_wsgi_app_serves_metrics_and_nothing_else():
    registry = metrics.Registry()
    registry.counter("x_total", "X.").inc()
    app = metrics.wsgi_app(registry)

    scrape = _Response(app, "/metrics")
    assert scrape.status == "200 OK"
    assert scrape.headers["Content-Type"] == metrics.CONTENT_TYPE
    assert b"x_total 1" in scrape.body
    assert _Response(app, "/other").status.startswith("404")
    assert _Response(app, "/metrics", "POST").status.startswith("405")


# What a reply carries


def _reply(service, name, exc=None):
    if exc is None:
        result = getattr(service, name + "_result")(success=None)
        return dispatch.encode_reply(name, 1, result)
    return dispatch.encode_error_reply(service, name, 1, exc)


@pytest.mark.parametrize(
    ("service", "name", "exc", "outcome"),
    [
        (NOTES, "expungeNotes", None, "success"),
        (NOTES, "getNote", errors.user_error("BAD_DATA_FORMAT"), "userException"),
        (NOTES, "getNote", errors.system_error("INTERNAL_ERROR"), "systemException"),
        (NOTES, "getNote", errors.not_found("Note.guid"), "notFoundException"),
        # UserStore declares its exceptions in another order here.
        (USERS, "getPublicUserInfo", errors.not_found("username"), "notFoundException"),
        (
            USERS,
            "getPublicUserInfo",
            errors.user_error("LEN_TOO_LONG"),
            "userException",
        ),
    ],
)
def test_reply_outcome_names_the_declared_slot(service, name, exc, outcome):
    assert dispatch.reply_outcome(service, name, _reply(service, name, exc)) == outcome


def test_reply_outcome_of_a_void_success_and_of_app_errors():
    void = dispatch.encode_reply("expungeNotes", 1, NoteStoreApi.expungeNotes_result())
    unknown = dispatch.encode_app_exception(
        "nope", 1, TApplicationException.UNKNOWN_METHOD, "unknown"
    )

    assert dispatch.reply_outcome(NOTES, "expungeNotes", void) == "success"
    assert dispatch.reply_outcome(NOTES, "nope", unknown) == "applicationException"
    assert dispatch.reply_outcome(NOTES, "getNote", b"\x00") == "applicationException"


def test_call_metrics_count_declared_names_only():
    registry = metrics.Registry()
    calls = CallMetrics(registry, "x")
    reply = _reply(NoteStoreApi, "getNote", errors.not_found("Note.guid"))
    process = calls.wrap("note", NoteStoreApi, lambda data: reply)
    request = dispatch.encode_reply("getNote", 1, NoteStoreApi.getNote_result())
    forged = dispatch.encode_reply("made-up-name", 1, NoteStoreApi.getNote_result())

    assert process(request) == reply
    process(forged)
    process(b"garbage")

    counted = calls.calls.value
    assert counted(service="note", method="getNote", outcome="notFoundException") == 1
    undeclared = {"service": "note", "method": "undeclared"}
    assert counted(**undeclared, outcome="applicationException") == 2
    assert calls.seconds.value(service="note") == 3
