"""The shard node's place in ZooKeeper: registration and leadership.

A node registers an ephemeral znode with its address, then campaigns for
``primary`` if it is in the shard's in-sync set and nobody holds the role.
Winning is one ZooKeeper transaction: check the epoch counter's version,
bump it, create the ephemeral ``primary`` znode carrying the new epoch. So
two nodes can never both win, and every primary has an epoch of its own.

Leadership is taken away with the session: on SUSPENDED the node stops
answering writes at once (another node may be elected as soon as the
session expires, and we cannot know when that is); on LOST it is a
follower, its ephemeral znodes are gone, and it registers and campaigns
again once a new session is established.
"""

import logging
import os

from kazoo.client import KazooClient, KazooState
from kazoo.exceptions import BadVersionError, NodeExistsError, NoNodeError
from kazoo.handlers.gevent import SequentialGeventHandler

from notestore import zklayout

__all__ = ["Coordinator", "Role"]

log = logging.getLogger(__name__)


class Role:
    PRIMARY = "primary"
    SECONDARY = "secondary"
    STARTING = "starting"


class Coordinator:
    """Keeps one node registered and tells the server whether it may write.

    ``writable`` is True only while this node holds ``primary`` with a live,
    connected session. All callbacks run on the gevent hub.
    """

    def __init__(self, config, last_lsn):
        self._config = config
        self._layout = zklayout.Layout(config.zk_root)
        self._address = {}
        self._last_lsn = last_lsn
        self._zk = KazooClient(
            hosts=config.zookeeper,
            timeout=config.session_timeout_s,
            handler=SequentialGeventHandler(),
        )
        self.role = Role.STARTING
        self.epoch = 0
        self._connected = False
        self._session_lost = False

    @property
    def writable(self):
        return self.role == Role.PRIMARY and self._connected

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
        # kazoo keeps a DataWatch across sessions; one is enough for life.
        primary = self._layout.primary(self._config.shard_id)
        self._zk.DataWatch(primary, self._on_primary)

    def stop(self):
        """Leave the cluster: our ephemeral znodes go with the session, so a
        successor can take over at once instead of after the timeout."""
        self._zk.remove_listener(self._on_state)
        self.role = Role.STARTING
        self._zk.stop()
        self._zk.close()

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
        try:
            self._zk.create(path, self._node_value(), ephemeral=True)
        except NodeExistsError:
            # Our previous session's znode lingers until that session expires.
            self._zk.delete(path)
            self._zk.create(path, self._node_value(), ephemeral=True)

    def _node_value(self):
        return zklayout.encode(
            {
                **self._address,
                "node": self._config.node_id,
                "pid": os.getpid(),
                "role": self.role,
                "epoch": self.epoch,
                "lsn": self._last_lsn(),
            }
        )

    def _publish(self):
        path = self._layout.node(self._config.shard_id, self._config.node_id)
        try:
            self._zk.set(path, self._node_value())
        except NoNodeError:
            log.warning("registration znode vanished; registering again")
            self._register()

    def _on_primary(self, data, stat):
        if stat is not None or not self._connected:
            return
        self._zk.handler.spawn(self._campaign)

    def _campaign(self):
        shard = self._config.shard_id
        insync = zklayout.decode(self._zk.get(self._layout.insync(shard))[0])
        if self._config.node_id not in insync.get("nodes", []):
            log.info("not in the in-sync set of %s; staying secondary", shard)
            self._become(Role.SECONDARY, self.epoch)
            return
        data, stat = self._zk.get(self._layout.epoch(shard))
        epoch = zklayout.decode(data).get("epoch", 0) + 1
        txn = self._zk.transaction()
        txn.check(self._layout.epoch(shard), stat.version)
        txn.set_data(self._layout.epoch(shard), zklayout.encode({"epoch": epoch}))
        txn.create(
            self._layout.primary(shard),
            zklayout.encode(
                {**self._address, "node": self._config.node_id, "epoch": epoch}
            ),
            ephemeral=True,
        )
        results = txn.commit()
        if any(isinstance(r, NodeExistsError | BadVersionError) for r in results):
            log.info("lost the election for %s", shard)
            self._become(Role.SECONDARY, self.epoch)
            return
        self._become(Role.PRIMARY, epoch)

    def _become(self, role, epoch):
        if (role, epoch) != (self.role, self.epoch):
            log.info("%s is now %s in epoch %d", self._config.node_id, role, epoch)
        self.role, self.epoch = role, epoch
        self._publish()

    def _on_state(self, state):
        if state == KazooState.SUSPENDED:
            # Stop writing before anyone could have replaced us.
            self._connected = False
            log.warning("ZooKeeper connection suspended; refusing writes")
        elif state == KazooState.LOST:
            self._connected = False
            self._session_lost = True
            self.role = Role.SECONDARY
            log.warning("ZooKeeper session lost; no longer primary")
        else:
            self._zk.handler.spawn(self._reconnected)

    def _reconnected(self):
        # CONNECTED after SUSPENDED keeps the session and our znodes; after
        # LOST the session is new: register again and campaign if vacant.
        self._connected = True
        if self._session_lost:
            self._session_lost = False
            self._register()
            if self._zk.exists(self._layout.primary(self._config.shard_id)) is None:
                self._campaign()
