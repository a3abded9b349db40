"""GET /metrics on the router and on every shard node, as a scraper sees it."""

import http.client
import re

import pytest

from notestore.edam import Errors, Types

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]

ENML = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<!DOCTYPE en-note SYSTEM "http://xml.evernote.com/pub/enml2.dtd">'
    "<en-note>counted</en-note>"
)


def _scrape(host, port, method="GET"):
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        conn.request(method, "/metrics")
        response = conn.getresponse()
        return response.status, response.getheader("Content-Type"), response.read()
    finally:
        conn.close()


def _samples(body):
    """{'name{labels}': value} of every sample line."""
    samples = {}
    for line in body.decode().splitlines():
        if line and not line.startswith("#"):
            key, value = line.rsplit(" ", 1)
            samples[key] = float(value)
    return samples


def _value(samples, name, **labels):
    wanted = [f'{key}="{value}"' for key, value in labels.items()]
    for key, value in samples.items():
        if re.fullmatch(rf"{name}(\{{.*\}})?", key) and all(w in key for w in wanted):
            return value
    return 0.0


def _router(cluster):
    info = cluster.router.info
    return info["host"], info["http_port"]


def test_router_counts_calls_by_method_and_outcome(cluster, session):
    before = _samples(_scrape(*_router(cluster))[2])
    session.note_store.createNote(Types.Note(title="counted", content=ENML))
    with pytest.raises(Errors.EDAMUserException):
        session.note_store.createNote(Types.Note(content=ENML))

    status, content_type, body = _scrape(*_router(cluster))

    assert status == 200
    assert content_type.startswith("text/plain; version=0.0.4")
    after = _samples(body)
    name = "notestore_router_calls_total"
    for outcome in ("success", "userException"):
        labels = {"service": "note", "method": "createNote", "outcome": outcome}
        assert _value(after, name, **labels) == _value(before, name, **labels) + 1
    assert _value(after, "notestore_router_shard_has_primary", shard="s1") == 1


def test_every_shard_node_reports_its_role_and_log(cluster, session):
    session.note_store.createNote(Types.Note(title="replicated", content=ENML))
    roles = {}
    for (shard_id, _node), process in cluster.shards.items():
        info = process.info
        status, _type, body = _scrape(info["host"], info["metrics_port"])
        assert status == 200
        samples = _samples(body)
        primary = _value(samples, "notestore_shard_role", role="primary") == 1
        roles.setdefault(shard_id, []).append(primary)
        assert _value(samples, "notestore_shard_last_lsn") >= 1
        assert _value(samples, "notestore_shard_insync_nodes") >= 1
    assert all(flags.count(True) == 1 for flags in roles.values()), roles


def test_metrics_refuse_methods_other_than_get(cluster):
    assert _scrape(*_router(cluster), method="POST")[0] == 405
    info = next(iter(cluster.shards.values())).info
    assert _scrape(info["host"], info["metrics_port"], method="DELETE")[0] == 405
