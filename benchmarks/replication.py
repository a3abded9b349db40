"""Replication figures: failover time, handover pause, sync vs async, catch-up.

Starts private clusters (one shard of two nodes, 1 s ZooKeeper sessions) on
free ports in a temporary directory and prints:

- failover: time from SIGKILL of the primary to the first successful write
  through the router, over ``--kills`` kills (median, min, max);
- handover: the longest gap between two answered writes of a steady writer
  while the primary role moves (median and max over ``--handovers``);
- throughput: createNote/s through the router with ``--writers`` threads, in
  ``sync`` and ``async`` mode, measured in the same run, and their ratio;
- catch-up: records/s a restarted secondary applies from the log.

    .venv/bin/python benchmarks/replication.py [--kills 10]
"""

import argparse
import os
import signal
import sqlite3
import statistics
import sys
import tempfile
import threading
import time

from notestore import clusterstate, handover
from notestore.client import connect
from notestore.cluster import Cluster
from notestore.edam import Types

ENML = '<?xml version="1.0" encoding="UTF-8"?><en-note><div>{}</div></en-note>'
SHARD = "s1"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--handovers", type=int, default=10)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0, help="per mode")
    parser.add_argument("--catch-up-records", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="notestore-bench-") as base:
        with _cluster(os.path.join(base, "sync"), "sync") as (cluster, token):
            _failover(cluster, token, args.kills)
            _handover(cluster, token, args.handovers)
            sync_rate = _throughput(cluster, token, args.writers, args.seconds)
            _catch_up(cluster, token, args.catch_up_records)
        with _cluster(os.path.join(base, "async"), "async") as (cluster, token):
            async_rate = _throughput(cluster, token, args.writers, args.seconds)
    print(
        f"throughput: sync {sync_rate:.0f} notes/s, async {async_rate:.0f} notes/s,"
        f" sync/async {sync_rate / async_rate:.2f} ({args.writers} writers)"
    )


class _cluster:
    def __init__(self, base, ack_mode):
        self._cluster = Cluster(
            base,
            shards=(SHARD,),
            nodes=("a", "b"),
            session_timeout_s=1.0,
            shard_options=[f"--ack-mode={ack_mode}", "--log-retention=1000000"],
        )

    def __enter__(self):
        self._cluster.start()
        _wait_insync(self._cluster)
        _, token = self._cluster.create_user("bench", "bench-password", SHARD)
        return self._cluster, token

    def __exit__(self, *exc_info):
        self._cluster.stop()


def _router(cluster):
    info = cluster.router.info
    return info["host"], info["tcp_port"]


def _write(session, text="x"):
    session.note_store.createNote(Types.Note(title=text, content=ENML.format(text)))


def _state(cluster):
    return clusterstate.read_state(cluster.zookeeper.hostport, cluster.zk_root)[SHARD]


def _wait_insync(cluster):
    while True:
        state = _state(cluster)
        if state["primary"] and set(state["insync"]) == {"a", "b"}:
            return state
        time.sleep(0.05)


def _failover(cluster, token, kills):
    took = []
    for _ in range(kills):
        state = _wait_insync(cluster)
        victim = state["primary"]["node"]
        with connect(*_router(cluster), token=token) as session:
            _write(session)
        os.kill(cluster.shards[(SHARD, victim)].pid, signal.SIGKILL)
        killed = time.monotonic()
        while True:
            try:
                with connect(*_router(cluster), token=token) as session:
                    _write(session, "after")
                break
            except Exception:  # noqa: BLE001 - retry until the new primary answers
                continue
        took.append(time.monotonic() - killed)
        cluster.shards[(SHARD, victim)].kill()  # reap
        cluster.start_node(SHARD, victim)
    _print_series("failover: SIGKILL to first answered write", took)


def _handover(cluster, token, handovers):
    pauses = []
    for _ in range(handovers):
        _wait_insync(cluster)
        stamps, stop = [], threading.Event()
        writer = threading.Thread(
            target=_steady_writer, args=(cluster, token, stamps, stop)
        )
        writer.start()
        while len(stamps) < 50:
            time.sleep(0.01)
        handover.hand_over(cluster.zookeeper.hostport, cluster.zk_root, SHARD)
        count = len(stamps)
        while len(stamps) < count + 50:
            time.sleep(0.01)
        stop.set()
        writer.join()
        pauses.append(max(b - a for a, b in zip(stamps, stamps[1:], strict=False)))
    _print_series("handover: longest write pause", pauses)


def _steady_writer(cluster, token, stamps, stop):
    session = None
    while not stop.is_set():
        try:
            session = session or connect(*_router(cluster), token=token)
            _write(session)
        except Exception as exc:  # noqa: BLE001 - reported, then carry on
            print(f"handover: a write failed: {exc!r}", flush=True)
            if session is not None:
                session.close()
            session = None
            continue
        stamps.append(time.monotonic())
    if session is not None:
        session.close()


def _throughput(cluster, token, writers, seconds):
    _wait_insync(cluster)
    counts = [0] * writers
    stop = threading.Event()

    def run(index):
        with connect(*_router(cluster), token=token) as session:
            while not stop.is_set():
                _write(session)
                counts[index] += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    time.sleep(seconds)  # the measuring window, not a readiness wait
    stop.set()
    for thread in threads:
        thread.join()
    return sum(counts) / seconds


def _catch_up(cluster, token, records):
    state = _wait_insync(cluster)
    secondary = next(n for n in ("a", "b") if n != state["primary"]["node"])
    primary = state["primary"]["node"]
    cluster.shards[(SHARD, secondary)].stop()
    with connect(*_router(cluster), token=token) as session:
        for index in range(records):
            _write(session, f"c{index}")
    target = _lsn(cluster, primary)
    start_lsn = _lsn(cluster, secondary)
    started = time.monotonic()
    cluster.start_node(SHARD, secondary)
    # The replay proper runs from the first applied record to the last;
    # before it the process starts, joins ZooKeeper and finds the primary.
    first_lsn = start_lsn
    while first_lsn == start_lsn:
        time.sleep(0.002)
        first_lsn = _lsn(cluster, secondary)
    replay_started = time.monotonic()
    while _lsn(cluster, secondary) < target:
        time.sleep(0.002)
    finished = time.monotonic()
    behind = target - start_lsn
    replay_s = max(finished - replay_started, 1e-6)
    print(
        f"catch-up: {behind} records in {finished - started:.2f} s from process"
        f" start; replay {target - first_lsn} records in {replay_s:.2f} s,"
        f" {(target - first_lsn) / replay_s:.0f} records/s"
    )


def _lsn(cluster, node):
    path = cluster.base_dir / "shards" / f"{SHARD}-{node}" / "shard.sqlite3"
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    try:
        return db.execute("SELECT max(lsn) FROM log").fetchone()[0] or 0
    finally:
        db.close()


def _print_series(label, values):
    values_ms = sorted(v * 1000 for v in values)
    print(
        f"{label}: median {statistics.median(values_ms):.0f} ms,"
        f" min {values_ms[0]:.0f} ms, max {values_ms[-1]:.0f} ms"
        f" over {len(values_ms)}",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
