"""Round-trip latency of createNote and getNote: through the router vs direct.

Starts a private cluster (ZooKeeper, MariaDB, one shard of two nodes in sync
mode, the router) on free ports in a temporary directory, creates a user,
then times the same calls over three paths, interleaved so that all three
see the same machine load:

- direct: framed TCP straight to the shard's primary (no router);
- router: framed TCP through the router's TCP front;
- http:   HTTP POST through the router, one connection per call, as the
          evernote3 SDK does.

Prints median, p90 and p99 per path and call, and the router's median
overhead against the direct path measured in the same run.

    .venv/bin/python benchmarks/roundtrip.py [--calls 2000]
"""

import argparse
import statistics
import tempfile
import time

from thriftpy2.http import make_client as make_http_client

from notestore import clusterstate
from notestore.client import connect
from notestore.cluster import Cluster
from notestore.edam import NoteStoreApi, Types

ENML = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<!DOCTYPE en-note SYSTEM "http://xml.evernote.com/pub/enml2.dtd">'
    "<en-note><div>{}</div></en-note>"
)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=2000, help="calls per path")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="notestore-bench-") as base:
        cluster = Cluster(base, shards=("s1",))
        try:
            cluster.start()
            _run(cluster, args.calls)
        finally:
            cluster.stop()


def _run(cluster, calls):
    _, token = cluster.create_user("bench", "bench-password", shard_id="s1")
    router = cluster.router.info
    state = clusterstate.read_state(cluster.zookeeper.hostport, cluster.zk_root)
    shard = state["s1"]["primary"]
    http_url = f"{router['public_url']}/shard/s1/notestore"
    with (
        connect(router["host"], router["tcp_port"], token) as via_router,
        connect(shard["host"], shard["port"], token) as direct,
    ):
        paths = {
            "direct": direct.note_store,
            "router": via_router.note_store,
            "http": _HttpNoteStore(http_url, token),
        }
        for store in paths.values():  # warm up connections and caches
            _create(store, 0)
        samples = _measure(paths, calls)
    _report(samples, calls)


class _HttpNoteStore:
    """A new HTTP connection per call, like the evernote3 SDK's client."""

    def __init__(self, url, token):
        self._url = url
        self._token = token

    def __getattr__(self, name):
        def call(*args):
            client = make_http_client(NoteStoreApi, url=self._url)
            try:
                return getattr(client, name)(self._token, *args)
            finally:
                client.close()

        return call


def _create(store, index):
    note = Types.Note(title=f"note {index}", content=ENML.format("x" * 1000))
    return store.createNote(note)


def _measure(paths, calls):
    samples = {(path, op): [] for path in paths for op in ("createNote", "getNote")}
    for index in range(calls):
        for path, store in paths.items():
            started = time.perf_counter()
            note = _create(store, index)
            samples[(path, "createNote")].append(time.perf_counter() - started)
            started = time.perf_counter()
            store.getNote(note.guid, True, False, False, False)
            samples[(path, "getNote")].append(time.perf_counter() - started)
    return samples


def _report(samples, calls):
    print(f"{calls} calls per path and operation, interleaved; times in ms")
    print(f"{'operation':<12}{'path':<8}{'median':>9}{'p90':>9}{'p99':>9}")
    medians = {}
    for (path, op), values in sorted(samples.items(), key=lambda item: item[0][1]):
        values_ms = sorted(v * 1000 for v in values)
        medians[(path, op)] = statistics.median(values_ms)
        print(
            f"{op:<12}{path:<8}{medians[(path, op)]:>9.3f}"
            f"{_pct(values_ms, 0.90):>9.3f}{_pct(values_ms, 0.99):>9.3f}"
        )
    for op in ("createNote", "getNote"):
        direct = medians[("direct", op)]
        for path in ("router", "http"):
            ratio = medians[(path, op)] / direct
            extra = medians[(path, op)] - direct
            print(f"{op} {path}/direct median ratio {ratio:.2f} (+{extra:.3f} ms)")


def _pct(sorted_values, fraction):
    return sorted_values[
        min(len(sorted_values) - 1, int(len(sorted_values) * fraction))
    ]


if __name__ == "__main__":
    main()
