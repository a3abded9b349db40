"""The shard node's place in ZooKeeper: registration, election, fencing.

A node registers an ephemeral znode with its address, role and last LSN,
then campaigns for ``primary`` whenever nobody holds it, if (and only if)
it is in the shard's in-sync set: a node outside the set may lack writes
that were answered, and must never lead. Winning is one ZooKeeper
transaction: check the epoch counter's version, bump it, create the
ephemeral ``primary`` znode carrying the new epoch. Two nodes can never
both win, and every primary has an epoch of its own.

Leadership is taken away with the session. On SUSPENDED the node stops
answering writes at once: another node may be elected as soon as the
session expires, and we cannot know when that is. On LOST it is a
follower; its ephemeral znodes are gone, and it registers and campaigns
again once a new session is established. kazoo's Election recipe would not
interrupt a running leader, so this module keeps the role itself.

The in-sync set is changed only by the primary, with a versioned write,
before the primary acts on the change.

A planned handover writes ``handover`` = {"from", "to"}; the primary stops
writing, waits for the target to catch up, deletes ``primary``, and only
the target campaigns until it has won.
"""

import logging
import os

import gevent
import gevent.event
import gevent.lock
from kazoo.client import KazooState
from kazoo.exceptions import (
    BadVersionError,
    KazooException,
    NodeExistsError,
    NoNodeError,
)

from notestore import zkclient, zklayout

__all__ = ["Coordinator", "Role"]

log = logging.getLogger(__name__)

ZK_CALL_TIMEOUT_S = 5.0
PUBLISH_INTERVAL_S = 0.5
# Our previous session's registration may linger, or vanish as we look.
_REGISTER_ATTEMPTS = 3


class Role:
    PRIMARY = "primary"
    SECONDARY = "secondary"
    STARTING = "starting"


