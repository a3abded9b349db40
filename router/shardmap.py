"""The router's cached view of which node is primary for each shard.

Filled by ZooKeeper watches and read on every call without touching
ZooKeeper. When ZooKeeper is unreachable the router keeps routing with the
last map it saw; a node that is no longer primary refuses calls, so a stale
entry costs a retry, never a misplaced write.
"""

import logging
import time

import gevent.event
import gevent.lock
from kazoo.client import KazooState
from kazoo.exceptions import KazooException, NodeExistsError

from notestore import zkclient, zklayout

__all__ = ["ShardMap"]

log = logging.getLogger(__name__)


class ShardMap:
    def __init__(self, zookeeper, zk_root, session_timeout_s=10.0):
        self._layout = zklayout.Layout(zk_root)
        self._identity = None  # published under <root>/routers for status
        self._zk = zkclient.gevent_client(zookeeper, session_timeout_s)
        self._primaries = {}  # shard id -> znode value of its primary, or None
        self._last_known = {}  # shard id -> the last primary that was not None
        self._replaced_listeners = []
        self._changed = gevent.event.Event()
        self._publish_lock = gevent.lock.Semaphore()

    def start(self, identity=None, timeout_s=30):
        """Connect and load the map. Blocks until the first snapshot is in.

        ``identity`` (a dict with an ``id``), if given, is published with the
        router's view of every shard for the admin status command.
        """
        self._identity = identity
        self._zk.start(timeout=timeout_s)
        self._zk.ensure_path(self._layout.shards)
        self._zk.ensure_path(self._layout.routers)
        self._zk.ChildrenWatch(self._layout.shards, self._on_shards)
        if self._identity is not None:
            self._zk.add_listener(self._on_state)
            self._publish_view()

    def stop(self):
        self._zk.stop()
        self._zk.close()

    def shards(self):
        return sorted(self._primaries)

    def known(self, shard_id):
        return shard_id in self._primaries

    def primary(self, shard_id):
        """The primary's znode value ({host, port, node, epoch}) or None."""
        return self._primaries.get(shard_id)

    def wait_primary(self, shard_id, timeout_s, not_this=None):
        """Wait up to ``timeout_s`` for a primary other than ``not_this``.

        Returns the primary or None when the wait times out.
        """
        deadline = time.monotonic() + timeout_s
        while True:
            primary = self._primaries.get(shard_id)
            if primary is not None and primary != not_this:
                return primary
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            self._changed.wait(remaining)

    def on_replaced(self, listener):
        """Call ``listener(shard_id, old, new)`` whenever a shard's primary
        is replaced by one at another address (``old`` and ``new`` are
        znode values). Listeners run in the watch callback: no blocking."""
        self._replaced_listeners.append(listener)

    def _on_shards(self, children):
        for shard_id in children:
            if shard_id not in self._primaries:
                self._primaries[shard_id] = None
                self._zk.DataWatch(
                    self._layout.primary(shard_id), self._primary_watcher(shard_id)
                )

    def _primary_watcher(self, shard_id):
        # kazoo passes a third argument to callbacks that accept one, so the
        # shard id is bound in a closure rather than as a default argument.
        def watch(data, stat):
            self._on_primary(shard_id, data, stat)

        return watch

    def _on_primary(self, shard_id, data, stat):
        primary = zklayout.decode(data) if stat is not None else None
        if primary is not None and not {"host", "port"} <= primary.keys():
            primary = None
        if primary != self._primaries.get(shard_id):
            log.info("shard %s primary is now %s", shard_id, _describe(primary))
        self._primaries[shard_id] = primary
        if primary is not None:
            self._note_replacement(shard_id, primary)
        # Waiters hold the event they saw; a fresh one arms the next change.
        changed, self._changed = self._changed, gevent.event.Event()
        changed.set()
        if self._identity is not None:
            gevent.spawn(self._publish_view)

    def _note_replacement(self, shard_id, primary):
        old = self._last_known.get(shard_id)
        self._last_known[shard_id] = primary
        if old is None or _address(old) == _address(primary):
            return
        for listener in self._replaced_listeners:
            listener(shard_id, old, primary)

    def view(self):
        """Shard id -> the primary this router routes to (node and epoch)."""
        return {
            shard_id: {"node": primary.get("node"), "epoch": primary.get("epoch")}
            if primary
            else None
            for shard_id, primary in self._primaries.items()
        }

    def _publish_view(self):
        # Ephemeral: it vanishes with the router, and comes back after a new
        # session. One publisher at a time, each writing the view as it is
        # when it runs, so the last write is the newest view.
        with self._publish_lock:
            path = self._layout.router(self._identity["id"])
            value = zklayout.encode({**self._identity, "view": self.view()})
            try:
                try:
                    self._zk.create(path, value, ephemeral=True)
                except NodeExistsError:
                    self._zk.set(path, value)
            except KazooException as exc:
                log.debug("cannot publish the router's view: %s", exc)

    def _on_state(self, state):
        if state == KazooState.CONNECTED:
            gevent.spawn(self._publish_view)


def _describe(primary):
    if primary is None:
        return "unknown"
    node, epoch = primary.get("node"), primary.get("epoch")
    return f"{node} at {primary['host']}:{primary['port']} (epoch {epoch})"


def _address(primary):
    return primary["host"], primary["port"]
