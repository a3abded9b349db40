"""Replication: the primary streams its write log to the secondary.

The secondary pulls. It long-polls ``fetch(epoch, fromLsn)`` on the primary,
which answers as soon as records at or after ``fromLsn`` exist; asking for
``fromLsn`` acknowledges every record below it. Steady state and catch-up
are the same loop. A follower whose position has left the primary's
retained log, or whose history diverged from the primary's (it was primary
itself and holds records nobody else has), restores a snapshot of the
primary's database and tails the log from there.

On the primary, a write is answered only when it is durable: the local WAL
is flushed to disk (one fsync for every write waiting at that moment: group
commit) and, in ``sync`` mode, every in-sync follower has applied it
(DRBD's protocol C). A follower that does not acknowledge within the
replica timeout is first removed from the in-sync set in ZooKeeper, and
only then is the write answered without it: a node that may lack an
answered write can never be elected.

Fencing: every fetch names the epoch the follower believes current; the
primary refuses any other epoch, and the follower refuses answers from an
epoch older than the newest it has seen.
"""

import collections
import hashlib
import hmac
import logging
import os
import tempfile
import time
import uuid

import gevent
import gevent.event
from thriftpy2.protocol import TBinaryProtocolFactory
from thriftpy2.rpc import make_client
from thriftpy2.transport import TFramedTransportFactory, TTransportException

from notestore.edam import Replication, ReplicationApi

__all__ = [
    "Follower",
    "Leader",
    "LogSync",
    "NotReplicated",
    "proof_for",
    "remove_snapshots",
]

log = logging.getLogger(__name__)

SNAPSHOT_CHUNK_BYTES = 1 << 20
FETCH_MAX_RECORDS = 1000
FETCH_WAIT_MS = 1000


class NotReplicated(Exception):
    """A write is committed locally but could not be made durable as the
    acknowledgement mode requires; the client must not be told it succeeded."""


def proof_for(secret):
    """What a node presents to prove it holds the cluster secret."""
    return hmac.new(secret, b"notestore replication", hashlib.sha256).hexdigest()


class LogSync:
    """Group commit: one fsync of the WAL covers every write waiting for it.

    Writes commit with ``synchronous=NORMAL`` (no fsync of their own); a
    writer then waits here. While one fsync runs on the hub's thread pool,
    later writers gather for the next one.
    """

    def __init__(self, storage):
        self._storage = storage
        self._durable_lsn = storage.last_lsn()
        self._round_done = gevent.event.Event()
        self._syncing = False
        self.rounds = 0  # fsyncs run, for metrics

    def wait_durable(self, lsn):
        while self._durable_lsn < lsn:
            if not self._syncing:
                gevent.spawn(self._sync_round)
            done = self._round_done
            done.wait()

    def _sync_round(self):
        self._syncing = True
        try:
            target = self._storage.last_lsn()
            gevent.get_hub().threadpool.apply(_fsync, (self._storage.wal_path,))
            self._durable_lsn = max(self._durable_lsn, target)
            self.rounds += 1
        finally:
            self._syncing = False
            done, self._round_done = self._round_done, gevent.event.Event()
            done.set()