class Coordinator:
    """Keeps one node registered and tells the server what it may do.

    ``writable`` is True only while this node holds ``primary`` with a live,
    connected session and no handover in progress. ``on_role(role)`` is
    called whenever the role changes; ``catch_up(node)`` blocks until a
    handover's target holds every record; ``on_nodes_changed()`` is called
    when a node of the shard registers or its session ends; ``status()``
    adds to what the node publishes about itself. All ZooKeeper callbacks
    run on the gevent hub.
    """

    def __init__(
        self,
        config,
        last_lsn,
        on_role=None,
        catch_up=None,
        on_nodes_changed=None,
        status=None,
    ):
        self._config = config
        self._layout = zklayout.Layout(config.zk_root)
        self._address = {}
        self._last_lsn = last_lsn
        self._on_role = on_role or (lambda role: None)
        self._catch_up = catch_up or (lambda node: None)
        self._on_nodes_changed = on_nodes_changed or (lambda: None)
        self._status = status or dict
        self._zk = zkclient.gevent_client(config.zookeeper, config.session_timeout_s)
        self.role = Role.STARTING
        self.epoch = 0
        self._connected = False
        self._session_lost = False
        self._handing_over = False
        self._primary = None  # the primary znode's value, or None
        self._primary_changed = gevent.event.Event()
        self._insync = (frozenset(), -1)  # (node ids, znode version)
        self._live = frozenset()  # node ids with a registration znode
        self._handover = {}
        self._publisher = None
        self._campaign_lock = gevent.lock.Semaphore()

    @property
    def node_id(self):
        return self._config.node_id

    @property
    def writable(self):
        return self.role == Role.PRIMARY and self._connected and not self._handing_over

    def start(self, address, timeout_s=30):
        """Connect, register and campaign. Blocks until connected.

        ``address`` is the node's served host and port, published for the
        router. Raises kazoo's timeout error if ZooKeeper is unreachable.
        """
        self._address = dict(address)
        self._zk.start(timeout=timeout_s)
        self._connected = True
        self._zk.add_listener(self._on_state)
        self._ensure_shard_paths()
        self._register()
        shard = self._config.shard_id
        # kazoo keeps a DataWatch across sessions; one of each is enough.
        self._zk.ChildrenWatch(self._layout.nodes(shard), self._on_nodes)
        self._zk.DataWatch(self._layout.insync(shard), self._on_insync)
        self._zk.DataWatch(self._layout.handover(shard), self._on_handover)
        self._zk.DataWatch(self._layout.primary(shard), self._on_primary)
        self._publisher = gevent.spawn(self._publish_forever)

    def stop(self):
        """Leave the cluster: our ephemeral znodes go with the session, so a
        successor can take over at once instead of after the timeout."""
        if self._publisher is not None:
            self._publisher.kill()
        self._zk.remove_listener(self._on_state)
        self._set_role(Role.STARTING, self.epoch)
        self._zk.stop()
        self._zk.close()

    # What the rest of the node asks

    def primary(self):
        return self._primary

    def wait_primary(self):
        """Block until some node holds ``primary``; return its znode value."""
        while self._primary is None:
            self._primary_changed.wait()
        return self._primary

    def insync_nodes(self):
        return self._insync[0]

    def insync_followers(self):
        return self._insync[0] - {self._config.node_id}

    def is_live(self, node_id):
        """Whether ``node_id`` has a ZooKeeper session (a registration)."""
        return node_id in self._live

    def update_insync(self, add=(), remove=()):
        """Change the in-sync set with a versioned write, retrying on races.

        Blocks on ZooKeeper for at most a few seconds; raises kazoo errors
        (or its timeout) when the change could not be recorded. Only the
        primary calls this.
        """
        path = self._layout.insync(self._config.shard_id)
        for _ in range(5):
            data, stat = self._zk.get_async(path).get(timeout=ZK_CALL_TIMEOUT_S)
            nodes = set(zklayout.decode(data).get("nodes", []))
            wanted = (nodes | set(add)) - set(remove)
            if wanted == nodes:
                return
            value = zklayout.encode({"nodes": sorted(wanted)})
            try:
                done = self._zk.set_async(path, value, version=stat.version)
                stat = done.get(timeout=ZK_CALL_TIMEOUT_S)
            except BadVersionError:
                continue
            self._insync = (frozenset(wanted), stat.version)
            log.info(
                "in-sync set of %s is now %s", self._config.shard_id, sorted(wanted)
            )
            return
        raise KazooException("the in-sync set kept changing under us")

    # Registration

    def _ensure_shard_paths(self):
        shard = self._config.shard_id
        self._zk.ensure_path(self._layout.nodes(shard))
        for path, value in (
            (self._layout.epoch(shard), {"epoch": 0}),
            # The first node of a new shard seeds the in-sync set with itself.
            (self._layout.insync(shard), {"nodes": [self._config.node_id]}),
        ):
            try:
                self._zk.create(path, zklayout.encode(value))
            except NodeExistsError:
                pass

    def _register(self):
        path = self._layout.node(self._config.shard_id, self._config.node_id)
        for _attempt in range(_REGISTER_ATTEMPTS - 1):
            try:
                self._zk.create(path, self._node_value(), ephemeral=True)
                return
            except NodeExistsError:
                pass
            # Our previous session's znode lingers until that session
            # expires; it may expire on its own between our two calls.
            try:
                self._zk.delete(path)
            except NoNodeError:
                pass
        self._zk.create(path, self._node_value(), ephemeral=True)

    def _node_value(self):
        return zklayout.encode(
            {
                **self._address,
                "node": self._config.node_id,
                "pid": os.getpid(),
                "role": self.role,
                "epoch": self._published_epoch(),
                "lsn": self._last_lsn(),
                **self._status(),
            }
        )

    def _published_epoch(self):
        # A secondary reports the epoch it follows, so that status shows
        # every node of a healthy shard in the same epoch.
        if self.role == Role.PRIMARY or self._primary is None:
            return self.epoch
        return self._primary.get("epoch", self.epoch)

    def _publish(self):
        path = self._layout.node(self._config.shard_id, self._config.node_id)
        try:
            self._zk.set_async(path, self._node_value()).get(timeout=ZK_CALL_TIMEOUT_S)
        except NoNodeError:
            log.warning("registration znode vanished; registering again")
            self._register()

    def _publish_forever(self):
        published = None
        while True:
            gevent.sleep(PUBLISH_INTERVAL_S)
            value = self._node_value()
            if value == published or not self._connected:
                continue
            try:
                self._publish()
                published = value
            except KazooException as exc:
                log.debug("cannot publish node state: %s", exc)
            except gevent.Timeout:
                log.debug("publishing node state timed out")

    # Election

    def _on_primary(self, data, stat):
        self._primary = zklayout.decode(data) if stat is not None else None
        changed, self._primary_changed = self._primary_changed, gevent.event.Event()
        changed.set()
        holder = (self._primary or {}).get("node")
        if self.role != Role.SECONDARY and holder not in (None, self._config.node_id):
            # Someone else holds the role (a handover, or our session was
            # replaced, or we just started): we follow it.
            self._set_role(Role.SECONDARY, self.epoch)
        elif self.role == Role.PRIMARY and holder is None:
            self._set_role(Role.SECONDARY, self.epoch)
        if self._primary is None and self._connected:
            self._zk.handler.spawn(self._campaign)

    def _on_nodes(self, children):
        self._live = frozenset(children)
        self._on_nodes_changed()

    def _on_insync(self, data, stat):
        if stat is not None:
            nodes = frozenset(zklayout.decode(data).get("nodes", []))
            self._insync = (nodes, stat.version)
        if self._primary is None and self._connected:
            self._zk.handler.spawn(self._campaign)

    def _on_handover(self, data, stat):
        self._handover = zklayout.decode(data) if stat is not None else {}
        if not self._handover and self._primary is None and self._connected:
            # A withdrawn handover frees the election for everyone again.
            self._zk.handler.spawn(self._campaign)
        if (
            self.role == Role.PRIMARY
            and self._handover.get("from") == self._config.node_id
        ):
            self._zk.handler.spawn(self._hand_over, self._handover.get("to"))

    def _campaign(self):
        # Watches fire together (in-sync set, primary, handover): one
        # campaign at a time, or a loser's "lost" would undo our own win.
        with self._campaign_lock:
            self._campaign_once()

    def _campaign_once(self):
        shard = self._config.shard_id
        if self._zk.exists(self._layout.primary(shard)) is not None:
            return
        if self._config.node_id not in self.insync_nodes():
            log.info("not in the in-sync set of %s; staying secondary", shard)
            self._set_role(Role.SECONDARY, self.epoch)
            return
        target = self._handover.get("to")
        if target and target != self._config.node_id:
            self._set_role(Role.SECONDARY, self.epoch)
            return  # a planned handover names another node
        self._try_to_win(shard)

    def _try_to_win(self, shard):
        data, stat = self._zk.get(self._layout.epoch(shard))
        epoch = zklayout.decode(data).get("epoch", 0) + 1
        primary_value = {
            **self._address,
            "node": self._config.node_id,
            "epoch": epoch,
            # For the router's getUser: the quota this shard enforces.
            "upload_limit": self._config.upload_limit,
        }
        txn = self._zk.transaction()
        txn.check(self._layout.epoch(shard), stat.version)
        txn.set_data(self._layout.epoch(shard), zklayout.encode({"epoch": epoch}))
        txn.create(
            self._layout.primary(shard), zklayout.encode(primary_value), ephemeral=True
        )
        results = txn.commit()
        if any(isinstance(r, NodeExistsError | BadVersionError) for r in results):
            log.info("lost the election for %s", shard)
            self._set_role(Role.SECONDARY, self.epoch)
            return
        if self._handover.get("to") == self._config.node_id:
            self._zk.delete_async(self._layout.handover(shard))
        self._set_role(Role.PRIMARY, epoch)

    def _set_role(self, role, epoch):
        changed = role != self.role
        if (role, epoch) != (self.role, self.epoch):
            log.info("%s is now %s in epoch %d", self._config.node_id, role, epoch)
        self.role, self.epoch = role, epoch
        if changed:
            self._handing_over = False
            self._on_role(role)
            if self._connected:
                gevent.spawn(self._publish_quietly)

    def _publish_quietly(self):
        try:
            self._publish()
        except (KazooException, gevent.Timeout) as exc:
            log.debug("cannot publish node state: %s", exc)

    # Planned handover

    def _hand_over(self, target):
        """Stop writing, let ``target`` catch up, then give up ``primary``."""
        if target not in self.insync_followers():
            log.warning("handover to %s refused: not an in-sync follower", target)
            self._zk.delete_async(self._layout.handover(self._config.shard_id))
            return
        log.info("handing over %s to %s", self._config.shard_id, target)
        self._handing_over = True
        self._catch_up(target)
        # Deleting our znode lets the target win; only it campaigns while
        # the handover znode names it.
        self._zk.delete(self._layout.primary(self._config.shard_id))

    # Session

    def _on_state(self, state):
        if state == KazooState.SUSPENDED:
            # Stop writing before anyone could have replaced us.
            self._connected = False
            log.warning("ZooKeeper connection suspended; refusing writes")
        elif state == KazooState.LOST:
            self._connected = False
            self._session_lost = True
            log.warning("ZooKeeper session lost; no longer primary")
            self._zk.handler.spawn(self._set_role, Role.SECONDARY, self.epoch)
        else:
            self._zk.handler.spawn(self._reconnected)

    def _reconnected(self):
        # CONNECTED after SUSPENDED keeps the session and our znodes; after
        # LOST the session is new: register again and campaign if vacant.
        self._connected = True
        if self._session_lost:
            self._session_lost = False
            self._register()
            self._campaign()
        log.info("ZooKeeper connection restored")
