"""The shard node's endpoint: NoteStore and replication, framed over TCP.

Both services share the port; their method names are disjoint. NoteStore
calls are answered only by the primary; a write's answer waits until the
write is durable as the shard's acknowledgement mode requires (see
``shard.replication``). A call that commits nothing answers at once.
"""

import hmac
import logging
import time

import gevent
from gevent.pywsgi import WSGIServer
from gevent.server import StreamServer

from notestore import dispatch, errors, framed, metrics, wire
from notestore.callmetrics import CallMetrics
from notestore.edam import NoteStoreApi, Replication, ReplicationApi
from notestore.noteservice import NoteStoreService
from notestore.tokens import TokenSigner
from shard.coordinator import Coordinator, Role
from shard.replication import (
    Follower,
    Leader,
    LogSync,
    NotReplicated,
    proof_for,
    remove_snapshots,
)

__all__ = ["ShardServer"]

log = logging.getLogger(__name__)

HANDOVER_CATCH_UP_S = 5.0


class ShardServer:
    """One node of a shard: storage, coordination, replication, endpoint."""

    def __init__(self, config, storage):
        self._config = config
        self._storage = storage
        self._log_sync = LogSync(storage)
        self._pending = {}  # greenlet -> highest LSN it committed
        self._leader = None
        self._coordinator = Coordinator(
            config,
            storage.last_lsn,
            on_role=self._on_role,
            catch_up=self._catch_up,
            on_nodes_changed=self._on_nodes_changed,
            status=self._status,
        )
        self._follower = Follower(config, storage, self._coordinator)
        service = NoteStoreService(
            config.shard_id,
            TokenSigner(config.secret),
            storage,
            self._write,
            upload_limit=config.upload_limit,
        )
        self._notes = dispatch.Dispatcher(NoteStoreApi, service)
        handler = _ReplicationHandler(config.secret, lambda: self._leader)
        self._replication_methods = frozenset(ReplicationApi.thrift_services)
        self._server = StreamServer((config.host, config.port), self._handle)
        self._trimmer = None
        self._replication = dispatch.Dispatcher(ReplicationApi, handler)
        self.metrics = metrics.Registry()
        self._calls = CallMetrics(self.metrics, "notestore_shard")
        self._writes = 0  # records committed as primary
        self.metrics.collector(self._state_metrics)
        self._metrics_server = WSGIServer(
            (config.host, config.metrics_port),
            metrics.wsgi_app(self.metrics),
            log=None,
            error_log=log,
        )

    @property
    def address(self):
        host, port = self._server.address[:2]
        return {
            "host": host,
            "port": port,
            "metrics_port": self._metrics_server.address[1],
        }

    def start(self):
        """Listen, then join the cluster. Blocks until ZooKeeper answers."""
        remove_snapshots(self._config.data_dir)
        self._server.start()
        self._metrics_server.start()
        log.info(
            "serving on %s:%d, metrics on port %d",
            *self._server.address[:2],
            self._metrics_server.address[1],
        )
        self._coordinator.start(self.address)
        self._trimmer = gevent.spawn(self._trim_log_forever)

    def stop(self):
        self._server.stop(timeout=2)
        self._metrics_server.stop(timeout=1)
        self._follower.stop()
        if self._leader is not None:
            self._leader.close()
        if self._trimmer is not None:
            self._trimmer.kill()
        self._coordinator.stop()

    def _handle(self, sock, peer):
        framed.serve_connection(sock, peer, self.process, self._config.max_frame_bytes)

    # Requests

    def process(self, data):
        """Answer one request message."""
        measure = self._calls.measure
        try:
            call = wire.peek_call(data)
        except wire.ProtocolError:  # answered PROTOCOL_ERROR
            return measure("note", NoteStoreApi, None, self._notes.process, data)
        if call.name in self._replication_methods:
            process = self._replication.process
            return measure("replication", ReplicationApi, call.name, process, data)
        return measure("note", NoteStoreApi, call.name, self._answer_note, data, call)

    def _answer_note(self, data, call):
        if not self._coordinator.writable:
            # Refused before any work, so the router may retry elsewhere.
            refusal = errors.system_error("SHARD_UNAVAILABLE", errors.NOT_PRIMARY)
            return dispatch.encode_error_reply(
                NoteStoreApi, call.name, call.seqid, refusal
            )
        me = gevent.getcurrent()
        try:
            reply = self._notes.process(data)
            lsn = self._pending.pop(me, None)
            if lsn is not None:
                self._make_durable(lsn)
        except NotReplicated as exc:
            log.warning("%s committed but not acknowledged: %s", call.name, exc)
            unavailable = errors.system_error(
                "SHARD_UNAVAILABLE", "the write could not be replicated"
            )
            return dispatch.encode_error_reply(
                NoteStoreApi, call.name, call.seqid, unavailable
            )
        finally:
            self._pending.pop(me, None)
        return reply

    def _write(self, record):
        # Checked again at commit time: leadership may have been lost while
        # the call was being validated.
        if not self._coordinator.writable or self._leader is None:
            raise errors.system_error("SHARD_UNAVAILABLE", errors.NOT_PRIMARY)
        lsn = self._storage.commit(self._coordinator.epoch, record)
        self._writes += 1
        # The answer waits in `process`, after the handler has let go of its
        # write lock, so that many writes wait for one fsync and one fetch.
        self._pending[gevent.getcurrent()] = lsn
        self._leader.committed()
        return lsn

    def _make_durable(self, lsn):
        leader = self._leader
        if leader is None:
            raise NotReplicated("no longer primary")
        # The local fsync and the followers' acknowledgements run at once.
        replicated = gevent.spawn(_outcome, leader.wait_replicated, lsn)
        self._log_sync.wait_durable(lsn)
        failure = replicated.get()
        if failure is not None:
            raise failure

    # Roles

    def _on_role(self, role):
        if role == Role.PRIMARY:
            self._follower.stop()
            self._leader = Leader(self._config, self._storage, self._coordinator)
        else:
            if self._leader is not None:
                self._leader.close()
                self._leader = None
            if role == Role.SECONDARY:
                self._follower.stop()
                self._follower.start()

    def _on_nodes_changed(self):
        if self._leader is not None:
            self._leader.committed()  # wakes writers waiting on a dead node

    def _catch_up(self, node):
        leader = self._leader
        deadline = time.monotonic() + HANDOVER_CATCH_UP_S
        while leader is not None and leader.lag().get(node, 1) > 0:
            if time.monotonic() > deadline:
                log.warning("handover target %s did not catch up in time", node)
                return
            gevent.sleep(0.001)

    def _status(self):
        status = {"ack_mode": self._config.ack_mode}
        if self._leader is not None:
            status["lag"] = self._leader.lag()
        return status

    def _state_metrics(self):
        config, coordinator = self._config, self._coordinator
        lag = self._leader.lag() if self._leader is not None else {}
        return [
            (
                "notestore_shard_info",
                "This node's shard, node id and acknowledgement mode.",
                "gauge",
                [
                    (
                        {
                            "shard": config.shard_id,
                            "node": config.node_id,
                            "ack_mode": config.ack_mode,
                        },
                        1,
                    )
                ],
            ),
            (
                "notestore_shard_role",
                "1 for the role this node has now (primary, secondary, starting).",
                "gauge",
                [({"role": coordinator.role}, 1)],
            ),
            _gauge(
                "notestore_shard_writable",
                "1 while this node answers writes.",
                int(coordinator.writable),
            ),
            _gauge(
                "notestore_shard_epoch", "The epoch this node knows.", coordinator.epoch
            ),
            _gauge(
                "notestore_shard_last_lsn",
                "The last LSN in this node's log.",
                self._storage.last_lsn(),
            ),
            _gauge(
                "notestore_shard_first_lsn",
                "The oldest LSN the log retains.",
                self._storage.first_lsn(),
            ),
            _gauge(
                "notestore_shard_insync_nodes",
                "Nodes in the shard's in-sync set.",
                len(coordinator.insync_nodes()),
            ),
            (
                "notestore_shard_follower_lag_records",
                "On the primary: records each follower has yet to acknowledge.",
                "gauge",
                [({"follower": node}, behind) for node, behind in sorted(lag.items())],
            ),
            _counter(
                "notestore_shard_writes_total",
                "Write records this node committed as primary.",
                self._writes,
            ),
            _counter(
                "notestore_shard_fsyncs_total",
                "Group commits: fsyncs of the log, each covering every"
                " write waiting at that moment.",
                self._log_sync.rounds,
            ),
            _counter(
                "notestore_shard_replicated_records_total",
                "Records this node applied as a follower.",
                self._follower.applied_records,
            ),
            _counter(
                "notestore_shard_snapshots_restored_total",
                "Snapshots of the primary this node restored.",
                self._follower.snapshots_restored,
            ),
        ]

    def _trim_log_forever(self):
        while True:
            gevent.sleep(1.0)
            self._storage.trim_log(self._config.log_retention)