def _fsync(path):
    # fsync flushes the file, whichever descriptor names it. A WAL that a
    # checkpoint has just reset needs nothing: SQLite syncs the database
    # file itself during the checkpoint.
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Leader:
    """The primary's side: serves fetches, tracks acknowledgements, keeps
    the in-sync set, and tells a writer when its write may be answered."""

    def __init__(self, config, storage, coordinator):
        self._config = config
        self._storage = storage
        self._coordinator = coordinator
        self._acked = {}  # follower node id -> highest LSN it has applied
        self._changed = gevent.event.Event()  # new records or new acks
        self._snapshots = {}  # snapshot id -> (follower node id, path)
        self._closed = False
        self._pruner = None
        if config.ack_mode == "async":
            self._pruner = gevent.spawn(self._prune_in_sync_forever)

    def close(self):
        """Stop leading: waiting writers and fetches return at once."""
        self._closed = True
        self._notify()
        if self._pruner is not None:
            self._pruner.kill(block=False)
        for _node, path in self._snapshots.values():
            _remove(path)
        self._snapshots.clear()

    def committed(self):
        """Called after every local commit: wakes waiting fetches."""
        self._notify()

    def _notify(self):
        changed, self._changed = self._changed, gevent.event.Event()
        changed.set()

    # Writers

    def wait_replicated(self, lsn):
        """Block until ``lsn`` may be answered under the acknowledgement mode.

        Raises `NotReplicated` if this node stopped leading or could not
        record a lagging follower's removal from the in-sync set.
        """
        if self._config.ack_mode == "async":
            return
        deadline = _now() + self._config.replica_timeout_s
        while True:
            lagging = [
                node
                for node in self._coordinator.insync_followers()
                if self._acked.get(node, 0) < lsn
            ]
            if not lagging:
                return
            if self._closed:
                raise NotReplicated("no longer primary")
            # A follower whose ZooKeeper session has ended cannot answer:
            # drop it now rather than after the replica timeout.
            gone = [node for node in lagging if not self._coordinator.is_live(node)]
            if gone or deadline - _now() <= 0:
                self._drop(gone or lagging)
                continue
            remaining = deadline - _now()
            self._changed.wait(remaining)

    def _prune_in_sync_forever(self):
        # In async mode no writer waits for a follower, so nothing else
        # notices one that has died or fallen behind. Left in the in-sync
        # set, such a node could be elected and take the shard back to
        # where it stopped.
        history = collections.deque()  # (time, last LSN), oldest first
        timeout = self._config.replica_timeout_s
        while True:
            gevent.sleep(max(0.05, timeout / 4))
            now = _now()
            history.append((now, self._storage.last_lsn()))
            while len(history) > 1 and history[1][0] <= now - timeout:
                history.popleft()
            # What every in-sync follower must hold by now: all the primary
            # held one replica timeout ago.
            since, owed = history[0]
            if now - since < timeout:
                owed = 0  # not leading long enough to judge anyone
            live = self._coordinator.is_live
            stale = [
                node
                for node in self._coordinator.insync_followers()
                if not live(node) or self._acked.get(node, 0) < owed
            ]
            if stale:
                try:
                    self._drop(stale)
                except NotReplicated as exc:
                    log.warning("%s; trying again", exc)

    def _drop(self, nodes):
        log.warning("dropping %s from the in-sync set: no acknowledgement", nodes)
        try:
            self._coordinator.update_insync(remove=nodes)
        except Exception as exc:  # noqa: BLE001 - any failure means "not recorded"
            raise NotReplicated(f"cannot record the in-sync change: {exc}") from exc

    # Fetch, served to followers

    def fetch(self, node, epoch, from_lsn, prev_epoch, max_records, wait_ms):
        if self._closed or epoch != self._coordinator.epoch:
            raise Replication.ReplicationError(
                message=f"epoch {epoch} is not current", notPrimary=True
            )
        last = self._storage.last_lsn()
        if self._diverged(from_lsn, prev_epoch, last):
            return self._result(snapshot=True)
        self._acknowledge(node, from_lsn - 1, last)
        if from_lsn > last and wait_ms > 0:
            self._changed.wait(min(wait_ms, 30_000) / 1000)
        limit = max(1, min(max_records, FETCH_MAX_RECORDS))
        return self._result(records=self._storage.records_since(from_lsn, limit))

    def _diverged(self, from_lsn, prev_epoch, last):
        held = from_lsn - 1
        if held > last:
            return True  # it holds records this primary never had
        if held == 0:
            return False
        if held < self._storage.first_lsn():
            return True  # its position has left the retained log
        return self._storage.epoch_at(held) != prev_epoch

    def _acknowledge(self, node, acked_lsn, last):
        if acked_lsn > self._acked.get(node, -1):
            self._acked[node] = acked_lsn
            self._notify()
        caught_up = acked_lsn >= last
        if caught_up and node not in self._coordinator.insync_nodes():
            # Added before any later write is answered: from here on every
            # write waits for this node too.
            log.info("%s caught up at LSN %d; adding it to the in-sync set", node, last)
            try:
                self._coordinator.update_insync(add=[node])
            except Exception as exc:  # noqa: BLE001 - retried on its next fetch
                log.warning("cannot add %s to the in-sync set: %s", node, exc)

    def _result(self, records=(), snapshot=False):
        return Replication.FetchResult(
            epoch=self._coordinator.epoch,
            records=[
                Replication.LogRecord(epoch=e, lsn=lsn, body=body)
                for e, lsn, body in records
            ],
            snapshotRequired=snapshot,
            primaryLsn=self._storage.last_lsn(),
        )

    def lag(self):
        """Follower node id -> records behind this primary."""
        last = self._storage.last_lsn()
        return {node: last - acked for node, acked in self._acked.items()}

    # Snapshots

    def snapshot_begin(self, node):
        snapshot_id = uuid.uuid4().hex
        path = snapshot_dir(self._config.data_dir) / f"{snapshot_id}.sqlite3"
        # A follower takes one snapshot at a time: one it began before and
        # never finished (it died, or gave up) is of no more use.
        for old_id, (old_node, old_path) in list(self._snapshots.items()):
            if old_node == node:
                del self._snapshots[old_id]
                _remove(old_path)
        lsn, epoch = self._storage.snapshot_to(str(path))
        self._snapshots[snapshot_id] = (node, path)
        log.info("snapshot %s at LSN %d for %s", snapshot_id, lsn, node)
        return Replication.SnapshotInfo(
            snapshotId=snapshot_id,
            lsn=lsn,
            epoch=epoch,
            sizeBytes=path.stat().st_size,
        )

    def snapshot_chunk(self, snapshot_id, offset, length):
        node_and_path = self._snapshots.get(snapshot_id)
        if node_and_path is None:
            raise Replication.ReplicationError(message="no such snapshot")
        with open(node_and_path[1], "rb") as handle:
            handle.seek(offset)
            return handle.read(max(0, min(length, SNAPSHOT_CHUNK_BYTES)))

    def snapshot_end(self, snapshot_id):
        node_and_path = self._snapshots.pop(snapshot_id, None)
        if node_and_path is not None:
            _remove(node_and_path[1])


