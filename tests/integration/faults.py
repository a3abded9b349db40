"""Helpers for the fault tests: a write load, node inspection, invariants."""

import collections
import re
import sqlite3
import threading
import time
import uuid

from notestore import clusterstate
from notestore.client import connect
from notestore.edam import Types

ENML = '<?xml version="1.0" encoding="UTF-8"?><en-note>{}</en-note>'
WAIT_S = 60


class WriteLoad:
    """Threads creating notes through the router; records every answer.

    ``answered`` holds the titles of writes that got a success answer;
    ``failed`` counts the calls that got an error (allowed during a fault:
    the router may answer SHARD_UNAVAILABLE when a write's fate is
    unknown).
    """

    def __init__(self, router_tcp, token, threads=4):
        self._prefix = uuid.uuid4().hex[:8]
        self._router_tcp = router_tcp
        self._token = token
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.answered = []
        self.failed = 0
        self._threads = [
            threading.Thread(target=self._run, args=(index,), daemon=True)
            for index in range(threads)
        ]

    def __enter__(self):
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def stop(self):
        self._stop.set()
        for thread in self._threads:
            thread.join(WAIT_S)

    def wait_for(self, count, timeout_s=WAIT_S):
        """Block until ``count`` more writes have been answered."""
        target = len(self.answered) + count
        deadline = time.monotonic() + timeout_s
        while len(self.answered) < target:
            assert time.monotonic() < deadline, "the write load made no progress"
            time.sleep(0.01)

    def _run(self, index):
        sequence = 0
        session = None
        while not self._stop.is_set():
            title = f"{self._prefix}-{index}-{sequence}"
            sequence += 1
            try:
                if session is None:
                    session = connect(*self._router_tcp, token=self._token)
                note = Types.Note(title=title, content=ENML.format(title))
                session.note_store.createNote(note)
            except Exception:  # noqa: BLE001 - a failed write is allowed, counted
                with self._lock:
                    self.failed += 1
                if session is not None:
                    session.close()
                    session = None
                time.sleep(0.01)
                continue
            with self._lock:
                self.answered.append(title)
        if session is not None:
            session.close()


def node_db(cluster, shard_id, node_id):
    path = cluster.base_dir / "shards" / f"{shard_id}-{node_id}" / "shard.sqlite3"
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    return db


def node_rows(cluster, shard_id, node_id):
    """Every note and notebook a node holds, comparable across nodes."""
    db = node_db(cluster, shard_id, node_id)
    try:
        notes = db.execute(
            "SELECT guid, user_id, title, content, usn, active FROM notes ORDER BY guid"
        ).fetchall()
        notebooks = db.execute(
            "SELECT guid, user_id, name, usn FROM notebooks ORDER BY guid"
        ).fetchall()
        lsn = db.execute("SELECT max(lsn) FROM log").fetchone()[0] or 0
    finally:
        db.close()
    return lsn, notes, notebooks


def wait_insync(cluster, shard_id, nodes, timeout_s=WAIT_S, exact=False):
    """Wait for a primary and an in-sync set holding ``nodes`` (and, when
    ``exact``, nothing else)."""
    deadline = time.monotonic() + timeout_s
    while True:
        state = clusterstate.read_state(cluster.zookeeper.hostport, cluster.zk_root)
        shard = state[shard_id]
        insync = set(shard["insync"])
        holds = insync == set(nodes) if exact else insync >= set(nodes)
        if shard["primary"] and holds:
            return shard
        assert time.monotonic() < deadline, f"in-sync set stuck at {shard['insync']}"
        time.sleep(0.05)


def wait_for_log(process, text, offset=0, timeout_s=WAIT_S):
    """Wait until ``text`` appears in a daemon's log after ``offset``."""
    deadline = time.monotonic() + timeout_s
    while text not in log_since(process, offset):
        assert time.monotonic() < deadline, f"{process.name} never logged {text!r}"
        time.sleep(0.05)


def log_since(process, offset):
    with open(process.log_path, errors="replace") as handle:
        handle.seek(offset)
        return handle.read()


def primary_of(cluster, shard_id, timeout_s=WAIT_S):
    deadline = time.monotonic() + timeout_s
    while True:
        state = clusterstate.read_state(cluster.zookeeper.hostport, cluster.zk_root)
        primary = state.get(shard_id, {}).get("primary")
        if primary:
            return primary
        assert time.monotonic() < deadline, "no primary"
        time.sleep(0.05)


_ELECTED = re.compile(r"(\w+) is now primary in epoch (\d+)")


def epochs_claimed(cluster, shard_id):
    """Epoch -> the nodes whose logs say they led in it."""
    claims = collections.defaultdict(set)
    for (shard, _), process in cluster.shards.items():
        if shard != shard_id:
            continue
        for line in process.log_path.read_text(errors="replace").splitlines():
            match = _ELECTED.search(line)
            if match:
                claims[int(match.group(2))].add(match.group(1))
    return claims


def check_invariants(cluster, shard_id, answered, timeout_s=WAIT_S):
    """Every answered write on every node exactly once; identical nodes;
    one leader per epoch.

    Nodes converge asynchronously (a follower may still be fetching, or
    about to restore a snapshot), so this waits until the nodes agree and
    fails only if they never come to hold every answered write.
    """
    nodes = [node for shard, node in cluster.shards if shard == shard_id]
    deadline = time.monotonic() + timeout_s
    while True:
        problems = _problems(cluster, shard_id, nodes, answered)
        if not problems:
            break
        assert time.monotonic() < deadline, "; ".join(problems)
        time.sleep(0.05)
    for epoch, leaders in epochs_claimed(cluster, shard_id).items():
        assert len(leaders) == 1, f"epoch {epoch} had leaders {leaders}"


def _problems(cluster, shard_id, nodes, answered):
    rows = {node: node_rows(cluster, shard_id, node) for node in nodes}
    problems = []
    for node, (lsn, notes, _) in rows.items():
        titles = collections.Counter(note[2] for note in notes)
        wrong = [(title, titles[title]) for title in answered if titles[title] != 1]
        if wrong:
            problems.append(
                f"{node} at LSN {lsn} lacks or repeats {len(wrong)} of"
                f" {len(answered)} answered writes: {wrong[:5]}"
            )
    first = rows[nodes[0]]
    for node in nodes[1:]:
        if rows[node] != first:
            problems.append(f"{node} differs from {nodes[0]}")
    return problems