def _gauge(name, help_text, value):
    return name, help_text, "gauge", [({}, value)]


def _counter(name, help_text, value):
    return name, help_text, "counter", [({}, value)]


def _outcome(function, *args):
    """Run ``function``; return its NotReplicated instead of raising it."""
    try:
        function(*args)
    except NotReplicated as exc:
        return exc
    return None


class _ReplicationHandler:
    """The replication service's Thrift handler.

    Every call must carry the proof that the caller holds the cluster
    secret, and is served only while this node leads.
    """

    def __init__(self, secret, current_leader):
        self._proof = proof_for(secret).encode()
        self._current_leader = current_leader

    def _leader(self, proof):
        if not hmac.compare_digest(proof.encode(), self._proof):
            raise Replication.ReplicationError(message="bad proof")
        leader = self._current_leader()
        if leader is None:
            raise Replication.ReplicationError(message="not primary", notPrimary=True)
        return leader

    def fetch(self, proof, node, epoch, fromLsn, prevEpoch, maxRecords, waitMs):
        leader = self._leader(proof)
        return leader.fetch(node, epoch, fromLsn, prevEpoch, maxRecords, waitMs)

    def snapshotBegin(self, proof, node):
        return self._leader(proof).snapshot_begin(node)

    def snapshotChunk(self, proof, snapshotId, offset, length):
        return self._leader(proof).snapshot_chunk(snapshotId, offset, length)

    def snapshotEnd(self, proof, snapshotId):
        self._leader(proof).snapshot_end(snapshotId)