class Follower:
    """The secondary's side: a greenlet that tails the primary's log.

    Runs until `stop`. Reconnects when the primary changes or fails, and
    restores a snapshot when the primary says it must.
    """

    def __init__(self, config, storage, coordinator):
        self._config = config
        self._storage = storage
        self._coordinator = coordinator
        self._proof = proof_for(config.secret)
        self._greenlet = None
        self.applied_records = 0
        self.snapshots_restored = 0

    def start(self):
        self._greenlet = gevent.spawn(self._run)

    def stop(self):
        if self._greenlet is not None:
            self._greenlet.kill()
            self._greenlet = None

    def _run(self):
        while True:
            primary = self._coordinator.wait_primary()
            if primary.get("node") == self._config.node_id:
                gevent.sleep(0.05)
                continue
            try:
                self._follow(primary)
            except (TTransportException, OSError) as exc:
                log.info("replication from %s broke: %s", primary.get("node"), exc)
            except Replication.ReplicationError as exc:
                log.info("primary %s refused: %s", primary.get("node"), exc.message)
            except Exception:
                log.exception("replication loop failed; retrying")
            gevent.sleep(0.05)

    def _follow(self, primary):
        client = make_client(
            ReplicationApi,
            primary["host"],
            primary["port"],
            proto_factory=TBinaryProtocolFactory(),
            trans_factory=TFramedTransportFactory(),
            timeout=FETCH_WAIT_MS + 10_000,
        )
        epoch = primary["epoch"]
        try:
            while self._coordinator.primary() == primary:
                last = self._storage.last_lsn()
                result = client.fetch(
                    self._proof,
                    self._config.node_id,
                    epoch,
                    last + 1,
                    self._storage.epoch_at(last) or 0,
                    FETCH_MAX_RECORDS,
                    FETCH_WAIT_MS,
                )
                if result.epoch != epoch:
                    return  # fenced: an answer from another epoch
                if result.snapshotRequired:
                    self._restore_snapshot(client)
                elif result.records:
                    self._apply(result.records)
        finally:
            client.close()

    def _apply(self, records):
        rows = [(r.epoch, r.lsn, r.body) for r in records]
        self._storage.append(rows)
        self.applied_records += len(rows)

    def _restore_snapshot(self, client):
        info = client.snapshotBegin(self._proof, self._config.node_id)
        log.info("restoring snapshot %s at LSN %d", info.snapshotId, info.lsn)
        fd, path = tempfile.mkstemp(
            dir=snapshot_dir(self._config.data_dir), prefix="incoming-"
        )
        try:
            with os.fdopen(fd, "wb") as handle:
                offset = 0
                while offset < info.sizeBytes:
                    chunk = client.snapshotChunk(
                        self._proof, info.snapshotId, offset, SNAPSHOT_CHUNK_BYTES
                    )
                    if not chunk:
                        raise OSError("snapshot ended early")
                    handle.write(chunk)
                    offset += len(chunk)
                handle.flush()
                os.fsync(handle.fileno())
            self._storage.restore_from(path)
            self.snapshots_restored += 1
        finally:
            _remove(path)
            client.snapshotEnd(self._proof, info.snapshotId)
        log.info("snapshot restored; following from LSN %d", info.lsn + 1)


def snapshot_dir(data_dir):
    """Where a node keeps snapshots in transfer, both ways."""
    directory = data_dir / "snapshots"
    directory.mkdir(exist_ok=True)
    return directory


def remove_snapshots(data_dir):
    """Remove snapshots a previous run left in transfer: nobody holds them
    any longer (a follower restarting asks for a new one)."""
    for path in snapshot_dir(data_dir).iterdir():
        _remove(path)


def _now():
    return time.monotonic()


def _remove(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass  # already gone
